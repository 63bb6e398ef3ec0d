"""Table of the admin audit trail. Rows are only ever inserted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Integer
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime


class AdminAuditEvent(SQLModel, table=True):
    __tablename__ = "admin_audit_event"

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=200, description="principal id, or `cli:<user>` for the command line")
    action: str = Field(max_length=64, index=True)
    target_type: str = Field(max_length=32)
    target_id: str = Field(max_length=128, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
