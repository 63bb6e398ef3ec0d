"""Every query of the convenant's lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from hub.kit.paging import keyset
from hub.partners.models import Partner
from hub.policy.models import EmergencyProhibition, PolicyVersion


def add(session: Session, row: PolicyVersion | EmergencyProhibition) -> None:
    session.add(row)
    session.flush()


def get_version(session: Session, version_id: int) -> PolicyVersion | None:
    return session.get(PolicyVersion, version_id)


def version_by_hash(session: Session, content_hash: str) -> PolicyVersion | None:
    return session.exec(select(PolicyVersion).where(PolicyVersion.content_hash == content_hash)).first()


def list_versions(session: Session, *, after: int | None = None, limit: int | None = None) -> Sequence[PolicyVersion]:
    return session.exec(keyset(select(PolicyVersion), col(PolicyVersion.id), after=after, limit=limit)).all()


def active_version(session: Session, now: datetime) -> PolicyVersion | None:
    """The approved version with the latest activation moment that has come."""
    query = (
        select(PolicyVersion)
        .where(col(PolicyVersion.approved_at).is_not(None), col(PolicyVersion.active_from) <= now)
        .order_by(col(PolicyVersion.active_from).desc(), col(PolicyVersion.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def active_version_key(session: Session, now: datetime) -> tuple[int, str] | None:
    """(id, content hash) of the active version: enough to find its compiled table without loading the source."""
    query = (
        select(PolicyVersion.id, PolicyVersion.content_hash)
        .where(col(PolicyVersion.approved_at).is_not(None), col(PolicyVersion.active_from) <= now)
        .order_by(col(PolicyVersion.active_from).desc(), col(PolicyVersion.id).desc())
        .limit(1)
    )
    row = session.exec(query).first()
    return None if row is None or row[0] is None else (row[0], row[1])


def formaat_of(session: Session, version_id: int) -> int:
    """The format a version was approved in (without loading its source)."""
    return int(session.exec(select(PolicyVersion.formaat).where(PolicyVersion.id == version_id)).one())


def approved_versions(session: Session) -> list[tuple[datetime, int, str]]:
    """(active from, id, content hash) of every approved version, the newest activation first (ties: newest id)."""
    query = (
        select(PolicyVersion.active_from, PolicyVersion.id, PolicyVersion.content_hash)
        .where(col(PolicyVersion.approved_at).is_not(None), col(PolicyVersion.active_from).is_not(None))
        .order_by(col(PolicyVersion.active_from).desc(), col(PolicyVersion.id).desc())
    )
    return [(at, i, h) for at, i, h in session.exec(query).all() if at is not None and i is not None]


def get_emergency(session: Session, prohibition_id: int) -> EmergencyProhibition | None:
    return session.get(EmergencyProhibition, prohibition_id)


def list_emergency(
    session: Session, *, in_force_only: bool = False, after: int | None = None, limit: int | None = None
) -> Sequence[EmergencyProhibition]:
    query = select(EmergencyProhibition)
    if in_force_only:
        query = query.where(col(EmergencyProhibition.lifted_at).is_(None))
    return session.exec(keyset(query, col(EmergencyProhibition.id), after=after, limit=limit)).all()


def registry_werkgebieden(session: Session) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(partner id, werkgebied) of every registered partner, sorted: what the registry says each one serves."""
    rows = session.exec(select(Partner.id, Partner.werkgebied).order_by(col(Partner.id))).all()
    return tuple((partner_id, tuple(sorted(werkgebied or ()))) for partner_id, werkgebied in rows)
