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
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import structlog
from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from hub import refusals
from hub.db import Database
from hub.errors import ServiceUnavailable
from hub.kit import generation
from hub.kit.clock import utcnow
from hub.ledger import service
from hub.ledger.entries import Entry
from hub.ledger.repository import Prepared

log = structlog.get_logger("hub.ledger")

T = TypeVar("T")

Loader = Callable[[Connection, set[str]], dict[str, Any]]
"""Looks up many keys in one query: what a unit declares it will need, fetched once for its whole group."""


@dataclass(frozen=True, slots=True)
class Group:
    """What a unit's work is given by the group it runs in: the group's transaction (`session`), the rows it inserts
    with the group (`rows`), what the group looked up for it (`fetched`), the group's commit time (`at`) and the
    positions the unit's entries will have (`positions`, e.g. for its receipt)."""

    session: Session
    rows: Rows
    found: Mapping[Loader, dict[str, Any]]
    at: datetime
    positions: range

    def fetched(self, loader: Loader) -> dict[str, Any] | None:
        """What `loader` found for the keys the group's units declared (None if none did)."""
        return self.found.get(loader)


Work = Callable[[Group], T]
"""Writes a unit's rows (through `Group.rows`, or its session) and returns its result."""


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
    lookups: tuple[Loader, frozenset[str]] | None = None


_STOP = object()
_ROWS_PER_STATEMENT = 200
"""Within SQLite's 32,766 and PostgreSQL's 65,535 bound values for the widest table written here."""

Lookups = tuple[Loader, frozenset[str]] | None
"""A loader and the keys a unit will look up with it."""


class _Batched(Exception):
    """A batched insert failed: run the group again unit by unit to find whose row it was."""


class Rows:
    """Rows the units of a group insert, written with one statement per table after every unit ran.

    Each database call hands the GIL to the event loop, and getting it back costs far more than the call, so a
    group that wrote row by row spent most of its time waiting; `executemany` is no better (the SQLite driver steps
    each row with the GIL released). So one multi-row `INSERT ... VALUES (...), (...)` per table, written at the
    driver with the columns' own bind processing (SQLAlchemy's statement handling would cost more than the rows).

    When a batched insert fails (a unique key: an Idempotency-Key or token used twice, the same new person from two
    processes) nothing is committed and the group runs again `immediate`: each add is executed at once, inside its
    unit, so the unit it belongs to gets the error and the others commit without it.
    """

    def __init__(self, connection: Connection, *, immediate: bool) -> None:
        self._connection = connection
        self.immediate = immediate
        self._pending: dict[tuple[Table, tuple[str, ...] | None], list[dict[str, Any]]] = {}

    def add(
        self,
        table: Table,
        rows: list[dict[str, Any]] | dict[str, Any],
        *,
        ignore_conflict: tuple[str, ...] | None = None,
    ) -> None:
        """Insert these rows (each with the same columns) with the group; tables are written in the order they were
        first added to. `ignore_conflict`: the unique columns whose conflict leaves the existing row (and no error)."""
        batch = rows if isinstance(rows, list) else [rows]
        if not batch:
            return
        if self.immediate:
            _insert(self._connection, table, batch, ignore_conflict)
        else:
            self._pending.setdefault((table, ignore_conflict), []).extend(batch)

    def add_unique(self, table: Table, row: dict[str, Any], refusal: Exception) -> None:
        """`add` a row whose key must be new; when it is not, its unit fails with `refusal`."""
        if not self.immediate:
            self.add(table, row)
            return
        try:
            _insert(self._connection, table, [row], None)
        except IntegrityError:
            raise refusal from None

    def flush(self) -> None:
        pending, self._pending = self._pending, {}
        for (table, ignore_conflict), batch in pending.items():
            try:
                _insert(self._connection, table, batch, ignore_conflict)
            except IntegrityError:
                raise _Batched from None


