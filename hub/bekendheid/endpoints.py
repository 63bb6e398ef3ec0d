"""HTTP routes of the bekendheidscheck: partners register whom they know (/bekendheid); a procesregisseur asks for
a casus at triage (/casussen/{id}/bekendheidscheck)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from hub import refusals
from hub.auth.dependencies import require_roles
from hub.auth.service import Caller
from hub.bekendheid import service
from hub.bekendheid.schemas import Antwoord, BekendheidscheckOut, BekendIn, BekendOut, BekendPage
from hub.casus.endpoints import AfsprakenDep, resolve_person
from hub.casus.service import Regisseur
from hub.db import SessionDep
from hub.kit.api import id_path
from hub.kit.clock import utcnow
from hub.kit.openapi import API_PREFIX
from hub.kit.paging import Limit, NumberCursor, cut
from hub.ledger.endpoints import ContextDep
from hub.partners.models import Role
from hub.policy.convenant.format import Procesafspraken
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.endpoints import DeelnemerDep, RuntimeDep
from hub.pseudonym.endpoints import VaultDep

router = APIRouter(prefix=API_PREFIX, tags=["bekendheid"])

RegisseurDep = Annotated[Caller, Depends(require_roles(Role.PROCESREGISSEUR))]


@router.post(
    "/bekendheid",
    status_code=status.HTTP_201_CREATED,
    summary="Register that your organisation knows a person",
    description=(
        "A `bekend` signal, until `tot` (at most the convenant's term; register again to renew). When the ZVH asks "
        "at triage about a casus you sit at, you are answered as a hit and told which of your signals it concerns. "
        "Withdraw it when you stop working with the person. On the verstrekkingenlog."
    ),
)
def register(
    *,
    body: BekendIn,
    caller: DeelnemerDep,
    session: SessionDep,
    vault: VaultDep,
    context: ContextDep,
    afspraken: AfsprakenDep,
    runtime: RuntimeDep,
) -> BekendOut:
    try:
        person_id: str | None = resolve_person(session, vault, caller, body)
    except refusals.BetrokkeneUnknown:
        person_id = None  # nobody sent a melding about them: only a reference could stand in (the service decides)
    signal = service.register(
        session,
        vault,
        afspraken,
        partner_id=caller.partner_id,
        principal_id=caller.principal_id,
        person_id=person_id,
        known_as=lambda: resolve_person(session, vault, caller, body, create=True),
        referentie=body.referentie,
        by_reference=_by_reference(runtime.active(session, utcnow()), caller.partner_id, afspraken),
        tot=body.tot,
        context=context,
        now=utcnow(),
    )
    return BekendOut.model_validate(signal)


def _by_reference(policy: CompiledPolicy | None, partner_id: str, afspraken: Procesafspraken) -> bool:
    """Whether the convenant lets this partner register a signal by a reference to its own file."""
    return policy is not None and any(policy.selects(s, partner_id) for s in afspraken.bekend_met_referentie)


@router.get("/bekendheid", summary="Your bekend signals in force", description="Ids and dates only.")
def own(caller: DeelnemerDep, session: SessionDep, na: NumberCursor = None, limit: Limit = 100) -> BekendPage:
    found = service.own(session, caller.partner_id, utcnow(), after=na, limit=limit)
    rows, volgende = cut(found, limit, lambda s: s.id or 0)
    return BekendPage(items=[BekendOut.model_validate(s) for s in rows], volgende=volgende)


@router.post(
    "/bekendheid/{signaalId}/intrekking",
    summary="Withdraw a bekend signal",
    description="When your organisation no longer works with the person. On the verstrekkingenlog.",
)
def withdraw(
    signal_id: Annotated[int, id_path("signaalId")],
    caller: DeelnemerDep,
    session: SessionDep,
    vault: VaultDep,
    context: ContextDep,
) -> BekendOut:
    signal = service.withdraw(
        session,
        vault,
        partner_id=caller.partner_id,
        principal_id=caller.principal_id,
        signal_id=signal_id,
        context=context,
        now=utcnow(),
    )
    return BekendOut.model_validate(signal)


@router.post(
    "/casussen/{casusId}/bekendheidscheck",
    summary="Ask which partners at the table know the casus's persons",
    description=(
        "At triage only, for the persons of this one casus (at most the convenant's limit). Each partner at the "
        "table is answered only as known or not known; each partner with a hit gets a `bekendheidsvraag` "
        "delivery naming its own signals. The question and every answer are on the verstrekkingenlog."
    ),
    tags=["casussen"],
)
def ask(
    *,
    casus_id: Annotated[int, id_path("casusId")],
    caller: RegisseurDep,
    session: SessionDep,
    vault: VaultDep,
    context: ContextDep,
    afspraken: AfsprakenDep,
) -> BekendheidscheckOut:
    now = utcnow()
    regisseur = Regisseur(principal_id=caller.principal_id, partner_id=caller.partner_id)
    answers = service.ask(session, vault, regisseur, casus_id, afspraken=afspraken, context=context, now=now)
    return BekendheidscheckOut(
        casus=casus_id, gevraagd_op=now, antwoorden=[Antwoord(partner=a.partner, bekend=a.bekend) for a in answers]
    )
