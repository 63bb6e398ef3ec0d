"""Tables of the verstrekkingenlog. Entries, tree nodes and checkpoints are only ever inserted (triggers refuse
the rest); the side table of betrokkenen is the one part erasure may delete from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime

_SEQ = BigInteger().with_variant(Integer(), "sqlite")


class LedgerHead(SQLModel, table=True):
    """One row: how many entries the log holds. Appending updates it first, which serialises appenders."""

    __tablename__ = "ledger_head"

    id: int = Field(default=1, primary_key=True)
    size: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, default=0))


class LedgerEntry(SQLModel, table=True):
    """An entry: its exact canonical bytes (what is hashed and exported) and its leaf hash, at its position.

    The columns after `recorded_at` repeat a few fields of the entry so that reviewers can filter; they are not
    hashed, and the entry bytes are what counts.
    """

    __tablename__ = "ledger_entry"

    seq: int = Field(sa_column=Column(_SEQ, primary_key=True, autoincrement=False))
    entry: bytes = Field(sa_type=LargeBinary)
    leaf_hash: bytes = Field(sa_type=LargeBinary)
    recorded_at: datetime = Field(sa_type=UTCDateTime, index=True)
    soort: str | None = Field(default=None, max_length=20)
    verstrekker: str | None = Field(default=None, max_length=64, index=True)
    ontvanger: str | None = Field(default=None, max_length=64, index=True)
    doel: str | None = Field(default=None, max_length=64)
    besluit: str | None = Field(default=None, max_length=10)
    berichttype: str | None = Field(default=None, max_length=64, index=True)
    categorieen: str | None = Field(default=None, max_length=400)
    """The categories the entry decides on, as `|a|b|`, so a filter is one LIKE."""


class LedgerNode(SQLModel, table=True):
    """The hash of a perfect subtree: 2**level leaves from leaf index * 2**level (level 0: the leaf hashes).

    One integer key, `level * 2**40 + index` (`tree.node_id`), so that the nodes of a proof are one IN lookup.
    """

    __tablename__ = "ledger_node"

    node: int = Field(sa_column=Column(_SEQ, primary_key=True, autoincrement=False))
    hash: bytes = Field(sa_type=LargeBinary)


class LedgerBetrokkene(SQLModel, table=True):
    """The opening of an entry's betrokkene commitment: the salt, and the log pseudonym committed to.

    Erasure deletes a person's rows: their entries stay and verify, but can no longer be tied to anyone.
    """

    __tablename__ = "ledger_betrokkene"

    seq: int = Field(sa_column=Column(_SEQ, primary_key=True, autoincrement=False))
    log_pseudonym: str = Field(sa_column=Column(String(128), nullable=False, index=True))
    salt: bytes = Field(sa_type=LargeBinary)


class LedgerCheckpoint(SQLModel, table=True):
    """A signed checkpoint (C2SP signed note) over the first `size` entries."""

    __tablename__ = "ledger_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    size: int = Field(sa_column=Column(BigInteger(), nullable=False, index=True))
    root: bytes = Field(sa_type=LargeBinary)
    note: str = Field(max_length=4000)
    signed_at: datetime = Field(sa_type=UTCDateTime)


class LedgerCosignature(SQLModel, table=True):
    """A witness's cosignature (C2SP tlog-cosignature) on a checkpoint: the witness saw it extend the last one."""

    __tablename__ = "ledger_cosignature"
    __table_args__ = (UniqueConstraint("checkpoint_id", "getuige"),)

    id: int | None = Field(default=None, primary_key=True)
    checkpoint_id: int = Field(
        sa_column=Column(Integer, ForeignKey("ledger_checkpoint.id"), nullable=False, index=True)
    )
    getuige: str = Field(max_length=200)
    """The witness's name, as in its verifier key."""
    regel: str = Field(max_length=400)
    """The signature line exactly as the witness returned it (appended to the checkpoint's note)."""
    tijdstip: int = Field(sa_column=Column(BigInteger(), nullable=False))
    """When the witness cosigned, POSIX seconds (inside the cosignature)."""
    ontvangen_op: datetime = Field(sa_type=UTCDateTime)


class LedgerTerugzetting(SQLModel, table=True):
    """The log was put back behind a checkpoint the witnesses (or the operator) knew: a restore from an older
    backup, found by `schakel herstel` or by a witness that knows a larger size. While a row exists the hub signs no
    checkpoint over the log: not a smaller one, and not a different one of a size a witness already cosigned."""

    __tablename__ = "ledger_terugzetting"

    id: int | None = Field(default=None, primary_key=True)
    vastgesteld_op: datetime = Field(sa_type=UTCDateTime)
    grootte: int = Field(sa_column=Column(BigInteger(), nullable=False))
    """The log's size when it was found (the restored size)."""
    bekend: int = Field(sa_column=Column(BigInteger(), nullable=False))
    """The size of the checkpoint that was known elsewhere (cosigned by a witness, or kept by the operator)."""
    bron: str = Field(max_length=200)
    """Who knew it: a witness's name, or `controlepunt` for one the operator kept."""
    reden: str = Field(max_length=400)
    """What was found, in Dutch, for the operator."""
