"""HTTP routes of delivery: a partner's inbox and acknowledgements; operators' dead letters and re-drive."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hub.auth.dependencies import PartnerDep, require_roles
from hub.auth.service import Caller
from hub.db import SessionDep
from hub.delivery import service
from hub.delivery.schemas import Bericht, InboxPage, LeveringOut, LeveringPage, OntvangstbevestigingIn
from hub.kit.api import MAX_NUMBER, name_path
from hub.kit.clock import utcnow
from hub.kit.openapi import API_PREFIX
from hub.ledger.endpoints import ContextDep
from hub.partners.models import Role
from hub.policy.endpoints import DeelnemerDep
from hub.pseudonym.endpoints import VaultDep

router = APIRouter(prefix=API_PREFIX, tags=["levering"])

Operator = Annotated[Caller, Depends(require_roles(Role.OPERATOR))]


@router.get(
    "/inbox",
    summary="Your deliveries not yet acknowledged",
    description="Only your own. Oldest first, paged by `na`. Acknowledge each one after you stored it.",
)
def inbox(
    caller: PartnerDep,
    session: SessionDep,
    vault: VaultDep,
    na: Annotated[int | None, Query(ge=0, description="Deliveries after this number.", le=MAX_NUMBER)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> InboxPage:
    page, volgende = service.inbox(session, vault, caller.partner_id, after=na, limit=limit)
    return InboxPage(items=[Bericht.model_validate(b.envelope()) for b in page], volgende=volgende)


@router.post(
    "/inbox/{leveringId}/ontvangstbevestiging",
    summary="Acknowledge receipt",
    description=(
        "Your signed acknowledgement, naming the digest of what you received, is the proof of delivery; it goes "
        "on the verstrekkingenlog. Acknowledging twice is harmless."
    ),
)
def acknowledge(
    levering_id: Annotated[str, name_path("leveringId")],
    body: OntvangstbevestigingIn,
    caller: DeelnemerDep,
    context: ContextDep,
    session: SessionDep,
) -> LeveringOut:
    levering = service.acknowledge(
        session, caller.partner_id, levering_id, body.inhoud_digest, context=context, now=utcnow()
    )
    return LeveringOut.model_validate(levering)


@router.get(
    "/leveringen/dood",
    summary="Dead letters",
    description="Deliveries the hub gave up on after the maximum age; oldest first, paged by `na`.",
)
def dead_letters(
    _: Operator,
    session: SessionDep,
    na: Annotated[int | None, Query(ge=0, le=MAX_NUMBER)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> LeveringPage:
    found = service.dead_letters(session, after=na, limit=limit + 1)
    items = [LeveringOut.model_validate(levering) for levering in found[:limit]]
    return LeveringPage(items=items, volgende=items[-1].nr if len(found) > limit else None)


@router.post(
    "/leveringen/{leveringId}/herstart",
    summary="Re-drive a dead letter",
    description="It is tried again at once, with a fresh maximum age. Recorded in the admin audit trail.",
)
def redrive(levering_id: Annotated[str, name_path("leveringId")], caller: Operator, session: SessionDep) -> LeveringOut:
    return LeveringOut.model_validate(service.redrive(session, caller.principal_id, levering_id, utcnow()))
