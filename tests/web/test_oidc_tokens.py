"""The ID-token checks, against known-bad tokens: only a token from the configured issuer, for this client, for
this sign-in (nonce), unexpired, signed by the provider's published key with an asymmetric algorithm, is taken."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.config import Settings
from hub.web.oidc import OidcFailed, Provider
from tests.server import Restartable

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CLIENT = "schakel-test"
NONCE = "n-0123456789"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key())) | {"kid": "k1", "alg": "RS256", "use": "sig"}
    holder: dict[str, str] = {}

    def metadata(_: Request) -> JSONResponse:
        base = holder["url"]
        return JSONResponse(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
            }
        )

    def jwks(_: Request) -> JSONResponse:
        return JSONResponse({"keys": [jwk]})

    server = Restartable(Starlette(routes=[Route("/.well-known/openid-configuration", metadata), Route("/jwks", jwks)]))
    holder["url"] = f"http://127.0.0.1:{server.port}"
    server.start()
    try:
        yield holder["url"]
    finally:
        server.close()


@pytest.fixture
def provider(issuer: str) -> Provider:
    return Provider(Settings(oidc_issuer=issuer, oidc_client_id=CLIENT, public_url="https://schakel.example"))


def claims(issuer: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": issuer, "aud": CLIENT, "sub": "u1", "iat": now, "exp": now + 300, "nonce": NONCE,
            "preferred_username": "zvh-zuid-limburg-dpia"}  # fmt: skip
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed(payload: dict[str, Any], key: Any = KEY, kid: str | None = "k1", alg: str = "RS256") -> str:
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid} if kid else None)


class TestIdTokens:
    def test_a_good_token_gives_its_claims(self, provider: Provider, issuer: str) -> None:
        found = provider.verify_id_token(signed(claims(issuer)), NONCE)
        assert provider.principal_of(found) == "zvh-zuid-limburg-dpia"

    @pytest.mark.parametrize(
        ("name", "make"),
        [
            ("another audience", lambda i: signed(claims(i, aud="een-ander"))),
            ("another issuer", lambda i: signed(claims(i, iss="https://elders.example"))),
            ("expired", lambda i: signed(claims(i, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200))),
            ("no nonce", lambda i: signed(claims(i, nonce=None))),
            ("another sign-in's nonce", lambda i: signed(claims(i, nonce="n-van-een-ander"))),
            ("signed by another key", lambda i: signed(claims(i), key=OTHER)),
            ("an unknown kid", lambda i: signed(claims(i), kid="k9")),
            ("no signature (alg none)", lambda i: _unsigned(claims(i))),
            ("HS256 keyed with the public key", lambda i: _hs256_with_public_key(claims(i))),
        ],
    )
    def test_a_bad_token_is_refused(self, provider: Provider, issuer: str, name: str, make: Any) -> None:
        with pytest.raises(OidcFailed):
            provider.verify_id_token(make(issuer), NONCE)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(payload: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "none", "kid": "k1"}).encode())
    return f"{header}.{_b64(json.dumps(payload).encode())}."


def _hs256_with_public_key(payload: dict[str, Any]) -> str:
    secret = KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    head = _b64(json.dumps({"alg": "HS256", "kid": "k1", "typ": "JWT"}).encode())
    body = _b64(json.dumps(payload).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"
