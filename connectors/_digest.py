"""RFC 9530 `Content-Digest` (sha-256 only): binds a token to the exact bytes of a body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

_SHA256_MEMBER = re.compile(r"(?:^|,)\s*sha-256=:([A-Za-z0-9+/]+=*):\s*(?=,|$)")


def content_digest(body: bytes) -> str:
    """The `Content-Digest` header value for `body`: `sha-256=:<base64>:`."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def digest_matches(header_value: str, body: bytes) -> bool:
    """True when the header's sha-256 member is the digest of `body` (compared in constant time)."""
    match = _SHA256_MEMBER.search(header_value)
    if match is None:
        return False
    try:
        expected = base64.b64decode(match.group(1), validate=True)
    except ValueError:
        return False
    return hmac.compare_digest(expected, hashlib.sha256(body).digest())
