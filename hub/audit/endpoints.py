"""HTTP route of the admin audit trail (operators and DPIA reviewers read it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hub.audit import service
from hub.audit.schemas import AuditEventOut, AuditPage
from hub.auth.dependencies import require_roles
from hub.auth.service import Caller
from hub.db import SessionDep
from hub.kit.api import MAX_NUMBER
from hub.kit.openapi import API_PREFIX
from hub.partners.models import Role

router = APIRouter(prefix=API_PREFIX, tags=["beheer"])


@router.get(
    "/beheerlog",
    summary="The admin audit trail",
    description="Who changed partners, principals, roles and keys, and when; oldest first, paged by `na`.",
)
def audit_trail(
    _: Annotated[Caller, Depends(require_roles(Role.OPERATOR, Role.DPIA_REVIEWER))],
    session: SessionDep,
    na: Annotated[int | None, Query(ge=0, description="Return events after this id.", le=MAX_NUMBER)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    doel: Annotated[str | None, Query(max_length=128, description="Only events about this id.")] = None,
) -> AuditPage:
    events = service.page(session, after=na, limit=limit + 1, target_id=doel)
    items = [AuditEventOut.model_validate(e) for e in events[:limit]]
    return AuditPage(items=items, volgende=items[-1].id if len(events) > limit else None)
