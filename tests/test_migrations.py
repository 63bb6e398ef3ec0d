"""Migrations from empty to head on both databases; models and migrations never drift."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from hub.db import Database, migration_config
from hub.errors import ConfigurationError

TABLES = {
    "partner", "principal", "principal_key", "admin_audit_event", "used_token", "alembic_version",
    "policy_version", "emergency_prohibition",
}  # fmt: skip
HEAD = ScriptDirectory.from_config(migration_config()).get_current_head()


class TestMigrations:
    def test_empty_to_head_and_no_drift(self, database_url: str) -> None:
        database = Database(database_url)
        try:
            assert database.current_revision() is None
            database.upgrade()
            assert database.current_revision() == HEAD
            assert set(sa.inspect(database.engine).get_table_names()) >= TABLES
            database.check()  # raises if models and migrations differ
        finally:
            database.dispose()

    def test_down_to_empty_and_up_again(self, database_url: str) -> None:
        database = Database(database_url)
        try:
            database.upgrade()
            with database.engine.begin() as connection:
                command.downgrade(migration_config(connection), "base")
            assert set(sa.inspect(database.engine).get_table_names()) <= {"alembic_version"}
            database.upgrade()
            assert database.current_revision() == HEAD
        finally:
            database.dispose()

    def test_a_shared_postgresql_is_not_migrated_by_the_api(self, database_url: str) -> None:
        database = Database(database_url)
        try:
            if database.backend == "sqlite":
                database.prepare()  # the embedded database brings itself up to date
                assert database.current_revision() == HEAD
            else:
                with pytest.raises(ConfigurationError, match="schakel db upgrade"):
                    database.prepare()
        finally:
            database.dispose()

    def test_sqlite_runs_in_wal_with_full_sync(self, tmp_path: Path) -> None:
        database = Database(f"sqlite:///{tmp_path / 'wal.db'}")
        try:
            with database.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:
            database.dispose()
