"""The `schakel` and `schakel-connector` command lines, in-process, on both databases."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from connectors.cli import app as connector_app
from hub.cli import app, main
from hub.config import get_settings
from hub.db import Database
from tests.test_migrations import HEAD

runner = CliRunner()


@pytest.fixture
def cli_env(cli_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shared environment, with an empty keys dir: these tests make the keys themselves."""
    monkeypatch.setenv("SCHAKEL_KEYS_DIR", str(tmp_path / "fresh-keys"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def schakel(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


class TestRegistryCommands:
    def test_register_a_partner_with_a_key_and_suspend_it(self, cli_env: Path, database_url: str) -> None:
        assert f"database op revisie {HEAD}" in schakel("db", "upgrade")
        assert "ondertekensleutel" in schakel("keys", "init")
        partner = json.loads(
            schakel(
                "partner",
                "add",
                "ggz-limburg",
                "--naam",
                "GGZ Limburg",
                "--soort",
                "ggz",
                "--oin",
                "00000099000000000501",
                "--werkgebied",
                "GM0935,GM0917",
            )
        )
        assert partner["deliveryMode"] == "inbox"
        schakel("principal", "add", "ggz-limburg-systeem", "--partner", "ggz-limburg", "--role", "partner")
        assert "kid" in runner.invoke(connector_app, ["keygen", "ggz", "--out", str(cli_env)]).output
        key = json.loads(
            schakel("principal", "key", "add", "ggz-limburg-systeem", "--jwk", str(cli_env / "ggz.public.jwk"))
        )
        assert key["algorithm"] == "EdDSA"
        assert "valid" in schakel("principal", "key", "list", "ggz-limburg-systeem")
        assert json.loads(schakel("partner", "suspend", "ggz-limburg"))["status"] == "suspended"
        schakel("principal", "roles", "ggz-limburg-systeem", "--role", "partner", "--role", "dpia_reviewer")
        # `--` ends the options: a kid (a base64url thumbprint) may start with a dash.
        schakel("principal", "key", "revoke", "--reason", "compromised", "--", "ggz-limburg-systeem", key["kid"])

        database = Database(database_url)
        try:
            with database.engine.connect() as connection:
                rows = connection.execute(sa.text("SELECT actor, action FROM admin_audit_event ORDER BY id")).all()
        finally:
            database.dispose()
        assert {actor for actor, _ in rows} == {f"cli:{getpass.getuser()}"}
        assert [action for _, action in rows] == [
            "hub_key.created", "partner.created", "principal.created", "key.added", "partner.suspended",
            "principal.roles_changed", "key.revoked",
        ]  # fmt: skip

    @pytest.mark.parametrize(
        ("args", "says"),
        [
            (
                ["--naam", "GGZ", "--oin", "00000099000000000601"],
                "fout: Er is al een partner met dit id. (partner-exists)",
            ),
            (["--naam", "G", "--oin", "00000099000000000602"], "fout: naam: String should have at least 2"),
        ],
    )
    def test_a_refusal_is_one_clear_line(
        self,
        cli_env: Path,
        args: list[str],
        says: str,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        schakel("db", "upgrade")
        schakel(
            "partner",
            "add",
            "x-1",
            "--naam",
            "GGZ",
            "--soort",
            "ggz",
            "--oin",
            "00000099000000000601",
            "--werkgebied",
            "GM0935",
        )
        monkeypatch.setattr(
            "sys.argv", ["schakel", "partner", "add", "x-1", "--soort", "ggz", "--werkgebied", "GM0935", *args]
        )
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 1
        err = capsys.readouterr().err
        assert err.startswith(says)
        assert len(err.strip().splitlines()) == 1
        assert "input_value" not in err

    def test_several_processes_are_refused_on_sqlite_in_one_line(
        self, cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if not database_url.startswith("sqlite"):
            pytest.skip("on PostgreSQL the processes would start (tests/ops/test_serve_workers.py)")
        monkeypatch.setattr("sys.argv", ["schakel", "serve", "--workers", "2"])
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("configuratiefout: --workers boven 1 vraagt PostgreSQL"), err
        assert len(err.strip().splitlines()) == 1

    def test_hub_keys_rotate_and_retire(self, cli_env: Path) -> None:
        schakel("db", "upgrade")
        schakel("keys", "init")
        old = schakel("keys", "list").split()[0]
        assert "blijft gepubliceerd" in schakel("keys", "rotate")
        assert "retired" in schakel("keys", "retire", "--", old)  # a kid may begin with a dash
        listing = schakel("keys", "list")
        assert "retired" in listing
        assert "active" in listing
        listed = json.loads(schakel("keys", "list", "--json"))
        assert {k["kid"]: k["status"] for k in listed}[old] == "retired"
        assert [k["status"] for k in listed].count("active") == 1

    def test_accounts_are_listed_for_scripts(self, cli_env: Path) -> None:
        schakel("db", "upgrade")
        assert json.loads(schakel("account", "list", "--json")) == {"passkeys": [], "inschrijflinks": []}
        schakel(
            "partner",
            "add",
            "ggz-x",
            "--naam",
            "GGZ X",
            "--soort",
            "ggz",
            "--oin",
            "00000099000000000701",
            "--werkgebied",
            "GM0935",
        )
        schakel("principal", "add", "ggz-x-fg", "--partner", "ggz-x", "--soort", "persoon", "--role", "privacy_officer")
        assert "Inschrijflink voor ggz-x-fg" in schakel("account", "add", "ggz-x-fg")
        listed = json.loads(schakel("account", "list", "--json"))
        assert [link["principal"] for link in listed["inschrijflinks"]] == ["ggz-x-fg"]
        assert listed["passkeys"] == []

    def test_db_check_finds_no_drift(self, cli_env: Path) -> None:
        assert "komen overeen" in schakel("db", "check")


class TestOpenapiCommand:
    def test_prints_the_document_without_a_database(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("SCHAKEL_DATA_DIR", str(tmp_path / "nothing-here"))
        get_settings.cache_clear()
        try:
            document = json.loads(schakel("openapi"))
        finally:
            get_settings.cache_clear()
        assert document["servers"][0]["url"].endswith("/api/v1")
        assert not (tmp_path / "nothing-here").exists()


class TestConnectorMistakes:
    def test_call_with_a_missing_data_file_is_a_sentence_not_a_traceback(self, tmp_path: Path) -> None:
        assert "kid" in runner.invoke(connector_app, ["keygen", "x", "--out", str(tmp_path)]).output
        result = runner.invoke(
            connector_app,
            [
                "call",
                "POST",
                "/api/v1/meldingen",
                "--hub",
                "http://127.0.0.1:9",
                "--partner",
                "p",
                "--principal",
                "p-systeem",
                "--key",
                str(tmp_path / "x.private.jwk"),
                "--data",
                str(tmp_path / "weg.json"),
            ],
        )
        assert result.exit_code == 2
        assert "--data" in result.stderr and "No such file" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)

    def test_an_adapter_file_that_is_missing(self, tmp_path: Path) -> None:
        assert "kid" in runner.invoke(connector_app, ["keygen", "x", "--out", str(tmp_path)]).output
        result = runner.invoke(
            connector_app,
            [
                "e33",
                "send",
                str(tmp_path / "weg.csv"),
                "--hub",
                "http://127.0.0.1:9",
                "--partner",
                "p",
                "--principal",
                "p-systeem",
                "--key",
                str(tmp_path / "x.private.jwk"),
            ],
        )
        assert result.exit_code == 2 and "No such file" in result.stderr


def _commands(prefix: list[str], command: Any) -> Iterator[tuple[list[str], Any]]:
    yield prefix, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands([*prefix, name], sub)


class TestEveryCommand:
    def test_every_command_says_what_it_does(self) -> None:
        from hub.cli import COMMANDS, load  # noqa: PLC0415 - the table is what is under test

        seen = 0
        paths: list[list[str]] = []
        for name in COMMANDS:
            for path, command in _commands([name], load(name)):
                paths.append(path)
                text = (command.help or "").strip()
                assert text, f"`schakel {' '.join(path)}` has no help text"
                result = runner.invoke(app, [*path, "--help"])
                assert result.exit_code == 0 and text.split("\n")[0][:30] in result.output, path
                seen += 1
        assert seen >= 40, seen
        assert ["bevestiging", "controleer"] in paths, "a group of one command stays a group, as documented"

    def test_the_version(self) -> None:
        from hub import __version__  # noqa: PLC0415

        result = runner.invoke(app, ["--version"])
        assert (result.exit_code, result.output.strip()) == (0, f"schakel {__version__}")

    def test_the_top_level_help_lists_every_command_without_importing_them(self) -> None:
        import subprocess  # noqa: PLC0415
        import sys  # noqa: PLC0415

        probe = (
            "import sys; from hub.cli import main; sys.argv = ['schakel', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('sqlalchemy', 'fastapi', 'hub.config', 'hub.db', 'rich') if m in sys.modules]\n"
            "print('ZWAAR', heavy)"
        )
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
        assert "ZWAAR []" in out, out
        assert all(name in out for name in ("serve", "ledger", "bevestiging"))
