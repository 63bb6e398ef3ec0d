"""HTTP routes of the DPIA report (/rapportages/verstrekkingen) and inzage (/inzageverzoeken)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response

from hub import refusals
from hub.auth.dependencies import require_roles
from hub.auth.service import Caller
from hub.casus import access
from hub.db import SessionDep
from hub.kit.api import Day
from hub.kit.clock import dutch_date, utcnow
from hub.kit.openapi import API_PREFIX
from hub.ledger.endpoints import ContextDep, LogOriginDep, checkpoint_out, day_start
from hub.partners.models import Role
from hub.policy.endpoints import MemberOfficerDep
from hub.pseudonym.endpoints import VaultDep
from hub.reports import inzage, jaarcijfers, service
from hub.reports.schemas import InzageOut, InzageverzoekIn, JaarcijfersOut, RapportageOut
from hub.state import StateDep

router = APIRouter(prefix=API_PREFIX, tags=["rapportages"])

Reviewer = Annotated[Caller, Depends(require_roles(Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER))]


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


@router.get(
    "/rapportages/verstrekkingen",
    summary="Disclosures counted per verstrekker, ontvanger, doel, categorie and month",
    description=(
        "With the decisions (permit, partial, deny) and the categories withheld and why. Dutch dates, `tot` "
        "exclusive; by default the last twelve months. `formaat=csv` gives the category counts as CSV."
    ),
    response_model=RapportageOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def report(
    _: Reviewer,
    session: SessionDep,
    van: Annotated[Day | None, Query(description="From this day (inclusive).")] = None,
    tot: Annotated[Day | None, Query(description="Up to this day (exclusive).")] = None,
    formaat: Annotated[Literal["json", "csv"], Query()] = "json",
) -> RapportageOut | Response:
    end = tot or dutch_date(utcnow()) + timedelta(days=1)
    start = van or end - timedelta(days=365)
    if start >= end:
        raise refusals.PeriodInvalid("`van` must lie before `tot`")
    result = service.verstrekkingen(session, day_start(start), day_start(end))  # type: ignore[arg-type]
    if formaat == "csv":
        return Response(service.as_csv(result), media_type="text/csv; charset=utf-8")
    return RapportageOut.model_validate(
        {"van": result.van, "tot": result.tot, "categorieen": result.categorieen, "besluiten": result.besluiten}
    )


FiguresReader = Annotated[Caller, Depends(require_roles(*access.READERS))]


@router.get(
    "/rapportages/jaarcijfers",
    summary="The annual figures: meldingen, casussen and unique persons per gemeente, quarter and theme",
    description=(
        "From the hub's own records, without any identity: meldingen the hub accepted (by the doel they were sent "
        "for) and casussen opened (by type), with the persons in them counted once by pseudonym. Totals per theme "
        "and gemeente over the year have `kwartaal` null, over every theme `thema` null. A ZVH's "
        "procesregisseurs, privacy officers and DPIA reviewers see the meldingen about the gemeenten of its "
        "werkgebied and its own casussen; anyone else the whole hub's, with small figures suppressed (null, and "
        "`afgeschermd` true). `formaat=csv` gives one table with a column `tabel`."
    ),
    response_model=JaarcijfersOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def annual_figures(
    caller: FiguresReader,
    session: SessionDep,
    jaar: Annotated[
        int | None, Query(ge=2000, le=2100, description="The calendar year; by default the one before this.")
    ] = None,
    formaat: Annotated[Literal["json", "csv"], Query()] = "json",
) -> JaarcijfersOut | Response:
    year = jaar if jaar is not None else dutch_date(utcnow()).year - 1
    result = jaarcijfers.voor(session, year, caller)
    if formaat == "csv":
        return Response(jaarcijfers.as_csv(result), media_type="text/csv; charset=utf-8")
    return JaarcijfersOut.model_validate(result, from_attributes=True)


@router.post(
    "/inzageverzoeken",
    status_code=status.HTTP_201_CREATED,
    summary="Answer an inzageverzoek (AVG art. 15)",
    description=(
        "By BSN, or by name and date of birth. Every entry about the person in plain Dutch, each with its "
        "inclusion proof in a freshly signed checkpoint; doelen marked confidential are held back with a note. "
        "The inzage itself is recorded in the log."
    ),
)
def submit_inzage(
    *,
    body: InzageverzoekIn,
    caller: MemberOfficerDep,
    context: ContextDep,
    origin: LogOriginDep,
    state: StateDep,
    session: SessionDep,
    vault: VaultDep,
) -> InzageOut:
    runtime, keyring = state.policy_runtime, state.keyring
    now = utcnow()
    given = body.gegeven()
    result = inzage.inzage(
        session,
        vault,
        given,
        officer=caller.principal_id,
        policy=runtime.active(session, now),
        context=context,
        origin=origin,
        key=keyring.ed25519_key(),
        now=now,
    )
    return InzageOut.model_validate(
        {
            "opgesteld_op": result.opgesteld_op,
            "samenvatting": result.samenvatting,
            "verwerkingen": [
                {
                    "positie": r.positie,
                    "tekst": r.tekst,
                    "entry": r.entry,
                    "bytes": _b64(r.raw),
                    "opening": {"salt": _b64(r.salt), "log_pseudoniem": r.log_pseudoniem},
                    "bewijs": [_b64(h) for h in r.bewijs],
                }
                for r in result.regels
            ],
            "achtergehouden": result.achtergehouden,
            "casussen": result.casussen,
            "beperkt": result.beperkt,
            "vertrouwelijk": result.vertrouwelijk,
            "checkpoint": checkpoint_out(session, result.checkpoint),
        }
    )
