"""Checkpoints in the C2SP signed-note format, signed with Ed25519.

A checkpoint's text is three lines:

    <origin>
    <tree size, decimal>
    <root hash, base64>

and a signed note is that text, a blank line, and one line per signature:

    — <key name> <base64(key id || signature)>

The key id is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key); the signature
is Ed25519 over the text bytes. Only the standard library and `cryptography`: part of the offline verifier.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from connectors.tlog import NOTE_ED25519, TlogError, VerifierKey, parse_vkey

_SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space
_ED25519 = b"\x01"


class NoteError(ValueError):
    """A note or checkpoint is malformed, or its signature does not verify; the message says which."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(name.encode("utf-8") + b"\n" + _ED25519 + raw).digest()[:4]


def sign(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("note text must end in a newline and hold no blank line")
    if " " in name or "+" in name or not name:
        raise NoteError("a key name has no spaces or plus signs")
    signature = private_key.sign(text.encode("utf-8"))
    blob = base64.b64encode(key_id(name, private_key.public_key()) + signature).decode("ascii")
    return f"{text}\n{_SIGNATURE_PREFIX}{name} {blob}\n"


def open_note(note: str, name: str, public_key: Ed25519PublicKey) -> str:
    """The note's text, if a signature by `name` with this key verifies over it. Raises NoteError otherwise."""
    text, separator, signatures = note.rpartition("\n\n")
    if not separator or not text:
        raise NoteError("not a signed note: no blank line before the signatures")
    text += "\n"
    wanted = key_id(name, public_key)
    for line in signatures.splitlines():
        if not line.startswith(_SIGNATURE_PREFIX):
            raise NoteError("a signature line must start with an em dash and a space")
        signer, _, blob = line[len(_SIGNATURE_PREFIX) :].partition(" ")
        try:
            raw = base64.b64decode(blob, validate=True)
        except ValueError:
            raise NoteError("a signature is not valid base64") from None
        if signer != name or raw[:4] != wanted:
            continue
        try:
            public_key.verify(raw[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise NoteError(f"the signature by {name} does not verify: the note was altered") from None
        return text
    raise NoteError(f"the note carries no signature by {name} with this key")


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a size and a root hash, each on its own line")
    origin, size, root = lines[0], lines[1], lines[2]
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        raise NoteError("the tree size is not a decimal number")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except ValueError:
        raise NoteError("the root hash is not valid base64") from None
    if len(root_hash) != 32 or not origin:
        raise NoteError("the checkpoint's origin or root hash is not valid")
    return Checkpoint(origin, int(size), root_hash)


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The C2SP note verifier key: `<name>+<key id, 8 hex digits>+<base64(0x01 || public key)>`."""
    return VerifierKey(name, NOTE_ED25519, public_key).encode()


def parse_verifier_key(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """(name, public key) of a log's C2SP verifier key; NoteError when it is malformed, altered or not a note key."""
    try:
        parsed = parse_vkey(vkey)
    except TlogError as exc:
        raise NoteError(str(exc)) from None
    if parsed.kind != NOTE_ED25519:
        raise NoteError("not a log's note key (type 0x01): a witness's key cannot sign checkpoints")
    return parsed.name, parsed.key
