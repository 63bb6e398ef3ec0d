"""Backup and restore (#35, part 4): `schakel backup` writes the database with the hub's keys and secrets, encrypted
for the operator (an age file: `age -d` opens it too); the hub is destroyed; `schakel herstel` puts it back, and
the log verifies against the keys and the checkpoint pinned before, and its witnesses cosign again. A backup older
than what the witnesses cosigned is found at the restore and said, and the hub then signs no checkpoint over it.
SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from hub import refusals
from hub.cli import app
from hub.config import get_settings
from hub.db import Database
from hub.keys.keyring import HubKeyring
from hub.kit.clock import utcnow
from hub.ledger import repository, service
from hub.ops.health import degradations
from hub.ops.metrics import snapshot
from hub.pseudonym.secrets import PrivacySecrets
from hub.pseudonym.vault import OpgegevenIdentiteit, Vault
from tests.ledger.test_witnesses import _witnessing
from tests.witnessing import ORIGIN, WitnessServer

runner = CliRunner()


@pytest.fixture
def env(  # noqa: PLR0917 - fixtures
    database_url: str, database: Database, keys_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    witnesses: list[WitnessServer],
) -> Iterator[Path]:  # fmt: skip
    """The commands see this test's database, keys and witnesses; yields the operator's backup identity."""
    listed = tmp_path / "getuigen.txt"
    listed.write_text("".join(f"{w.config.url} {w.witness.verifier_key.encode()}\n" for w in witnesses), "utf-8")
    monkeypatch.setenv("SCHAKEL_DATABASE_URL", database_url)
    monkeypatch.setenv("SCHAKEL_KEYS_DIR", str(keys_dir))
    monkeypatch.setenv("SCHAKEL_WITNESSES_FILE", str(listed))
    monkeypatch.setenv("SCHAKEL_LOG_ORIGIN", ORIGIN)
    get_settings.cache_clear()
    identity = tmp_path / "beheerder" / "backup.key"
    made = runner.invoke(app, ["backupsleutel", str(identity)])
    assert made.exit_code == 0, made.output
    monkeypatch.setenv("SCHAKEL_BACKUP_RECIPIENT", made.stdout.strip().splitlines()[-1])
    get_settings.cache_clear()
    yield identity
    get_settings.cache_clear()


def _grow(database: Database, count: int, keys_dir: Path, witnesses: list[WitnessServer]) -> dict[str, bool]:
    with database.unit_of_work() as session:
        service.append(session, [{"soort": "verstrekking", "n": n} for n in range(count)], datetime.now(UTC))
    witnessing = _witnessing(database, HubKeyring(keys_dir).ed25519_key(), witnesses)
    try:
        return witnessing.run_once()
    finally:
        witnessing.close()


def _destroy(database: Database, database_url: str, keys_dir: Path) -> None:
    database.dispose()
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
    else:
        with database.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    shutil.rmtree(keys_dir)


def _vault(keys_dir: Path) -> Vault:
    privacy = PrivacySecrets(keys_dir)
    return Vault(privacy.pseudonyms(), privacy.kek())


class TestBackupAndRestore:
    def test_back_up_destroy_restore_and_verify(  # noqa: PLR0917 - fixtures
        self, env: Path, database: Database, database_url: str, keys_dir: Path, tmp_path: Path,
        witnesses: list[WitnessServer],
    ) -> None:  # fmt: skip
        assert _grow(database, 5, keys_dir, witnesses) == {w.witness.name: True for w in witnesses}
        with database.unit_of_work() as session:
            person = _vault(keys_dir).seal(
                session, OpgegevenIdentiteit(bsn="762621606", achternaam="Verzonnen"), utcnow()
            )
            pinned_checkpoint = service.full_note(
                checkpoint := repository.latest_checkpoint(session),  # type: ignore[arg-type]
                repository.cosignatures(session, [checkpoint.id or 0]).get(checkpoint.id or 0, []),  # type: ignore[union-attr]
            )
        pinned_keys = tmp_path / "vastgelegd.jwks"
        pinned_keys.write_text(json.dumps({"keys": HubKeyring(keys_dir).load().published()}), encoding="utf-8")
        (tmp_path / "vastgelegd.checkpoint").write_text(pinned_checkpoint, encoding="utf-8")
        vkeys = "".join(f"{w.witness.verifier_key.encode()}\n" for w in witnesses)
        (tmp_path / "getuigen.vkeys").write_text(vkeys, encoding="utf-8")

        made = runner.invoke(app, ["backup", "--uit", str(tmp_path / "schakel.age")])
        assert made.exit_code == 0, made.output
        assert "5 vastleggingen in de log, met de sleutels van de hub" in made.stdout
        if shutil.which("age"):  # the standard tool opens it too: the operator is not bound to Schakel
            opened = subprocess.run(["age", "-d", "-i", str(env), str(tmp_path / "schakel.age")],
                                    capture_output=True, check=True)  # fmt: skip
            listing = subprocess.run(["tar", "-t"], input=opened.stdout, capture_output=True, check=True).stdout
            assert b"manifest.json" in listing and b"keys/privacy" in listing

        _destroy(database, database_url, keys_dir)
        restored = runner.invoke(app, ["herstel", str(tmp_path / "schakel.age"), "--sleutel", str(env)])
        assert restored.exit_code == 0, restored.output
        assert (
            "klopt: het nieuwste controlepunt (5 vastleggingen) is ondertekend met de herstelde sleutel"
            in restored.stdout
        )
        for witness in witnesses:
            assert f"klopt: getuige {witness.witness.name} kent dit controlepunt (5) als nieuwste" in restored.stdout

        bundle = tmp_path / "bundel"
        assert runner.invoke(app, ["ledger", "export", "--out", str(bundle)]).exit_code == 0
        verified = runner.invoke(
            app,
            ["ledger", "verify", str(bundle), "--sleutels", str(pinned_keys), "--origin", ORIGIN,
             "--vorige", str(tmp_path / "vastgelegd.checkpoint"), "--getuigen", str(tmp_path / "getuigen.vkeys"),
             "--minimaal", "2"],
        )  # fmt: skip
        assert verified.exit_code == 0, verified.output
        restored_db = Database(database_url)
        try:
            with restored_db.unit_of_work() as session:
                assert _vault(keys_dir).open(session, person).bsn == "762621606", "the vault's secrets came back"
            assert _grow(restored_db, 3, keys_dir, witnesses) == {w.witness.name: True for w in witnesses}
        finally:
            restored_db.dispose()

    def test_a_restore_behind_what_the_witnesses_cosigned_is_said_and_not_signed_over(  # noqa: PLR0917
        self, env: Path, database: Database, database_url: str, keys_dir: Path, tmp_path: Path,
        witnesses: list[WitnessServer],
    ) -> None:  # fmt: skip
        _grow(database, 5, keys_dir, witnesses)
        assert runner.invoke(app, ["backup", "--uit", str(tmp_path / "oud.age")]).exit_code == 0
        assert _grow(database, 3, keys_dir, witnesses) == {w.witness.name: True for w in witnesses}  # cosigned: 8
        database.dispose()

        refused = runner.invoke(app, ["herstel", str(tmp_path / "oud.age"), "--sleutel", str(env)])
        assert refused.exit_code == 1 and "er is niets veranderd" in refused.stderr, "a hub is there: not over it"
        restored = runner.invoke(app, ["herstel", str(tmp_path / "oud.age"), "--sleutel", str(env), "--overschrijven"])
        assert restored.exit_code == 1, restored.output
        name = witnesses[0].witness.name
        assert f"fout: getuige {name} medeondertekende 8 vastleggingen, de herstelde log heeft er 5" in restored.stderr
        assert "de hub ondertekent geen controlepunt meer over deze log" in restored.stderr

        again = Database(database_url)
        try:
            assert _grow(again, 2, keys_dir, witnesses) == {}, "no checkpoint signed, none submitted"
            with again.unit_of_work() as session:
                assert repository.latest_checkpoint(session).size == 5  # type: ignore[union-attr]
                with pytest.raises(refusals.LogRolledBack):
                    service.sign_checkpoint(session, ORIGIN, HubKeyring(keys_dir).ed25519_key(), utcnow())
            with again.engine.connect() as connection:
                found = degradations(snapshot(connection), utcnow(), None, 0.0)
            (reason,) = [r for r in found if r.code == "log-teruggezet"]
            assert "maar getuige" in reason.detail and "3 vastleggingen ontbreken" in reason.detail
        finally:
            again.dispose()

    def test_the_wrong_key_opens_nothing_and_changes_nothing(
        self, env: Path, database: Database, keys_dir: Path, tmp_path: Path
    ) -> None:
        assert runner.invoke(app, ["backup", "--uit", str(tmp_path / "b.age")]).exit_code == 0
        other = tmp_path / "ander.key"
        assert runner.invoke(app, ["backupsleutel", str(other)]).exit_code == 0
        result = runner.invoke(app, ["herstel", str(tmp_path / "b.age"), "--sleutel", str(other), "--overschrijven"])
        assert result.exit_code == 1
        assert "is niet met deze sleutel te openen" in result.stderr and "er is niets veranderd" in result.stderr
        assert (keys_dir / "hub").is_dir()
        again = runner.invoke(app, ["backup", "--uit", str(tmp_path / "b.age")])
        assert again.exit_code == 1 and "bestaat al" in again.stderr
        assert runner.invoke(app, ["backupsleutel", str(other)]).exit_code == 1


def test_a_backup_of_an_older_schema_is_brought_up_to_date_when_restored(
    database_url: str, keys_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.ops import backup as backups  # noqa: PLC0415
    from tests.ops.test_upgrading import HEAD, _at_0016_with_a_convenant, _revision  # noqa: PLC0415

    _at_0016_with_a_convenant(database_url, readable=True)
    identity = tmp_path / "backup.key"
    recipient = backups.make_identity(identity)
    old = Database(database_url)
    try:
        assert backups.backup(old, keys_dir, recipient, tmp_path / "oud.age").schema == "0016"
        _destroy(old, database_url, keys_dir)
    finally:
        old.dispose()
    monkeypatch.setenv("SCHAKEL_DATABASE_URL", database_url)
    monkeypatch.setenv("SCHAKEL_KEYS_DIR", str(keys_dir))
    get_settings.cache_clear()
    try:
        restored = runner.invoke(app, ["herstel", str(tmp_path / "oud.age"), "--sleutel", str(identity)])
    finally:
        get_settings.cache_clear()
    assert restored.exit_code == 0, restored.output
    assert "schema 0016" in restored.stdout
    assert _revision(database_url) == HEAD
