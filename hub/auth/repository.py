"""Every query of authentication: key lookup across the registry, and the replay store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from hub.auth.models import UsedToken
from hub.partners.models import Partner, Principal, PrincipalKey


def key_with_owner(session: Session, kid: str) -> tuple[PrincipalKey, Principal, Partner] | None:
    query = (
        select(PrincipalKey, Principal, Partner)
        .join(Principal, col(Principal.id) == col(PrincipalKey.principal_id))
        .join(Partner, col(Partner.id) == col(Principal.partner_id))
        .where(PrincipalKey.kid == kid)
    )
    row = session.exec(query).first()
    return None if row is None else (row[0], row[1], row[2])


def remember_jti(session: Session, issuer: str, jti: str, expires_at: datetime) -> bool:
    """Store a token id; False when (issuer, jti) was stored before. Atomic across processes."""
    values = {"issuer": issuer, "jti": jti, "expires_at": expires_at}
    table = UsedToken.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # RETURNING says whether this very insert won; rowcount is not reliable for ON CONFLICT on every driver.
    statement = insert(table).values(values).on_conflict_do_nothing().returning(table.c.jti)
    return session.connection().execute(statement).first() is not None


def purge_expired(session: Session, before: datetime) -> int:
    result = session.connection().execute(delete(UsedToken).where(col(UsedToken.expires_at) < before))
    return int(result.rowcount or 0)
