"""Tables of the verstrekkingenlog. Entries and checkpoints are only ever inserted (triggers refuse the rest)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer, LargeBinary
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime


class LedgerHead(SQLModel, table=True):
    """One row: how many entries the log holds. Appending updates it first, which serialises appenders."""

    __tablename__ = "ledger_head"

    id: int = Field(default=1, primary_key=True)
    size: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, default=0))


class LedgerEntry(SQLModel, table=True):
    """An entry: its exact canonical bytes (what is hashed and exported) and its leaf hash, at its position."""

    __tablename__ = "ledger_entry"

    seq: int = Field(
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False)
    )
    entry: bytes = Field(sa_type=LargeBinary)
    leaf_hash: bytes = Field(sa_type=LargeBinary)
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class LedgerCheckpoint(SQLModel, table=True):
    """A signed checkpoint (C2SP signed note) over the first `size` entries."""

    __tablename__ = "ledger_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    size: int = Field(sa_column=Column(BigInteger(), nullable=False, index=True))
    root: bytes = Field(sa_type=LargeBinary)
    note: str = Field(max_length=4000)
    signed_at: datetime = Field(sa_type=UTCDateTime)
