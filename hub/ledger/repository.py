"""Every query of the verstrekkingenlog. Appends use SQLAlchemy Core: the write path has no ORM in it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from hub.ledger.models import (
    LedgerBetrokkene,
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerTerugzetting,
)
from hub.ledger.tree import NodeKey, new_nodes, node_id, node_key

_HEAD = LedgerHead.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes
_ENTRY = LedgerEntry.__table__  # type: ignore[attr-defined]
_SUBJECT = LedgerBetrokkene.__table__  # type: ignore[attr-defined]
_CHUNK = 5000
"""Positions per IN list: within the bind-parameter limits of SQLite and PostgreSQL."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """An entry ready to store: its exact bytes, leaf hash, index columns and (maybe) its commitment's opening."""

    entry: bytes
    leaf_hash: bytes
    index: Mapping[str, str | None]
    subject: tuple[str, bytes] | None = None
    """(log pseudonym, salt): the opening of the entry's commitment."""


_INDEX_COLUMNS = ("soort", "verstrekker", "ontvanger", "doel", "besluit", "categorieen", "berichttype")


_ROWS_PER_STATEMENT = 400
"""Within SQLite's 32,766 and PostgreSQL's 65,535 bound values for the widest table here (ten columns)."""


def _insert_rows(connection: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert rows with one multi-row `INSERT ... VALUES (...), (...)` per block of rows.

    Not `executemany`: the SQLite driver steps each row with the GIL released, and a writer thread that must win
    the GIL back from a busy event loop once per row spends far longer waiting than writing.
    """
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    row_marks = f"({', '.join([mark] * len(columns))})"
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        block = rows[start : start + _ROWS_PER_STATEMENT]
        # Only fixed table and column names and placeholders go into the text; every value is bound.
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row_marks] * len(block))}"  # noqa: S608
        connection.exec_driver_sql(sql, tuple(value for row in block for value in row))


def reserve(connection: Connection, count: int) -> int:
    """Take the next `count` positions at the end of the log: the first of them.

    The head row is updated first: that takes its lock (a row lock on PostgreSQL, the write lock on SQLite), so
    concurrent appenders queue and each gets the next block of positions: no gaps, no duplicates. A rollback
    returns the positions with the entries, so no entry outlives the transaction it was written in.
    """
    size = int(
        connection.execute(
            update(_HEAD).where(_HEAD.c.id == 1).values(size=_HEAD.c.size + count).returning(_HEAD.c.size)
        ).scalar_one()
    )
    return size - count


def write(connection: Connection, prepared: Sequence[Prepared], first: int, now: datetime) -> None:
    """Store entries at the positions `reserve` gave, in the same transaction, with the tree nodes they complete.

    The inserts are driver-level multi-row statements on the same connection: this is the hub's hottest write, and
    per-row statement handling would cost more than the rows.
    """
    # The column's own bind processing (on SQLite, SQLAlchemy's text form), as if SQLAlchemy had written the value.
    process = _ENTRY.c.recorded_at.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    recorded_at = now if process is None else process(now)
    columns = ("seq", "entry", "leaf_hash", "recorded_at", *_INDEX_COLUMNS)
    rows = [
        (first + i, p.entry, p.leaf_hash, recorded_at, *(p.index.get(c) for c in _INDEX_COLUMNS))
        for i, p in enumerate(prepared)
    ]
    _insert_rows(connection, "ledger_entry", columns, rows)
    subjects = [(first + i, *p.subject) for i, p in enumerate(prepared) if p.subject is not None]
    if subjects:
        _insert_rows(connection, "ledger_betrokkene", ("seq", "log_pseudonym", "salt"), subjects)
    made = new_nodes(first, [p.leaf_hash for p in prepared], lambda keys: nodes(connection, keys))
    if made:
        _insert_rows(connection, "ledger_node", ("node", "hash"), [(node_id(k), v) for k, v in made.items()])


def nodes(connection: Connection, keys: set[NodeKey]) -> dict[NodeKey, bytes]:
    """The stored hashes of these tree nodes, in one lookup.

    Run on the connection's own DBAPI cursor, in its transaction: proofs are on the read path of every inzage, and
    SQLAlchemy's statement and row handling cost several times the lookup itself here. Only integers are bound;
    nothing but placeholders is formatted into the SQL.
    """
    if not keys:
        return {}
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * len(keys))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"SELECT node, hash FROM ledger_node WHERE node IN ({marks})", [node_id(k) for k in keys])  # noqa: S608 - placeholders only
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return {node_key(int(node)): bytes(value) for node, value in rows}


def size(connection: Connection) -> int:
    return int(connection.execute(select(_HEAD.c.size).where(_HEAD.c.id == 1)).scalar_one())


def entries(connection: Connection, upto: int, start: int = 0) -> Iterator[tuple[int, bytes]]:
    """Entries start..upto-1 with their exact bytes, streamed in blocks so a large export stays small in memory."""
    block = 5_000
    while start < upto:
        stop = min(upto, start + block)
        rows = connection.execute(
            select(_ENTRY.c.seq, _ENTRY.c.entry)
            .where(_ENTRY.c.seq >= start, _ENTRY.c.seq < stop)
            .order_by(_ENTRY.c.seq)
        )
        yield from ((int(seq), bytes(entry)) for seq, entry in rows)
        start = stop


def entries_at(connection: Connection, positions: Sequence[int]) -> dict[int, bytes]:
    rows = connection.execute(select(_ENTRY.c.seq, _ENTRY.c.entry).where(_ENTRY.c.seq.in_(list(positions))))
    return {int(seq): bytes(entry) for seq, entry in rows}


@dataclass(frozen=True, slots=True)
class Filter:
    partner: str | None = None
    doel: str | None = None
    categorie: str | None = None
    besluit: str | None = None
    soort: str | None = None
    van: datetime | None = None
    tot: datetime | None = None
    verstrekker: str | None = None
    ontvanger: str | None = None
    berichttype: str | None = None


def page(connection: Connection, where: Filter, *, after: int | None, limit: int) -> list[tuple[int, bytes]]:
    """Entries matching the filter in sequence order, after position `after`."""
    conditions = []
    if after is not None:
        conditions.append(_ENTRY.c.seq > after)
    if where.partner is not None:
        conditions.append(or_(_ENTRY.c.verstrekker == where.partner, _ENTRY.c.ontvanger == where.partner))
    if where.categorie is not None:
        conditions.append(_ENTRY.c.categorieen.like(f"%|{where.categorie}|%"))
    for column, value in (
        ("doel", where.doel),
        ("besluit", where.besluit),
        ("soort", where.soort),
        ("verstrekker", where.verstrekker),
        ("ontvanger", where.ontvanger),
        ("berichttype", where.berichttype),
    ):
        if value is not None:
            conditions.append(_ENTRY.c[column] == value)
    if where.van is not None:
        conditions.append(_ENTRY.c.recorded_at >= where.van)
    if where.tot is not None:
        conditions.append(_ENTRY.c.recorded_at < where.tot)
    query = select(_ENTRY.c.seq, _ENTRY.c.entry).where(*conditions).order_by(_ENTRY.c.seq).limit(limit)
    return [(int(seq), bytes(entry)) for seq, entry in connection.execute(query)]


def verstrekkingen_between(connection: Connection, van: datetime, tot: datetime) -> Iterator[bytes]:
    """The bytes of every `verstrekking` entry recorded in [van, tot), for reports."""
    query = (
        select(_ENTRY.c.entry)
        .where(_ENTRY.c.soort == "verstrekking", _ENTRY.c.recorded_at >= van, _ENTRY.c.recorded_at < tot)
        .order_by(_ENTRY.c.seq)
        .execution_options(yield_per=2_000)
    )
    for (entry,) in connection.execute(query):
        yield bytes(entry)


def verstrekkingen_since(connection: Connection, since: datetime, limit: int) -> list[tuple[datetime, bytes]]:
    """The newest `verstrekking` entries recorded since `since` (at most `limit`), with when they were recorded."""
    query = (
        select(_ENTRY.c.recorded_at, _ENTRY.c.entry)
        .where(_ENTRY.c.soort == "verstrekking", _ENTRY.c.recorded_at >= since)
        .order_by(_ENTRY.c.seq.desc())
        .limit(limit)
    )
    return [(recorded_at, bytes(entry)) for recorded_at, entry in connection.execute(query)]


def subject_rows(connection: Connection, pseudonyms: Sequence[str]) -> list[tuple[int, bytes, str]]:
    """(position, salt, log pseudonym) of every entry about the person with these log pseudonyms, oldest first."""
    query = (
        select(_SUBJECT.c.seq, _SUBJECT.c.salt, _SUBJECT.c.log_pseudonym)
        .where(_SUBJECT.c.log_pseudonym.in_(list(pseudonyms)))
        .order_by(_SUBJECT.c.seq)
    )
    return [(int(seq), bytes(salt), str(pseudonym)) for seq, salt, pseudonym in connection.execute(query)]


def disclosers_to(connection: Connection, pseudonyms: Sequence[str], ontvanger: str, doel: str) -> set[str]:
    """The verstrekkers that disclosed data (permit or partial) about the person with these log pseudonyms to
    `ontvanger` under `doel`: empty when the ledger shows no such disclosure."""
    query = (
        select(_ENTRY.c.verstrekker)
        .distinct()
        .join(_SUBJECT, _SUBJECT.c.seq == _ENTRY.c.seq)
        .where(
            _SUBJECT.c.log_pseudonym.in_(list(pseudonyms)),
            _ENTRY.c.soort == "verstrekking",
            _ENTRY.c.ontvanger == ontvanger,
            _ENTRY.c.doel == doel,
            _ENTRY.c.besluit.in_(("permit", "partial")),
        )
    )
    return {str(verstrekker) for (verstrekker,) in connection.execute(query)}


def related(connection: Connection, pseudonyms: Sequence[str], partner: str) -> bool:
    """Whether `partner` sent a melding about the person with these log pseudonyms, or received data about them."""
    given = (_ENTRY.c.verstrekker == partner) | (
        (_ENTRY.c.ontvanger == partner) & _ENTRY.c.besluit.in_(("permit", "partial"))
    )
    query = (
        select(_ENTRY.c.seq)
        .join(_SUBJECT, _SUBJECT.c.seq == _ENTRY.c.seq)
        .where(_SUBJECT.c.log_pseudonym.in_(list(pseudonyms)), _ENTRY.c.soort == "verstrekking", given)
        .limit(1)
    )
    return connection.execute(query).first() is not None


def forget_subject(connection: Connection, pseudonyms: Sequence[str]) -> int:
    """Delete the openings of a person's commitments; returns how many there were."""
    statement = delete(_SUBJECT).where(_SUBJECT.c.log_pseudonym.in_(list(pseudonyms)))
    return int(connection.execute(statement).rowcount or 0)


def add_checkpoint(session: Session, checkpoint: LedgerCheckpoint) -> None:
    session.add(checkpoint)
    session.flush()


def checkpoints(session: Session) -> Sequence[LedgerCheckpoint]:
    query = orm_select(LedgerCheckpoint).order_by(col(LedgerCheckpoint.size), col(LedgerCheckpoint.id))
    return session.exec(query).all()


def first_checkpoint(session: Session) -> LedgerCheckpoint | None:
    query = orm_select(LedgerCheckpoint).order_by(col(LedgerCheckpoint.size), col(LedgerCheckpoint.id))
    return session.exec(query.limit(1)).first()


def terugzettingen(session: Session) -> Sequence[LedgerTerugzetting]:
    """What is known of the log having been put back behind a known checkpoint, oldest first (mostly nothing)."""
    return session.exec(orm_select(LedgerTerugzetting).order_by(col(LedgerTerugzetting.id))).all()


def add_terugzetting(session: Session, found: LedgerTerugzetting) -> None:
    session.add(found)
    session.flush()


def latest_checkpoint(session: Session) -> LedgerCheckpoint | None:
    query = orm_select(LedgerCheckpoint).order_by(col(LedgerCheckpoint.size).desc(), col(LedgerCheckpoint.id).desc())
    return session.exec(query.limit(1)).first()


def cosignatures(session: Session, checkpoint_ids: Sequence[int]) -> dict[int, list[LedgerCosignature]]:
    """The witnesses' cosignatures of these checkpoints, by checkpoint id, by witness name."""
    if not checkpoint_ids:
        return {}
    query = (
        orm_select(LedgerCosignature)
        .where(col(LedgerCosignature.checkpoint_id).in_(list(checkpoint_ids)))
        .order_by(col(LedgerCosignature.getuige))
    )
    found: dict[int, list[LedgerCosignature]] = {}
    for row in session.exec(query).all():
        found.setdefault(row.checkpoint_id, []).append(row)
    return found


def cosigned_size(session: Session, getuige: str) -> int | None:
    """The largest checkpoint size this witness cosigned (what it has as its latest), or None."""
    query = (
        orm_select(LedgerCheckpoint.size)
        .join(LedgerCosignature, col(LedgerCosignature.checkpoint_id) == col(LedgerCheckpoint.id))
        .where(LedgerCosignature.getuige == getuige)
        .order_by(col(LedgerCheckpoint.size).desc())
        .limit(1)
    )
    size = session.exec(query).first()
    return None if size is None else int(size)


def add_cosignature(session: Session, row: LedgerCosignature) -> None:
    session.add(row)
    session.flush()


def subjects_at(connection: Connection, positions: Sequence[int]) -> dict[int, str]:
    """{position: log pseudonym} of the entries at these positions that are (still) tied to a person."""
    found: dict[int, str] = {}
    for start in range(0, len(positions), _CHUNK):
        chunk = list(positions[start : start + _CHUNK])
        rows = connection.execute(select(_SUBJECT.c.seq, _SUBJECT.c.log_pseudonym).where(_SUBJECT.c.seq.in_(chunk)))
        found.update({int(seq): str(pseudonym) for seq, pseudonym in rows})
    return found
