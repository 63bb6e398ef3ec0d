"""The shell's pages: the overview, sign-in with a passkey or through the organisation's identity provider
(OpenID Connect, off unless configured), enrolment of a passkey, sign-out, and people's accounts for operators."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from hub import refusals
from hub.db import SessionDep, writes
from hub.errors import NotFound
from hub.kit.clock import utcnow
from hub.partners.models import Role
from hub.state import state_of
from hub.web import passkeys, repository, service
from hub.web.dependencies import OperatorForm, OperatorPage, PersonDep, RelyingPartyDep, SettingsDep, form_person
from hub.web.oidc import OidcFailed, Pending, Provider
from hub.web.render import page
from hub.web.security import CEREMONY_COOKIE, OIDC_COOKIE, SESSION_COOKIE, check_origin, clear_cookie, set_cookie
from hub.web.wording import zin

router = APIRouter(include_in_schema=False)

ROLE_LABELS = {
    Role.PRIVACY_OFFICER: "privacy officer",
    Role.DPIA_REVIEWER: "DPIA-reviewer",
    Role.OPERATOR: "beheerder",
    Role.PROCESREGISSEUR: "procesregisseur",
}
EXPLANATIONS = {
    "/casussen": "de casussen van het Zorg- en Veiligheidshuis: fasen, wie aan tafel zit, personen en meldingen",
    "/convenant": "de versies van het convenant, wat ze toestaan, voorstellen en goedkeuren",
    "/verstrekkingenlog": "elke verstrekking en weigering, met grafieken, het DPIA-rapport en het bewijs",
    "/inzage": "een inzageverzoek van een betrokkene beantwoorden met een brief",
    "/betrokkenen": "heridentificatie en vergetelheid aanvragen en, met vier ogen, goedkeuren",
    "/beheer": "partners, personen, sleutels, accounts, onbestelbare leveringen en de audittrail",
}


def safe_return(target: str | None) -> str:
    """Where to go after sign-in: a path on this site only (never `//host` or a full URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 500:
        return "/"
    return target


def signed_in(settings: SettingsDep, cookie: str, target: str) -> Response:
    response = RedirectResponse(safe_return(target), status_code=303)
    set_cookie(response, settings, SESSION_COOKIE, cookie, settings.session_max_hours * 3600)
    clear_cookie(response, settings, CEREMONY_COOKIE)
    return response


def options(started: passkeys.Started, settings: SettingsDep) -> Response:
    response = Response(started.options_json, media_type="application/json")
    set_cookie(response, settings, CEREMONY_COOKIE, started.cookie, passkeys.CEREMONY_SECONDS)
    return response


@router.get("/")
def overview(request: Request, person: PersonDep) -> Response:
    rollen = [ROLE_LABELS[r] for r in sorted(person.roles)]
    return page(request, "overzicht.html", {"rollen": rollen, "uitleg": EXPLANATIONS})


@router.get("/aanmelden")
def sign_in_page(
    request: Request, session: SessionDep, settings: SettingsDep, terug: str = "/", afgemeld: int = 0
) -> Response:
    person = service.resolve(session, request.cookies.get(SESSION_COOKIE), settings, utcnow())
    if person is not None:
        return RedirectResponse(safe_return(terug), status_code=303)
    oidc = settings.oidc_display_name if settings.oidc_enabled else None
    return page(request, "aanmelden.html", {"terug": safe_return(terug), "afgemeld": afgemeld, "oidc": oidc})


@router.post("/aanmelden/passkey/begin")
def sign_in_begin(request: Request, session: SessionDep, settings: SettingsDep, rp: RelyingPartyDep) -> Response:
    check_origin(request, settings)
    return options(passkeys.begin_sign_in(session, rp, utcnow()), settings)


@router.post("/aanmelden/passkey")
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    rp: RelyingPartyDep,
    credential: Annotated[str, Form(max_length=passkeys.MAX_CREDENTIAL_JSON)] = "",
    terug: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    check_origin(request, settings)
    now = utcnow()
    try:
        passkey = passkeys.finish_sign_in(session, rp, request.cookies.get(CEREMONY_COOKIE), credential, now)
        cookie = service.start_session(session, passkey.principal_id, "passkey", settings, now)
    except passkeys.PasskeyRefused as exc:
        service.record_failure(session, exc.code)
        return _sign_in_again(request, settings, zin(exc), terug)
    except service.NotAPerson as exc:
        service.record_failure(session, exc.code, exc.principal_id)
        return _sign_in_again(request, settings, zin(exc), terug)
    return signed_in(settings, cookie, terug)


def _sign_in_again(request: Request, settings: SettingsDep, message: str, terug: str) -> Response:
    oidc = settings.oidc_display_name if settings.oidc_enabled else None
    context = {"terug": safe_return(terug), "melding": f"Aanmelden lukte niet: {message}.", "oidc": oidc}
    response = page(request, "aanmelden.html", context, status_code=400)
    clear_cookie(response, settings, CEREMONY_COOKIE)
    return response


@router.get("/inschrijven/{token}")
def enrolment_page(request: Request, token: str, session: SessionDep) -> Response:
    enrolment = service.open_enrolment(session, token, utcnow())
    return page(request, "inschrijven.html", {"token": token, "principal_id": enrolment.principal_id})


@router.post("/inschrijven/{token}/begin")
def enrolment_begin(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, rp: RelyingPartyDep
) -> Response:
    check_origin(request, settings)
    now = utcnow()
    enrolment = service.open_enrolment(session, token, now)
    return options(passkeys.begin_registration(session, rp, enrolment, now), settings)


@router.post("/inschrijven/{token}")
def enrol(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    rp: RelyingPartyDep,
    credential: Annotated[str, Form(max_length=passkeys.MAX_CREDENTIAL_JSON)] = "",
    naam: Annotated[str, Form(max_length=100)] = "passkey",
) -> Response:
    check_origin(request, settings)
    now = utcnow()
    enrolment = service.open_enrolment(session, token, now)
    passkey = passkeys.finish_registration(
        session,
        rp,
        request.cookies.get(CEREMONY_COOKIE),
        enrolment=enrolment,
        credential=credential,
        naam=naam,
        now=now,
    )
    service.record_enrolled(session, passkey.principal_id, passkey.naam)
    return signed_in(settings, service.start_session(session, passkey.principal_id, "passkey", settings, now), "/")


@router.post("/afmelden")
async def sign_out(request: Request, session: SessionDep, settings: SettingsDep, person: PersonDep) -> Response:
    await form_person(request, person)
    service.end_session(session, person, utcnow())
    response = RedirectResponse("/aanmelden?afgemeld=1", status_code=303)
    clear_cookie(response, settings, SESSION_COOKIE)
    return response


@router.get("/beheer/accounts")
def accounts(request: Request, _: OperatorPage, session: SessionDep) -> Response:
    return _accounts(request, session, "")


def _accounts(request: Request, session: SessionDep, fout: str) -> Response:
    context = {
        "passkeys": repository.all_passkeys(session),
        "links": repository.open_enrolments(session, utcnow()),
        "fout": fout[:300],
    }
    return page(request, "accounts.html", context, status_code=422 if fout else 200)


@router.post("/beheer/accounts")
def create_enrolment_link(
    request: Request,
    person: OperatorForm,
    session: SessionDep,
    settings: SettingsDep,
    principal: Annotated[str, Form(max_length=64)],
) -> Response:
    try:
        token = service.create_enrolment(session, person.principal_id, principal.strip(), settings, utcnow())
    except (service.NotAPerson, NotFound) as exc:
        return _accounts(request, session, zin(exc))
    context = {
        "passkeys": repository.all_passkeys(session),
        "links": repository.open_enrolments(session, utcnow()),
        "nieuw": (principal.strip(), service.enrolment_url(settings, token)),
    }
    return page(request, "accounts.html", context)


@router.post("/beheer/accounts/passkeys/intrekking")
def revoke_passkey(
    person: OperatorForm, session: SessionDep, credential: Annotated[str, Form(max_length=1400)]
) -> Response:
    service.revoke_passkey(session, person.principal_id, credential, utcnow())
    return RedirectResponse("/beheer/accounts", status_code=303)


def _provider(request: Request) -> Provider:
    provider = state_of(request.app).oidc
    if provider is None:
        raise refusals.OidcNietIngesteld("aanmelden via een identiteitsprovider is hier niet ingesteld")
    return provider


@router.get("/aanmelden/oidc")
@writes
def oidc_start(
    request: Request, session: SessionDep, settings: SettingsDep, terug: Annotated[str, Query(max_length=500)] = "/"
) -> Response:
    pending, url = _provider(request).start(safe_return(terug))
    cookie = passkeys.begin_ceremony(session, "oidc", b"", utcnow(), act=pending.as_json())
    response = RedirectResponse(url, status_code=303)
    set_cookie(response, settings, OIDC_COOKIE, cookie, passkeys.CEREMONY_SECONDS, lax=True)
    return response


@router.get("/aanmelden/oidc/terug")
@writes
def oidc_finish(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    code: Annotated[str, Query(max_length=2000)] = "",
    state: Annotated[str, Query(max_length=200)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    provider = _provider(request)
    now = utcnow()
    try:
        pending, claims = _returned(session, request.cookies.get(OIDC_COOKIE), provider, code, state, error)
    except (OidcFailed, passkeys.PasskeyRefused) as exc:
        service.record_failure(session, exc.code)
        return _refused(request, settings, f"Aanmelden lukte niet: {zin(exc)}.", 400)
    principal_id = provider.principal_of(claims)
    try:
        cookie = service.start_session(session, principal_id or "", "oidc", settings, now)
    except (service.NotAPerson, NotFound) as exc:
        service.record_failure(session, exc.code, principal_id)
        who = f"als '{principal_id}' " if principal_id else ""
        message = (
            f"U bent bij {settings.oidc_display_name} aangemeld {who}maar Schakel kent u niet als privacy officer, "
            "DPIA-reviewer of beheerder. Vraag de beheerder van Schakel om u te registreren."
        )
        return _refused(request, settings, message, 403)
    # A page, not a redirect: the way back from the provider is a cross-site navigation, and the session cookie
    # (SameSite=Strict) is sent only on the next, same-site one.
    response = page(request, "aangemeld.html", {"terug": safe_return(pending.terug)})
    set_cookie(response, settings, SESSION_COOKIE, cookie, settings.session_max_hours * 3600)
    clear_cookie(response, settings, OIDC_COOKIE)
    return response


def _returned(
    session: SessionDep, cookie: str | None, provider: Provider, code: str, state: str, error: str
) -> tuple[Pending, dict[str, Any]]:
    ceremony = passkeys.take_ceremony(session, cookie, "oidc", utcnow())
    if error or not code or ceremony.act is None:
        raise OidcFailed("de identiteitsprovider gaf geen toestemming om aan te melden")
    pending = Pending.of(ceremony.act)
    return pending, provider.finish(pending, state, code)


def _refused(request: Request, settings: SettingsDep, message: str, status: int) -> Response:
    context = {"terug": "/", "melding": message, "oidc": settings.oidc_display_name}
    response = page(request, "aanmelden.html", context, status_code=status)
    clear_cookie(response, settings, OIDC_COOKIE)
    return response
