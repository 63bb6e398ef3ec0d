"""People at the hub: enrolment links, sessions, and who is signed in.

A person is a principal of `soort` persoon with at least one of the roles people have (privacy officer, DPIA
reviewer, operator). Sessions are server-side: the browser holds a random id in an HttpOnly cookie, the database
only its hash. Every sign-in, failed sign-in and sign-out is in the admin audit trail."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from hub import refusals
from hub.audit import service as audit
from hub.auth.service import Caller
from hub.config import Settings
from hub.errors import Conflict
from hub.partners import service as partners
from hub.partners.models import PartnerStatus, Principal, PrincipalSoort, PrincipalStatus, Role
from hub.web import repository
from hub.web.models import Enrolment, WebSession

log = structlog.get_logger("hub.web")

PEOPLE_ROLES = frozenset({Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER, Role.OPERATOR, Role.PROCESREGISSEUR})
_TOUCH_EVERY = timedelta(seconds=60)


def new_secret() -> str:
    """A random value for a cookie or a link: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def secret_hash(value: str) -> str:
    """What the database keeps of a secret a browser holds."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Person:
    """Who is signed in, as established by a valid session."""

    principal_id: str
    partner_id: str
    roles: frozenset[Role]
    session_hash: str
    csrf_token: str

    def has_any(self, roles: frozenset[Role]) -> bool:
        return not self.roles.isdisjoint(roles)

    def caller(self, request_id: str) -> Caller:
        """The same caller the API's services take; the ledger's request digest names this page request."""
        digest = hashlib.sha256(f"{self.session_hash}:{request_id}".encode()).hexdigest()
        return Caller(self.partner_id, self.principal_id, self.roles, kid="sessie", token_digest=digest)


class NotAPerson(Conflict):
    """This principal may not use the pages (a system, no role for people, or disabled)."""

    code = "geen-persoon"

    def __init__(self, principal_id: str, detail: str) -> None:
        super().__init__(detail)
        self.principal_id = principal_id


class NoRoleForPeople(NotAPerson):
    """The principal has none of the roles people use the pages with."""

    code = "geen-rol-voor-personen"


class PersonDisabled(NotAPerson):
    """The person's principal is disabled."""

    code = "persoon-uitgeschakeld"


class PersonsPartnerSuspended(NotAPerson):
    """The person's organisation is suspended."""

    code = "partner-van-persoon-geschorst"


def person_principal(session: Session, principal_id: str) -> Principal:
    """The principal of a person who may use the pages (of an active partner); NotAPerson says why not."""
    principal = partners.get_principal(session, principal_id)
    if principal.soort != PrincipalSoort.PERSOON:
        raise NotAPerson(principal_id, f"{principal_id} is een systeem, geen persoon")
    if not PEOPLE_ROLES.intersection(principal.roles):
        roles = "privacy officer, DPIA-reviewer, beheerder of procesregisseur"
        detail = f"{principal_id} heeft geen rol voor personen ({roles})"
        raise NoRoleForPeople(principal_id, detail)
    if principal.status != PrincipalStatus.ACTIVE:
        raise PersonDisabled(principal_id, f"{principal_id} is uitgeschakeld")
    if partners.get_partner(session, principal.partner_id).status != PartnerStatus.ACTIVE:
        raise PersonsPartnerSuspended(principal_id, f"de partner van {principal_id} is geschorst")
    return principal


def create_enrolment(session: Session, actor: str, principal_id: str, settings: Settings, now: datetime) -> str:
    """A one-time enrolment link's token for a person; only its hash is kept."""
    person_principal(session, principal_id)
    token = new_secret()
    repository.add(
        session,
        Enrolment(
            token_hash=secret_hash(token),
            principal_id=principal_id,
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(hours=settings.enrolment_valid_hours),
        ),
    )
    audit.record(
        session,
        actor=actor,
        action="account.enrolment_created",
        target_type="principal",
        target_id=principal_id,
        details={"geldigTot": (now + timedelta(hours=settings.enrolment_valid_hours)).isoformat()},
    )
    return token


def open_enrolment(session: Session, token: str, now: datetime) -> Enrolment:
    found = repository.enrolment(session, secret_hash(token))
    if found is None or found.used_at is not None or found.expires_at <= now:
        raise refusals.LinkOngeldig(
            "deze inschrijflink is onbekend, al gebruikt of verlopen: vraag de beheerder om een nieuwe"
        )
    person_principal(session, found.principal_id)
    return found


