"""An upgrade that checks before it changes (#35, part 3): `schakel db upgrade` says what it will do, tries it on a
copy (SQLite) or in a transaction it rolls back (PostgreSQL), refuses in Dutch when a hub could not serve the result,
and takes a backup before it migrates; a hub that brings its own SQLite database up to date does the same.

Seen on a live hub: an upgrade from 0.1.0 ran without a word or a backup, and afterwards the hub served nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from hub.cli import app
from hub.config import get_settings
from hub.db import Database, migration_config
from hub.ops import upgrading
from tests.policy.test_formaat import FORMAT_1

runner = CliRunner()


def _at_0016_with_a_convenant(database_url: str, *, readable: bool) -> None:
    """A database at revision 0016 holding the convenant of release 0.1.0 in force; without `regels` (a source no
    format reads) when not `readable`."""
    stored = json.loads(FORMAT_1.read_text(encoding="utf-8"))
    source = stored["source"] if readable else {k: v for k, v in stored["source"].items() if k != "regels"}
    database = Database(database_url)
    try:
        with database.engine.begin() as connection:
            command.upgrade(migration_config(connection), "0016")
            connection.execute(
                sa.text(
                    "INSERT INTO policy_version (id, convenant, label, content_hash, source, toelichting, proposed_by, "
                    "proposed_at, approved_by, approved_at, active_from) VALUES (1, 'zuid-limburg', '2026.1', :h, :s, "
                    "'t', 'fg-a', :t, 'fg-b', :t, :t)"
                ),
                {"h": stored["content_hash"], "s": json.dumps(source), "t": datetime.now(UTC)},
            )
    finally:
        database.dispose()


@pytest.fixture
def env(database_url: str, keys_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SCHAKEL_DATABASE_URL", database_url)
    monkeypatch.setenv("SCHAKEL_KEYS_DIR", str(keys_dir))
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def _revision(database_url: str) -> str | None:
    database = Database(database_url)
    try:
        return database.current_revision()
    finally:
        database.dispose()


def _backups(database_url: str) -> list[Path]:
    if not database_url.startswith("sqlite"):
        return []
    return sorted((Path(database_url.removeprefix("sqlite:///")).parent / "backups").glob("*.db"))


HEAD = ScriptDirectory.from_config(migration_config()).get_current_head()


class TestDbUpgrade:
    def test_it_says_what_it_will_do_and_a_dry_run_changes_nothing(self, env: str) -> None:
        _at_0016_with_a_convenant(env, readable=True)
        result = runner.invoke(app, ["db", "upgrade", "--droog"])
        assert result.exit_code == 0, result.output
        assert f"database op revisie 0016; deze versie van Schakel brengt haar naar {HEAD}:" in result.stdout
        assert "  0017: het formaat waarin elke convenantversie is goedgekeurd" in result.stdout
        assert "proef op een kopie: na de upgrade kan de hub alles lezen" in result.stdout
        assert _revision(env) == "0016"
        assert _backups(env) == []

    def test_it_backs_up_then_migrates(self, env: str) -> None:
        _at_0016_with_a_convenant(env, readable=True)
        result = runner.invoke(app, ["db", "upgrade", "--backup-gemaakt"])
        assert result.exit_code == 0, result.output
        assert _revision(env) == HEAD
        if env.startswith("sqlite"):
            (backup,) = _backups(env)
            assert f"backup gemaakt: {backup}" in result.stdout
            with sqlite3.connect(backup) as copy:  # the state before: revision 0016, the convenant in it
                assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0016",)
                assert copy.execute("SELECT count(*) FROM policy_version").fetchone() == (1,)
        again = runner.invoke(app, ["db", "upgrade"])
        assert again.exit_code == 0 and "er is niets te doen" in again.stdout

    def test_it_refuses_in_dutch_when_the_hub_could_not_serve_the_result(self, env: str) -> None:
        _at_0016_with_a_convenant(env, readable=False)
        result = runner.invoke(app, ["db", "upgrade", "--backup-gemaakt"])
        assert result.exit_code == 1, result.output
        assert (
            "fout: De upgrade is niet uitgevoerd: daarna zou de hub 1 ding niet kunnen lezen, het eerste: "
            "convenantversie 1 (zuid-limburg 2026.1) is niet te lezen in formaat 1: regels: Field required."
        ) in result.stderr
        assert _revision(env) == "0016", "nothing changed"
        assert _backups(env) == []

    def test_postgresql_asks_for_a_backup_or_runs_the_configured_command(
        self, env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if env.startswith("sqlite"):
            pytest.skip("SQLite takes its own backup through the online backup API")
        _at_0016_with_a_convenant(env, readable=True)
        refused = runner.invoke(app, ["db", "upgrade"])
        assert refused.exit_code == 1
        assert "fout: maak eerst een backup, bijvoorbeeld met\n  pg_dump --format=custom" in refused.stderr
        assert _revision(env) == "0016"
        monkeypatch.setenv("SCHAKEL_DB_BACKUP_COMMAND", "exit 3")
        get_settings.cache_clear()
        failed = runner.invoke(app, ["db", "upgrade"])
        assert failed.exit_code == 1 and "de backup is mislukt" in failed.stderr
        assert _revision(env) == "0016"
        made = tmp_path / "gemaakt"
        monkeypatch.setenv("SCHAKEL_DB_BACKUP_COMMAND", f"touch {made}")
        get_settings.cache_clear()
        done = runner.invoke(app, ["db", "upgrade"])
        assert done.exit_code == 0, done.output
        assert made.exists() and _revision(env) == HEAD


class TestAHubThatUpgradesItself:
    def test_an_embedded_database_is_checked_and_backed_up_first(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'schakel.db'}"
        _at_0016_with_a_convenant(url, readable=True)
        database = Database(url)
        try:
            database.prepare(guard=upgrading.guarded(None))
            assert database.current_revision() == HEAD
        finally:
            database.dispose()
        assert len(_backups(url)) == 1

    def test_it_does_not_upgrade_what_it_could_not_serve(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'schakel.db'}"
        _at_0016_with_a_convenant(url, readable=False)
        database = Database(url)
        try:
            with pytest.raises(upgrading.NotServable, match="De upgrade is niet uitgevoerd"):
                database.prepare(guard=upgrading.guarded(None))
            assert database.current_revision() == "0016"
        finally:
            database.dispose()


def test_every_migration_is_told_in_dutch() -> None:
    revisions = {s.revision for s in ScriptDirectory.from_config(migration_config()).walk_revisions()}
    assert revisions == set(upgrading.WAT)
