"""HTTP routes of meldingen (submit, read your own receipt) and of the published berichttype schemas."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Request, status
from fastapi.responses import Response

from hub import refusals
from hub.auth.dependencies import CallerDep, PartnerDep
from hub.db import SessionDep
from hub.kit.api import name_path
from hub.kit.clock import utcnow
from hub.kit.openapi import API_PREFIX
from hub.kit.paging import Limit, NameCursor, in_memory
from hub.meldingen import intake, repository, service
from hub.meldingen.schemas import BerichttypeOut, BerichttypePage, MeldingIn, Ontvangstbewijs
from hub.pseudonym.endpoints import VaultDep
from hub.state import StateDep, state_of

router = APIRouter(prefix=API_PREFIX, tags=["meldingen"])


@router.post(
    "/meldingen",
    status_code=status.HTTP_201_CREATED,
    summary="Submit a melding",
    description=(
        "Validated against its berichttype, routed (to `ontvangers`, or by the convenant's routing table), decided "
        "per recipient, pseudonymised, and stored with its deliveries and ledger entries in one durable "
        "transaction. The answer says per recipient what goes and what is withheld, and why. A melding nobody may "
        "receive is a 403 problem with the reasons; its refusals are on the ledger all the same. Send an "
        "`Idempotency-Key` to retry safely: the same key and body give the same answer, another body a 409."
    ),
    responses={403: {"description": "No recipient may receive this melding; the reasons are in `detail`."}},
)
async def submit(
    *,
    presented: intake.PresentedDep,
    body: MeldingIn,
    request: Request,
    vault: VaultDep,
    idempotency_key: Annotated[str | None, Header(max_length=200, pattern=r"^[\x21-\x7e]+$")] = None,
) -> Response:
    # Authenticated inside (the token is spent in the transaction that stores the melding): see `intake`.
    state = state_of(request.app)
    hub = intake.Hub(
        state.database,
        state.authenticator,
        state.policy_runtime,
        state.schemas,
        state.sequencer,
        vault,
        state.postcodes,
    )
    outcome = await intake.submit(hub, request, presented, body, idempotency_key)
    uitkomst = "geweigerd" if outcome.status_code == 403 else "aangenomen"
    state.metrics.meldingen.labels(berichttype=body.berichttype, uitkomst=uitkomst).inc()
    if outcome.status_code == 403:
        raise service.refusal(outcome.receipt)
    if state.delivery_worker is not None:
        state.delivery_worker.wake()
    return Response(orjson.dumps(outcome.receipt), status_code=status.HTTP_201_CREATED, media_type="application/json")


@router.get(
    "/meldingen/{meldingId}",
    summary="The receipt of a melding you sent",
    description="What the hub answered when it received it. Only the partner that sent it may read it.",
)
def receipt(
    melding_id: Annotated[str, name_path("meldingId")], caller: PartnerDep, session: SessionDep
) -> Ontvangstbewijs:
    melding = repository.get(session, melding_id)
    if melding is None or melding.verstrekker != caller.partner_id:
        raise refusals.MeldingNotFound("you sent no melding with this id")
    return Ontvangstbewijs.stored(melding.receipt)


@router.get(
    "/berichttypen",
    summary="The berichttypes of the active convenant",
    description="Each with its version and where its JSON Schema is published.",
)
def berichttypen(
    _: CallerDep, state: StateDep, session: SessionDep, na: NameCursor = None, limit: Limit = 100
) -> BerichttypePage:
    policy = state.policy_runtime.active(session, utcnow())
    if policy is None:
        return BerichttypePage(items=[], volgende=None)
    base = f"{state.settings.public_url}{API_PREFIX}/berichttypen"
    every = [
        BerichttypeOut(code=b.code, versie=b.versie, omschrijving=b.omschrijving, schema_url=f"{base}/{b.code}")
        for b in policy.source.berichttypes.berichttypes
    ]
    rows, volgende = in_memory(every, lambda b: b.code, after=na, limit=limit)
    return BerichttypePage(items=rows, volgende=volgende)


@router.get(
    "/berichttypen/{code}",
    summary="The JSON Schema of a berichttype",
    description="Every field with its type and its gegevenscategorie (`x-categorie`); undeclared fields never pass.",
)
def berichttype_schema(code: str, _: CallerDep, state: StateDep, session: SessionDep) -> dict[str, Any]:
    policy = state.policy_runtime.active(session, utcnow())
    if policy is None:
        raise refusals.ConvenantNotActive("no convenant is active yet")
    schema: dict[str, Any] = state.schemas.get(policy, code).json_schema()
    return schema
