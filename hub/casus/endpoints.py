"""HTTP routes of /api/v1/casussen: procesregisseurs of a ZVH run casussen; privacy officers and DPIA reviewers
read them. Every change is in the casus's history and the verstrekkingenlog."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlmodel import Session

from hub import refusals
from hub.auth.dependencies import require_roles
from hub.auth.service import Caller
from hub.bekendheid.schemas import BekendIn
from hub.casus import access, informeren, service, tafel, topx
from hub.casus.schemas import (
    CasusDetail,
    CasusIn,
    CasusOut,
    CasusPage,
    DeelnemerIn,
    DeelnemerOut,
    FaseIn,
    GebeurtenisOut,
    InformerenIn,
    InformeringOut,
    MeldingKoppeling,
    PersoonIn,
    RedenIn,
    TermijnOut,
    TermijnPage,
    WeegtafelIn,
)
from hub.casus.termijnen import Termijn
from hub.db import SessionDep
from hub.kit.api import id_path, name_path
from hub.kit.clock import dutch_date, utcnow
from hub.kit.openapi import API_PREFIX
from hub.kit.paging import Limit, NameCursor, NumberCursor, cut, in_memory
from hub.ledger.endpoints import ContextDep
from hub.partners.models import Role
from hub.policy.convenant.format import Procesafspraken
from hub.policy.endpoints import RuntimeDep
from hub.pseudonym import repository as pseudonyms
from hub.pseudonym.endpoints import VaultDep
from hub.pseudonym.vault import Vault

router = APIRouter(prefix=f"{API_PREFIX}/casussen", tags=["casussen"])

RegisseurDep = Annotated[Caller, Depends(require_roles(Role.PROCESREGISSEUR))]
Reader = Annotated[Caller, Depends(require_roles(*access.READERS))]


def _afspraken(runtime: RuntimeDep, session: SessionDep) -> Procesafspraken:
    """The process terms of the convenant in force (the format's defaults while none is active: then nothing can
    be disclosed in any casus anyway)."""
    policy = runtime.active(session, utcnow())
    return policy.source.convenant.procesafspraken if policy is not None else Procesafspraken()


AfsprakenDep = Annotated[Procesafspraken, Depends(_afspraken)]


def _regisseur(caller: Caller) -> service.Regisseur:
    return service.Regisseur(principal_id=caller.principal_id, partner_id=caller.partner_id)


def detail(session: Session, casus_id: int) -> CasusDetail:
    found = service.get(session, casus_id)
    return CasusDetail.model_validate(
        {
            **CasusOut.model_validate(found).model_dump(),
            "deelnemers": [DeelnemerOut.model_validate(d) for d in service.participants(session, casus_id)],
            "meldingen": [m.melding_id for m in service.meldingen(session, casus_id)],
            "personen": len(service.persons(session, casus_id)),
            "informering": _informering(session, casus_id),
            "geschiedenis": [GebeurtenisOut.model_validate(e) for e in service.history(session, casus_id)],
        }
    )


def _informering(session: Session, casus_id: int) -> InformeringOut | None:
    found = informeren.informing(session, casus_id)
    return InformeringOut.model_validate(found) if found is not None else None


@router.get(
    "",
    summary="Casussen",
    description=(
        "The casussen your organisation runs, newest first: a ZVH's procesregisseurs, privacy officers and DPIA "
        "reviewers see its own, whatever other roles they hold; anyone else sees none."
    ),
)
def list_casussen(
    caller: Reader,
    session: SessionDep,
    open: Annotated[bool, Query(description="Only those not closed.")] = False,  # noqa: A002 - the API's word
    na: NumberCursor = None,
    limit: Limit = 100,
) -> CasusPage:
    found = access.casussen(session, caller, open_only=open, after=na, limit=limit)
    rows, volgende = cut(found, limit, lambda c: c.id or 0)
    return CasusPage(items=[CasusOut.model_validate(c) for c in rows], volgende=volgende)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Open a casus",
    description="At aanmelding, run by your ZVH. Link meldingen and persons, add participants, then move it on.",
)
def open_casus(
    body: CasusIn, caller: RegisseurDep, context: ContextDep, session: SessionDep, afspraken: AfsprakenDep
) -> CasusDetail:
    found = service.open_casus(
        session,
        _regisseur(caller),
        soort=body.type,
        reden=service.check_reason(body.reden),
        context=context,
        now=utcnow(),
        huisverbod_einde=body.huisverbod_einde,
        afspraken=afspraken,
    )
    return detail(session, found.id or 0)


@router.get(
    "/termijnen",
    summary="What falls due",
    description=(
        "In the open casussen your organisation runs, soonest first: Top X requalifications, ends of "
        "huisverbod monitoring, and reviews of decisions not to inform the persons (overdue ones included)."
    ),
)
def due(
    caller: Reader,
    session: SessionDep,
    dagen: Annotated[int, Query(ge=1, le=366, description="How many days ahead.")] = 31,
    na: NameCursor = None,
    limit: Limit = 100,
) -> TermijnPage:
    items = access.due(session, caller, dutch_date(utcnow()), dagen)
    rows, volgende = in_memory(items, _termijn_key, after=na, limit=limit)
    return TermijnPage(items=[TermijnOut.model_validate(t) for t in rows], volgende=volgende)


def _termijn_key(termijn: Termijn) -> str:
    """Soonest first, then by casus and kind: a cursor that sorts as the list does."""
    return f"{termijn.datum.isoformat()}/{termijn.casus_id:010d}/{termijn.soort}"


@router.get(
    "/{casusId}",
    summary="One casus",
    description="Stage, participants, meldingen and history; a casus another organisation runs is a 404.",
)
def get_casus(casus_id: Annotated[int, id_path("casusId")], caller: Reader, session: SessionDep) -> CasusDetail:
    access.casus(session, caller, casus_id)
    return detail(session, casus_id)


@router.post(
    "/{casusId}/fase",
    summary="Move a casus to another stage",
    description=(
        "Forward only, with a reason. Afschaling (or closing a casus that was not scaled down) sends every partner "
        "at the table an `afschalingsbericht`; from then on nothing is disclosed in the casus."
    ),
)
def move(
    *,
    casus_id: Annotated[int, id_path("casusId")],
    body: FaseIn,
    caller: RegisseurDep,
    context: ContextDep,
    session: SessionDep,
    vault: VaultDep,
) -> CasusDetail:
    service.move(
        session,
        _regisseur(caller),
        casus_id,
        body.naar,
        reden=service.check_reason(body.reden),
        context=context,
        now=utcnow(),
        vault=vault,
    )
    return detail(session, casus_id)


@router.post(
    "/{casusId}/weegtafel",
    summary="Record a weegtafel decision (Top X)",
    description=(
        "Gives a Top X casus its status, or requalifies it, for the term the convenant agrees "
        "(`procesafspraken.top_x_herkwalificatie`). A rule that needs Top X applies only while it holds; the "
        "status and its history are on the verstrekkingenlog and never disclosed as a list."
    ),
)
def weegtafel(
    *,
    casus_id: Annotated[int, id_path("casusId")],
    body: WeegtafelIn,
    caller: RegisseurDep,
    context: ContextDep,
    session: SessionDep,
    afspraken: AfsprakenDep,
) -> CasusDetail:
    topx.weegtafel(
        session,
        _regisseur(caller),
        casus_id,
        datum=body.datum,
        aanwezig=[p[:64] for p in body.aanwezig],
        reden=service.check_reason(body.reden),
        afspraken=afspraken,
        context=context,
        now=utcnow(),
    )
    return detail(session, casus_id)


@router.post(
    "/{casusId}/deelnemers",
    status_code=status.HTTP_201_CREATED,
    summary="Add a partner to the table",
    description="With a reason; on the ledger.",
)
def add_participant(
    casus_id: Annotated[int, id_path("casusId")],
    body: DeelnemerIn,
    caller: RegisseurDep,
    context: ContextDep,
    session: SessionDep,
) -> CasusDetail:
    tafel.add_participant(
        session,
        _regisseur(caller),
        casus_id,
        body.partner,
        reden=service.check_reason(body.reden),
        context=context,
        now=utcnow(),
    )
    return detail(session, casus_id)


@router.post(
    "/{casusId}/deelnemers/{partnerId}/verwijdering",
    summary="Remove a partner from the table",
    description=(
        "With a reason; on the ledger. What the partner was given only because it sat at the table ends with it: "
        "every such delivery not made yet is withheld (a dead letter too) and for each one it received it is sent "
        "a stopbericht, each an intrekking entry with reason niet-meer-aan-tafel."
    ),
)
def remove_participant(
    *,
    casus_id: Annotated[int, id_path("casusId")],
    partner_id: Annotated[str, name_path("partnerId")],
    body: RedenIn,
    caller: RegisseurDep,
    context: ContextDep,
    session: SessionDep,
    vault: VaultDep,
) -> CasusDetail:
    tafel.remove_participant(
        session,
        _regisseur(caller),
        casus_id,
        partner_id[:64],
        reden=service.check_reason(body.reden),
        context=context,
        now=utcnow(),
        vault=vault,
    )
    return detail(session, casus_id)


@router.post(
    "/{casusId}/meldingen",
    status_code=status.HTTP_201_CREATED,
    summary="Link a melding to the casus",
    description="A melding the hub received (by its id from the receipt or the delivery).",
)
def link_melding(
    casus_id: Annotated[int, id_path("casusId")],
    body: MeldingKoppeling,
    caller: RegisseurDep,
    context: ContextDep,
    session: SessionDep,
) -> CasusDetail:
    service.link_melding(
        session,
        _regisseur(caller),
        casus_id,
        body.melding_id,
        reden=service.check_reason(body.reden),
        context=context,
        now=utcnow(),
    )
    return detail(session, casus_id)


@router.post(
    "/{casusId}/informering",
    status_code=status.HTTP_201_CREATED,
    summary="Record whether the persons were informed",
    description=(
        "`geinformeerd` with `artikel` (13 or 14) and `datum`; or `niet-geinformeerd` with `grond` (AVG art. 23 "
        "lid 1) and `herbeoordeling`. The newest decision holds; while it is not to inform, an inzage holds back "
        "what concerns the casus, with a note for the privacy officer. On the ledger."
    ),
)
def record_informing(
    *,
    casus_id: Annotated[int, id_path("casusId")],
    body: InformerenIn,
    caller: RegisseurDep,
    context: ContextDep,
    session: SessionDep,
    afspraken: AfsprakenDep,
) -> CasusDetail:
    informeren.decide_informing(
        session,
        _regisseur(caller),
        casus_id,
        besluit=body.besluit,
        artikel=body.artikel,
        datum=body.datum,
        grond=body.grond,
        herbeoordeling=body.herbeoordeling,
        reden=service.check_reason(body.reden),
        afspraken=afspraken,
        context=context,
        now=utcnow(),
    )
    return detail(session, casus_id)


def resolve_person(
    session: Session, vault: Vault, caller: Caller, body: PersoonIn | BekendIn, *, create: bool = False
) -> str:
    """The vault id of the person named: by a pseudonym the hub gave the caller's organisation, or by identity
    (with `create`, the vault keeps a person it did not know, sealed; else an unknown person is a 404)."""
    if body.pseudoniem:
        issued = pseudonyms.issued(session, body.pseudoniem)
        if issued is None or issued.domain != caller.partner_id:
            raise refusals.PseudonymUnknown("the hub gave your organisation no such pseudonym")
        return issued.person_id
    if not (body.bsn or (body.achternaam and body.geboortedatum)):
        raise refusals.IdentityIncomplete("name the person by pseudoniem, bsn, or name and date of birth")
    if create:
        return vault.seal(session, body.gegeven(), utcnow())
    found = vault.find(session, body.gegeven())
    if found is None:
        raise refusals.BetrokkeneUnknown("the hub holds no such person")
    return found


@router.post(
    "/{casusId}/personen",
    status_code=status.HTTP_201_CREATED,
    summary="Link a person to the casus",
    description="By the pseudonym the hub gave your organisation, or by BSN, or by name and date of birth. The "
    "casus keeps the vault's id only; the ledger entry is about the person (by their commitment).",
)
def link_person(
    *,
    casus_id: Annotated[int, id_path("casusId")],
    body: PersoonIn,
    caller: RegisseurDep,
    context: ContextDep,
    session: SessionDep,
    vault: VaultDep,
) -> CasusDetail:
    person_id = resolve_person(session, vault, caller, body)
    service.link_person(
        session,
        _regisseur(caller),
        casus_id,
        person_id,
        log_pseudonym=vault.log_pseudonym(session, person_id),
        reden=service.check_reason(body.reden),
        context=context,
        now=utcnow(),
    )
    return detail(session, casus_id)
