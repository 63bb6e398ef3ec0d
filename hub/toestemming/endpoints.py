"""HTTP routes of the consent register (/toestemmingen): partners record and withdraw the consents they obtained."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from hub.auth.dependencies import PartnerDep
from hub.db import SessionDep
from hub.kit.api import id_path
from hub.kit.clock import utcnow
from hub.kit.openapi import API_PREFIX
from hub.kit.paging import Limit, NumberCursor, cut
from hub.ledger.endpoints import ContextDep
from hub.policy.endpoints import ActivePolicyDep, DeelnemerDep
from hub.pseudonym.endpoints import VaultDep
from hub.toestemming import repository, service
from hub.toestemming.schemas import ToestemmingIn, ToestemmingOut, ToestemmingPage

router = APIRouter(prefix=API_PREFIX, tags=["toestemmingen"])


@router.post(
    "/toestemmingen",
    status_code=status.HTTP_201_CREATED,
    summary="Record a consent your organisation obtained",
    description=(
        "For one person (by BSN, or name and date of birth; the register keeps only a pseudonym) and one item: a "
        "category or one item of it, with the reference of the signed statement, the recipients (partners or "
        "soorten) and the one doel it covers, and how long it applies. Only a partner the convenant entitles for "
        "the item may record it (403 `toestemming-niet-bevoegd`). Rules with a consent condition rely on it only "
        "within that scope."
    ),
)
def record(
    body: ToestemmingIn, caller: DeelnemerDep, policy: ActivePolicyDep, session: SessionDep, vault: VaultDep
) -> ToestemmingOut:
    row = service.record(
        session, vault, policy, partner_id=caller.partner_id, principal_id=caller.principal_id, body=body, now=utcnow()
    )
    return ToestemmingOut.model_validate(row)


@router.get(
    "/toestemmingen",
    summary="The consents your organisation recorded",
    description="Without identities: ids, items, scope, and when they were given and withdrawn.",
)
def list_recorded(
    caller: PartnerDep, session: SessionDep, na: NumberCursor = None, limit: Limit = 100
) -> ToestemmingPage:
    found = repository.recorded_by(session, caller.partner_id, after=na, limit=limit)
    rows, volgende = cut(found, limit, lambda t: t.id or 0)
    return ToestemmingPage(items=[ToestemmingOut.model_validate(t) for t in rows], volgende=volgende)


@router.post(
    "/toestemmingen/{toestemmingId}/intrekking",
    summary="Withdraw a consent",
    description=(
        "Deliveries not yet made that relied on it are withheld at once; every recipient that already received data "
        "under it is sent a `stopbericht` telling it to stop processing. Both are on the verstrekkingenlog."
    ),
)
def withdraw(
    toestemming_id: Annotated[int, id_path("toestemmingId")],
    caller: DeelnemerDep,
    context: ContextDep,
    session: SessionDep,
    vault: VaultDep,
) -> ToestemmingOut:
    done = service.withdraw(session, vault, caller.partner_id, toestemming_id, context=context, now=utcnow())
    return ToestemmingOut.model_validate(done.toestemming).model_copy(
        update={"ingehouden_leveringen": done.withheld, "stopberichten": done.notified}
    )