def _insert(
    connection: Connection, table: Table, rows: list[dict[str, Any]], ignore_conflict: tuple[str, ...] | None
) -> None:
    dialect = connection.dialect
    if dialect.name != "sqlite":
        # psycopg sends a batch in one pipeline and adapts JSON itself: SQLAlchemy's executemany it is. Inline: no
        # implicit RETURNING of a generated key (nothing reads it, and inside the group's pipeline there is no
        # result to read until the pipeline syncs).
        statement = postgresql.insert(table).inline()
        if ignore_conflict:
            statement = statement.on_conflict_do_nothing(index_elements=list(ignore_conflict))
        connection.execute(statement, rows)
        return
    quote = dialect.identifier_preparer.quote
    names = tuple(rows[0])
    columns = [table.c[name] for name in names]
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    row_marks = f"({', '.join([mark] * len(names))})"
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "  # noqa: S608 - names only
    tail = f" ON CONFLICT ({', '.join(quote(c) for c in ignore_conflict)}) DO NOTHING" if ignore_conflict else ""
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        block = rows[start : start + _ROWS_PER_STATEMENT]
        values = [
            value if process is None else process(value)
            for row in block
            for value, process in zip((row[n] for n in names), processors, strict=True)
        ]
        # Only the table's own (quoted) names and placeholders are in the text; every value is bound.
        connection.exec_driver_sql(head + ", ".join([row_marks] * len(block)) + tail, tuple(values))


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

    def commit(self, work: Work[T], entries: Sequence[Entry | dict[str, Any]], lookups: Lookups = None) -> Committed[T]:
        """Run `work` and append `entries` in the next group; return once both are durable. The work's error, if it
        raised, is raised here, and then neither was stored. `lookups`: keys the work will look up with a loader,
        fetched for the whole group in one query (`fetched` gives the work the answer)."""
        try:
            return self.submit(work, entries, lookups).result(timeout=self._wait)
        except TimeoutError:
            raise _timeout() from None

    async def commit_async(
        self, work: Work[T], entries: Sequence[Entry | dict[str, Any]], lookups: Lookups = None
    ) -> Committed[T]:
        """`commit` for a coroutine: the event loop goes on serving other requests while the group commits."""
        try:
            return await asyncio.wait_for(asyncio.wrap_future(self.submit(work, entries, lookups)), self._wait)
        except TimeoutError:
            raise _timeout() from None

    def submit(
        self, work: Work[T], entries: Sequence[Entry | dict[str, Any]], lookups: Lookups = None
    ) -> Future[Committed[T]]:
        """Hand the unit over; its future is done once it is durable (or failed, with the work's error)."""
        if self._thread is None or not self._thread.is_alive():
            raise refusals.LedgerUnavailable("the ledger writer is not running; nothing was stored")
        now = utcnow()
        future: Future[Committed[T]] = Future()
        unit = _Unit(work, [service.prepare(e, now) for e in entries], future, lookups)  # type: ignore[arg-type]
        self._queue.put(unit)
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
        immediate = False
        while units:
            now = utcnow()
            try:
                failed, outcome = self._try_group(units, now, immediate=immediate)
            except _Batched:
                immediate = True  # find the unit whose row failed, then go on batched without it
                continue
            except Exception as exc:  # noqa: BLE001 - every waiting producer must hear of the failure
                # The type only: a database error's text can echo the data it failed on.
                log.error("ledger.group_failed", error_type=type(exc).__name__, units=len(units))  # noqa: TRY400
                failure = refusals.LedgerFailed("the ledger could not store this; nothing stored")
                for unit in units:
                    unit.future.set_exception(failure)
                return
            if failed is not None:
                units = [u for u in units if u is not failed]
                immediate = False
                continue
            for unit, (result, positions) in zip(units, outcome, strict=True):
                unit.future.set_result(Committed(result, positions, now))
            return

    def _try_group(
        self, units: list[_Unit], now: datetime, *, immediate: bool
    ) -> tuple[_Unit | None, list[tuple[object, range]]]:
        """(the unit that raised, or None with each unit's result and positions). Commits only in the latter case;
        raises `_Batched` when a batched insert failed (then nothing was committed)."""
        with self._database.engine.connect() as connection:
            connection.execution_options(sqlite_begin="IMMEDIATE")
            transaction = connection.begin()
            session = Session(bind=connection, join_transaction_mode="rollback_only")
            rows = Rows(connection, immediate=immediate)
            try:
                wanted: dict[Loader, set[str]] = {}
                for unit in units:
                    if unit.lookups is not None:
                        wanted.setdefault(unit.lookups[0], set()).update(unit.lookups[1])
                found = {loader: loader(connection, keys) for loader, keys in wanted.items()}
                # The generation's row before the ledger's head: the lock order `hub.kit.generation` describes.
                generation.hold(session)
                prepared = [p for unit in units for p in unit.prepared]
                # Reserving the block takes the head's lock (PostgreSQL; SQLite's write lock is held already), so
                # the positions the units are told are the ones their entries get.
                start = service.reserve(connection, len(prepared))
                outcome = []
                for unit in units:
                    positions = range(start, start + len(unit.prepared))
                    start = positions.stop
                    try:
                        outcome.append((unit.work(Group(session, rows, found, now, positions)), positions))
                        session.flush()
                    except Exception as exc:  # noqa: BLE001 - the unit's own error goes back to its producer
                        unit.future.set_exception(exc)
                        return unit, []
                try:
                    with _pipelined(connection, enabled=not immediate):
                        rows.flush()
                        service.write_reserved(connection, prepared, start - len(prepared), now)
                        transaction.commit()
                except (IntegrityError, connection.dialect.loaded_dbapi.IntegrityError):
                    # From a pipeline, the error can surface at any later statement that waits, the tree nodes'
                    # read (on the driver's own cursor: not wrapped by SQLAlchemy) or the commit.
                    if immediate:
                        raise
                    raise _Batched from None
            finally:
                session.close()
                if transaction.is_active:
                    transaction.rollback()
        return None, outcome


@contextmanager
def _pipelined(connection: Connection, *, enabled: bool) -> Iterator[None]:
    """On PostgreSQL, send the group's inserts and its COMMIT in one pipeline: one round trip instead of one per
    table, which shortens the time the group holds the log's head (other processes wait for it). Statements whose
    rows are read (the tree nodes) still wait for their answer.

    Not when `immediate`: then each unit's inserts must fail inside that unit, and a pipeline reports an error only
    at the next statement that waits."""
    if not enabled or connection.dialect.name != "postgresql":
        yield
        return
    driver = connection.connection.driver_connection  # psycopg's Connection
    failure: BaseException | None = None
    try:
        with driver.pipeline():  # type: ignore[union-attr]
            try:
                yield
            except BaseException as exc:  # noqa: BLE001 - raised again below, once the pipeline is closed
                failure = exc
    except connection.dialect.loaded_dbapi.Error as closing:
        if failure is None:
            failure = closing
        # Else: closing a pipeline that failed reports that it was aborted; the failure itself is what counts (and
        # psycopg would log the closing error as a warning if the failure were still on its way out).
    if failure is not None:
        # A rollback sent inside the failed pipeline was never carried out: end the transaction here, so that the
        # connection goes back to the pool idle rather than in a failed transaction.
        with suppress(connection.dialect.loaded_dbapi.Error):
            driver.rollback()  # type: ignore[union-attr]
        raise failure


def _timeout() -> ServiceUnavailable:
    # The group may still commit; the caller must not claim success, and a retry with the same idempotency key
    # finds what was stored.
    return refusals.LedgerTimeout("the ledger did not confirm in time; retry with the same Idempotency-Key")
