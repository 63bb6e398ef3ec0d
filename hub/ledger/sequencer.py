"""Group commit: one writer thread commits the work of many producers, with their ledger entries, at once.

A producer hands over a unit of work: a function that writes its rows (a melding, its deliveries) through the
session it is given and returns the ledger entries that cover them. The writer takes every unit waiting, runs
each in a savepoint of one transaction (a unit that raises is rolled back alone and its producer gets the
error), appends all their entries in one block, and commits once: one durable flush (SQLite WAL
`synchronous=FULL`, PostgreSQL `synchronous_commit=on`) for the whole group. Only then does each producer get
its positions back. So an entry and the rows it covers are committed together or not at all ("no entry, no
delivery"), and nothing is acknowledged before it is durable.

Across processes (several API processes and workers on PostgreSQL) the head row's lock orders the groups;
within a process this thread does. Positions have no gaps and no duplicates either way.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import structlog
from sqlalchemy import Connection
from sqlmodel import Session

from hub.db import Database
from hub.errors import ServiceUnavailable
from hub.kit.clock import utcnow
from hub.ledger import service
from hub.ledger.entries import Entry
from hub.ledger.repository import Prepared

log = structlog.get_logger("hub.ledger")

T = TypeVar("T")

Work = Callable[[Session, datetime], tuple[T, Sequence[Entry]]]
"""Writes a unit's rows through the session and returns (its result, the entries that cover them)."""


@dataclass(frozen=True, slots=True)
class Committed(Generic[T]):
    result: T
    positions: range
    committed_at: datetime


@dataclass(slots=True)
class _Unit:
    work: Work[object]
    future: Future[Committed[object]]


_STOP = object()


class Sequencer:
    """The group-commit writer of one process. `start()` it in the app's lifespan, `stop()` it after."""

    def __init__(self, database: Database, *, max_group: int = 128, wait_seconds: float = 30.0) -> None:
        self._database = database
        self._max_group = max_group
        self._wait = wait_seconds
        self._queue: queue.SimpleQueue[_Unit | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ledger-sequencer", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join()

    def commit(self, work: Work[T]) -> Committed[T]:
        """Run `work` in the next group and return once it is durable. Its error, if it raised, is raised here."""
        if self._thread is None or not self._thread.is_alive():
            raise ServiceUnavailable("the ledger writer is not running; nothing was stored", code="ledger-unavailable")
        future: Future[Committed[object]] = Future()
        self._queue.put(_Unit(work, future))
        try:
            return future.result(timeout=self._wait)  # type: ignore[return-value]
        except TimeoutError:
            # The group may still commit; the caller must not claim success, and a retry with the same
            # idempotency key finds what was stored.
            raise ServiceUnavailable(
                "the ledger did not confirm in time; retry with the same Idempotency-Key", code="ledger-timeout"
            ) from None

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            group = [first]
            while len(group) < self._max_group:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    self._queue.put(_STOP)
                    break
                group.append(more)
            self._commit_group([u for u in group if isinstance(u, _Unit)])

    def _commit_group(self, units: list[_Unit]) -> None:
        now = utcnow()
        done: list[tuple[_Unit, object, int, int]] = []
        try:
            with self._database.engine.connect() as connection:
                connection.execution_options(sqlite_begin="IMMEDIATE")
                with connection.begin():
                    prepared: list[Prepared] = []
                    for unit in units:
                        outcome = self._run_unit(connection, unit, now)
                        if outcome is not None:
                            start = len(prepared)
                            prepared.extend(outcome[1])
                            done.append((unit, outcome[0], start, len(prepared)))
                    positions = service.append_prepared(connection, prepared, now)
        except Exception as exc:  # noqa: BLE001 - every waiting producer must hear of the failure
            # The type only: a database error's text can echo the data it failed on.
            log.error("ledger.group_failed", error_type=type(exc).__name__, units=len(units))  # noqa: TRY400
            failure = ServiceUnavailable("the ledger could not store this; nothing was stored", code="ledger-failed")
            for unit, *_ in done:
                unit.future.set_exception(failure)
            return
        for unit, result, start, stop in done:
            first = positions.start + start
            unit.future.set_result(Committed(result, range(first, positions.start + stop), now))

    @staticmethod
    def _run_unit(connection: Connection, unit: _Unit, now: datetime) -> tuple[object, list[Prepared]] | None:
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            result, entries = unit.work(session, now)
            prepared = [service.prepare(e, now) for e in entries]
            session.commit()  # releases the unit's savepoint; the group's transaction commits later
        except Exception as exc:  # noqa: BLE001 - the unit's own error goes back to its producer
            session.rollback()
            unit.future.set_exception(exc)
            return None
        finally:
            session.close()
        return result, prepared
