"""The privacy secrets, as files under `<keys_dir>/privacy/` (mode 0600, never committed):

    pseudonym-k<version>.secret   a 256-bit master secret per pseudonym key version (the highest is active)
    kek-<n>.key                   the vault's key-encryption key (AES-256), which wraps every person's data key

In the embedded default these are files; `KeyEncryptionKey` is the seam for a KMS or HSM.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap

from connectors import write_secret_file
from hub.errors import ConfigurationError
from hub.pseudonym.scheme import HmacPseudonyms

_PSEUDONYM = re.compile(r"^pseudonym-k([1-9][0-9]*)\.secret$")
_KEK = re.compile(r"^kek-([1-9][0-9]*)\.key$")


class SecretsMissing(ConfigurationError):
    """The privacy secrets are missing or unreadable; the message says what to run."""


class FileKek:
    """A key-encryption key in a file: AES key wrap (RFC 3394) of 256-bit data keys."""

    def __init__(self, key_id: str, key: bytes) -> None:
        if len(key) != 32:
            raise SecretsMissing(f"the vault key {key_id} must be 256 bits")
        self.key_id = key_id
        self._key = key

    def wrap(self, data_key: bytes) -> bytes:
        return aes_key_wrap(self._key, data_key)

    def unwrap(self, wrapped: bytes) -> bytes:
        return aes_key_unwrap(self._key, wrapped)


class PrivacySecrets:
    def __init__(self, keys_dir: Path) -> None:
        self.directory = keys_dir / "privacy"

    def init(self) -> bool:
        """Create the first pseudonym secret and vault key unless present. Returns whether it made any."""
        made = False
        if not self._versions(_PSEUDONYM):
            write_secret_file(self.directory / "pseudonym-k1.secret", os.urandom(32).hex() + "\n")
            made = True
        if not self._versions(_KEK):
            write_secret_file(self.directory / "kek-1.key", os.urandom(32).hex() + "\n")
            made = True
        self.directory.chmod(0o700)
        return made

    def rotate_pseudonyms(self) -> int:
        """Add a new pseudonym key version (the old ones stay, to recognise and translate old pseudonyms)."""
        version = max(self._versions(_PSEUDONYM), default=0) + 1
        write_secret_file(self.directory / f"pseudonym-k{version}.secret", os.urandom(32).hex() + "\n")
        return version

    def pseudonyms(self) -> HmacPseudonyms:
        versions = self._versions(_PSEUDONYM)
        if not versions:
            raise SecretsMissing(f"no pseudonym secret in {self.directory}; run `schakel keys init`")
        secrets = {v: self._read(f"pseudonym-k{v}.secret") for v in versions}
        return HmacPseudonyms(secrets, active_version=max(versions))

    def kek(self) -> FileKek:
        versions = self._versions(_KEK)
        if not versions:
            raise SecretsMissing(f"no vault key in {self.directory}; run `schakel keys init`")
        return FileKek(f"kek-{max(versions)}", self._read(f"kek-{max(versions)}.key"))

    def production_problems(self) -> list[str]:
        problems = []
        for pattern, what in ((_PSEUDONYM, "pseudonym secret"), (_KEK, "vault key")):
            if not self._versions(pattern):
                problems.append(f"no {what} in {self.directory}; run `schakel keys init` on the production host")
        if self.directory.exists():
            for path in self.directory.iterdir():
                if stat.S_IMODE(path.stat().st_mode) & 0o077:
                    problems.append(f"{path.name} is readable by others; chmod 600 it")
        return problems

    def _versions(self, pattern: re.Pattern[str]) -> list[int]:
        if not self.directory.is_dir():
            return []
        return sorted(int(m[1]) for p in self.directory.iterdir() if (m := pattern.match(p.name)))

    def _read(self, name: str) -> bytes:
        try:
            return bytes.fromhex((self.directory / name).read_text(encoding="ascii").strip())
        except (OSError, ValueError) as exc:
            raise SecretsMissing(f"{self.directory / name} cannot be read: {type(exc).__name__}") from exc
