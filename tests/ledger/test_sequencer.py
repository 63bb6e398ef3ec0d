"""Group commit on both databases: many producers, one durable commit per group, no gaps, failures stay alone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from hub.audit.models import AdminAuditEvent
from hub.db import Database
from hub.errors import ServiceUnavailable
from hub.ledger import repository
from hub.ledger.entries import Entry, Soort
from hub.ledger.sequencer import Sequencer


class Refused(Exception):
    """A unit of work that fails on purpose."""


@pytest.fixture
def sequencer(database: Database) -> Iterator[Sequencer]:
    writer = Sequencer(database)
    writer.start()
    yield writer
    writer.stop()


def _work(producer: int, n: int, *, fail: bool = False) -> Callable[[Session, datetime, range], str]:
    """A unit that writes a row of its own (an audit event), covered by the entries of `_entries`."""

    def work(session: Session, now: datetime, positions: range) -> str:
        session.add(
            AdminAuditEvent(at=now, actor=f"p{producer}", action="test", target_type="t", target_id=str(n), details={})
        )
        session.flush()
        if fail:
            raise Refused
        return f"{producer}/{n}@{positions.start}"

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
