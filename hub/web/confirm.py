"""Four-eyes acts confirmed with a passkey, kept with the act, and checked again later, offline.

The act is a small JSON document: what is done (`handeling`), to what (`object`), its exact content (`wat`, e.g. a
convenant version's content hash), its parameters, who does it, where (`origin`), when, and a nonce. The WebAuthn
challenge is SHA-256("schakel-handeling" NUL canonical-JSON(act)); the authenticator signs its data and the hash of
the client data, which carries that challenge. So the stored assertion proves that the holder of this passkey,
after unlocking it, approved exactly this act on this site; `verify` checks that with nothing but the record."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session
from webauthn import verify_authentication_response
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse
from webauthn.helpers.structs import AuthenticationCredential, AuthenticatorAssertionResponse

from hub import refusals
from hub.web import repository
from hub.web.models import Confirmation
from hub.web.passkeys import Confirmed, RelyingParty, act_challenge

FORMAT = "schakel-bevestiging-v1"


def act(
    rp: RelyingParty,
    handeling: str,
    object_id: str,
    *,
    wat: dict[str, Any],
    parameters: dict[str, Any],
    principal_id: str,
    partner_id: str,
    now: datetime,
) -> dict[str, Any]:
    """The act a person is asked to confirm."""
    return {
        "handeling": handeling,
        "object": object_id,
        "wat": wat,
        "parameters": parameters,
        "door": principal_id,
        "partner": partner_id,
        "origin": rp.origin,
        "tijdstip": now.isoformat(),
        "nonce": secrets.token_hex(16),
    }


def check_act(confirmed: Confirmed, handeling: str, object_id: str, wat: dict[str, Any]) -> dict[str, Any]:
    """The confirmed act's parameters, once it is for this handeling on this object with this exact content."""
    found = confirmed.act
    if found.get("handeling") != handeling or found.get("object") != object_id:
        raise refusals.AndereHandeling("de passkey bevestigde een andere handeling dan deze: begin opnieuw")
    if found.get("wat") != wat:
        raise refusals.InhoudGewijzigd("wat u bevestigde is intussen gewijzigd: lees het opnieuw en bevestig opnieuw")
    parameters: dict[str, Any] = found.get("parameters") or {}
    return parameters


def keep(session: Session, confirmed: Confirmed, now: datetime) -> Confirmation:
    """Store the confirmation with the act, in the act's own transaction."""
    row = Confirmation(
        handeling=str(confirmed.act["handeling"]),
        object_id=str(confirmed.act["object"]),
        principal_id=confirmed.passkey.principal_id,
        act=confirmed.act,
        act_hash=act_challenge(confirmed.act).hex(),
        credential_id=confirmed.passkey.credential_id,
        public_key=confirmed.passkey.public_key,
        authenticator_data=confirmed.authenticator_data,
        client_data_json=confirmed.client_data_json,
        signature=confirmed.signature,
        at=now,
    )
    repository.add(session, row)
    return row


def export(row: Confirmation) -> dict[str, Any]:
    """The record an auditor checks offline (`schakel bevestiging controleer`)."""
    return {
        "formaat": FORMAT,
        "id": row.id,
        "handeling": row.handeling,
        "object": row.object_id,
        "door": row.principal_id,
        "handelingJson": row.act,
        "handelingHash": row.act_hash,
        "credentialId": row.credential_id,
        "publiekeSleutel": bytes_to_base64url(row.public_key),
        "authenticatorData": bytes_to_base64url(row.authenticator_data),
        "clientDataJSON": bytes_to_base64url(row.client_data_json),
        "handtekening": bytes_to_base64url(row.signature),
        "tijdstip": row.at.isoformat(),
    }


class NotConfirmed(ValueError):
    """The record does not prove the act: the message says which check failed."""


@dataclass(frozen=True, slots=True)
class Proven:
    handeling: str
    object_id: str
    door: str
    origin: str


def verify(record: dict[str, Any], *, expected_origin: str | None = None) -> Proven:
    """Check a confirmation record offline: the act's hash, and the passkey's signature over it with user
    verification, for the site the act names (or `expected_origin`, when the auditor brings it)."""
    try:
        if record.get("formaat") != FORMAT:
            raise NotConfirmed(f"not a {FORMAT} record")
        the_act = record["handelingJson"]
        challenge = act_challenge(the_act)
        if challenge.hex() != record["handelingHash"]:
            raise NotConfirmed("the act does not match its hash: it was changed after it was confirmed")
        origin = str(the_act["origin"])
        if expected_origin is not None and origin != expected_origin:
            raise NotConfirmed(f"the act was confirmed on {origin}, not on {expected_origin}")
        credential = AuthenticationCredential(
            id=record["credentialId"],
            raw_id=base64url_to_bytes(record["credentialId"]),
            response=AuthenticatorAssertionResponse(
                client_data_json=base64url_to_bytes(record["clientDataJSON"]),
                authenticator_data=base64url_to_bytes(record["authenticatorData"]),
                signature=base64url_to_bytes(record["handtekening"]),
            ),
        )
        verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=urlsplit(origin).hostname or "",
            expected_origin=origin,
            credential_public_key=base64url_to_bytes(record["publiekeSleutel"]),
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except InvalidAuthenticationResponse as exc:
        raise NotConfirmed(f"the passkey's signature does not prove this act: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, NotConfirmed):
            raise
        raise NotConfirmed(f"the record is incomplete or malformed ({type(exc).__name__})") from None
    if the_act.get("door") != record.get("door"):
        raise NotConfirmed("the record names another person than the act")
    return Proven(str(the_act["handeling"]), str(the_act["object"]), str(the_act["door"]), origin)
