"""Dead letters for operators: deliveries that could not be made, and re-driving them (the same service call as
the API's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from hub.db import SessionDep
from hub.delivery import service
from hub.kit.api import MAX_NUMBER
from hub.kit.clock import utcnow
from hub.web.dependencies import OperatorForm, OperatorPage
from hub.web.render import page

router = APIRouter(prefix="/beheer/onbestelbaar", include_in_schema=False)
PAGE_SIZE = 50


@router.get("")
def dead_letters(
    request: Request, _: OperatorPage, session: SessionDep, na: Annotated[int | None, Query(ge=0, le=MAX_NUMBER)] = None
) -> Response:
    found = list(service.dead_letters(session, after=na, limit=PAGE_SIZE + 1))
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    context = {"leveringen": found, "volgende": found[-1].nr if more and found else None}
    return page(request, "delivery/onbestelbaar.html", context)


@router.post("/{levering_id}/opnieuw")
def redrive(levering_id: str, person: OperatorForm, session: SessionDep) -> Response:
    service.redrive(session, person.principal_id, levering_id[:64], utcnow())
    return RedirectResponse("/beheer/onbestelbaar?opnieuw=1", status_code=303)
