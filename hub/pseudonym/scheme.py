"""The pseudonym scheme behind one narrow interface.

    pseudonymise(identity, domain) -> "ps1.k<version>.<domain>.<value>"

Each domain (each partner, and the hub's own log domain) gets its own key, derived with HKDF-SHA256 from a
versioned master secret; the value is an HMAC-SHA256 of the normalised identity under that key, truncated to
128 bits and written in lower-case hex. The same person has the same pseudonym within a domain and unlinkable ones
across domains. The text carries its scheme, key version and domain, so a later scheme (polymorphic
pseudonymisation with PEP on ristretto255, as in BSNk and libpep) can take over behind `PseudonymScheme`
without touching its callers, and old pseudonyms stay recognisable during a key rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub import refusals
from hub.pseudonym.identity import Identiteit

LOG_DOMAIN = "schakel-log"
"""The hub's own domain: the vault finds a person by their log-domain pseudonym."""

_TEXT = re.compile(
    r"^ps1\.k(?P<version>[1-9][0-9]{0,3})\.(?P<domain>[a-z0-9][a-z0-9-]{0,63})\.(?P<value>[0-9a-f]{32})$"
)


@dataclass(frozen=True, slots=True)
class Pseudoniem:
    version: int
    domain: str
    value: str

    def __str__(self) -> str:
        return f"ps1.k{self.version}.{self.domain}.{self.value}"


def parse_pseudonym(text: str) -> Pseudoniem:
    match = _TEXT.match(text)
    if match is None:
        raise refusals.PseudonymInvalid("not a Schakel pseudonym (ps1.k<versie>.<domein>.<waarde>)")
    return Pseudoniem(int(match["version"]), match["domain"], match["value"])


class PseudonymScheme(Protocol):
    """What the rest of the hub may know about pseudonyms: nothing but this."""

    def pseudonymise(self, identity: Identiteit, domain: str) -> str: ...


class HmacPseudonyms:
    """Per-domain HMAC pseudonyms under versioned master secrets; new ones use `active_version`."""

    def __init__(self, secrets: Mapping[int, bytes], active_version: int) -> None:
        if active_version not in secrets:
            raise ValueError("the active pseudonym key version has no secret")
        if any(len(secret) < 32 for secret in secrets.values()):
            raise ValueError("a pseudonym master secret must be at least 32 bytes")
        self._secrets = dict(secrets)
        self.active_version = active_version
        self.versions_newest_first: tuple[int, ...] = tuple(sorted(secrets, reverse=True))
        self._keys: dict[tuple[str, int], tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    def _key(self, domain: str, version: int) -> tuple[bytes, str]:
        """The domain's HMAC key (derived once) and the pseudonym text's prefix."""
        found = self._keys.get((domain, version))
        if found is None:
            key = HKDF(
                algorithm=hashes.SHA256(),
                length=32,
                salt=b"schakel/pseudoniem/v1",
                info=f"domein:{domain}:k{version}".encode("ascii"),
            ).derive(self._secrets[version])
            found = (key, f"ps1.k{version}.{domain}.")
            with self._lock:
                self._keys[(domain, version)] = found
        return found

    def pseudonymise(self, identity: Identiteit, domain: str, version: int | None = None) -> str:
        key, prefix = self._key(domain, version or self.active_version)
        return prefix + hmac.digest(key, identity.key, hashlib.sha256)[:16].hex()
