"""Recording and reading the admin audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from sqlmodel import Session

from hub.audit import repository
from hub.audit.models import AdminAuditEvent
from hub.kit.clock import utcnow

log = structlog.get_logger("hub.audit")


def record(
    session: Session, *, actor: str, action: str, target_type: str, target_id: str, details: dict[str, Any]
) -> None:
    """Add an audit event to the caller's transaction: it is kept exactly when the change it describes is.

    `details` must hold registry data only (ids, roles, statuses, field names), never personal data of betrokkenen.
    """
    repository.add(
        session,
        AdminAuditEvent(
            at=utcnow(), actor=actor, action=action, target_type=target_type, target_id=target_id, details=details
        ),
    )
    log.debug("admin.changed", actor=actor, action=action, target_type=target_type, target_id=target_id)


def page(session: Session, *, after: int | None, limit: int, target_id: str | None = None) -> Sequence[AdminAuditEvent]:
    return repository.page(session, after=after, limit=limit, target_id=target_id)


def newest(
    session: Session, *, before: int | None, limit: int, target_id: str | None = None
) -> Sequence[AdminAuditEvent]:
    return repository.newest(session, before=before, limit=limit, target_id=target_id)
