"""The corpus of hostile tokens: each a named case that the hub must refuse with 401 and its reason code.

Keys are generated per test session, so a case is kept as the recipe that builds its token against the live
registry, not as a frozen string (a frozen token would expire and be refused for the wrong reason).
Each recipe returns the request to send: method, path, headers and body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt

from connectors import SigningKey, content_digest, sign_request_token
from tests.support import Actor

WHOAMI = "/api/v1/aanroeper"
PARTNERS = "/api/v1/partners"


@dataclass(frozen=True)
class HostileRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class World:
    """What a recipe may use: the test actors, and hooks to change the registry first."""

    actors: dict[str, Actor]
    public_url: str
    revoke_key: Callable[[Actor], None]
    suspend_partner: Callable[[str], None]
    disable_principal: Callable[[str], None]
    replay: list[HostileRequest] = field(default_factory=list)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _claims(world: World, actor: Actor, method: str, path: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": actor.partner_id,
        "sub": actor.principal_id,
        "aud": world.public_url,
        "iat": now,
        "exp": now + 60,
        "jti": _b64(hashlib.sha256(f"{time.time_ns()}{path}".encode()).digest())[:24],
        "htm": method,
        "htu": world.public_url + path,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(key: SigningKey, claims: dict[str, Any], **header: Any) -> str:
    headers = {"kid": key.kid, "typ": "schakel+jwt", **header}
    headers = {k: v for k, v in headers.items() if v is not None}
    return jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers=headers)


def _bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def _whoami(world: World, name: str = "politie", **overrides: Any) -> HostileRequest:
    actor = world.actors[name]
    return HostileRequest("GET", WHOAMI, _bearer(_sign(actor.key, _claims(world, actor, "GET", WHOAMI, **overrides))))


def alg_none(world: World) -> HostileRequest:
    actor = world.actors["politie"]
    header = {"alg": "none", "typ": "schakel+jwt", "kid": actor.key.kid}
    payload = _claims(world, actor, "GET", WHOAMI)
    token = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}."
    return HostileRequest("GET", WHOAMI, _bearer(token))


def hs256_with_public_key(world: World) -> HostileRequest:
    # The classic confusion attack: HMAC keyed with the partner's *public* key, which anyone can read.
    actor = world.actors["politie"]
    secret = json.dumps(actor.key.public_jwk(), sort_keys=True).encode()
    header = {"alg": "HS256", "typ": "schakel+jwt", "kid": actor.key.kid}
    signing_input = (
        f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(_claims(world, actor, 'GET', WHOAMI)).encode())}"
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return HostileRequest("GET", WHOAMI, _bearer(f"{signing_input}.{_b64(signature)}"))


def expired(world: World) -> HostileRequest:
    now = int(time.time())
    return _whoami(world, iat=now - 400, exp=now - 100)


def iat_in_future(world: World) -> HostileRequest:
    now = int(time.time())
    return _whoami(world, iat=now + 600, exp=now + 660)


def lifetime_too_long(world: World) -> HostileRequest:
    now = int(time.time())
    return _whoami(world, iat=now, exp=now + 3600)


def wrong_aud(world: World) -> HostileRequest:
    return _whoami(world, aud="https://another-hub.example")


def wrong_iss(world: World) -> HostileRequest:
    return _whoami(world, iss="via-test")


def other_principals_sub(world: World) -> HostileRequest:
    return _whoami(world, sub=world.actors["via"].principal_id)


def unknown_kid(world: World) -> HostileRequest:
    stranger = SigningKey.generate("EdDSA")
    actor = world.actors["politie"]
    return HostileRequest("GET", WHOAMI, _bearer(_sign(stranger, _claims(world, actor, "GET", WHOAMI))))


def revoked_key(world: World) -> HostileRequest:
    world.revoke_key(world.actors["politie"])
    return _whoami(world)


def suspended_partner(world: World) -> HostileRequest:
    world.suspend_partner(world.actors["politie"].partner_id)
    return _whoami(world)


def disabled_principal(world: World) -> HostileRequest:
    world.disable_principal(world.actors["politie"].principal_id)
    return _whoami(world)


def replayed_jti(world: World) -> HostileRequest:
    request = _whoami(world)
    world.replay.append(request)  # the test sends it once first, and expects that first use to pass
    return request


def _signed_post(world: World, body: bytes) -> dict[str, str]:
    actor = world.actors["operator"]
    _, headers = sign_request_token(
        actor.key,
        issuer=actor.partner_id,
        subject=actor.principal_id,
        audience=world.public_url,
        method="POST",
        url=world.public_url + PARTNERS,
        body=body,
    )
    return {**headers, "Content-Type": "application/json"}


def body_changed_after_signing(world: World) -> HostileRequest:
    signed = b'{"id":"ggz-a","naam":"GGZ A","soort":"ggz","oin":"00000099000000000201","deliveryMode":"inbox"}'
    sent = signed.replace(b"GGZ A", b"GGZ B")
    return HostileRequest("POST", PARTNERS, _signed_post(world, signed), sent)


def digest_header_missing(world: World) -> HostileRequest:
    body = b'{"id":"ggz-b","naam":"GGZ B","soort":"ggz","oin":"00000099000000000202","deliveryMode":"inbox"}'
    headers = _signed_post(world, body)
    del headers["Content-Digest"]
    return HostileRequest("POST", PARTNERS, headers, body)


def body_without_cdg(world: World) -> HostileRequest:
    actor = world.actors["operator"]
    body = b'{"id":"ggz-c","naam":"GGZ C","soort":"ggz","oin":"00000099000000000203","deliveryMode":"inbox"}'
    token = _sign(actor.key, _claims(world, actor, "POST", PARTNERS))
    return HostileRequest(
        "POST",
        PARTNERS,
        _bearer(token, **{"Content-Digest": content_digest(body), "Content-Type": "application/json"}),
        body,
    )


def htu_of_other_request(world: World) -> HostileRequest:
    return _whoami(world, htu=world.public_url + PARTNERS)


def htm_of_other_request(world: World) -> HostileRequest:
    return _whoami(world, htm="POST")


def kid_of_other_partner(world: World) -> HostileRequest:
    # Partner A signs with its own key but names partner B's kid (and B as issuer): the signature cannot match.
    politie, via = world.actors["politie"], world.actors["via"]
    claims = _claims(world, politie, "GET", WHOAMI, iss=via.partner_id, sub=via.principal_id)
    return HostileRequest("GET", WHOAMI, _bearer(_sign(politie.key, claims, kid=via.key.kid)))


def missing_typ(world: World) -> HostileRequest:
    actor = world.actors["politie"]
    token = jwt.encode(
        _claims(world, actor, "GET", WHOAMI), actor.key.private_key, algorithm="EdDSA", headers={"kid": actor.key.kid}
    )
    return HostileRequest("GET", WHOAMI, _bearer(token))


def wrong_typ(world: World) -> HostileRequest:
    actor = world.actors["politie"]
    return HostileRequest("GET", WHOAMI, _bearer(_sign(actor.key, _claims(world, actor, "GET", WHOAMI), typ="JWT")))


def oversized(world: World) -> HostileRequest:
    return _whoami(world, padding="x" * 9000)


def missing_jti(world: World) -> HostileRequest:
    return _whoami(world, jti=None)


def missing_kid(world: World) -> HostileRequest:
    actor = world.actors["politie"]
    return HostileRequest("GET", WHOAMI, _bearer(_sign(actor.key, _claims(world, actor, "GET", WHOAMI), kid=None)))


def algorithm_of_other_key_type(world: World) -> HostileRequest:
    # Header says ES256 while the registered key is Ed25519: never let the header choose the algorithm.
    actor = world.actors["politie"]
    es_key = SigningKey.generate("ES256", kid=actor.key.kid)
    return HostileRequest("GET", WHOAMI, _bearer(_sign(es_key, _claims(world, actor, "GET", WHOAMI))))


def signature_stripped(world: World) -> HostileRequest:
    request = _whoami(world)
    token = request.headers["Authorization"].removeprefix("Bearer ")
    return HostileRequest("GET", WHOAMI, _bearer(token.rsplit(".", 1)[0] + "."))


def not_a_jwt(_: World) -> HostileRequest:
    return HostileRequest("GET", WHOAMI, _bearer("this-is-not-a-token"))


def no_token(_: World) -> HostileRequest:
    return HostileRequest("GET", WHOAMI, {})


def basic_auth_instead(_: World) -> HostileRequest:
    return HostileRequest("GET", WHOAMI, {"Authorization": "Basic cG9saXRpZTpwYXNzd29yZA=="})


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[World], HostileRequest]
    reason: str


CORPUS: tuple[Case, ...] = (
    Case("alg-none", alg_none, "algorithm-not-allowed"),
    Case("hs256-signed-with-public-key", hs256_with_public_key, "algorithm-not-allowed"),
    Case("expired", expired, "token-expired"),
    Case("iat-in-the-future", iat_in_future, "token-not-yet-valid"),
    Case("lifetime-over-300s", lifetime_too_long, "token-lifetime-too-long"),
    Case("wrong-aud", wrong_aud, "audience-mismatch"),
    Case("wrong-iss", wrong_iss, "issuer-mismatch"),
    Case("sub-of-another-principal", other_principals_sub, "subject-mismatch"),
    Case("unknown-kid", unknown_kid, "kid-unknown"),
    Case("revoked-key", revoked_key, "key-revoked"),
    Case("suspended-partner", suspended_partner, "partner-suspended"),
    Case("disabled-principal", disabled_principal, "principal-disabled"),
    Case("replayed-jti", replayed_jti, "token-replayed"),
    Case("body-changed-after-signing", body_changed_after_signing, "digest-mismatch"),
    Case("content-digest-header-missing", digest_header_missing, "digest-missing"),
    Case("body-without-cdg-claim", body_without_cdg, "digest-missing"),
    Case("htu-of-another-request", htu_of_other_request, "url-mismatch"),
    Case("htm-of-another-request", htm_of_other_request, "method-mismatch"),
    Case("partner-a-token-with-partner-b-kid", kid_of_other_partner, "signature-invalid"),
    Case("missing-typ", missing_typ, "token-type-invalid"),
    Case("typ-jwt", wrong_typ, "token-type-invalid"),
    Case("oversized", oversized, "token-oversized"),
    Case("missing-jti", missing_jti, "claim-missing"),
    Case("missing-kid", missing_kid, "kid-missing"),
    Case("es256-header-on-ed25519-key", algorithm_of_other_key_type, "algorithm-mismatch"),
    Case("signature-stripped", signature_stripped, "signature-invalid"),
    Case("not-a-jwt", not_a_jwt, "token-malformed"),
    Case("no-token", no_token, "token-missing"),
    Case("basic-auth", basic_auth_instead, "token-missing"),
)
