"""The convenant's pages: versions and their rules in sentences, the difference between two versions, proposing a
draft, simulating it on recorded traffic, four-eyes approval with a passkey, activation, and noodverboden.

Thin, like `endpoints.py`: every action is the same `service` call as through the API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub import refusals
from hub.db import SessionDep
from hub.kit.api import MAX_ID
from hub.kit.archives import ArchiveError, files_from_upload
from hub.kit.clock import NL, dutch_date, utcnow
from hub.ledger.reading import recorded_inputs
from hub.policy import repository, service
from hub.policy.analysis.diff import diff
from hub.policy.analysis.simulate import Opname, TrafficError, read_traffic, simulate
from hub.policy.analysis.validate import Bevinding, Niveau, findings_from_format_error, validate
from hub.policy.convenant.formaat import aandachtspunten
from hub.policy.convenant.format import FormatError, raw_from_files
from hub.policy.convenant.sentences import stromen
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.endpoints import RuntimeDep
from hub.policy.models import PolicyVersion
from hub.policy.runtime import emergency_code
from hub.web import confirm, passkeys
from hub.web import repository as web_repository
from hub.web.dependencies import (
    OfficerForm,
    OfficerPage,
    ReaderPage,
    RelyingPartyDep,
    ReviewerForm,
    ReviewerPage,
    SettingsDep,
)
from hub.web.render import page
from hub.web.security import CEREMONY_COOKIE, set_cookie
from hub.web.service import Person

router = APIRouter(prefix="/convenant", include_in_schema=False)

APPROVE = "convenant-goedkeuren"
LIFT = "noodverbod-opheffen"
STATUS_LABELS = {"concept": "Concept", "gepland": "Gepland", "actief": "Actief", "vervangen": "Vervangen"}
MAX_TRAFFIC = 50_000


def _officer(person: Person) -> service.Officer:
    return service.Officer(principal_id=person.principal_id, partner_id=person.partner_id)


def _versions(session: Session) -> list[dict[str, Any]]:
    now = utcnow()
    active = repository.active_version(session, now)
    return [
        {
            "versie": v,
            "status": str(service.status(v, active, now)),
            "aandachtspunten": aandachtspunten(v.source, v.formaat),
        }
        for v in reversed(service.list_versions(session))
    ]


@router.get("")
def versions(request: Request, _: ReaderPage, session: SessionDep) -> Response:
    return page(request, "policy/versies.html", {"versies": _versions(session), "labels": STATUS_LABELS})


@router.get("/versies/{versie_id}")
def version(request: Request, versie_id: int, person: ReaderPage, session: SessionDep, runtime: RuntimeDep) -> Response:
    found = service.get_version(session, _id(versie_id))
    try:
        compiled: CompiledPolicy | None = runtime.compile(found)
    except refusals.ConvenantUnreadable:
        compiled = None  # the page still shows what is known of it, and says that this hub cannot read it
    now = utcnow()
    status = str(service.status(found, repository.active_version(session, now), now))
    context = {
        "versie": found,
        "status": status,
        "labels": STATUS_LABELS,
        "leesbaar": compiled is not None,
        "aandachtspunten": aandachtspunten(found.source, found.formaat),
        "stromen": stromen(compiled.source) if compiled is not None else [],
        "waarschuwingen": (
            [f for f in validate(compiled.source) if f.niveau is Niveau.WAARSCHUWING] if compiled is not None else []
        ),
        "bevestigingen": web_repository.confirmations(session, APPROVE, str(found.id)),
        "mag_goedkeuren": status == "concept" and person.principal_id != found.proposed_by,
        "is_indiener": person.principal_id == found.proposed_by,
        "vandaag": dutch_date(now).isoformat(),
    }
    return page(request, "policy/versie.html", context)


@router.get("/verschillen")
def differences(
    request: Request,
    _: ReaderPage,
    session: SessionDep,
    runtime: RuntimeDep,
    naar: int | None = None,
    van: int | None = None,
) -> Response:
    all_versions = service.list_versions(session)
    context: dict[str, Any] = {"versies": all_versions, "van": van, "naar": naar}
    if naar is not None:
        new = runtime.compile(service.get_version(session, _id(naar)))
        old_version = (
            service.get_version(session, _id(van)) if van is not None else repository.active_version(session, utcnow())
        )
        old = runtime.compile(old_version) if old_version is not None else None
        context |= {"oud": old_version, "wijzigingen": diff(old, new, dutch_date(utcnow()))}
    return page(request, "policy/verschillen.html", context)


async def _uploads(request: Request) -> list[tuple[str, bytes]]:
    form = await request.form()
    found = []
    for value in form.getlist("bestanden"):
        if isinstance(value, UploadFile) and value.filename:
            found.append((value.filename, await value.read()))
    return found


UploadsDep = Annotated[list[tuple[str, bytes]], Depends(_uploads)]


@router.get("/voorstel")
def proposal_form(request: Request, _: OfficerPage) -> Response:
    return page(request, "policy/voorstel.html", {})


@router.post("/voorstel")
def propose(
    request: Request,
    person: OfficerForm,
    session: SessionDep,
    runtime: RuntimeDep,
    uploads: UploadsDep,
    toelichting: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    service.check_member_officer(session, runtime, person.partner_id, utcnow())
    try:
        raw = raw_from_files(files_from_upload(uploads))
        proposed, _ = service.propose(
            session, _officer(person), raw, toelichting.strip() or "(geen toelichting)", utcnow()
        )
    except ArchiveError as exc:
        return _proposal_refused(request, [Bevinding(Niveau.FOUT, "upload", "", str(exc))], toelichting)
    except FormatError as exc:
        return _proposal_refused(request, findings_from_format_error(exc), toelichting)
    except service.PolicyInvalid as exc:
        return _proposal_refused(request, exc.findings, toelichting)
    return RedirectResponse(f"/convenant/versies/{proposed.id}?voorgesteld=1", status_code=303)


def _proposal_refused(request: Request, findings: list[Bevinding], toelichting: str) -> Response:
    per_file: dict[str, list[Bevinding]] = {}
    for finding in findings:
        per_file.setdefault(finding.bestand, []).append(finding)
    context = {"per_bestand": per_file, "toelichting": toelichting}
    return page(request, "policy/voorstel.html", context, status_code=422)


@router.get("/simulatie")
def simulation_form(request: Request, _: ReviewerPage, session: SessionDep) -> Response:
    return page(request, "policy/simulatie.html", {"versies": service.list_versions(session), "dagen": 90})


@router.post("/simulatie")
def simulation(
    request: Request,
    _: ReviewerForm,
    session: SessionDep,
    runtime: RuntimeDep,
    uploads: UploadsDep,
    versie: Annotated[int, Form(ge=0, le=MAX_ID)],
    dagen: Annotated[int, Form(ge=1, le=3660)] = 90,
    bron: Annotated[str, Form(pattern="^(log|bestand)$")] = "log",
) -> Response:
    proposed = runtime.compile(service.get_version(session, versie))
    current_version = repository.active_version(session, utcnow())
    current = runtime.compile(current_version) if current_version is not None else None
    context: dict[str, Any] = {"versies": service.list_versions(session), "dagen": dagen, "gekozen": versie}
    try:
        records = _traffic(session, bron, dagen, uploads)
    except TrafficError as exc:
        return page(request, "policy/simulatie.html", context | {"fout": str(exc)}, status_code=422)
    report = simulate(current, proposed, records)
    context |= {"rapport": report, "huidig": current_version, "voorstel": versie, "bron": bron}
    return page(request, "policy/simulatie.html", context)


def _traffic(session: Session, bron: str, dagen: int, uploads: list[tuple[str, bytes]]) -> list[Opname]:
    if bron == "bestand":
        if not uploads:
            raise TrafficError("kies een bestand met opgenomen verkeer (JSON Lines)")
        return read_traffic(b"\n".join(content for _, content in uploads).decode("utf-8", "replace").splitlines())
    since = utcnow() - timedelta(days=dagen)
    return [Opname.model_validate(item) for item in recorded_inputs(session, since, MAX_TRAFFIC)]


def _id(value: int) -> int:
    if not 0 <= value <= MAX_ID:
        raise refusals.PolicyVersionNotFound("deze versie bestaat niet")
    return value


def _activation(day: str, now: datetime) -> datetime | None:
    """`actief vanaf` from a date field: empty or today is now, a later day is its start in Dutch time."""
    if not day:
        return None
    chosen = date.fromisoformat(day)
    if chosen <= dutch_date(now):
        return None
    return datetime.combine(chosen, time(0), tzinfo=NL)


def _approval_act(found: PolicyVersion) -> dict[str, Any]:
    return {"versie": found.id, "convenant": found.convenant, "label": found.label, "inhoud": found.content_hash}


@router.post("/versies/{versie_id}/goedkeuring/begin")
def approval_begin(
    versie_id: int,
    person: OfficerForm,
    session: SessionDep,
    settings: SettingsDep,
    rp: RelyingPartyDep,
    actief_vanaf: Annotated[str, Form(alias="actiefVanaf", max_length=10)] = "",
    waarschuwingen_gezien: Annotated[bool, Form(alias="waarschuwingenGezien")] = False,
) -> Response:
    found = service.get_version(session, _id(versie_id))
    now = utcnow()
    _activation(actief_vanaf, now)  # a malformed date is refused before the passkey is asked for
    parameters = {"actiefVanaf": actief_vanaf or None, "waarschuwingenGezien": waarschuwingen_gezien}
    act = confirm.act(
        rp,
        APPROVE,
        str(found.id),
        wat=_approval_act(found),
        parameters=parameters,
        principal_id=person.principal_id,
        partner_id=person.partner_id,
        now=now,
    )
    return _options(passkeys.begin_confirmation(session, rp, person.principal_id, act, now), settings)


@router.post("/versies/{versie_id}/goedkeuring")
def approve(
    request: Request,
    versie_id: int,
    person: OfficerForm,
    session: SessionDep,
    runtime: RuntimeDep,
    rp: RelyingPartyDep,
    credential: Annotated[str, Form(max_length=passkeys.MAX_CREDENTIAL_JSON)] = "",
) -> Response:
    found = service.get_version(session, _id(versie_id))
    now = utcnow()
    confirmed = passkeys.finish_confirmation(
        session,
        rp,
        request.cookies.get(CEREMONY_COOKIE),
        principal_id=person.principal_id,
        credential=credential,
        now=now,
    )
    parameters = confirm.check_act(confirmed, APPROVE, str(found.id), _approval_act(found))
    service.check_member_officer(session, runtime, person.partner_id, now)
    service.approve(
        session,
        runtime,
        _officer(person),
        _id(versie_id),
        active_from=_activation(str(parameters.get("actiefVanaf") or ""), now),
        now=now,
        warnings_seen=bool(parameters.get("waarschuwingenGezien")),
    )
    confirm.keep(session, confirmed, now)
    return RedirectResponse(f"/convenant/versies/{versie_id}?goedgekeurd=1", status_code=303)


@router.post("/versies/{versie_id}/activering")
def schedule(
    versie_id: int,
    person: OfficerForm,
    session: SessionDep,
    runtime: RuntimeDep,
    actief_vanaf: Annotated[str, Form(alias="actiefVanaf", min_length=10, max_length=10)],
) -> Response:
    now = utcnow()
    service.check_member_officer(session, runtime, person.partner_id, now)
    moment = _activation(actief_vanaf, now) or now
    service.schedule(session, _officer(person), _id(versie_id), moment, now)
    return RedirectResponse(f"/convenant/versies/{versie_id}?gepland=1", status_code=303)


def _options(started: passkeys.Started, settings: SettingsDep) -> Response:
    response = Response(started.options_json, media_type="application/json")
    set_cookie(response, settings, CEREMONY_COOKIE, started.cookie, passkeys.CEREMONY_SECONDS)
    return response


@router.get("/bevestigingen/{bevestiging_id}")
def confirmation(bevestiging_id: int, _: ReaderPage, session: SessionDep) -> Response:
    """A passkey confirmation as the record `schakel bevestiging controleer` checks offline."""
    found = web_repository.confirmation(session, bevestiging_id) if 0 < bevestiging_id <= MAX_ID else None
    if found is None:
        raise refusals.BevestigingNietGevonden("deze bevestiging bestaat niet")
    headers = {"Content-Disposition": f'attachment; filename="bevestiging-{found.id}.json"'}
    return JSONResponse(confirm.export(found), headers=headers)


def _emergencies(session: Session) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {"verbod": p, "code": emergency_code(p), "status": service.emergency_status(p, now)}
        for p in reversed(service.list_emergency(session))
    ]


@router.get("/noodverboden")
def emergencies(request: Request, _: ReaderPage, session: SessionDep, runtime: RuntimeDep) -> Response:
    active = runtime.active(session, utcnow())
    context = {
        "noodverboden": _emergencies(session),
        "categorieen": active.source.vocabulaires.categorieen if active else [],
        "bevestigingen": {c.object_id: c for c in web_repository.confirmations(session, LIFT)},
    }
    return page(request, "policy/noodverboden.html", context)


@router.post("/noodverboden")
def issue_emergency(
    person: OfficerForm,
    session: SessionDep,
    runtime: RuntimeDep,
    categorieen: Annotated[list[str], Form(min_length=1, max_length=64)],
    ontvangers: Annotated[str, Form(min_length=1, max_length=2000)],
    reden: Annotated[str, Form(min_length=1, max_length=500)],
) -> Response:
    now = utcnow()
    service.check_member_officer(session, runtime, person.partner_id, now)
    recipients = sorted({r.strip() for r in ontvangers.replace(",", " ").split() if r.strip()})
    service.issue_emergency(
        session, runtime, _officer(person), categorieen=categorieen, ontvangers=recipients, reden=reden, now=now
    )
    return RedirectResponse("/convenant/noodverboden", status_code=303)


@router.post("/noodverboden/{noodverbod_id}/bevestiging")
def confirm_emergency(noodverbod_id: int, person: OfficerForm, session: SessionDep, runtime: RuntimeDep) -> Response:
    now = utcnow()
    service.check_member_officer(session, runtime, person.partner_id, now)
    service.confirm_emergency(session, _officer(person), _id(noodverbod_id), now)
    return RedirectResponse("/convenant/noodverboden", status_code=303)


def _lift_act(session: Session, noodverbod_id: int) -> dict[str, Any]:
    found = service.get_emergency(session, _id(noodverbod_id))
    return {"noodverbod": found.id, "categorieen": found.categorieen, "ontvangers": found.ontvangers}


@router.post("/noodverboden/{noodverbod_id}/opheffing/begin")
def lift_begin(
    noodverbod_id: int, person: OfficerForm, session: SessionDep, settings: SettingsDep, rp: RelyingPartyDep
) -> Response:
    now = utcnow()
    act = confirm.act(
        rp,
        LIFT,
        str(noodverbod_id),
        wat=_lift_act(session, noodverbod_id),
        parameters={},
        principal_id=person.principal_id,
        partner_id=person.partner_id,
        now=now,
    )
    return _options(passkeys.begin_confirmation(session, rp, person.principal_id, act, now), settings)


@router.post("/noodverboden/{noodverbod_id}/opheffing")
def lift(
    request: Request,
    noodverbod_id: int,
    person: OfficerForm,
    session: SessionDep,
    runtime: RuntimeDep,
    rp: RelyingPartyDep,
    credential: Annotated[str, Form(max_length=passkeys.MAX_CREDENTIAL_JSON)] = "",
) -> Response:
    now = utcnow()
    confirmed = passkeys.finish_confirmation(
        session,
        rp,
        request.cookies.get(CEREMONY_COOKIE),
        principal_id=person.principal_id,
        credential=credential,
        now=now,
    )
    confirm.check_act(confirmed, LIFT, str(noodverbod_id), _lift_act(session, noodverbod_id))
    service.check_member_officer(session, runtime, person.partner_id, now)
    service.lift_emergency(session, _officer(person), _id(noodverbod_id), now)
    confirm.keep(session, confirmed, now)
    return RedirectResponse("/convenant/noodverboden", status_code=303)
