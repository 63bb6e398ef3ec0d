"""The table of meldingen. A melding is kept only as long as its deliveries need it, and only sealed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime


class Melding(SQLModel, table=True):
    """A melding as received: who sent it, of which type, and the answer the sender got (for idempotency).

    The content is kept only sealed, and only in transit: each recipient's view is sealed in its delivery, and
    what remains after delivery is the verstrekkingenlog.
    """

    __tablename__ = "melding"
    __table_args__ = (UniqueConstraint("verstrekker", "idempotency_key"),)

    id: str = Field(primary_key=True, max_length=32)
    verstrekker: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    berichttype: str = Field(max_length=64)
    berichttype_versie: int
    spoed: bool = False
    idempotency_key: str | None = Field(default=None, max_length=200)
    request_digest: str = Field(max_length=80)
    """SHA-256 of the request body: the same idempotency key with another body is a conflict."""
    status_code: int
    receipt: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """The answer the sender got (201 receipt or 403 reasons): ids, outcomes and reasons, no personal data."""
    ontvangen_op: datetime = Field(sa_type=UTCDateTime)
    kek_id: str | None = Field(default=None, max_length=32)
    wrapped_key: bytes | None = Field(default=None, sa_type=LargeBinary)
    sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    """The melding as the sender sent it, sealed; deleted with the last of its deliveries' payloads."""
