"""Signing in through the organisation's identity provider: OpenID Connect, authorization code with PKCE.

authlib builds the authorization request and the PKCE challenge; pyjwt checks the ID token with every option set
explicitly (algorithms, audience, issuer, required claims, nonce), against the provider's published keys picked
by `kid`. The claim named by `SCHAKEL_OIDC_PRINCIPAL_CLAIM` is the person's principal id in the registry: a person
the registry does not know gets a clear page, never a session."""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import structlog
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from hub.config import Settings
from hub.errors import SchakelError

log = structlog.get_logger("hub.web.oidc")

ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]
_METADATA_SECONDS = 3600.0
_TIMEOUT = 10.0


class OidcFailed(SchakelError):
    """The identity provider's answer could not be used; the detail says why (never a token)."""

    status = 400
    title = "Aanmelden lukte niet"
    code = "oidc-mislukt"


@dataclass(frozen=True, slots=True)
class Pending:
    """What the hub keeps between sending the person to the provider and their return."""

    state: str
    nonce: str
    verifier: str
    terug: str

    def as_json(self) -> dict[str, str]:
        return {"state": self.state, "nonce": self.nonce, "verifier": self.verifier, "terug": self.terug}

    @classmethod
    def of(cls, data: dict[str, Any]) -> Pending:
        return cls(str(data["state"]), str(data["nonce"]), str(data["verifier"]), str(data["terug"]))


class Provider:
    """One configured identity provider; its discovery document and keys are read when needed and kept an hour."""

    def __init__(self, settings: Settings) -> None:
        if not (settings.oidc_issuer and settings.oidc_client_id):
            raise ValueError("OpenID Connect is not configured")
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret or ""
        self.claim = settings.oidc_principal_claim
        self.redirect_uri = f"{settings.public_url}/aanmelden/oidc/terug"
        self.leeway = settings.token_leeway_seconds
        self._lock = threading.Lock()
        self._metadata: tuple[float, dict[str, Any]] | None = None

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None or time.monotonic() - self._metadata[0] > _METADATA_SECONDS:
                found = self._get(f"{self.issuer}/.well-known/openid-configuration")
                if str(found.get("issuer", "")).rstrip("/") != self.issuer:
                    raise OidcFailed("de identiteitsprovider noemt een andere issuer dan ingesteld")
                self._metadata = (time.monotonic(), found)
            return self._metadata[1]

    def start(self, terug: str) -> tuple[Pending, str]:
        """A new sign-in: what to keep, and where to send the browser."""
        pending = Pending(generate_token(32), generate_token(32), generate_token(64), terug)
        url = prepare_grant_uri(
            self.metadata()["authorization_endpoint"],
            self.client_id,
            "code",
            redirect_uri=self.redirect_uri,
            scope="openid profile",
            state=pending.state,
            nonce=pending.nonce,
            code_challenge=create_s256_code_challenge(pending.verifier),
            code_challenge_method="S256",
        )
        return pending, url

    def finish(self, pending: Pending, state: str, code: str) -> dict[str, Any]:
        """The verified ID-token claims of the person who came back with `code`."""
        if not hmac.compare_digest(state.encode(), pending.state.encode()):
            raise OidcFailed("het antwoord van de identiteitsprovider hoort niet bij deze aanmelding")
        try:
            answer = httpx.post(
                self.metadata()["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.redirect_uri,
                    "code_verifier": pending.verifier,
                },
                auth=(self.client_id, self.client_secret),
                timeout=_TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise OidcFailed(f"de identiteitsprovider is niet bereikbaar ({type(exc).__name__})") from None
        if answer.status_code != 200:
            log.warning("web.oidc_token_refused", status=answer.status_code)
            raise OidcFailed(f"de identiteitsprovider weigerde de code (status {answer.status_code})")
        id_token = answer.json().get("id_token")
        if not isinstance(id_token, str):
            raise OidcFailed("de identiteitsprovider gaf geen ID-token")
        return self.verify_id_token(id_token, pending.nonce)

    def principal_of(self, claims: dict[str, Any]) -> str | None:
        value = claims.get(self.claim)
        return value if isinstance(value, str) and 0 < len(value) <= 64 else None

    def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The claims of an ID token from this provider for this sign-in (its `nonce`); OidcFailed otherwise."""
        try:
            header = jwt.get_unverified_header(id_token)
            keys = jwt.PyJWKSet.from_dict(self._get(self.metadata()["jwks_uri"]))
            kid = header.get("kid")
            # OIDC Core 10.1: a token may leave out `kid` only when the provider publishes one signing key.
            candidates = (
                [k for k in keys.keys if k.key_id == kid] if kid else keys.keys[:1] if len(keys.keys) == 1 else []
            )
            key = candidates[0] if candidates else None
            if key is None:
                raise OidcFailed("het ID-token is ondertekend met een onbekende sleutel")
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"], "verify_signature": True},
            )
        except jwt.PyJWTError as exc:
            raise OidcFailed(f"het ID-token is ongeldig ({type(exc).__name__})") from None
        if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise OidcFailed("het ID-token hoort niet bij deze aanmelding (nonce)")
        return claims

    def _get(self, url: str) -> dict[str, Any]:
        try:
            answer = httpx.get(url, timeout=_TIMEOUT)
            answer.raise_for_status()
            data: dict[str, Any] = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcFailed(f"de identiteitsprovider is niet bereikbaar ({type(exc).__name__})") from None
        return data
