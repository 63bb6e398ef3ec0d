"""HTTP routes of re-identification (/heridentificaties) and erasure (/vergetelheidsverzoeken).

Privacy officers ask and approve (four eyes); DPIA reviewers may read the requests, never the identities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, status

from hub import refusals
from hub.auth.dependencies import require_roles
from hub.auth.service import Caller
from hub.db import SessionDep
from hub.kit.api import id_path
from hub.kit.clock import utcnow
from hub.kit.openapi import API_PREFIX
from hub.kit.paging import Limit, NumberCursor, cut
from hub.ledger.endpoints import ContextDep
from hub.partners.models import Role
from hub.policy.endpoints import MemberOfficerDep, RuntimeDep, officer_of
from hub.pseudonym import service
from hub.pseudonym.models import PrivacyRequest
from hub.pseudonym.schemas import (
    HeridentificatieIn,
    IdentiteitOut,
    PrivacyRequestOut,
    PrivacyRequestPage,
    VergetelheidIn,
)
from hub.pseudonym.service import Soort
from hub.pseudonym.vault import Vault
from hub.state import StateDep

router = APIRouter(prefix=API_PREFIX, tags=["betrokkenen"])

Reader = Annotated[Caller, Depends(require_roles(Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER))]


async def _vault(state: StateDep) -> Vault:
    vault = state.vault
    if vault is None:
        raise refusals.VaultKeysMissing("the hub has no pseudonym or vault keys; run `schakel keys init`")
    return vault


VaultDep = Annotated[Vault, Depends(_vault)]


def _out(request: PrivacyRequest) -> PrivacyRequestOut:
    return PrivacyRequestOut.model_validate(
        {**request.model_dump(exclude={"pseudonym", "person_id"}), "status": service.status(request)}
    )


def _page(found: Sequence[PrivacyRequest], limit: int) -> PrivacyRequestPage:
    rows, volgende = cut(found, limit, lambda r: r.id or 0)
    return PrivacyRequestPage(items=[_out(r) for r in rows], volgende=volgende)


@router.get("/heridentificaties", summary="Re-identification requests", description="All of them, without identities.")
def list_reidentifications(
    _: Reader, session: SessionDep, na: NumberCursor = None, limit: Limit = 100
) -> PrivacyRequestPage:
    return _page(service.list_requests(session, Soort.HERIDENTIFICATIE, after=na, limit=limit), limit)


@router.post(
    "/heridentificaties",
    status_code=status.HTTP_201_CREATED,
    summary="Ask who is behind a pseudonym",
    description=(
        "Only by a privacy officer of the organisation that holds the pseudonym, under a doel the convenant allows "
        "it for and under which that organisation received data about the person; with a justification. A second "
        "privacy officer must approve before anything is shown. Every refusal is on the verstrekkingenlog."
    ),
)
def request_reidentification(
    *,
    body: HeridentificatieIn,
    caller: MemberOfficerDep,
    context: ContextDep,
    session: SessionDep,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> PrivacyRequestOut:
    now = utcnow()
    request = service.request_reidentification(
        session,
        vault,
        runtime.active(session, now),
        officer_of(caller),
        pseudonym=body.pseudoniem,
        doel=body.doel,
        motivering=body.motivering,
        context=context,
        now=now,
    )
    return _out(request)


@router.post(
    "/heridentificaties/{verzoekId}/goedkeuring",
    summary="Approve a re-identification",
    description=(
        "By a privacy officer of an organisation the convenant names for the doel, never one of the organisation "
        "that asked."
    ),
)
def approve_reidentification(
    *,
    verzoek_id: Annotated[int, id_path("verzoekId")],
    caller: MemberOfficerDep,
    context: ContextDep,
    session: SessionDep,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> PrivacyRequestOut:
    now = utcnow()
    policy = runtime.active(session, now)
    return _out(
        service.approve_reidentification(
            session, vault, policy, officer_of(caller), verzoek_id, context=context, now=now
        )
    )


@router.post(
    "/heridentificaties/{verzoekId}/onthulling",
    summary="See the identity, once",
    description="Only the privacy officer who asked, only after approval, only once (a second time is 410).",
)
def reveal(
    verzoek_id: Annotated[int, id_path("verzoekId")],
    caller: MemberOfficerDep,
    context: ContextDep,
    session: SessionDep,
    vault: VaultDep,
) -> IdentiteitOut:
    identity = service.reveal(session, vault, officer_of(caller), verzoek_id, context=context, now=utcnow())
    return IdentiteitOut.model_validate(asdict(identity))


@router.get("/vergetelheidsverzoeken", summary="Erasure requests", description="All of them, without identities.")
def list_erasures(_: Reader, session: SessionDep, na: NumberCursor = None, limit: Limit = 100) -> PrivacyRequestPage:
    return _page(service.list_requests(session, Soort.VERGETELHEID, after=na, limit=limit), limit)


@router.post(
    "/vergetelheidsverzoeken",
    status_code=status.HTTP_201_CREATED,
    summary="Ask to forget a betrokkene",
    description="By BSN, or by name and date of birth; a second privacy officer's approval carries it out.",
)
def request_erasure(
    body: VergetelheidIn, caller: MemberOfficerDep, session: SessionDep, vault: VaultDep
) -> PrivacyRequestOut:
    given = body.gegeven()
    return _out(
        service.request_erasure(
            session, vault, caller.principal_id, given=given, motivering=body.motivering, now=utcnow()
        )
    )


@router.post(
    "/vergetelheidsverzoeken/{verzoekId}/goedkeuring",
    summary="Approve and carry out an erasure",
    description="By another privacy officer; the person's data key is destroyed at once (crypto-shredding).",
)
def approve_erasure(
    verzoek_id: Annotated[int, id_path("verzoekId")],
    caller: MemberOfficerDep,
    context: ContextDep,
    session: SessionDep,
    vault: VaultDep,
) -> PrivacyRequestOut:
    return _out(service.approve_erasure(session, vault, caller.principal_id, verzoek_id, context=context, now=utcnow()))
