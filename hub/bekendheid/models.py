"""A partner's `bekend` signal: "we work with this person", until an end date. The hub keeps only its own link to the
person (the vault's id); the partner refers to the signal by its id."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime

_ID = BigInteger().with_variant(Integer(), "sqlite")


class BekendSignaal(SQLModel, table=True):
    __tablename__ = "bekend_signaal"

    id: int | None = Field(default=None, sa_column=Column(_ID, primary_key=True, autoincrement=True))
    partner_id: str = Field(sa_column=Column(String(64), ForeignKey("partner.id"), nullable=False, index=True))
    person_id: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    """The vault's id of the person (erasure makes it unresolvable)."""
    door: str = Field(max_length=64)
    """The principal that registered (or last renewed) it."""
    sinds: datetime = Field(sa_type=UTCDateTime)
    tot: date = Field(index=True)
    """The last day it holds: at most the convenant's `bekend_max_termijn` ahead; renewable."""
    ingetrokken_op: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Withdrawn: the partner stopped working with the person."""
