"""Signing keys and public JWKs: Ed25519 (`EdDSA`) and P-256 (`ES256`), nothing else."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from connectors.errors import KeyFileError

Algorithm = Literal["EdDSA", "ES256"]
ALLOWED_ALGORITHMS: tuple[Algorithm, ...] = ("EdDSA", "ES256")

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

_PUBLIC_MEMBERS = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y")}


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint (SHA-256, base64url) of a public JWK: the default `kid`."""
    members = _PUBLIC_MEMBERS.get(str(jwk.get("kty")))
    if members is None or any(not isinstance(jwk.get(m), str) for m in members):
        raise KeyFileError("a JWK needs kty OKP (crv, x) or EC (crv, x, y)")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def public_key_from_jwk(jwk: dict[str, Any]) -> tuple[PublicKey, Algorithm]:
    """Parse a public JWK of an allowed type. Private members are refused: a public registry never holds them."""
    if "d" in jwk:
        raise KeyFileError("this JWK contains a private key ('d'); register only the public part")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    parsed: object = None
    try:
        if kty == "OKP" and crv == "Ed25519":
            parsed = OKPAlgorithm.from_jwk(jwk)
        elif kty == "EC" and crv == "P-256":
            parsed = ECAlgorithm.from_jwk(jwk)
    except Exception as exc:  # pyjwt raises several unrelated types for malformed members
        raise KeyFileError(f"the JWK's key material is not valid: {type(exc).__name__}") from exc
    if isinstance(parsed, ed25519.Ed25519PublicKey):
        return parsed, "EdDSA"
    if isinstance(parsed, ec.EllipticCurvePublicKey) and isinstance(parsed.curve, ec.SECP256R1):
        return parsed, "ES256"
    raise KeyFileError("only Ed25519 (kty OKP, crv Ed25519) and P-256 (kty EC, crv P-256) keys are accepted")


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key with its `kid` and algorithm, as used to sign request-bound tokens."""

    private_key: PrivateKey
    kid: str
    algorithm: Algorithm

    @classmethod
    def generate(cls, algorithm: Algorithm = "EdDSA", kid: str | None = None) -> SigningKey:
        private: PrivateKey
        if algorithm == "EdDSA":
            private = ed25519.Ed25519PrivateKey.generate()
        elif algorithm == "ES256":
            private = ec.generate_private_key(ec.SECP256R1())
        else:
            raise KeyFileError(f"algorithm {algorithm!r} is not allowed; use EdDSA or ES256")
        public = _public_jwk_of(private)
        return cls(private, kid or jwk_thumbprint(public), algorithm)

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> SigningKey:
        if "d" not in jwk:
            raise KeyFileError("this JWK has no private part ('d'); a signing key needs one")
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            parse: Any = OKPAlgorithm.from_jwk
        elif jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            parse = ECAlgorithm.from_jwk
        else:
            raise KeyFileError("only Ed25519 and P-256 private keys can sign")
        try:
            key: object = parse(jwk)
        except Exception as exc:  # pyjwt raises several unrelated types for malformed members
            raise KeyFileError(f"the private JWK is not valid: {type(exc).__name__}") from exc
        algorithm: Algorithm
        if isinstance(key, ed25519.Ed25519PrivateKey):
            algorithm = "EdDSA"
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            algorithm = "ES256"
        else:
            raise KeyFileError("the JWK did not yield a private key")
        kid = jwk.get("kid") or jwk_thumbprint(_public_jwk_of(key))
        return cls(key, str(kid), algorithm)

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        """Read a private JWK file written by `save` (or `schakel-connector keygen`)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise KeyFileError(f"cannot read the key file {path}: {type(exc).__name__}") from exc
        if not isinstance(data, dict):
            raise KeyFileError(f"{path} does not hold a JWK object")
        return cls.from_jwk(data)

    def public_jwk(self) -> dict[str, Any]:
        jwk = _public_jwk_of(self.private_key)
        jwk.update({"kid": self.kid, "alg": self.algorithm, "use": "sig"})
        return jwk

    def private_jwk(self) -> dict[str, Any]:
        jwk = _jwk_of(self.private_key)
        jwk.update({"kid": self.kid, "alg": self.algorithm, "use": "sig"})
        return jwk

    def save(self, path: Path) -> None:
        """Write the private JWK with mode 0600; refuses to overwrite an existing file."""
        write_secret_file(path, json.dumps(self.private_jwk(), indent=2) + "\n")


def _jwk_of(key: PrivateKey | PublicKey) -> dict[str, Any]:
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(key))
    else:
        jwk = json.loads(ECAlgorithm.to_jwk(key))
    return jwk


def _public_jwk_of(private: PrivateKey) -> dict[str, Any]:
    return {k: v for k, v in _jwk_of(private.public_key()).items() if k in {"kty", "crv", "x", "y"}}


def write_secret_file(path: Path, text: str) -> None:
    """Create `path` readable by its owner only (0600). Never overwrites: a key is replaced by rotation."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise KeyFileError(f"{path} exists already; refusing to overwrite a key") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
