"""`schakel ledger checkpoint|export|verify` on the configured database, with the hub's own key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from hub.cli import app, main
from hub.config import get_settings
from hub.db import Database
from hub.ledger import service
from hub.ledger.verify import load_trust, public_keys


@pytest.fixture
def app_settings_origin(public_url: str) -> str:
    return public_url.removeprefix("http://") + "/verstrekkingenlog"


def test_checkpoint_export_verify(database: Database, cli_env: None, keys_dir: Path, tmp_path: Path) -> None:
    with database.unit_of_work() as session:
        service.append(session, [{"soort": "verstrekking", "n": n} for n in range(7)], datetime.now(UTC))
    runner = CliRunner()
    kept = runner.invoke(app, ["ledger", "checkpoint"]).stdout
    assert kept.startswith("schakel.example/verstrekkingenlog\n7\n")
    (tmp_path / "kept.note").write_text(kept)
    with database.unit_of_work() as session:
        service.append(session, [{"soort": "weigering", "n": 7}], datetime.now(UTC))
    exported = runner.invoke(app, ["ledger", "export", "--out", str(tmp_path / "bundle")]).stdout
    assert "8 vastleggingen geëxporteerd" in exported

    trusted = keys_dir / "hub" / "keyset.json"
    jwks = {"keys": [k["public_jwk"] for k in json.loads(trusted.read_text())["keys"]]}
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    result = runner.invoke(
        app,
        [
            "ledger",
            "verify",
            str(tmp_path / "bundle"),
            "--sleutels",
            str(tmp_path / "jwks.json"),
            "--origin",
            "schakel.example/verstrekkingenlog",
            "--vorige",
            str(tmp_path / "kept.note"),
        ],
    )
    assert result.exit_code == 0, result.stdout
    assert "OK: 8 vastleggingen" in result.stdout

    lines = (tmp_path / "bundle" / "entries.jsonl").read_bytes().splitlines()
    lines[3] = b'{"n":3,"soort":"weigering"}'
    (tmp_path / "bundle" / "entries.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    tampered = runner.invoke(
        app,
        [
            "ledger",
            "verify",
            str(tmp_path / "bundle"),
            "--sleutels",
            str(tmp_path / "jwks.json"),
            "--origin",
            "schakel.example/verstrekkingenlog",
        ],
    )
    assert tampered.exit_code == 1
    assert "FOUT" in tampered.stdout
    as_json = runner.invoke(
        app,
        [
            "ledger",
            "verify",
            str(tmp_path / "bundle"),
            "--sleutels",
            str(tmp_path / "jwks.json"),
            "--origin",
            "schakel.example/verstrekkingenlog",
            "--json",
        ],
    )
    verdict = json.loads(as_json.stdout)
    assert as_json.exit_code == 1, "--json keeps the exit code"
    assert (verdict["klopt"], verdict["wortel"], verdict["oorsprong"]) == (
        False,
        None,
        "schakel.example/verstrekkingenlog",
    )
    assert any("de log is gewijzigd" in f for f in verdict["fouten"])


class TestOneOrigin:
    def test_the_cli_signs_under_the_name_the_log_already_has(
        self, database: Database, cli_env: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        runner = CliRunner()
        with database.unit_of_work() as session:
            service.append(session, [{"soort": "verstrekking", "n": 0}], datetime.now(UTC))
        first = runner.invoke(app, ["ledger", "checkpoint"]).stdout
        assert first.startswith("schakel.example/verstrekkingenlog\n1\n")
        with database.unit_of_work() as session:
            service.append(session, [{"soort": "verstrekking", "n": 1}], datetime.now(UTC))
        monkeypatch.setenv("SCHAKEL_PUBLIC_URL", "http://127.0.0.1:8000")  # the CLI's default, not the hub's URL
        get_settings.cache_clear()
        second = runner.invoke(app, ["ledger", "checkpoint"]).stdout
        assert second.startswith("schakel.example/verstrekkingenlog\n2\n"), "a log keeps its name"

    def test_a_configured_origin_that_renames_the_log_is_refused(
        self, database: Database, cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with database.unit_of_work() as session:
            service.append(session, [{"soort": "verstrekking", "n": 0}], datetime.now(UTC))
        assert CliRunner().invoke(app, ["ledger", "checkpoint"]).exit_code == 0
        monkeypatch.setenv("SCHAKEL_LOG_ORIGIN", "ander.example/verstrekkingenlog")
        get_settings.cache_clear()
        monkeypatch.setattr("sys.argv", ["schakel", "ledger", "checkpoint"])
        with pytest.raises(SystemExit) as exit_:
            main()
        assert exit_.value.code == 2
        assert "a log keeps its name" in capsys.readouterr().err


def test_the_hub_publishes_its_verifier_key_and_a_bundle_verifies_with_it(
    http: httpx.Client, database: Database, app_settings_origin: str, tmp_path: Path
) -> None:
    vkeys = http.get("/.well-known/schakel/verstrekkingenlog.vkey")
    assert vkeys.status_code == 200 and vkeys.headers["content-type"].startswith("text/plain")
    trust = load_trust(vkeys.text, None)
    assert trust.origin == app_settings_origin
    jwks = public_keys(http.get("/.well-known/jwks.json").json())
    assert {k.public_bytes_raw() for k in trust.keys} == {k.public_bytes_raw() for k in jwks}
