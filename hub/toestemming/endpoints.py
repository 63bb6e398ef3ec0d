"""HTTP routes of the consent register (/toestemmingen): partners record and withdraw the consents they obtained."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from hub.auth.dependencies import PartnerDep
from hub.db import SessionDep
from hub.errors import ServiceUnavailable
from hub.kit.clock import utcnow
from hub.kit.openapi import API_PREFIX
from hub.ledger.endpoints import ContextDep
from hub.pseudonym.endpoints import VaultDep
from hub.toestemming import repository, service
from hub.toestemming.schemas import ToestemmingIn, ToestemmingOut

router = APIRouter(prefix=API_PREFIX, tags=["toestemmingen"])


@router.post(
    "/toestemmingen",
    status_code=status.HTTP_201_CREATED,
    summary="Record a consent your organisation obtained",
    description=(
        "For one person (by BSN, or name and date of birth; the register keeps only a pseudonym) and one item: a "
        "category or one item of it. Rules with a consent condition read it when they decide."
    ),
)
def record(
    body: ToestemmingIn, caller: PartnerDep, request: Request, session: SessionDep, vault: VaultDep
) -> ToestemmingOut:
    policy = request.app.state.policy_runtime.active(session, utcnow())
    if policy is None:
        raise ServiceUnavailable("no convenant is active yet", code="convenant-not-active")
    known = {c.code: policy.categorie_items.get(c.code, frozenset()) for c in policy.source.vocabulaires.categorieen}
    given = body.gegeven()
    row = service.record(
        session, vault, partner_id=caller.partner_id, principal_id=caller.principal_id, given=given,
        item=body.item, known_items=known, now=utcnow(),
    )  # fmt: skip
    return ToestemmingOut.model_validate(row)


@router.get(
    "/toestemmingen",
    summary="The consents your organisation recorded",
    description="Without identities: ids, items, and when they were given and withdrawn.",
)
def list_recorded(caller: PartnerDep, session: SessionDep) -> list[ToestemmingOut]:
    return [ToestemmingOut.model_validate(t) for t in repository.recorded_by(session, caller.partner_id)]


@router.post(
    "/toestemmingen/{toestemming_id}/intrekking",
    summary="Withdraw a consent",
    description=(
        "Deliveries not yet made that relied on it are withheld at once, each with an `intrekking` entry on the "
        "verstrekkingenlog. What was delivered already stays delivered."
    ),
)
def withdraw(toestemming_id: int, caller: PartnerDep, context: ContextDep, session: SessionDep) -> ToestemmingOut:
    row, withheld = service.withdraw(session, caller.partner_id, toestemming_id, context=context, now=utcnow())
    return ToestemmingOut.model_validate(row).model_copy(update={"ingehouden_leveringen": withheld})
