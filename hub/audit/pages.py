"""The admin audit trail as a page for operators: every change to the registry, the convenant and accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from hub.audit import service
from hub.db import SessionDep
from hub.kit.api import MAX_NUMBER
from hub.web.dependencies import OperatorPage
from hub.web.render import page

router = APIRouter(prefix="/beheer/audittrail", include_in_schema=False)
PAGE_SIZE = 50


@router.get("")
def trail(
    request: Request,
    _: OperatorPage,
    session: SessionDep,
    voor: Annotated[int | None, Query(ge=0, le=MAX_NUMBER)] = None,
    object_id: Annotated[str, Query(alias="object", max_length=128)] = "",
) -> Response:
    events = list(service.newest(session, before=voor, limit=PAGE_SIZE + 1, target_id=object_id or None))
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    context = {"events": events, "volgende": events[-1].id if more and events else None, "object": object_id}
    return page(request, "audit/audittrail.html", context)
