"""Every query of the partner registry."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from hub.kit.paging import keyset
from hub.partners.models import Partner, Principal, PrincipalKey


def get_partner(session: Session, partner_id: str) -> Partner | None:
    return session.get(Partner, partner_id)


def partner_by_oin(session: Session, oin: str) -> Partner | None:
    return session.exec(select(Partner).where(Partner.oin == oin)).first()


def list_partners(session: Session, *, after: str | None = None, limit: int | None = None) -> Sequence[Partner]:
    return session.exec(keyset(select(Partner), col(Partner.id), after=after, limit=limit)).all()


def get_principal(session: Session, principal_id: str) -> Principal | None:
    return session.get(Principal, principal_id)


def list_principals(
    session: Session, partner_id: str | None = None, *, after: str | None = None, limit: int | None = None
) -> Sequence[Principal]:
    query = select(Principal)
    if partner_id is not None:
        query = query.where(Principal.partner_id == partner_id)
    return session.exec(keyset(query, col(Principal.id), after=after, limit=limit)).all()


def get_key(session: Session, kid: str) -> PrincipalKey | None:
    return session.get(PrincipalKey, kid)


def key_by_thumbprint(session: Session, thumbprint: str) -> PrincipalKey | None:
    return session.exec(select(PrincipalKey).where(PrincipalKey.thumbprint == thumbprint)).first()


def list_keys(
    session: Session, principal_id: str, *, after: str | None = None, limit: int | None = None
) -> Sequence[PrincipalKey]:
    query = select(PrincipalKey).where(PrincipalKey.principal_id == principal_id)
    return session.exec(keyset(query, col(PrincipalKey.kid), after=after, limit=limit)).all()


def add(session: Session, row: Partner | Principal | PrincipalKey) -> None:
    session.add(row)
    session.flush()
