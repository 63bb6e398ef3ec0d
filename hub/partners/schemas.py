"""Request and response models of the partner registry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, field_validator

from hub.kit.api import ApiModel
from hub.kit.ids import SLUG_PATTERN
from hub.kit.paging import Pagina
from hub.partners.models import DeliveryMode, PartnerSoort, PartnerStatus, PrincipalSoort, PrincipalStatus, Role

OIN_PATTERN = r"^\d{20}$"
Gemeentecode = Annotated[str, Field(pattern=r"^GM[0-9]{4}$", description="A CBS gemeentecode, e.g. `GM0935`.")]


class PartnerCreate(ApiModel):
    id: str = Field(pattern=SLUG_PATTERN, description="Stable id, e.g. `politie-limburg`.")
    naam: str = Field(min_length=2, max_length=200)
    soort: PartnerSoort
    oin: str = Field(pattern=OIN_PATTERN, description="Organisatie-identificatienummer (20 digits).")
    delivery_mode: DeliveryMode
    webhook_url: str | None = Field(default=None, max_length=2000)
    werkgebied: list[Gemeentecode] = Field(
        min_length=1,
        max_length=400,
        description=(
            "The gemeenten it serves; it receives meldingen only about these (and only where the convenant agrees)."
        ),
    )


class PartnerUpdate(ApiModel):
    naam: str | None = Field(default=None, min_length=2, max_length=200)
    delivery_mode: DeliveryMode | None = None
    webhook_url: str | None = Field(default=None, max_length=2000)
    werkgebied: list[Gemeentecode] | None = Field(default=None, min_length=1, max_length=400)
    status: PartnerStatus | None = None


class PartnerOut(ApiModel):
    id: str
    naam: str
    soort: PartnerSoort
    oin: str
    delivery_mode: DeliveryMode
    webhook_url: str | None
    werkgebied: list[str]
    status: PartnerStatus
    created_at: datetime
    updated_at: datetime


class PrincipalCreate(ApiModel):
    id: str = Field(pattern=SLUG_PATTERN, description="Stable id, e.g. `politie-limburg-systeem`.")
    partner_id: str = Field(pattern=SLUG_PATTERN)
    soort: PrincipalSoort
    roles: list[Role] = Field(min_length=1)

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))


class PrincipalUpdate(ApiModel):
    roles: list[Role] | None = Field(default=None, min_length=1)
    status: PrincipalStatus | None = None

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, roles: list[Role] | None) -> list[Role] | None:
        return None if roles is None else sorted(set(roles))


class PrincipalOut(ApiModel):
    id: str
    partner_id: str
    soort: PrincipalSoort
    roles: list[Role]
    status: PrincipalStatus
    created_at: datetime
    updated_at: datetime


class KeyCreate(ApiModel):
    jwk: dict[str, Any] = Field(description="The public JWK (Ed25519 or P-256). `kid` defaults to its thumbprint.")


class KeyOut(ApiModel):
    kid: str
    principal_id: str
    algorithm: str
    thumbprint: str
    public_jwk: dict[str, Any]
    created_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None


class KeyRevocation(ApiModel):
    reason: str = Field(default="superseded", pattern=r"^(superseded|compromised|retired)$")


class Jwks(ApiModel):
    keys: list[dict[str, Any]]


class PartnerPage(Pagina[PartnerOut, str]):
    """Partners ordered by id; the cursor is a partner id."""


class PrincipalPage(Pagina[PrincipalOut, str]):
    """Principals ordered by id; the cursor is a principal id."""


class KeyPage(Pagina[KeyOut, str]):
    """Keys ordered by kid; the cursor is a kid."""
