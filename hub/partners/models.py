"""Tables of the partner registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime
from hub.partners.soorten import DeliveryMode, PartnerSoort, PartnerStatus, PrincipalSoort, PrincipalStatus, Role

__all__ = [
    "DeliveryMode",
    "Partner",
    "PartnerSoort",
    "PartnerStatus",
    "Principal",
    "PrincipalKey",
    "PrincipalSoort",
    "PrincipalStatus",
    "Role",
]


class Partner(SQLModel, table=True):
    __tablename__ = "partner"

    id: str = Field(primary_key=True, max_length=64)
    naam: str = Field(max_length=200)
    soort: PartnerSoort = Field(sa_type=String(40))
    oin: str = Field(max_length=20, unique=True)
    delivery_mode: DeliveryMode = Field(sa_type=String(16))
    webhook_url: str | None = Field(default=None, max_length=2000)
    werkgebied: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    """The CBS gemeentecodes this partner serves. It receives meldingen only about gemeenten that both this and
    the convenant's werkgebied for it cover; empty: none."""
    status: PartnerStatus = Field(default=PartnerStatus.ACTIVE, sa_type=String(16))
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Principal(SQLModel, table=True):
    """Who calls: a partner's system or a person of a partner. Holds no name: ids are enough to act and audit."""

    __tablename__ = "principal"

    id: str = Field(primary_key=True, max_length=64)
    partner_id: str = Field(sa_column=Column(String(64), ForeignKey("partner.id"), nullable=False, index=True))
    soort: PrincipalSoort = Field(sa_type=String(16))
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: PrincipalStatus = Field(default=PrincipalStatus.ACTIVE, sa_type=String(16))
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class PrincipalKey(SQLModel, table=True):
    """A public key a principal signs its tokens with. Several at once allow rotation; revoked keys stay listed."""

    __tablename__ = "principal_key"

    kid: str = Field(primary_key=True, max_length=128)
    principal_id: str = Field(sa_column=Column(String(64), ForeignKey("principal.id"), nullable=False, index=True))
    thumbprint: str = Field(max_length=64, unique=True)
    algorithm: str = Field(max_length=16)
    public_jwk: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revocation_reason: str | None = Field(default=None, max_length=32)
