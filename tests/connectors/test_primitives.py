"""The connector's primitives against published test vectors, and the signer/verifier as properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors import (
    KeyFileError,
    ResolvedKey,
    SigningKey,
    TokenRejected,
    content_digest,
    digest_matches,
    jwk_thumbprint,
    normalise_htu,
    public_key_from_jwk,
    sign_request_token,
    verify_request_token,
)

HUB = "https://schakel.example"
ED_KEY = SigningKey.generate("EdDSA")
EC_KEY = SigningKey.generate("ES256")


def _resolver(key: SigningKey, issuer: str = "politie", subject: str | None = "politie-systeem") -> ResolvedKey:
    public, algorithm = public_key_from_jwk({k: v for k, v in key.public_jwk().items() if k != "d"})
    return ResolvedKey(public, algorithm, issuer=issuer, subject=subject)


def _verify(key: SigningKey, token: str, *, method: str, url: str, body: bytes, digest: str | None) -> str:
    return verify_request_token(
        token,
        resolve_key=lambda _: _resolver(key),
        audience=HUB,
        method=method,
        url=url,
        body=body,
        content_digest_header=digest,
    ).issuer


class TestVectors:
    def test_rfc_9530_content_digest(self) -> None:
        # RFC 9530 section 2: the body {"hello": "world"}
        assert content_digest(b'{"hello": "world"}') == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"

    def test_rfc_8037_ed25519_thumbprint(self) -> None:
        # RFC 8037 appendix A.3
        jwk = {"crv": "Ed25519", "kty": "OKP", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
        assert jwk_thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"

    @pytest.mark.parametrize(
        ("url", "htu"),
        [
            ("HTTPS://Schakel.Example:443/api/v1/x?y=1#z", "https://schakel.example/api/v1/x"),
            ("http://127.0.0.1:80/a", "http://127.0.0.1/a"),
            ("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/a"),
            ("https://schakel.example", "https://schakel.example/"),
        ],
    )
    def test_htu_normalisation(self, url: str, htu: str) -> None:
        assert normalise_htu(url) == htu


class TestDigest:
    def test_other_algorithms_alone_do_not_count(self) -> None:
        assert not digest_matches("sha-512=:AAAA:", b"x")

    def test_a_sha256_member_among_others(self) -> None:
        assert digest_matches("sha-512=:AAAA:, " + content_digest(b"x"), b"x")

    def test_garbage(self) -> None:
        assert not digest_matches("sha-256=:not base64!:", b"x")


class TestKeys:
    @pytest.mark.parametrize("algorithm", ["EdDSA", "ES256"])
    def test_save_and_load_round_trip(self, algorithm: str, tmp_path: Path) -> None:
        key = SigningKey.generate(algorithm)  # type: ignore[arg-type]
        key.save(tmp_path / "key.jwk")
        loaded = SigningKey.load(tmp_path / "key.jwk")
        assert (loaded.kid, loaded.algorithm) == (key.kid, key.algorithm)
        assert loaded.public_jwk() == key.public_jwk()

    def test_a_public_jwk_cannot_sign(self) -> None:
        with pytest.raises(KeyFileError, match="no private part"):
            SigningKey.from_jwk(ED_KEY.public_jwk())

    def test_other_curves_are_refused(self) -> None:
        with pytest.raises(KeyFileError):
            public_key_from_jwk({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"})


class TestSignAndVerify:
    @settings(max_examples=40, deadline=None)
    @given(
        body=st.binary(max_size=2048),
        method=st.sampled_from(["POST", "PUT", "PATCH"]),
        path=st.from_regex(r"/api/v1/[a-z0-9\-]{1,20}", fullmatch=True),
        key=st.sampled_from([ED_KEY, EC_KEY]),
    )
    def test_a_signed_request_verifies_and_any_other_body_does_not(
        self, body: bytes, method: str, path: str, key: SigningKey
    ) -> None:
        url = HUB + path
        token, headers = sign_request_token(
            key, issuer="politie", subject="politie-systeem", audience=HUB, method=method, url=url, body=body
        )
        digest = headers.get("Content-Digest")
        assert _verify(key, token, method=method, url=url, body=body, digest=digest) == "politie"
        with pytest.raises(TokenRejected) as refused:
            _verify(key, token, method=method, url=url, body=body + b"!", digest=digest)
        assert refused.value.reason in {"digest-mismatch", "digest-missing"}

    @settings(max_examples=40, deadline=None)
    @given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
    def test_any_changed_byte_of_the_token_is_refused(self, position: int, flip: int) -> None:
        url = HUB + "/api/v1/aanroeper"
        token, _ = sign_request_token(
            ED_KEY, issuer="politie", subject="politie-systeem", audience=HUB, method="GET", url=url
        )
        index = position % len(token)
        changed = token[:index] + chr((ord(token[index]) + flip) % 128 or 1) + token[index + 1 :]
        if changed == token:
            return
        with pytest.raises(TokenRejected):
            _verify(ED_KEY, changed, method="GET", url=url, body=b"", digest=None)

    def test_the_token_never_appears_in_a_rejection(self) -> None:
        url = HUB + "/api/v1/aanroeper"
        token, _ = sign_request_token(
            ED_KEY,
            issuer="politie",
            subject="politie-systeem",
            audience="https://elders.example",
            method="GET",
            url=url,
        )
        with pytest.raises(TokenRejected) as refused:
            _verify(ED_KEY, token, method="GET", url=url, body=b"", digest=None)
        assert token not in str(refused.value)
        assert token.split(".")[1] not in str(refused.value)

    def test_lifetime_is_capped_when_signing(self) -> None:
        with pytest.raises(ValueError, match="lifetime"):
            sign_request_token(
                ED_KEY, issuer="p", subject="s", audience=HUB, method="GET", url=HUB, lifetime_seconds=301
            )
