"""The webhook receiver: an ASGI app a partner mounts where the hub delivers its meldingen.

For every POST it verifies the hub's request-bound token (the hub's published key, `iss` the hub, `aud` this
partner, this method and URL, these body bytes, fresh, never seen before), checks that the content is what the
envelope's digest says, hands the melding to the partner's handler once per delivery id (the hub delivers at
least once), and then acknowledges receipt to the hub with the partner's own signed request: the proof of
delivery. Anything that fails verification is refused with 401 and never reaches the handler.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from connectors._asgi import read_body, respond
from connectors._client import HubClient
from connectors._keys import public_key_from_jwk
from connectors._token import ResolvedKey, verify_request_token
from connectors.errors import ConnectorError, HubUnavailable, TokenRejected

Handler = Callable[[dict[str, Any]], None]
"""Stores one delivery (the envelope: soort, leveringId, meldingId, berichttype, doel, voorwaarden, inhoud, ...).
`Voorwaarden.of(envelope)` reads its terms; `is_stopbericht(envelope)` tells a notice to stop processing."""

_MAX_BODY = 2 * 1024 * 1024


def inhoud_digest(inhoud: Any) -> str:
    """`sha256:<hex>` of the canonical JSON of a delivered `inhoud`: what the hub put in the envelope."""
    canonical = json.dumps(inhoud, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


class HubKeys:
    """The hub's published signing keys (`/.well-known/jwks.json`), fetched again when an unknown kid appears."""

    def __init__(self, hub_url: str, http: httpx.Client | None = None, min_refresh_seconds: float = 30.0) -> None:
        self._url = hub_url.rstrip("/") + "/.well-known/jwks.json"
        self._http = http or httpx.Client(timeout=10.0, follow_redirects=False)
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched = 0.0
        self._min_refresh = min_refresh_seconds
        self._lock = threading.Lock()

    def get(self, kid: str) -> dict[str, Any] | None:
        with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched > self._min_refresh:
                response = self._http.get(self._url)
                response.raise_for_status()
                self._keys = {k["kid"]: k for k in response.json().get("keys", []) if "kid" in k}
                self._fetched = time.monotonic()
            return self._keys.get(kid)


