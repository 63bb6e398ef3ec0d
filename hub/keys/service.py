"""Reading the hub's keys for the API, and the demo partners' key files for development."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from connectors import KeyFileError, SigningKey
from hub.keys.keyring import HubKeyring, KeyringError


class PublishedKeys:
    """The hub's public JWKS, re-read when `schakel keys rotate|retire` changes the keyset on disk."""

    def __init__(self, keyring: HubKeyring) -> None:
        self._keyring = keyring
        self._lock = threading.Lock()
        self._stamp: float | None = None
        self._jwks: list[dict[str, Any]] = []

    def jwks(self) -> list[dict[str, Any]]:
        try:
            stamp = self._keyring.manifest.stat().st_mtime_ns
        except FileNotFoundError:
            raise KeyringError("the hub has no keys; run `schakel keys init`") from None
        with self._lock:
            if stamp != self._stamp:
                self._jwks = self._keyring.load().published()
                self._stamp = stamp
            return list(self._jwks)


def demo_key(keys_dir: Path, principal_id: str) -> SigningKey:
    """The demo principal's signing key under `<keys_dir>/demo/`, made on first use (development only)."""
    path = keys_dir / "demo" / f"{principal_id}.private.jwk"
    try:
        return SigningKey.load(path)
    except KeyFileError:
        if path.exists():
            raise
    key = SigningKey.generate("EdDSA")
    key.save(path)
    return key