def start_session(session: Session, principal_id: str, method: str, settings: Settings, now: datetime) -> str:
    """Sign a person in: a new session (a fresh id: never one the browser brought), its cookie value returned."""
    person_principal(session, principal_id)
    cookie = new_secret()
    repository.add(
        session,
        WebSession(
            id_hash=secret_hash(cookie),
            principal_id=principal_id,
            csrf_token=new_secret(),
            method=method,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours),
        ),
    )
    audit.record(
        session,
        actor=principal_id,
        action="sessie.aangemeld",
        target_type="principal",
        target_id=principal_id,
        details={"methode": method},
    )
    log.info("web.signed_in", principal_id=principal_id, method=method)
    return cookie


def record_enrolled(session: Session, principal_id: str, naam: str) -> None:
    audit.record(
        session,
        actor=principal_id,
        action="account.passkey_ingeschreven",
        target_type="principal",
        target_id=principal_id,
        details={"naam": naam},
    )


def record_failure(session: Session, reason: str, principal_id: str | None = None) -> None:
    """A failed sign-in, in the admin audit trail (with the principal when the hub knows who tried)."""
    audit.record(
        session,
        actor=principal_id or "onbekend",
        action="sessie.aanmelden_mislukt",
        target_type="principal",
        target_id=principal_id or "onbekend",
        details={"reden": reason},
    )
    log.warning("web.sign_in_failed", reason=reason)


def resolve(session: Session, cookie: str | None, settings: Settings, now: datetime) -> Person | None:
    """The person a session cookie belongs to, or None: no such session, ended, idle too long, past its absolute
    time-out, or its principal or partner no longer active (checked on every request)."""
    if not cookie or len(cookie) > 128:
        return None
    found = repository.web_session(session, secret_hash(cookie))
    if found is None or found.ended_at is not None:
        return None
    if found.expires_at <= now or found.last_seen_at + timedelta(minutes=settings.session_idle_minutes) <= now:
        _note(session, found, ended_at=now)
        return None
    principal = partners.get_principal(session, found.principal_id)
    partner = partners.get_partner(session, principal.partner_id)
    roles = frozenset(Role(r) for r in principal.roles) & PEOPLE_ROLES
    if principal.status != PrincipalStatus.ACTIVE or partner.status != PartnerStatus.ACTIVE or not roles:
        _note(session, found, ended_at=now)
        return None
    if now - found.last_seen_at >= _TOUCH_EVERY:
        _note(session, found, last_seen_at=now)
    return Person(principal.id, principal.partner_id, roles, found.id_hash, found.csrf_token)


def _note(session: Session, found: WebSession, **changes: datetime) -> None:
    """Write what the sign-in check learned of the session (it ended, or the person is active), in the request's own
    unit of work, under a savepoint. A page that only reads runs in a reading transaction; on SQLite it cannot start
    writing once another writer (the sequencer, the delivery worker) committed after it began, and is refused at
    once. Then the note is left to a later request: the answer does not depend on it (an ended session is refused
    either way; the touch is due once a minute, and a session ends only after half an hour idle)."""
    try:
        with session.begin_nested():
            for name, value in changes.items():
                setattr(found, name, value)
            repository.add(session, found)
    except OperationalError:
        log.info("web.session_note_deferred")


def end_session(session: Session, person: Person, now: datetime) -> None:
    found = repository.web_session(session, person.session_hash)
    if found is not None and found.ended_at is None:
        found.ended_at = now
        repository.add(session, found)
    audit.record(
        session,
        actor=person.principal_id,
        action="sessie.afgemeld",
        target_type="principal",
        target_id=person.principal_id,
        details={},
    )
    log.info("web.signed_out", principal_id=person.principal_id)


def enrolment_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/inschrijven/{token}"


def revoke_passkey(session: Session, actor: str, credential_id: str, now: datetime) -> None:
    """Withdraw a passkey (lost device, person left): it no longer signs in or confirms; its past confirmations
    stay verifiable. The person's open sessions end too."""
    found = repository.passkey(session, credential_id)
    if found is None:
        raise refusals.PasskeyNietGevonden("deze passkey bestaat niet")
    if found.revoked_at is None:
        found.revoked_at = now
        repository.add(session, found)
        repository.end_sessions_of(session, found.principal_id, now)
    audit.record(
        session,
        actor=actor,
        action="account.passkey_ingetrokken",
        target_type="principal",
        target_id=found.principal_id,
        details={"naam": found.naam},
    )
