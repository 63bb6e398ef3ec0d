"""WebAuthn ceremonies: registering a passkey, signing in with one, and confirming a four-eyes act with one.

Each ceremony's challenge is kept server-side, used once, and bound to the browser that asked for it by a cookie
(the database keeps only its hash). User verification is required in all three: a passkey alone is not enough,
the person unlocks it (PIN or biometrics). A confirmation's challenge is the hash of the act itself, so the
assertion proves who approved exactly what (see `hub.web.confirm`)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import structlog
from sqlmodel import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidJSONStructure, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from hub import refusals
from hub.config import Settings
from hub.errors import BadRequest
from hub.kit.canonical import canonical_json
from hub.web import repository
from hub.web.models import Ceremony, Enrolment, Passkey
from hub.web.service import new_secret, person_principal, secret_hash

log = structlog.get_logger("hub.web.passkeys")

CEREMONY_SECONDS = 300
MAX_CREDENTIAL_JSON = 64 * 1024


class PasskeyRefused(BadRequest):
    """The browser's answer to a ceremony did not verify. The detail says why, never what was sent."""

    code = "passkey-geweigerd"


class CeremonieVerlopen(PasskeyRefused):
    """The sign-in or confirmation this browser started is unknown, another's, or expired: start again."""

    code = "ceremonie-verlopen"


class PasskeyAntwoordOngeldig(PasskeyRefused):
    """The passkey's answer is missing or too large."""

    code = "passkey-antwoord-ongeldig"


class PasskeyBestaat(PasskeyRefused):
    """This passkey is registered already."""

    code = "passkey-bestaat"


class PasskeyNietVanU(PasskeyRefused):
    """This passkey belongs to someone else."""

    code = "passkey-niet-van-u"


class PasskeyOnbekend(PasskeyRefused):
    """This passkey is not registered here, or was revoked."""

    code = "passkey-onbekend"


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """The hub as WebAuthn sees it: its host name (the RP id) and the origin its pages are served from."""

    rp_id: str
    origin: str
    name: str = "Schakel"

    @classmethod
    def of(cls, settings: Settings) -> RelyingParty:
        parts = urlsplit(settings.public_url)
        return cls(rp_id=parts.hostname or "localhost", origin=f"{parts.scheme}://{parts.netloc}")


@dataclass(frozen=True, slots=True)
class Started:
    """A ceremony begun: the cookie that binds it to this browser, and the options for the browser's API."""

    cookie: str
    options_json: str


def begin_ceremony(
    session: Session,
    purpose: str,
    challenge: bytes,
    now: datetime,
    *,
    principal_id: str | None = None,
    act: dict[str, Any] | None = None,
) -> str:
    repository.purge_ceremonies(session, now)
    cookie = new_secret()
    repository.add(
        session,
        Ceremony(
            id_hash=secret_hash(cookie),
            purpose=purpose,
            principal_id=principal_id,
            challenge=challenge,
            act=act,
            expires_at=now + timedelta(seconds=CEREMONY_SECONDS),
        ),
    )
    return cookie


def take_ceremony(session: Session, cookie: str | None, purpose: str, now: datetime) -> Ceremony:
    """The ceremony this browser started, removed so it is used once."""
    found = repository.ceremony(session, secret_hash(cookie)) if cookie and len(cookie) <= 128 else None
    if found is None or found.purpose != purpose or found.expires_at <= now:
        raise CeremonieVerlopen("deze aanmelding of bevestiging is onbekend of verlopen: begin opnieuw")
    repository.remove(session, found)
    return found


def _credential(raw: str) -> str:
    if not raw or len(raw) > MAX_CREDENTIAL_JSON:
        raise PasskeyAntwoordOngeldig("het antwoord van de passkey ontbreekt of is te groot")
    return raw


def begin_registration(session: Session, rp: RelyingParty, enrolment: Enrolment, now: datetime) -> Started:
    principal = person_principal(session, enrolment.principal_id)
    existing = repository.passkeys_of(session, principal.id)
    options = generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=rp.name,
        user_name=principal.id,
        user_id=principal.id.encode("utf-8"),
        user_display_name=principal.id,
        challenge=secrets.token_bytes(32),
        timeout=CEREMONY_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.REQUIRED
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=_b64(p.credential_id)) for p in existing if p.revoked_at is None
        ],
    )
    cookie = begin_ceremony(session, "inschrijven", options.challenge, now, principal_id=principal.id)
    return Started(cookie, options_to_json(options))


