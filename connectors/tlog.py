"""The verstrekkingenlog's public formats, one implementation for the hub, a witness and a reviewer alike: C2SP signed
notes and checkpoints (Ed25519), C2SP tlog-cosignature (cosignature/v1), and RFC 9162 Merkle trees with their
inclusion and consistency proofs.

Written from the public specifications; its tests hold it to known answers made with the Go team's
`golang.org/x/mod/sumdb/note` and `sumdb/tlog` (tests/connectors/golden/): what Go made, this accepts; what this
makes, Go accepts. Only the standard library and `cryptography`; it never imports `hub`.

Verification raises a `TlogError` whose class (and `part`) names what failed: the format, the key, the signature,
the size, the root or the proof.

    leaf hash      SHA-256(0x00 || entry bytes)
    interior node  SHA-256(0x01 || left || right)
    MTH({})        SHA-256("")
    checkpoint     <origin>\\n<tree size, decimal>\\n<root hash, base64>\\n[extension lines]
    signed note    <text>\\n— <key name> <base64(key id || signature)>\\n...
    key id         SHA-256(key name || 0x0A || type || 32-byte Ed25519 public key)[:4]
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
MAX_SIZE = 2**63 - 1
"""The largest tree size a checkpoint may state (a signed 64-bit number, as Go's `tlog` reads it)."""
EMPTY_ROOT = hashlib.sha256(b"").digest()


class TlogError(ValueError):
    """A note, checkpoint, key or proof is malformed or does not verify; the message says how, `part` what."""

    part = "format"


class KeyMismatch(TlogError):
    """No signature by the key asked for, or a key that is not the kind asked for."""

    part = "key"


class SignatureInvalid(TlogError):
    """A signature by the key asked for does not verify: the text was altered."""

    part = "signature"


class SizeInvalid(TlogError):
    """A tree size or leaf index that cannot be (negative, too large, or an old size beyond the new one)."""

    part = "size"


class ProofInvalid(TlogError):
    """A proof of the wrong length or shape for the sizes it is for."""

    part = "proof"


class RootMismatch(TlogError):
    """A proof that leads to another root than the one stated."""

    part = "root"


# Keys


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
        raise KeyMismatch("a verifier key's key id does not match its name and key")
    return vkey


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """A log's C2SP note verifier key: `<name>+<key id, 8 hex digits>+<base64(0x01 || public key)>`."""
    return VerifierKey(name, NOTE_ED25519, public_key).encode()


def parse_verifier_key(text: str) -> tuple[str, Ed25519PublicKey]:
    """(name, public key) of a log's verifier key; a witness's key (type 0x04) is a `KeyMismatch`."""
    parsed = parse_vkey(text)
    if parsed.kind != NOTE_ED25519:
        raise KeyMismatch("not a log's note key (type 0x01): a witness's key cannot sign checkpoints")
    return parsed.name, parsed.key


# Signed notes


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


def sign(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """A signed note: `text` (ending in a newline, no blank line) with one signature by `name`'s note key."""
    if not text.endswith("\n") or "\n\n" in text:
        raise TlogError("note text must end in a newline and hold no blank line")
    if " " in name or "+" in name or not name:
        raise TlogError("a key name has no spaces or plus signs")
    signature = key.sign(text.encode("utf-8"))
    blob = base64.b64encode(key_id(name, NOTE_ED25519, key.public_key()) + signature).decode("ascii")
    return f"{text}\n{DASH}{name} {blob}\n"


def verify_note(note: Note, vkey: VerifierKey) -> None:
    """Raises unless the note carries a valid signature by this note key (type 0x01) over its text."""
    found = False
    for name, raw in note.signatures:
        if name != vkey.name or raw[:4] != vkey.key_id:
            continue
        found = True
        try:
            vkey.key.verify(raw[4:], note.text.encode("utf-8"))
        except InvalidSignature:
            continue
        return
    if found:
        raise SignatureInvalid(f"the signature by {vkey.name} does not verify: the note was altered")
    raise KeyMismatch(f"the note carries no signature by {vkey.name} with this key")


def open_note(note: str, name: str, public_key: Ed25519PublicKey) -> str:
    """The note's text, once a signature by `name` with this note key verifies over it."""
    parsed = parse_note(note)
    verify_note(parsed, VerifierKey(name, NOTE_ED25519, public_key))
    return parsed.text


def signed_by(note: Note, vkey: VerifierKey) -> bool:
    """Whether `verify_note` holds: for asking which of several keys signed."""
    try:
        verify_note(note, vkey)
    except TlogError:
        return False
    return True


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


# Checkpoints


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """A checkpoint's text (extension lines after the root are allowed and ignored)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise TlogError("a checkpoint has an origin, a size and a root hash, each on its own line")
    origin, size, root_line = lines[0], lines[1], lines[2]
    if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
        raise TlogError("the tree size is not a decimal number")
    if len(size) > 19 or int(size) > MAX_SIZE:
        raise SizeInvalid(f"the tree size is larger than {MAX_SIZE}")
    try:
        root_hash = base64.b64decode(root_line, validate=True)
    except ValueError:
        raise TlogError("the root hash is not valid base64") from None
    if len(root_hash) != 32 or not origin:
        raise TlogError("the checkpoint's origin or root hash is not valid")
    return Checkpoint(origin, int(size), root_hash)


# RFC 9162 Merkle trees


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes (not entries), computed bottom-up in O(n)."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 section 2.1.3.1, over leaf hashes."""
    n = len(leaves)
    if not 0 <= index < n:
        raise SizeInvalid("leaf index outside the tree")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_path(index, leaves[:k]), root(leaves[k:])]
    return [*inclusion_path(index - k, leaves[k:]), root(leaves[:k])]


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 section 2.1.4.1, over leaf hashes."""
    if not 0 <= old_size <= len(leaves):
        raise SizeInvalid("the old size must lie between 0 and the tree size")
    if old_size in (0, len(leaves)):
        return []
    return _subproof(old_size, leaves, complete=True)


def _subproof(m: int, leaves: Sequence[bytes], *, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete=complete), root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], complete=False), root(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes) -> None:
    """RFC 9162 section 2.1.3.2: raises unless `path` proves leaf hash `leaf` at `index` in the tree of `size` with
    root `expected_root`."""
    if not 0 <= index < size:
        raise SizeInvalid(f"leaf {index} lies outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofInvalid(f"the inclusion proof is longer than a tree of size {size} needs")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofInvalid(f"the inclusion proof is shorter than a tree of size {size} needs")
    if r != expected_root:
        raise RootMismatch(f"the inclusion proof of leaf {index} leads to another root than the tree's")


def verify_consistency(old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes) -> None:
    """RFC 9162 section 2.1.4.2: raises unless the tree of `new_size` is an append-only extension of the one of
    `old_size`."""
    if not 0 <= old_size <= new_size:
        raise SizeInvalid(f"an old size of {old_size} does not lie between 0 and the new size {new_size}")
    if old_size in {0, new_size}:
        if proof:
            raise ProofInvalid("from an empty tree, or a tree to itself, the consistency proof is empty")
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise RootMismatch("the old root is not the root of the empty tree")
        if old_size == new_size and old_root != new_root:
            raise RootMismatch("a tree of the same size with another root: the log was rewritten")
        return
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node of the path
        path.insert(0, old_root)
    found_old, found_new = _consistency_roots(old_size, new_size, path)
    if found_old != old_root:
        raise RootMismatch(f"the consistency proof leads to another root for size {old_size}: the past was rewritten")
    if found_new != new_root:
        raise RootMismatch(f"the consistency proof leads to another root for size {new_size}")


def _consistency_roots(old_size: int, new_size: int, path: Sequence[bytes]) -> tuple[bytes, bytes]:
    """The two roots a consistency path (with the old root first, for an old size that is a power of two) leads to."""
    if not path:
        raise ProofInvalid("the consistency proof is empty")
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofInvalid("the consistency proof is longer than the sizes need")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofInvalid("the consistency proof is shorter than the sizes need")
    return fr, sr
