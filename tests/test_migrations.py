"""Migrations from empty to head on both databases; models and migrations never drift."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from connectors.tlog import leaf_hash, root
from hub.db import Database, migration_config
from hub.errors import ConfigurationError
from hub.kit.canonical import canonical_json
from hub.ledger import service
from hub.partners.demo import SAMPLE_CONVENANT
from hub.policy.convenant.format import load_directory, source_to_data
from tests.policy.test_formaat import FORMAT_1

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

    def test_entries_written_before_the_tree_nodes_existed_get_their_nodes(self, database_url: str) -> None:
        database = Database(database_url)
        entries = [canonical_json({"n": n}) for n in range(11)]
        try:
            with database.engine.begin() as connection:
                command.upgrade(migration_config(connection), "0004")
                connection.execute(sa.text("UPDATE ledger_head SET size = 11"))
                connection.execute(
                    sa.text("INSERT INTO ledger_entry (seq, entry, leaf_hash, recorded_at) VALUES (:s, :e, :h, :t)"),
                    [{"s": i, "e": e, "h": leaf_hash(e), "t": datetime.now(UTC)} for i, e in enumerate(entries)],
                )
            database.upgrade()
            with database.unit_of_work() as session:
                assert service.tree_root(session.connection(), 11) == root([leaf_hash(e) for e in entries])
                service.append(session, [{"n": 11}], datetime.now(UTC))
                expected = root([leaf_hash(e) for e in [*entries, canonical_json({"n": 11})]])
                assert service.tree_root(session.connection(), 12) == expected
        finally:
            database.dispose()

    def test_entries_written_before_0011_get_their_berichttype_and_stay_append_only(self, database_url: str) -> None:
        database = Database(database_url)
        entry = canonical_json({"soort": "verstrekking", "berichttype": "zorgmelding", "n": 1})
        try:
            with database.engine.begin() as connection:
                command.upgrade(migration_config(connection), "0010")
                connection.execute(sa.text("UPDATE ledger_head SET size = 1"))
                connection.execute(
                    sa.text(
                        "INSERT INTO ledger_entry (seq, entry, leaf_hash, recorded_at, soort) "
                        "VALUES (0, :e, :h, :t, 'verstrekking')"
                    ),
                    {"e": entry, "h": leaf_hash(entry), "t": datetime.now(UTC)},
                )
            database.upgrade()
            with database.engine.connect() as connection:
                found = connection.execute(sa.text("SELECT berichttype FROM ledger_entry WHERE seq = 0")).scalar_one()
                assert found == "zorgmelding"
            with pytest.raises(sa.exc.DatabaseError), database.engine.begin() as connection:
                connection.execute(sa.text("UPDATE ledger_entry SET berichttype = 'x'"))
        finally:
            database.dispose()

    def test_versions_stored_before_0017_get_the_format_they_were_approved_in(self, database_url: str) -> None:
        stored = json.loads(FORMAT_1.read_text(encoding="utf-8"))
        today = source_to_data(load_directory(SAMPLE_CONVENANT))
        database = Database(database_url)
        try:
            with database.engine.begin() as connection:
                command.upgrade(migration_config(connection), "0016")
                for n, (source, digest) in enumerate(((stored["source"], stored["content_hash"]), (today, "x"))):
                    connection.execute(
                        sa.text(
                            "INSERT INTO policy_version (id, convenant, label, content_hash, source, toelichting, "
                            "proposed_by, proposed_at) VALUES (:i, 'zuid-limburg', :l, :h, :s, 't', 'fg', :t)"
                        ),
                        {"i": n + 1, "l": f"v{n}", "h": digest, "s": json.dumps(source), "t": datetime.now(UTC)},
                    )
            database.upgrade()
            with database.engine.connect() as connection:
                found = connection.execute(sa.text("SELECT id, formaat FROM policy_version ORDER BY id")).all()
                assert [tuple(row) for row in found] == [(1, 1), (2, 2)]
            with pytest.raises(sa.exc.DatabaseError), database.engine.begin() as connection:
                connection.execute(sa.text("UPDATE policy_version SET formaat = 2 WHERE id = 1"))
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