def finish_registration(
    session: Session,
    rp: RelyingParty,
    cookie: str | None,
    *,
    enrolment: Enrolment,
    credential: str,
    naam: str,
    now: datetime,
) -> Passkey:
    ceremony = take_ceremony(session, cookie, "inschrijven", now)
    if ceremony.principal_id != enrolment.principal_id:
        raise CeremonieVerlopen("dit passkeyverzoek hoort bij een andere inschrijving")
    try:
        verified = verify_registration_response(
            credential=_credential(credential),
            expected_challenge=ceremony.challenge,
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, InvalidJSONStructure, ValueError, KeyError, TypeError) as exc:
        log.warning("web.passkey_registration_refused", error_type=type(exc).__name__)
        raise PasskeyRefused(f"de passkey kon niet worden geregistreerd ({_reason(exc)})") from None
    passkey = Passkey(
        credential_id=bytes_to_base64url(verified.credential_id),
        principal_id=enrolment.principal_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        naam=naam.strip()[:100] or "passkey",
        created_at=now,
    )
    if repository.passkey(session, passkey.credential_id) is not None:
        raise PasskeyBestaat("deze passkey is al geregistreerd")
    repository.add(session, passkey)
    enrolment.used_at = now
    repository.add(session, enrolment)
    return passkey


def begin_sign_in(session: Session, rp: RelyingParty, now: datetime) -> Started:
    """Sign-in with a discoverable credential: the browser offers the person's passkeys for this site."""
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        challenge=secrets.token_bytes(32),
        timeout=CEREMONY_SECONDS * 1000,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return Started(begin_ceremony(session, "aanmelden", options.challenge, now), options_to_json(options))


def finish_sign_in(session: Session, rp: RelyingParty, cookie: str | None, credential: str, now: datetime) -> Passkey:
    ceremony = take_ceremony(session, cookie, "aanmelden", now)
    return _verify_assertion(session, rp, ceremony.challenge, credential, now)


def act_challenge(act: dict[str, Any]) -> bytes:
    """The challenge for confirming `act`: the SHA-256 of its canonical JSON after the domain `schakel-handeling`."""
    return hashlib.sha256(b"schakel-handeling\x00" + canonical_json(act)).digest()


def begin_confirmation(
    session: Session, rp: RelyingParty, principal_id: str, act: dict[str, Any], now: datetime
) -> Started:
    """A request to confirm `act` with one of the person's own passkeys."""
    own = [p for p in repository.passkeys_of(session, principal_id) if p.revoked_at is None]
    if not own:
        raise refusals.GeenPasskey(
            "hiervoor is een passkey nodig en u heeft er geen: vraag de beheerder om een inschrijflink"
        )
    challenge = act_challenge(act)
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        challenge=challenge,
        timeout=CEREMONY_SECONDS * 1000,
        allow_credentials=[PublicKeyCredentialDescriptor(id=_b64(p.credential_id)) for p in own],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    cookie = begin_ceremony(session, "bevestigen", challenge, now, principal_id=principal_id, act=act)
    return Started(cookie, options_to_json(options))


@dataclass(frozen=True, slots=True)
class Confirmed:
    """An act confirmed by its person's passkey, with the parts of the assertion an auditor needs."""

    act: dict[str, Any]
    passkey: Passkey
    authenticator_data: bytes
    client_data_json: bytes
    signature: bytes


def finish_confirmation(
    session: Session, rp: RelyingParty, cookie: str | None, *, principal_id: str, credential: str, now: datetime
) -> Confirmed:
    ceremony = take_ceremony(session, cookie, "bevestigen", now)
    if ceremony.principal_id != principal_id or ceremony.act is None:
        raise CeremonieVerlopen("deze bevestiging is door iemand anders begonnen")
    passkey = _verify_assertion(session, rp, ceremony.challenge, credential, now)
    if passkey.principal_id != principal_id:
        raise PasskeyNietVanU("deze passkey is niet van u")
    parsed = parse_authentication_credential_json(credential)
    return Confirmed(
        act=ceremony.act,
        passkey=passkey,
        authenticator_data=parsed.response.authenticator_data,
        client_data_json=parsed.response.client_data_json,
        signature=parsed.response.signature,
    )


def _verify_assertion(session: Session, rp: RelyingParty, challenge: bytes, credential: str, now: datetime) -> Passkey:
    try:
        parsed = parse_authentication_credential_json(_credential(credential))
    except (InvalidJSONStructure, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRefused(f"het antwoord van de passkey is ongeldig ({_reason(exc)})") from None
    passkey = repository.passkey(session, parsed.id)
    if passkey is None or passkey.revoked_at is not None:
        raise PasskeyOnbekend("deze passkey is hier niet geregistreerd of is ingetrokken")
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        log.warning("web.passkey_assertion_refused", error_type=type(exc).__name__)
        raise PasskeyRefused(f"de handtekening van de passkey klopt niet ({_reason(exc)})") from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    repository.add(session, passkey)
    return passkey


def _reason(exc: Exception) -> str:
    # py_webauthn's messages name the check that failed (origin, challenge, flags), never the person.
    text = str(exc) if isinstance(exc, InvalidAuthenticationResponse | InvalidRegistrationResponse) else ""
    return (text or type(exc).__name__)[:200]


def _b64(value: str) -> bytes:
    return base64url_to_bytes(value)
