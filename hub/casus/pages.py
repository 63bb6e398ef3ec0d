"""The procesregisseur's pages: casussen, their stages, who is at the table, persons and meldingen. Privacy
officers and DPIA reviewers read them. The same `service` calls as /api/v1/casussen, on the ledger there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from hub import refusals
from hub.bekendheid import service as bekendheid
from hub.casus import access, informeren, service, tafel, topx
from hub.casus.endpoints import AfsprakenDep, resolve_person
from hub.casus.models import GRONDEN, Beperkingsgrond, CasusType, Fase, Informeren
from hub.casus.schemas import PersoonIn
from hub.db import SessionDep
from hub.errors import SchakelError
from hub.kit.api import MAX_ID
from hub.kit.clock import dutch_date, utcnow
from hub.ledger.pages import page_context
from hub.partners import service as partners
from hub.partners.models import Role
from hub.policy.convenant.sentences import CASUSFASEN, CASUSTYPEN
from hub.pseudonym.endpoints import VaultDep
from hub.web.dependencies import CasusPage, RegisseurForm
from hub.web.render import page
from hub.web.service import Person
from hub.web.wording import zin

router = APIRouter(prefix="/casussen", include_in_schema=False)

TYPES = CASUSTYPEN
FASEN = CASUSFASEN
TERMIJNEN = {
    "top-x-herkwalificatie": "Top X-status opnieuw wegen aan de weegtafel",
    "monitoring-einde": "Monitoring na huisverbod loopt af",
    "informeren-herbeoordeling": "Besluit om de betrokkenen niet te informeren opnieuw beoordelen",
}
"""What falls due, in words."""


def _regisseur(person: Person) -> service.Regisseur:
    return service.Regisseur(principal_id=person.principal_id, partner_id=person.partner_id)


def _list(request: Request, person: Person, session: Session, fout: str = "") -> Response:
    context = {"casussen": access.casussen(session, person), "types": TYPES, "fasen": FASEN, "fout": fout}
    return page(request, "casus/casussen.html", context, status_code=422 if fout else 200)


@router.get("")
def casussen(request: Request, person: CasusPage, session: SessionDep) -> Response:
    return _list(request, person, session)


def _day(value: str, field: str) -> date | None:
    """A date from a form's date field (`YYYY-MM-DD`); empty is None."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise refusals.DatumOngeldig(f"{field}: enter a date as dd-mm-jjjj") from None


@router.post("")
def open_casus(
    request: Request,
    person: RegisseurForm,
    session: SessionDep,
    afspraken: AfsprakenDep,
    soort: Annotated[CasusType, Form(alias="type")],
    reden: Annotated[str, Form(max_length=1000)],
    huisverbod_einde: Annotated[str, Form(alias="huisverbod-einde", max_length=10)] = "",
) -> Response:
    try:
        found = service.open_casus(
            session,
            _regisseur(person),
            soort=soort,
            reden=service.check_reason(reden),
            context=page_context(request, person),
            now=utcnow(),
            huisverbod_einde=_day(huisverbod_einde, "huisverbod-einde"),
            afspraken=afspraken,
        )
    except SchakelError as exc:
        if exc.status >= 500:
            raise
        return _list(request, person, session, zin(exc))
    return RedirectResponse(f"/casussen/{found.id}", status_code=303)


@router.get("/termijnen")
def due(
    request: Request, person: CasusPage, session: SessionDep, dagen: Annotated[int, Query(ge=1, le=366)] = 31
) -> Response:
    items = access.due(session, person, dutch_date(utcnow()), dagen)
    return page(request, "casus/termijnen.html", {"termijnen": items, "soorten": TERMIJNEN, "dagen": dagen})


