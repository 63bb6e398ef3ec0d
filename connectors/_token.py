"""Request-bound signed tokens: the public format of ARCHITECTURE §4, signed and verified.

A token is a JWS (compact JWT) with header `typ=schakel+jwt`, `alg` EdDSA or ES256 and a registered `kid`,
and the claims `iss sub aud iat exp jti htm htu` plus `cdg` (the request's RFC 9530 `Content-Digest`) when the
request has a body. It is valid for one request: this method, this URL, these body bytes, once.

`verify_request_token` is the one verifier: the hub uses it for partners' calls and partners use it for the
hub's webhooks. It fails closed and raises `TokenRejected` with a stable reason code; it never echoes the token.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import jwt

from connectors._digest import content_digest, digest_matches
from connectors._keys import ALLOWED_ALGORITHMS, Algorithm, PublicKey, SigningKey
from connectors.errors import TokenRejected

TOKEN_TYPE: Final = "schakel+jwt"  # noqa: S105 - a media type, not a secret
MAX_LIFETIME_SECONDS: Final = 300
DEFAULT_LIFETIME_SECONDS: Final = 60
MAX_TOKEN_BYTES: Final = 8192
MAX_JTI_LENGTH: Final = 128
REQUIRED_CLAIMS: Final = ("iss", "sub", "aud", "iat", "exp", "jti", "htm", "htu")


def normalise_htu(url: str) -> str:
    """The `htu` form of a URL (RFC 9449 §4.3): scheme and host lowercased, default port, query and fragment dropped."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


def sign_request_token(
    key: SigningKey,
    *,
    issuer: str,
    subject: str,
    audience: str,
    method: str,
    url: str,
    body: bytes | None = None,
    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
    now: float | None = None,
) -> tuple[str, dict[str, str]]:
    """Sign a token for one request. Returns the token and the headers to send (Authorization, Content-Digest)."""
    if not 0 < lifetime_seconds <= MAX_LIFETIME_SECONDS:
        raise ValueError(f"lifetime_seconds must be between 1 and {MAX_LIFETIME_SECONDS}")
    issued_at = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": audience.rstrip("/"),
        "iat": issued_at,
        "exp": issued_at + lifetime_seconds,
        "jti": secrets.token_urlsafe(24),
        "htm": method.upper(),
        "htu": normalise_htu(url),
    }
    headers: dict[str, str] = {}
    if body:
        digest = content_digest(body)
        claims["cdg"] = digest
        headers["Content-Digest"] = digest
    token = jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid, "typ": TOKEN_TYPE})
    headers["Authorization"] = f"Bearer {token}"
    return token, headers


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """What the verifier needs to know about a `kid`: its public key, and whom it belongs to."""

    public_key: PublicKey
    algorithm: Algorithm
    issuer: str
    subject: str | None = None
    """The principal the key belongs to; None accepts any `sub` (the hub's own keys)."""


KeyResolver = Callable[[str], ResolvedKey]
"""Looks up a `kid`; raises `TokenRejected` (`kid-unknown`, `key-revoked`, ...) when it cannot be used."""


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    issuer: str
    subject: str
    kid: str
    jti: str
    issued_at: int
    expires_at: int
    token_digest: str
    """SHA-256 (hex) of the exact token bytes: names this signed request in the ledger without storing the token."""


_JWT_ERRORS: tuple[tuple[type[jwt.PyJWTError], str, str], ...] = (
    (jwt.ExpiredSignatureError, "token-expired", "the token has expired; sign a fresh token for every request"),
    (jwt.ImmatureSignatureError, "token-not-yet-valid", "the token's iat lies in the future; check your clock"),
    (jwt.InvalidAudienceError, "audience-mismatch", "aud is not this hub's public URL"),
    (jwt.InvalidIssuerError, "issuer-mismatch", "iss is not the partner that owns this kid"),
    (jwt.MissingRequiredClaimError, "claim-missing", "a required claim is missing"),
    (jwt.InvalidSignatureError, "signature-invalid", "the signature does not verify with the registered key"),
)


