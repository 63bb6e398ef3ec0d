"""Every query of the admin audit trail."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from hub.audit.models import AdminAuditEvent


def add(session: Session, event: AdminAuditEvent) -> None:
    session.add(event)


def page(session: Session, *, after: int | None, limit: int, target_id: str | None = None) -> Sequence[AdminAuditEvent]:
    query = select(AdminAuditEvent).order_by(col(AdminAuditEvent.id)).limit(limit)
    if after is not None:
        query = query.where(col(AdminAuditEvent.id) > after)
    if target_id is not None:
        query = query.where(AdminAuditEvent.target_id == target_id)
    return session.exec(query).all()


def newest(
    session: Session, *, before: int | None, limit: int, target_id: str | None = None
) -> Sequence[AdminAuditEvent]:
    """Newest first, before id `before`: how an operator reads what just happened."""
    query = select(AdminAuditEvent).order_by(col(AdminAuditEvent.id).desc()).limit(limit)
    if before is not None:
        query = query.where(col(AdminAuditEvent.id) < before)
    if target_id is not None:
        query = query.where(AdminAuditEvent.target_id == target_id)
    return session.exec(query).all()