def _casus(
    request: Request,
    person: Person,
    session: Session,
    casus_id: int,
    fout: str = "",
    antwoorden: list[Any] | None = None,
) -> Response:
    found = access.casus(session, person, _id(casus_id))
    context: dict[str, Any] = {
        "casus": found,
        "types": TYPES,
        "fasen": FASEN,
        "volgende": sorted(service.NEXT[found.fase], key=list(Fase).index),
        "deelnemers": service.participants(session, found.id or 0),
        "meldingen": service.meldingen(session, found.id or 0),
        "personen": len(service.persons(session, found.id or 0)),
        "geschiedenis": service.history(session, found.id or 0),
        "partners": (everyone := partners.list_partners(session)),
        "namen": {p.id: p.naam for p in everyone},
        "mag_wijzigen": Role.PROCESREGISSEUR in person.roles and found.zvh == person.partner_id,
        "fout": fout,
        "informering": informeren.informing(session, found.id or 0),
        "gronden": GRONDEN,
        "antwoorden": antwoorden,
        "vandaag": dutch_date(utcnow()),
    }
    return page(request, "casus/casus.html", context, status_code=422 if fout else 200)


@router.get("/{casus_id:int}")
def casus(request: Request, casus_id: int, person: CasusPage, session: SessionDep) -> Response:
    return _casus(request, person, session, casus_id)


def _id(value: int) -> int:
    if not 0 < value <= MAX_ID:
        raise refusals.CasusNotFound("deze casus bestaat niet")
    return value


def _act(request: Request, person: Person, session: Session, casus_id: int, action: Callable[[], object]) -> Response:
    """Do one step of the casus from a form: back to the casus when it is done, or the casus with the refusal in
    plain Dutch (a 500 stays a 500)."""
    try:
        action()
    except SchakelError as exc:
        if exc.status >= 500:
            raise
        return _casus(request, person, session, casus_id, zin(exc))
    return RedirectResponse(f"/casussen/{casus_id}", status_code=303)


@router.post("/{casus_id:int}/fase")
def move(
    request: Request,
    casus_id: int,
    person: RegisseurForm,
    session: SessionDep,
    vault: VaultDep,
    naar: Annotated[Fase, Form()],
    reden: Annotated[str, Form(max_length=1000)],
) -> Response:
    return _act(
        request,
        person,
        session,
        casus_id,
        lambda: service.move(
            session,
            _regisseur(person),
            _id(casus_id),
            naar,
            reden=service.check_reason(reden),
            context=page_context(request, person),
            now=utcnow(),
            vault=vault,
        ),
    )


@router.post("/{casus_id:int}/deelnemers")
def add_participant(
    request: Request,
    casus_id: int,
    person: RegisseurForm,
    session: SessionDep,
    partner: Annotated[str, Form(max_length=64)],
    reden: Annotated[str, Form(max_length=1000)],
) -> Response:
    return _act(
        request,
        person,
        session,
        casus_id,
        lambda: tafel.add_participant(
            session,
            _regisseur(person),
            _id(casus_id),
            partner,
            reden=service.check_reason(reden),
            context=page_context(request, person),
            now=utcnow(),
        ),
    )


@router.post("/{casus_id:int}/deelnemers/verwijdering")
def remove_participant(
    request: Request,
    casus_id: int,
    person: RegisseurForm,
    session: SessionDep,
    vault: VaultDep,
    partner: Annotated[str, Form(max_length=64)],
    reden: Annotated[str, Form(max_length=1000)],
) -> Response:
    return _act(
        request,
        person,
        session,
        casus_id,
        lambda: tafel.remove_participant(
            session,
            _regisseur(person),
            _id(casus_id),
            partner,
            reden=service.check_reason(reden),
            context=page_context(request, person),
            now=utcnow(),
            vault=vault,
        ),
    )


@router.post("/{casus_id:int}/meldingen")
def link_melding(
    request: Request,
    casus_id: int,
    person: RegisseurForm,
    session: SessionDep,
    melding: Annotated[str, Form(max_length=32)],
    reden: Annotated[str, Form(max_length=1000)],
) -> Response:
    return _act(
        request,
        person,
        session,
        casus_id,
        lambda: service.link_melding(
            session,
            _regisseur(person),
            _id(casus_id),
            melding.strip(),
            reden=service.check_reason(reden),
            context=page_context(request, person),
            now=utcnow(),
        ),
    )


