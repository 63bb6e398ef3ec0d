"""The hub's own Ed25519 signing keys, kept as files under `<keys_dir>/hub/`.

`keyset.json` lists every key with its status: `active` (signs; exactly one), `rotated` (no longer signs, still
published so that what it signed stays verifiable) and `retired` (no longer published). Private keys are JWK
files with mode 0600 next to it; they are never committed (see `.gitignore`).
"""

from __future__ import annotations

import json
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors import SigningKey
from hub.kit.clock import utcnow

KeyStatus = Literal["active", "rotated", "retired"]


class KeyringError(Exception):
    """The keyring is missing, damaged or would be left in an unsafe state; the message says what to do."""


@dataclass
class KeyEntry:
    kid: str
    algorithm: str
    status: KeyStatus
    created_at: str
    rotated_at: str | None = None
    retired_at: str | None = None
    public_jwk: dict[str, Any] = field(default_factory=dict)


@dataclass
class Keyset:
    demo: bool
    keys: list[KeyEntry]

    @property
    def active(self) -> KeyEntry:
        active = [k for k in self.keys if k.status == "active"]
        if len(active) != 1:
            raise KeyringError(f"the hub keyset must have exactly one active key, it has {len(active)}")
        return active[0]

    def published(self) -> list[dict[str, Any]]:
        """The public JWKs to publish at /.well-known/jwks.json: the active key and every rotated-out one."""
        return [dict(k.public_jwk) for k in self.keys if k.status in ("active", "rotated")]


class HubKeyring:
    def __init__(self, keys_dir: Path) -> None:
        self.directory = keys_dir / "hub"
        self.manifest = self.directory / "keyset.json"

    def exists(self) -> bool:
        return self.manifest.exists()

    def load(self) -> Keyset:
        try:
            data = json.loads(self.manifest.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyringError(f"no hub keys at {self.directory}; run `schakel keys init`") from None
        except (OSError, ValueError) as exc:
            raise KeyringError(f"{self.manifest} cannot be read: {type(exc).__name__}") from exc
        return Keyset(demo=bool(data.get("demo")), keys=[KeyEntry(**entry) for entry in data.get("keys", [])])

    def signing_key(self) -> SigningKey:
        return SigningKey.load(self._private_path(self.load().active.kid))

    def ed25519_key(self) -> Ed25519PrivateKey:
        """The active key as Ed25519 (what checkpoints are signed with); refuses any other kind."""
        key = self.signing_key().private_key
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyringError("the hub's active key is not Ed25519; run `schakel keys rotate`")
        return key

    def init(self, *, demo: bool) -> tuple[Keyset, bool]:
        """Create the keyset with one active key, unless it exists. Returns the keyset and whether it was created."""
        if self.exists():
            return self.load(), False
        keyset = Keyset(demo=demo, keys=[])
        self._add_active(keyset)
        return keyset, True

    def rotate(self) -> tuple[KeyEntry, KeyEntry]:
        """Make a new active key; the old one stays published as `rotated`. Returns (old, new)."""
        keyset = self.load()
        old = keyset.active
        old.status, old.rotated_at = "rotated", utcnow().isoformat()
        new = self._add_active(keyset)
        return old, new

    def retire(self, kid: str) -> KeyEntry:
        """Stop publishing a rotated-out key. The active key cannot be retired: rotate first."""
        keyset = self.load()
        for entry in keyset.keys:
            if entry.kid == kid:
                if entry.status == "active":
                    raise KeyringError("the active key cannot be retired; run `schakel keys rotate` first")
                if entry.status == "rotated":
                    entry.status, entry.retired_at = "retired", utcnow().isoformat()
                    self._save(keyset)
                return entry
        raise KeyringError(f"the hub keyset has no key {kid!r}")

    def production_problems(self) -> list[str]:
        """What makes these keys unfit for production, one sentence each."""
        if not self.exists():
            return [f"no hub signing key at {self.directory}; run `schakel keys init` on the production host"]
        try:
            keyset = self.load()
            active = keyset.active
        except KeyringError as exc:
            return [str(exc)]
        problems = []
        if keyset.demo:
            problems.append("the hub keys were made with --demo; run `schakel keys init` in a fresh keys dir")
        private = self._private_path(active.kid)
        if not private.exists():
            problems.append(f"the active key's private file {private.name} is missing")
        elif stat.S_IMODE(private.stat().st_mode) & 0o077:
            problems.append(f"{private.name} is readable by others; chmod 600 it")
        demo_dir = self.directory.parent / "demo"
        if demo_dir.exists() and any(demo_dir.iterdir()):
            problems.append(f"demo partner keys exist in {demo_dir}; remove them from a production host")
        return problems

    def _add_active(self, keyset: Keyset) -> KeyEntry:
        key = SigningKey.generate("EdDSA")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        key.save(self._private_path(key.kid))
        entry = KeyEntry(
            kid=key.kid,
            algorithm=key.algorithm,
            status="active",
            created_at=utcnow().isoformat(),
            public_jwk=key.public_jwk(),
        )
        keyset.keys.append(entry)
        self._save(keyset)
        return entry

    def _save(self, keyset: Keyset) -> None:
        data = {"demo": keyset.demo, "keys": [asdict(k) for k in keyset.keys]}
        temporary = self.manifest.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        temporary.replace(self.manifest)

    def _private_path(self, kid: str) -> Path:
        return self.directory / f"{kid}.private.jwk"
