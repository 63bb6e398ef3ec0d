"""The outbox: one delivery per permitted recipient of a melding, with its sealed view until it is settled."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, String
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime


class Status(StrEnum):
    WACHTEND = "wachtend"
    """Waiting to be pushed (webhook) or collected (inbox)."""
    AFGELEVERD = "afgeleverd"
    """Pushed: the recipient's webhook answered 2xx; its signed acknowledgement is still to come."""
    BEVESTIGD = "bevestigd"
    """The recipient acknowledged receipt with a signed request: the proof of delivery is on the ledger."""
    DOOD = "dood"
    """Gave up after the maximum age; an operator can re-drive it, until its collection term passes and its content
    is destroyed (then `payload` is gone and it is never delivered)."""
    INGETROKKEN = "ingetrokken"
    """Withheld before delivery (its content destroyed): the consent, the Top X status or the seat at a casus's table
    it relied on ended, or the person it is about was forgotten."""


class Soort(StrEnum):
    MELDING = "melding"
    """A recipient's view of a melding."""
    STOPBERICHT = "stopbericht"
    """A notice to stop processing what was delivered under a consent that has been withdrawn."""
    AFSCHALING = "afschaling"
    """A notice to the partners at a casus's table: it was scaled down; nothing more is shared in it."""
    BEKENDHEIDSVRAAG = "bekendheidsvraag"
    """A notice to a partner that knows a person of a casus: the ZVH asked at triage (so the two can talk)."""
    NIET_OPGEHAALD = "niet-opgehaald"
    """A notice to a verstrekker: a recipient did not collect a delivery of its melding within the collection term;
    the hub destroyed its content."""


class Levering(SQLModel, table=True):
    __tablename__ = "levering"
    __table_args__ = (Index("ix_levering_due", "status", "volgende_poging"),)

    nr: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    """Order of creation: the inbox's cursor."""
    id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    """The stable delivery id a receiver de-duplicates on (at-least-once delivery)."""
    soort: Soort = Field(
        default=Soort.MELDING, sa_column=Column(String(16), nullable=False, server_default=Soort.MELDING.value)
    )
    melding_id: str = Field(sa_column=Column(String(32), ForeignKey("melding.id"), nullable=False, index=True))
    ontvanger: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    doel: str = Field(max_length=64)
    besluit: str = Field(max_length=10)
    prioriteit: int = 0
    """1 for spoed: delivered first (never a policy bypass)."""
    status: Status = Field(default=Status.WACHTEND, sa_type=String(16))
    pogingen: int = 0
    volgende_poging: datetime = Field(sa_type=UTCDateTime)
    geclaimd_tot: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """A worker's lease: no other worker pushes it before then."""
    laatste_fout: str | None = Field(default=None, max_length=64)
    """A reason code (`timeout`, `http-503`, ...), never a response body."""
    toestemmingen: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """The consents this delivery relies on: withdrawing one withholds the delivery if it was not made yet."""
    top_x_casus: int | None = Field(
        default=None, sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), nullable=True, index=True)
    )
    """The casus whose Top X status this delivery relies on: when that lapses, it is withheld if not made yet,
    and its recipient is told to stop processing if it was."""
    tafel_casus: int | None = Field(
        default=None, sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), nullable=True, index=True)
    )
    """The casus at whose table the recipient had to sit for this delivery: when it leaves the table, the delivery
    is withheld if not made yet, and the recipient is told to stop processing it if it was."""
    voorwaarden: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """The terms the recipient must honour (doel, grondslagen with citations, bewaartermijnen, rules, convenant
    version), delivered with the view; no personal data."""
    inhoud_digest: str = Field(max_length=80)
    """`sha256:<hex>` of the view's bytes, as on the ledger; the acknowledgement must name the same digest."""
    kek_id: str | None = Field(default=None, max_length=32)
    wrapped_key: bytes | None = Field(default=None, sa_type=LargeBinary)
    payload: bytes | None = Field(default=None, sa_type=LargeBinary)
    """The recipient's view, sealed (AES-256-GCM); deleted after acknowledgement and the grace period."""
    aangemaakt_op: datetime = Field(sa_type=UTCDateTime)
    afgeleverd_op: datetime | None = Field(default=None, sa_type=UTCDateTime)
    bevestigd_op: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dood_op: datetime | None = Field(default=None, sa_type=UTCDateTime)
    herstart_op: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When an operator re-drove it: its maximum age counts from here."""
    verwijderd_op: datetime | None = Field(default=None, sa_type=UTCDateTime)
