"""Transparency-log formats on the partner's side: C2SP signed notes and checkpoints, RFC 9162 consistency proofs,
and C2SP tlog-cosignature (Ed25519, cosignature/v1).

Written from the public specifications, independently of the hub's own ledger code (it never imports `hub`): a
witness that shared the hub's verifier would share its bugs. Only the standard library and `cryptography`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DASH = "\u2014 "
"""A note signature line starts with an em dash and a space."""
NOTE_ED25519 = 0x01
"""The signature type of an Ed25519 signed-note key (the log's)."""
COSIGNATURE_ED25519 = 0x04
"""The signature type of an Ed25519 cosigner key (cosignature/v1)."""


class TlogError(ValueError):
    """A note, checkpoint, key or proof is malformed or does not verify; the message says which."""


@dataclass(frozen=True, slots=True)
class VerifierKey:
    name: str
    kind: int
    key: Ed25519PublicKey

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.key)

    def encode(self) -> str:
        raw = bytes([self.kind]) + self.key.public_bytes_raw()
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(raw).decode('ascii')}"


def key_id(name: str, kind: int, key: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([kind]) + key.public_bytes_raw()).digest()[:4]


def parse_vkey(text: str) -> VerifierKey:
    """A C2SP verifier key `<name>+<key id hex>+<base64(type || key)>`, Ed25519 of type 0x01 or 0x04."""
    name, _, rest = text.strip().partition("+")
    wanted, _, blob = rest.partition("+")
    try:
        raw = base64.b64decode(blob, validate=True)
        expected = bytes.fromhex(wanted)
    except ValueError:
        raise TlogError("a verifier key's key id or key is not valid hex or base64") from None
    if not name or len(expected) != 4 or len(raw) != 33 or raw[0] not in (NOTE_ED25519, COSIGNATURE_ED25519):
        raise TlogError("a verifier key has the form <name>+<8 hex digits>+<base64 of type 0x01 or 0x04 and key>")
    vkey = VerifierKey(name, raw[0], Ed25519PublicKey.from_public_bytes(raw[1:]))
    if vkey.key_id != expected:
        raise TlogError("a verifier key's key id does not match its name and key")
    return vkey


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    """The body, ending in a newline."""
    signatures: tuple[tuple[str, bytes], ...]
    """(key name, key id || signature bytes) per signature line."""


def parse_note(note: str) -> Note:
    text, separator, lines = note.rpartition("\n\n")
    if not separator or not text:
        raise TlogError("not a signed note: no blank line before the signatures")
    signatures = []
    for line in lines.splitlines():
        if not line.startswith(DASH):
            raise TlogError("a signature line must start with an em dash and a space")
        name, _, blob = line[len(DASH) :].partition(" ")
        try:
            raw = base64.b64decode(blob, validate=True)
        except ValueError:
            raise TlogError("a signature is not valid base64") from None
        if len(raw) < 5:
            raise TlogError("a signature is too short")
        signatures.append((name, raw))
    return Note(text + "\n", tuple(signatures))


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise TlogError("a checkpoint has an origin, a size and a root hash, each on its own line")
    origin, size, root = lines[0], lines[1], lines[2]
    if not size.isdigit() or (size != "0" and size.startswith("0")) or len(size) > 19:
        raise TlogError("the tree size is not a decimal number")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except ValueError:
        raise TlogError("the root hash is not valid base64") from None
    if len(root_hash) != 32 or not origin:
        raise TlogError("the checkpoint's origin or root hash is not valid")
    return Checkpoint(origin, int(size), root_hash)


def signed_by(note: Note, vkey: VerifierKey) -> bool:
    """Whether the note carries a valid signature by this note key (type 0x01) over its text."""
    for name, raw in note.signatures:
        if name == vkey.name and raw[:4] == vkey.key_id:
            try:
                vkey.key.verify(raw[4:], note.text.encode("utf-8"))
            except InvalidSignature:
                continue
            return True
    return False


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode("utf-8")


def cosign(text: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """A cosignature/v1 signature line over a checkpoint's text, as of `timestamp` (POSIX seconds)."""
    signature = key.sign(_cosigned_message(text, timestamp))
    blob = key_id(name, COSIGNATURE_ED25519, key.public_key()) + timestamp.to_bytes(8, "big") + signature
    return f"{DASH}{name} {base64.b64encode(blob).decode('ascii')}\n"


def cosigned_by(note: Note, vkey: VerifierKey) -> int | None:
    """The timestamp of a valid cosignature by this cosigner key (type 0x04) on the note's text, or None."""
    for name, raw in note.signatures:
        if name != vkey.name or raw[:4] != vkey.key_id or len(raw) != 4 + 8 + 64:
            continue
        timestamp = int.from_bytes(raw[4:12], "big")
        try:
            vkey.key.verify(raw[12:], _cosigned_message(note.text, timestamp))
        except InvalidSignature:
            continue
        return timestamp
    return None


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def verify_consistency(old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes) -> bool:
    """RFC 9162 section 2.1.4.2: is the tree of `new_size` an append-only extension of the one of `old_size`?"""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
