"""Re-identification and erasure of betrokkenen, for privacy officers: asked by one, approved by another with a
passkey over the request (four eyes), carried out by the same `service` calls as the API, on the ledger there."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from hub.db import SessionDep
from hub.errors import NotFound, SchakelError
from hub.kit.api import MAX_ID
from hub.kit.clock import utcnow
from hub.ledger.pages import page_context
from hub.policy import service as policy_service
from hub.policy.endpoints import RuntimeDep
from hub.policy.service import Officer
from hub.pseudonym import service
from hub.pseudonym.endpoints import VaultDep
from hub.pseudonym.models import PrivacyRequest
from hub.pseudonym.schemas import HeridentificatieIn, VergetelheidIn
from hub.pseudonym.service import Soort
from hub.web import confirm, passkeys
from hub.web import repository as web_repository
from hub.web.dependencies import OfficerForm, OfficerPage, RelyingPartyDep, SettingsDep
from hub.web.render import page
from hub.web.security import CEREMONY_COOKIE, set_cookie
from hub.web.wording import zin

router = APIRouter(prefix="/betrokkenen", include_in_schema=False)

HANDELING = {Soort.HERIDENTIFICATIE: "heridentificatie-goedkeuren", Soort.VERGETELHEID: "vergetelheid-goedkeuren"}
PATH = {Soort.HERIDENTIFICATIE: "heridentificaties", Soort.VERGETELHEID: "vergetelheidsverzoeken"}


def _soort(path: str) -> Soort:
    for soort, name in PATH.items():
        if name == path:
            return soort
    raise NotFound("there is no such kind of request")


def _rows(session: Session, soort: Soort) -> list[dict[str, Any]]:
    confirmations = {c.object_id: c for c in web_repository.confirmations(session, HANDELING[soort])}
    return [
        {"verzoek": r, "status": service.status(r), "bevestiging": confirmations.get(str(r.id))}
        for r in reversed(service.list_requests(session, soort))
    ]


@router.get("")
def overview(request: Request, _: OfficerPage, session: SessionDep, runtime: RuntimeDep) -> Response:
    return _overview(request, session, runtime, "")


def _overview(request: Request, session: Session, runtime: RuntimeDep, fout: str) -> Response:
    active = runtime.active(session, utcnow())
    context = {
        "heridentificaties": _rows(session, Soort.HERIDENTIFICATIE),
        "vergetelheden": _rows(session, Soort.VERGETELHEID),
        "doelen": active.source.vocabulaires.doelen if active else [],
        "fout": fout,
    }
    return page(request, "pseudonym/betrokkenen.html", context, status_code=422 if fout else 200)


@router.post("/heridentificaties")
def ask_reidentification(
    request: Request,
    person: OfficerForm,
    session: SessionDep,
    runtime: RuntimeDep,
    vault: VaultDep,
    pseudoniem: Annotated[str, Form(max_length=128)],
    doel: Annotated[str, Form(max_length=64)],
    motivering: Annotated[str, Form(max_length=1000)],
) -> Response:
    now = utcnow()
    policy_service.check_member_officer(session, runtime, person.partner_id, now)
    try:
        body = HeridentificatieIn(pseudoniem=pseudoniem.strip(), doel=doel, motivering=motivering.strip())
        service.request_reidentification(
            session,
            vault,
            runtime.active(session, now),
            Officer(person.principal_id, person.partner_id),
            pseudonym=body.pseudoniem,
            doel=body.doel,
            motivering=body.motivering,
            context=page_context(request, person),
            now=now,
        )
    except ValidationError as exc:
        return _overview(request, session, runtime, _fields(exc))
    except SchakelError as exc:
        if exc.status >= 500:
            raise
        return _overview(request, session, runtime, zin(exc))
    return RedirectResponse("/betrokkenen", status_code=303)


@router.post("/vergetelheidsverzoeken")
def ask_erasure(
    request: Request,
    person: OfficerForm,
    session: SessionDep,
    runtime: RuntimeDep,
    vault: VaultDep,
    bsn: Annotated[str, Form(max_length=16)] = "",
    voornamen: Annotated[str, Form(max_length=200)] = "",
    tussenvoegsel: Annotated[str, Form(max_length=50)] = "",
    achternaam: Annotated[str, Form(max_length=200)] = "",
    geboortedatum: Annotated[str, Form(max_length=10)] = "",
    motivering: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    policy_service.check_member_officer(session, runtime, person.partner_id, utcnow())
    try:
        body = VergetelheidIn.model_validate(
            {
                "bsn": bsn.strip() or None,
                "voornamen": voornamen.strip() or None,
                "tussenvoegsel": tussenvoegsel.strip() or None,
                "achternaam": achternaam.strip() or None,
                "geboortedatum": geboortedatum or None,
                "motivering": motivering.strip(),
            }
        )
        service.request_erasure(
            session, vault, person.principal_id, given=body.gegeven(), motivering=body.motivering, now=utcnow()
        )
    except ValidationError as exc:
        return _overview(request, session, runtime, _fields(exc))
    except SchakelError as exc:
        if exc.status >= 500:
            raise
        return _overview(request, session, runtime, zin(exc))
    return RedirectResponse("/betrokkenen", status_code=303)


def _fields(exc: ValidationError) -> str:
    return "Controleer: " + ", ".join(sorted({str(e["loc"][-1]) for e in exc.errors()})) + "."


def _act(found: PrivacyRequest) -> dict[str, Any]:
    """What the approver confirms: the request as asked, without any identity."""
    return {
        "verzoek": found.id,
        "soort": found.soort,
        "doel": found.doel,
        "motivering": found.motivering,
        "aangevraagdDoor": found.requested_by,
        "aangevraagdOp": found.requested_at.isoformat(),
    }


def _get(session: Session, soort_path: str, verzoek_id: int) -> tuple[Soort, PrivacyRequest]:
    soort = _soort(soort_path)
    return soort, service.get(session, min(max(verzoek_id, 0), MAX_ID), soort)


@router.post("/{soort_path:str}/{verzoek_id:int}/goedkeuring/begin")
def approval_begin(
    soort_path: str,
    verzoek_id: int,
    person: OfficerForm,
    session: SessionDep,
    settings: SettingsDep,
    rp: RelyingPartyDep,
) -> Response:
    soort, found = _get(session, soort_path, verzoek_id)
    now = utcnow()
    act = confirm.act(
        rp,
        HANDELING[soort],
        str(found.id),
        wat=_act(found),
        parameters={},
        principal_id=person.principal_id,
        partner_id=person.partner_id,
        now=now,
    )
    started = passkeys.begin_confirmation(session, rp, person.principal_id, act, now)
    response = Response(started.options_json, media_type="application/json")
    set_cookie(response, settings, CEREMONY_COOKIE, started.cookie, passkeys.CEREMONY_SECONDS)
    return response


@router.post("/{soort_path:str}/{verzoek_id:int}/goedkeuring")
def approve(
    request: Request,
    soort_path: str,
    verzoek_id: int,
    person: OfficerForm,
    session: SessionDep,
    runtime: RuntimeDep,
    vault: VaultDep,
    rp: RelyingPartyDep,
    credential: Annotated[str, Form(max_length=passkeys.MAX_CREDENTIAL_JSON)] = "",
) -> Response:
    soort, found = _get(session, soort_path, verzoek_id)
    now = utcnow()
    confirmed = passkeys.finish_confirmation(
        session,
        rp,
        request.cookies.get(CEREMONY_COOKIE),
        principal_id=person.principal_id,
        credential=credential,
        now=now,
    )
    confirm.check_act(confirmed, HANDELING[soort], str(found.id), _act(found))
    policy_service.check_member_officer(session, runtime, person.partner_id, now)
    context = page_context(request, person)
    if soort == Soort.HERIDENTIFICATIE:
        officer = Officer(person.principal_id, person.partner_id)
        policy = runtime.active(session, now)
        service.approve_reidentification(session, vault, policy, officer, found.id or 0, context=context, now=now)
    else:
        service.approve_erasure(session, vault, person.principal_id, found.id or 0, context=context, now=now)
    confirm.keep(session, confirmed, now)
    return RedirectResponse("/betrokkenen", status_code=303)


@router.post("/heridentificaties/{verzoek_id:int}/onthulling")
def reveal(
    request: Request, verzoek_id: int, person: OfficerForm, session: SessionDep, runtime: RuntimeDep, vault: VaultDep
) -> Response:
    """The identity, once, to the officer who asked (a POST: it is an act, recorded in the log)."""
    now = utcnow()
    policy_service.check_member_officer(session, runtime, person.partner_id, now)
    identity = service.reveal(
        session,
        vault,
        Officer(person.principal_id, person.partner_id),
        min(max(verzoek_id, 0), MAX_ID),
        context=page_context(request, person),
        now=now,
    )
    return page(request, "pseudonym/onthulling.html", {"identiteit": asdict(identity), "verzoek": verzoek_id})
