"""Every query of authentication: key lookup across the registry, and the replay store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from hub.auth.models import UsedToken
from hub.partners.models import Partner, Principal, PrincipalKey


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """What authentication needs to know about a kid, read fresh on every request (revocation is immediate)."""

    public_jwk: dict[str, Any]
    revoked: bool
    principal_id: str
    principal_status: str
    roles: list[str]
    partner_id: str
    partner_status: str


def key_with_owner(session: Session, kid: str) -> KeyOwner | None:
    """One row, only the columns needed: this runs for every request."""
    query = (
        sa_select(
            col(PrincipalKey.public_jwk),
            col(PrincipalKey.revoked_at).is_not(None),
            col(Principal.id),
            col(Principal.status),
            col(Principal.roles),
            col(Partner.id),
            col(Partner.status),
        )
        .join(Principal, col(Principal.id) == col(PrincipalKey.principal_id))
        .join(Partner, col(Partner.id) == col(Principal.partner_id))
        .where(col(PrincipalKey.kid) == kid)
    )
    row = session.connection().execute(query).first()
    return None if row is None else KeyOwner(row[0], bool(row[1]), row[2], row[3], list(row[4]), row[5], row[6])


USED_TOKENS: Table = UsedToken.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes
"""Spent token ids; one spent before fails the primary key (issuer, jti), whichever process spent it."""


def purge_expired(session: Session, before: datetime) -> int:
    result = session.connection().execute(delete(UsedToken).where(col(UsedToken.expires_at) < before))
    return int(result.rowcount or 0)