def verify_request_token(
    token: str,
    *,
    resolve_key: KeyResolver,
    audience: str,
    method: str,
    url: str,
    body: bytes,
    content_digest_header: str | None,
    leeway_seconds: int = 30,
) -> VerifiedToken:
    """Verify a request-bound token against the request it came with. Raises `TokenRejected`."""
    if len(token) > MAX_TOKEN_BYTES:
        raise TokenRejected("token-oversized", f"the token is longer than {MAX_TOKEN_BYTES} bytes")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenRejected("token-malformed", "the token is not a compact JWS") from exc
    if header.get("typ") != TOKEN_TYPE:
        raise TokenRejected("token-type-invalid", f"the token header must have typ={TOKEN_TYPE}")
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise TokenRejected("algorithm-not-allowed", "alg must be EdDSA or ES256")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenRejected("kid-missing", "the token header must name the signing key in kid")
    resolved = resolve_key(kid)
    if resolved.algorithm != algorithm:
        raise TokenRejected("algorithm-mismatch", "alg does not match the registered key's algorithm")

    claims = _decode(token, resolved, audience, leeway_seconds)
    _check_lifetime(claims)
    if resolved.subject is not None and claims["sub"] != resolved.subject:
        raise TokenRejected("subject-mismatch", "sub is not the principal that owns this kid")
    jti = claims["jti"]
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise TokenRejected("claim-invalid", f"jti must be a string of 1 to {MAX_JTI_LENGTH} characters")
    if claims["htm"] != method.upper():
        raise TokenRejected("method-mismatch", "htm is not the method of this request")
    if not isinstance(claims["htu"], str) or normalise_htu(claims["htu"]) != normalise_htu(url):
        raise TokenRejected("url-mismatch", "htu is not the URL of this request")
    _check_body_binding(claims.get("cdg"), content_digest_header, body)
    return VerifiedToken(
        issuer=claims["iss"],
        subject=claims["sub"],
        kid=kid,
        jti=jti,
        issued_at=claims["iat"],
        expires_at=claims["exp"],
        token_digest=hashlib.sha256(token.encode("ascii", "replace")).hexdigest(),
    )


def _decode(token: str, resolved: ResolvedKey, audience: str, leeway: int) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            resolved.public_key,
            algorithms=[resolved.algorithm],
            audience=audience.rstrip("/"),
            issuer=resolved.issuer,
            leeway=leeway,
            options={
                "verify_signature": True,
                "verify_exp": True,
                "verify_iat": True,
                "verify_nbf": True,
                "verify_aud": True,
                "verify_iss": True,
                "strict_aud": True,
                "require": list(REQUIRED_CLAIMS),
            },
        )
    except jwt.PyJWTError as exc:
        for error_type, reason, message in _JWT_ERRORS:
            if isinstance(exc, error_type):
                raise TokenRejected(reason, message) from exc
        raise TokenRejected("token-invalid", f"the token is not valid ({type(exc).__name__})") from exc
    return claims


def _check_lifetime(claims: dict[str, Any]) -> None:
    issued_at, expires_at = claims["iat"], claims["exp"]
    if not isinstance(issued_at, int) or not isinstance(expires_at, int):
        raise TokenRejected("claim-invalid", "iat and exp must be whole seconds")
    if expires_at - issued_at > MAX_LIFETIME_SECONDS:
        raise TokenRejected("token-lifetime-too-long", f"exp may be at most {MAX_LIFETIME_SECONDS} seconds after iat")


def _check_body_binding(claimed: Any, header: str | None, body: bytes) -> None:
    if not body and claimed is None:
        return
    if claimed is None:
        raise TokenRejected("digest-missing", "a request with a body needs the cdg claim (its Content-Digest)")
    if header is None:
        raise TokenRejected("digest-missing", "a request with a body needs a Content-Digest header")
    if claimed != header or not digest_matches(header, body):
        raise TokenRejected("digest-mismatch", "the body is not the one the token was signed for")
