"""Every query of the verstrekkingenlog. Appends use SQLAlchemy Core: the write path has no ORM in it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from hub.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead

_HEAD = LedgerHead.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes
_ENTRY = LedgerEntry.__table__  # type: ignore[attr-defined]


def append(session: Session, leaves: Sequence[tuple[bytes, bytes]], now: datetime) -> range:
    """Append (entry bytes, leaf hash) pairs at the end, in the caller's transaction. Returns their positions.

    The head row is updated first: that takes its lock (a row lock on PostgreSQL, the write lock on SQLite), so
    concurrent appenders queue and each gets the next block of positions: no gaps, no duplicates. A rollback
    returns the positions with the entries, so no entry outlives the transaction it was written in.
    """
    connection = session.connection()
    size = connection.execute(
        update(_HEAD).where(_HEAD.c.id == 1).values(size=_HEAD.c.size + len(leaves)).returning(_HEAD.c.size)
    ).scalar_one()
    first = int(size) - len(leaves)
    connection.execute(
        insert(_ENTRY),
        [
            {"seq": first + i, "entry": entry, "leaf_hash": leaf, "recorded_at": now}
            for i, (entry, leaf) in enumerate(leaves)
        ],
    )
    return range(first, int(size))


def size(session: Session) -> int:
    return int(session.connection().execute(select(_HEAD.c.size).where(_HEAD.c.id == 1)).scalar_one())


def leaf_hashes(session: Session, upto: int) -> list[bytes]:
    rows = session.connection().execute(select(_ENTRY.c.leaf_hash).where(_ENTRY.c.seq < upto).order_by(_ENTRY.c.seq))
    return [bytes(row[0]) for row in rows]


def entries(session: Session, upto: int) -> list[tuple[int, bytes]]:
    rows = session.connection().execute(
        select(_ENTRY.c.seq, _ENTRY.c.entry).where(_ENTRY.c.seq < upto).order_by(_ENTRY.c.seq)
    )
    return [(int(row[0]), bytes(row[1])) for row in rows]


def add_checkpoint(session: Session, checkpoint: LedgerCheckpoint) -> None:
    session.add(checkpoint)
    session.flush()


def checkpoints(session: Session) -> Sequence[LedgerCheckpoint]:
    query = orm_select(LedgerCheckpoint).order_by(col(LedgerCheckpoint.size), col(LedgerCheckpoint.id))
    return session.exec(query).all()
