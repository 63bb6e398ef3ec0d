"""Group commit: one writer thread commits the work of many producers, with their ledger entries, at once.

A producer hands over a unit of work: the ledger entries that cover it, and a function that writes its rows (a
melding, its deliveries) through the session it is given. The entries are written canonically and hashed in
the producer's own thread, so that this work overlaps the writer's flushes. The writer takes every unit
waiting, reserves the group's block of positions, runs each function in one transaction (a unit that raises is
left out and the group runs again without it, so its rows and entries go with it and its producer gets the error),
appends all the entries in the reserved block, and commits once: one
durable flush (SQLite WAL `synchronous=FULL`, PostgreSQL `synchronous_commit=on`) for the whole group. Only then
does each producer get its positions back. So an entry and the rows it covers are committed together or not at
all ("no entry, no delivery"), and nothing is acknowledged before it is durable.

Across processes (several API processes and workers on PostgreSQL) the head row's lock orders the groups;
within a process this thread does. Positions have no gaps and no duplicates either way.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import structlog
from sqlmodel import Session

from hub.db import Database
from hub.errors import ServiceUnavailable
from hub.kit.clock import utcnow
from hub.ledger import service
from hub.ledger.entries import Entry
from hub.ledger.repository import Prepared

log = structlog.get_logger("hub.ledger")

T = TypeVar("T")

Work = Callable[[Session, datetime, range], T]
"""Writes a unit's rows through the session and returns its result; given the group's commit time and the positions
the unit's entries will have (e.g. to keep them in a receipt)."""


@dataclass(frozen=True, slots=True)
class Committed(Generic[T]):
    result: T
    positions: range
    committed_at: datetime


@dataclass(slots=True)
class _Unit:
    work: Work[object]
    prepared: list[Prepared]
    future: Future[Committed[object]]


_STOP = object()


class Sequencer:
    """The group-commit writer of one process. `start()` it in the app's lifespan, `stop()` it after."""

    def __init__(
        self, database: Database, *, max_group: int = 128, linger_seconds: float = 0.002, wait_seconds: float = 30.0
    ) -> None:
        self._database = database
        self._max_group = max_group
        self._linger = linger_seconds
        self._expected = 1
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

    def commit(self, work: Work[T], entries: Sequence[Entry | dict[str, Any]]) -> Committed[T]:
        """Run `work` and append `entries` in the next group; return once both are durable. The work's error, if it
        raised, is raised here, and then neither was stored."""
        try:
            return self.submit(work, entries).result(timeout=self._wait)
        except TimeoutError:
            raise _timeout() from None

    async def commit_async(self, work: Work[T], entries: Sequence[Entry | dict[str, Any]]) -> Committed[T]:
        """`commit` for a coroutine: the event loop goes on serving other requests while the group commits."""
        try:
            return await asyncio.wait_for(asyncio.wrap_future(self.submit(work, entries)), self._wait)
        except TimeoutError:
            raise _timeout() from None

    def submit(self, work: Work[T], entries: Sequence[Entry | dict[str, Any]]) -> Future[Committed[T]]:
        """Hand the unit over; its future is done once it is durable (or failed, with the work's error)."""
        if self._thread is None or not self._thread.is_alive():
            raise ServiceUnavailable("the ledger writer is not running; nothing was stored", code="ledger-unavailable")
        now = utcnow()
        future: Future[Committed[T]] = Future()
        self._queue.put(_Unit(work, [service.prepare(e, now) for e in entries], future))  # type: ignore[arg-type]
        return future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            group = [first]
            # Wait (briefly) for as many units as the last group had: the producers it released are on their way
            # back. Under light load that is one unit and no wait; under heavy load, full groups and few flushes.
            deadline = time.monotonic() + self._linger
            while len(group) < self._max_group:
                remaining = deadline - time.monotonic() if len(group) < self._expected else 0.0
                try:
                    more = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    self._queue.put(_STOP)
                    break
                group.append(more)
            self._expected = len(group)
            self._commit_group([u for u in group if isinstance(u, _Unit)])

    def _commit_group(self, units: list[_Unit]) -> None:
        """Commit the group; a unit whose work raises gets its error and the rest are committed without it.

        Optimistic: the units run one after the other in one transaction with no savepoints (the cheap common case).
        When one raises, the whole transaction is rolled back and the group runs again without it. Works only
        write rows and are run again from scratch, so a second run is the same as the first.
        """
        while units:
            now = utcnow()
            try:
                failed, outcome = self._try_group(units, now)
            except Exception as exc:  # noqa: BLE001 - every waiting producer must hear of the failure
                # The type only: a database error's text can echo the data it failed on.
                log.error("ledger.group_failed", error_type=type(exc).__name__, units=len(units))  # noqa: TRY400
                failure = ServiceUnavailable("the ledger could not store this; nothing stored", code="ledger-failed")
                for unit in units:
                    unit.future.set_exception(failure)
                return
            if failed is not None:
                units = [u for u in units if u is not failed]
                continue
            for unit, (result, positions) in zip(units, outcome, strict=True):
                unit.future.set_result(Committed(result, positions, now))
            return

    def _try_group(self, units: list[_Unit], now: datetime) -> tuple[_Unit | None, list[tuple[object, range]]]:
        """(the unit that raised, or None with each unit's result and positions). Commits only in the latter case."""
        with self._database.engine.connect() as connection:
            connection.execution_options(sqlite_begin="IMMEDIATE")
            transaction = connection.begin()
            session = Session(bind=connection, join_transaction_mode="rollback_only")
            try:
                prepared = [p for unit in units for p in unit.prepared]
                # Reserving the block takes the head's lock (PostgreSQL; SQLite's write lock is held already), so
                # the positions the units are told are the ones their entries get.
                start = service.reserve(connection, len(prepared))
                outcome = []
                for unit in units:
                    positions = range(start, start + len(unit.prepared))
                    start = positions.stop
                    try:
                        outcome.append((unit.work(session, now, positions), positions))
                        session.flush()
                    except Exception as exc:  # noqa: BLE001 - the unit's own error goes back to its producer
                        unit.future.set_exception(exc)
                        return unit, []
                service.write_reserved(connection, prepared, start - len(prepared), now)
                transaction.commit()
            finally:
                session.close()
                if transaction.is_active:
                    transaction.rollback()
        return None, outcome


def _timeout() -> ServiceUnavailable:
    # The group may still commit; the caller must not claim success, and a retry with the same idempotency key
    # finds what was stored.
    return ServiceUnavailable(
        "the ledger did not confirm in time; retry with the same Idempotency-Key", code="ledger-timeout"
    )
