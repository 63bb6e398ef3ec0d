"""Group commit on both databases: many producers, one durable commit per group, no gaps, failures stay alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from hub.audit.models import AdminAuditEvent
from hub.auth.models import UsedToken
from hub.db import Database
from hub.errors import ServiceUnavailable
from hub.kit import generation
from hub.ledger import repository
from hub.ledger.entries import Entry, Soort
from hub.ledger.sequencer import Group, Rows, Sequencer
from hub.meldingen.models import Melding


class Refused(Exception):
    """A unit of work that fails on purpose."""


@pytest.fixture
def sequencer(database: Database) -> Iterator[Sequencer]:
    writer = Sequencer(database)
    writer.start()
    yield writer
    writer.stop()


def _work(producer: int, n: int, *, fail: bool = False) -> Callable[[Group], str]:
    """A unit that writes a row of its own (an audit event), covered by the entries of `_entries`."""

    def work(group: Group) -> str:
        group.session.add(
            AdminAuditEvent(
                at=group.at, actor=f"p{producer}", action="test", target_type="t", target_id=str(n), details={}
            )
        )
        group.session.flush()
        if fail:
            raise Refused
        return f"{producer}/{n}@{group.positions.start}"

    return work


def _entries(producer: int, n: int) -> list[Entry]:
    return [Entry(Soort.VERSTREKKING, {"producer": producer, "n": n, "deel": d}) for d in (0, 1)]


class TestGroupCommit:
    def test_sixteen_producers_no_gaps_no_duplicates_failures_leave_nothing(
        self, database: Database, sequencer: Sequencer
    ) -> None:
        acknowledged: dict[int, str] = {}
        lock, failures = threading.Lock(), []

        def producer(number: int) -> None:
            for n in range(15):
                try:
                    committed = sequencer.commit(_work(number, n, fail=n % 4 == 3), _entries(number, n))
                except Refused:
                    continue
                except Exception as exc:  # noqa: BLE001 - collected and reported by the test
                    failures.append(exc)
                    return
                assert len(committed.positions) == 2
                # The work was told, before its group committed, the positions its entries then got.
                assert committed.result.endswith(f"@{committed.positions.start}")
                with lock:
                    for position in committed.positions:
                        acknowledged[position] = committed.result

        threads = [threading.Thread(target=producer, args=(i,)) for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with database.engine.connect() as connection:
            size = repository.size(connection)
            stored = dict(repository.entries(connection, size))
            events = connection.execute(sa.text("SELECT actor, target_id FROM admin_audit_event")).all()
        assert size == len(acknowledged) == 16 * 12 * 2
        assert sorted(stored) == list(range(size)), "no gaps, no duplicates"
        assert len(events) == 16 * 12, "a failed unit's own rows were rolled back with it"
        acknowledged_units = {result.partition("@")[0] for result in acknowledged.values()}
        assert {f"{a[1:]}/{t}" for a, t in events} == acknowledged_units, "rows and entries go together"
        for position, result in acknowledged.items():
            assert b'"producer":%s' % result.split("/")[0].encode() in stored[position]

    def test_a_stopped_writer_refuses_instead_of_pretending(self, database: Database) -> None:
        writer = Sequencer(database)
        with pytest.raises(ServiceUnavailable):
            writer.commit(_work(0, 0), _entries(0, 0))
        with database.engine.connect() as connection:
            assert repository.size(connection) == 0


class TestRows:
    def test_a_batched_row_is_stored_exactly_as_sqlalchemy_stores_it(self, database: Database) -> None:
        """The group's inserts are written at the driver with each column's own bind processing: timestamps, JSON,
        booleans and bytes must come out byte for byte as SQLAlchemy's own insert writes them."""
        melding = Melding.__table__  # type: ignore[attr-defined]
        at = datetime(2026, 11, 29, 3, 0, 0, tzinfo=UTC)  # no microseconds: the case a driver writes differently
        row = {
            "id": "m1", "verstrekker": "p", "berichttype": "b", "berichttype_versie": 1, "spoed": True,
            "idempotency_key": None, "request_digest": "d", "status_code": 201, "receipt": {"a": [1, None, "é"]},
            "ontvangen_op": at, "kek_id": None, "wrapped_key": None, "sealed": b"\x00\x01",
        }  # fmt: skip
        with database.engine.begin() as connection:
            batch = Rows(connection, immediate=False)
            batch.add(melding, [row, {**row, "id": "m2", "ontvangen_op": at.replace(microsecond=5)}])
            batch.flush()
            connection.execute(
                melding.insert(), [{**row, "id": "s1"}, {**row, "id": "s2", "ontvangen_op": at.replace(microsecond=5)}]
            )
        with database.engine.connect() as connection:
            raw = connection.exec_driver_sql(
                "SELECT id, spoed, CAST(receipt AS TEXT), CAST(ontvangen_op AS TEXT), sealed FROM melding ORDER BY id"
            ).all()
        stored = {r[0]: tuple(bytes(v) if isinstance(v, memoryview) else v for v in r[1:]) for r in raw}
        assert stored["m1"] == stored["s1"] and stored["m2"] == stored["s2"]

    def test_a_batched_conflict_fails_only_the_unit_it_belongs_to(
        self, database: Database, sequencer: Sequencer
    ) -> None:
        """Two units spend the same token id in one group: the batch fails, the group runs again unit by unit, and
        only the second gets its refusal."""
        used = UsedToken.__table__  # type: ignore[attr-defined]
        gate = threading.Barrier(3)
        outcomes: dict[str, object] = {}

        def spend(name: str, jti: str) -> None:
            def work(group: Group) -> str:
                group.rows.add_unique(used, {"issuer": "p", "jti": jti, "expires_at": group.at}, Refused(name))
                return name

            gate.wait()
            try:
                outcomes[name] = sequencer.commit(work, [{"soort": "verstrekking", "n": name}]).result
            except Refused as exc:
                outcomes[name] = exc

        threads = [threading.Thread(target=spend, args=args) for args in (("a", "j1"), ("b", "j1"), ("c", "j2"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(k for k, v in outcomes.items() if isinstance(v, str)) in (["a", "c"], ["b", "c"])
        assert sum(isinstance(v, Refused) for v in outcomes.values()) == 1
        with database.engine.connect() as connection:
            assert repository.size(connection) == 2, "the refused unit's entry went with it"
            assert connection.exec_driver_sql("SELECT count(*) FROM used_token").scalar_one() == 2


class TestLockOrder:
    def test_a_change_that_appends_to_the_ledger_never_deadlocks_with_a_group(
        self, database: Database, sequencer: Sequencer
    ) -> None:
        """A consent withdrawal takes the generation's row (its trigger) and then the ledger's head; a group takes
        them in the same order, so each waits for the other instead of deadlocking (PostgreSQL would abort one)."""
        with database.engine.connect() as change:
            transaction = change.begin()
            change.exec_driver_sql("UPDATE toestemming SET id = id")  # the trigger takes the generation's row
            pending = sequencer.submit(_melding_like, [{"soort": "verstrekking", "n": 1}])
            time.sleep(0.3)  # the group now waits for that row (PostgreSQL) or the write lock (SQLite)
            change.exec_driver_sql("UPDATE ledger_head SET size = size WHERE id = 1")  # as an append would
            transaction.commit()
        assert pending.result(timeout=30).result == "stored"
        with database.engine.connect() as connection:
            assert repository.size(connection) == 1


def _melding_like(group: Group) -> str:
    """A unit that relies on the generation, as a melding's does."""
    generation.hold(group.session)
    return "stored"
