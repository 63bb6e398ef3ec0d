"""Tables of the convenant's lifecycle: immutable versions, and emergency prohibitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Integer
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime
from hub.policy.convenant.format import FORMAAT


class PolicyVersion(SQLModel, table=True):
    """One version of the whole convenant. Its content and authorship never change (a database trigger refuses);
    approval and the activation date are filled in later, once each."""

    __tablename__ = "policy_version"

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    convenant: str = Field(max_length=64)
    label: str = Field(max_length=64)
    content_hash: str = Field(max_length=80, unique=True)
    source: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    formaat: int = Field(default=FORMAAT, sa_column_kwargs={"server_default": "2"})
    """The convenant format the source was approved in: it is read under that format forever (`convenant/formaat`)."""
    toelichting: str = Field(max_length=2000)
    proposed_by: str = Field(max_length=64)
    proposed_at: datetime = Field(sa_type=UTCDateTime)
    approved_by: str | None = Field(default=None, max_length=64)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active_from: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class EmergencyProhibition(SQLModel, table=True):
    """A noodverbod: one privacy officer withholds categories from recipients at once; a second confirms it."""

    __tablename__ = "emergency_prohibition"

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    categorieen: list[str] = Field(sa_column=Column(JSON, nullable=False))
    ontvangers: list[str] = Field(sa_column=Column(JSON, nullable=False))
    reden: str = Field(max_length=500)
    issued_by: str = Field(max_length=64)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    confirmed_by: str | None = Field(default=None, max_length=64)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lifted_by: str | None = Field(default=None, max_length=64)
    lifted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