@router.post("/{casus_id:int}/personen")
def link_person(
    request: Request,
    casus_id: int,
    person: RegisseurForm,
    session: SessionDep,
    vault: VaultDep,
    pseudoniem: Annotated[str, Form(max_length=128)] = "",
    bsn: Annotated[str, Form(max_length=16)] = "",
    reden: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        body = PersoonIn(pseudoniem=pseudoniem.strip() or None, bsn=bsn.strip() or None, reden=reden.strip())
    except ValidationError:
        return _casus(request, person, session, casus_id, "Vul een pseudoniem of BSN in, en een reden.")

    def link() -> None:
        person_id = resolve_person(session, vault, person.caller(""), body)
        log_pseudonym = vault.log_pseudonym(session, person_id)
        service.link_person(
            session,
            _regisseur(person),
            _id(casus_id),
            person_id,
            log_pseudonym=log_pseudonym,
            reden=service.check_reason(reden),
            context=page_context(request, person),
            now=utcnow(),
        )

    return _act(request, person, session, casus_id, link)


@router.post("/{casus_id:int}/weegtafel")
def weegtafel(
    request: Request,
    casus_id: int,
    person: RegisseurForm,
    session: SessionDep,
    afspraken: AfsprakenDep,
    datum: Annotated[str, Form(max_length=10)],
    reden: Annotated[str, Form(max_length=1000)],
    aanwezig: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    def decide() -> None:
        day = _day(datum, "datum")
        if day is None:
            raise refusals.DatumOngeldig("enter the day the weegtafel met")
        topx.weegtafel(
            session,
            _regisseur(person),
            _id(casus_id),
            datum=day,
            aanwezig=[p[:64] for p in aanwezig or []],
            reden=service.check_reason(reden),
            afspraken=afspraken,
            context=page_context(request, person),
            now=utcnow(),
        )

    return _act(request, person, session, casus_id, decide)


@router.post("/{casus_id:int}/bekendheidscheck")
def bekendheidscheck(
    request: Request,
    casus_id: int,
    person: RegisseurForm,
    session: SessionDep,
    vault: VaultDep,
    afspraken: AfsprakenDep,
) -> Response:
    """The answers are shown once, on the page that follows; the question and each answer stay on the ledger."""
    try:
        answers = bekendheid.ask(
            session,
            vault,
            _regisseur(person),
            _id(casus_id),
            afspraken=afspraken,
            context=page_context(request, person),
            now=utcnow(),
        )
    except SchakelError as exc:
        if exc.status >= 500:
            raise
        return _casus(request, person, session, casus_id, zin(exc))
    return _casus(request, person, session, casus_id, antwoorden=list(answers))


@router.post("/{casus_id:int}/informering")
def informing(
    request: Request,
    casus_id: int,
    person: RegisseurForm,
    session: SessionDep,
    afspraken: AfsprakenDep,
    besluit: Annotated[Informeren, Form()],
    reden: Annotated[str, Form(max_length=1000)],
    artikel: Annotated[str, Form(max_length=2)] = "14",
    datum: Annotated[str, Form(max_length=10)] = "",
    grond: Annotated[str, Form(max_length=2)] = "",
    herbeoordeling: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The form has every field; only those of the chosen decision are passed on (the service checks the rest)."""
    informed = besluit == Informeren.GEINFORMEERD

    def decide() -> None:
        if not informed and grond not in GRONDEN:
            raise refusals.InformeringOnvolledig("choose the ground")
        informeren.decide_informing(
            session,
            _regisseur(person),
            _id(casus_id),
            besluit=besluit,
            artikel=artikel if informed else None,
            datum=_day(datum, "datum") if informed else None,
            grond=None if informed else Beperkingsgrond(grond),
            herbeoordeling=None if informed else _day(herbeoordeling, "herbeoordeling"),
            reden=service.check_reason(reden),
            afspraken=afspraken,
            context=page_context(request, person),
            now=utcnow(),
        )

    return _act(request, person, session, casus_id, decide)