class WebhookReceiver:
    def __init__(
        self,
        *,
        partner_id: str,
        url: str,
        hub_issuer: str,
        hub_keys: HubKeys,
        handle: Handler,
        hub: HubClient | None = None,
        leeway_seconds: int = 30,
        ack_retries: tuple[float, ...] = (0.2, 1.0),
    ) -> None:
        """`url` is this receiver's address as registered at the hub (what the hub signs as `htu`); `hub` signs
        the acknowledgements (leave it out to acknowledge yourself)."""
        self.partner_id = partner_id
        self.url = url
        self._issuer = hub_issuer.rstrip("/")
        self._keys = hub_keys
        self._handle = handle
        self._hub = hub
        self._leeway = leeway_seconds
        self._ack_retries = ack_retries
        self._seen_tokens: dict[str, float] = {}
        self._delivered: set[str] = set()
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _answer(send, 405, {"fout": "method-not-allowed"})
            return
        body = await read_body(receive, _MAX_BODY)
        if body is None:
            await _answer(send, 413, {"fout": "body-too-large"})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status, answer = await asyncio.to_thread(self.receive, headers, body)
        await _answer(send, status, answer)

    def receive(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        """Verify and handle one delivery; returns the HTTP status and body to answer with."""
        try:
            self._verify(headers, body)
        except TokenRejected as exc:
            return 401, {"fout": exc.reason}
        try:
            envelope = json.loads(body)
            levering_id = str(envelope["leveringId"])
        except (ValueError, KeyError, TypeError):
            return 400, {"fout": "not-an-envelope"}
        if inhoud_digest(envelope.get("inhoud")) != envelope.get("inhoudDigest"):
            return 400, {"fout": "digest-mismatch"}
        with self._lock:
            first = levering_id not in self._delivered
        if first:
            self._handle(envelope)
            with self._lock:
                self._delivered.add(levering_id)
        if not self._acknowledge(levering_id, envelope["inhoudDigest"]):
            # Stored, but the hub did not take the acknowledgement: answer 503, so the hub delivers again (it is
            # stored once: de-duplicated on the delivery id) and the acknowledgement is tried again then.
            return 503, {"fout": "ontvangstbevestiging-mislukt", "ontvangen": levering_id}
        return 200, {"ontvangen": levering_id}

    def _verify(self, headers: dict[str, str], body: bytes) -> None:
        authorization = headers.get("authorization", "")
        if not authorization.lower().startswith("bearer "):
            raise TokenRejected("token-missing", "no bearer token")

        def resolve(kid: str) -> ResolvedKey:
            jwk = self._keys.get(kid)
            if jwk is None:
                raise TokenRejected("kid-unknown", "the hub publishes no key with this kid")
            public_key, algorithm = public_key_from_jwk(jwk)
            return ResolvedKey(public_key, algorithm, issuer=self._issuer)

        verified = verify_request_token(
            authorization[7:].strip(),
            resolve_key=resolve,
            audience=self.partner_id,
            method="POST",
            url=self.url,
            body=body,
            content_digest_header=headers.get("content-digest"),
            leeway_seconds=self._leeway,
        )
        if verified.issuer != self._issuer:
            raise TokenRejected("issuer-mismatch", "the token was not issued by the hub")
        now = time.time()
        with self._lock:
            self._seen_tokens = {j: exp for j, exp in self._seen_tokens.items() if exp + self._leeway > now}
            if verified.jti in self._seen_tokens:
                raise TokenRejected("token-replayed", "this token was used before")
            self._seen_tokens[verified.jti] = verified.expires_at

    def _acknowledge(self, levering_id: str, digest: str) -> bool:
        """Acknowledge receipt to the hub, retrying a hub that is briefly unavailable; whether it was taken."""
        if self._hub is None:
            return True
        for pause in (*self._ack_retries, None):
            try:
                self._hub.post(f"/api/v1/inbox/{levering_id}/ontvangstbevestiging", {"inhoudDigest": digest})
            except HubUnavailable:
                if pause is None:
                    return False
                time.sleep(pause)
            except ConnectorError:
                # Refused for good (e.g. withdrawn meanwhile): redelivery would not change that.
                return True
            else:
                return True
        return False


async def _answer(send: Any, status: int, body: dict[str, Any]) -> None:
    await respond(send, status, json.dumps(body).encode(), "application/json")


@dataclass(frozen=True, slots=True)
class Voorwaarden:
    """The terms under which a delivery was made: purpose, legal grounds, retention, the rules and the convenant
    version that decided. Honour them: process for `doel` only, keep no longer than the `bewaartermijnen`."""

    doel: str
    convenant: str
    convenant_hash: str
    gemeente: str | None
    regels: tuple[str, ...]
    grondslagen: tuple[dict[str, Any], ...]
    """Each with `code`, `omschrijving`, `wet`, `artikelen` and `teBevestigen`."""
    bewaartermijnen: tuple[str, ...]
    categorieen: tuple[dict[str, Any], ...]
    """Per category: `categorie`, `regel`, `grondslag`, `bewaartermijn`, `opToestemming`."""

    @classmethod
    def of(cls, envelope: dict[str, Any]) -> Voorwaarden | None:
        """The terms of a delivered envelope; None for a `stopbericht`, which carries none."""
        terms = envelope.get("voorwaarden")
        if not isinstance(terms, dict):
            return None
        return cls(
            doel=str(terms["doel"]),
            convenant=str(terms["convenant"]),
            convenant_hash=str(terms["convenantHash"]),
            gemeente=terms.get("gemeente"),
            regels=tuple(terms.get("regels", ())),
            grondslagen=tuple(terms.get("grondslagen", ())),
            bewaartermijnen=tuple(terms.get("bewaartermijnen", ())),
            categorieen=tuple(terms.get("categorieen", ())),
        )


def is_stopbericht(envelope: dict[str, Any]) -> bool:
    """Whether the hub tells you to stop processing an earlier delivery (its consent was withdrawn): the envelope's
    `inhoud.betreftLevering` names it."""
    return envelope.get("soort") == "stopbericht"
