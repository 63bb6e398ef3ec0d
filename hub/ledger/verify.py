"""The offline verifier of a verstrekkingenlog bundle. Needs only the standard library and `cryptography`.

A bundle is a directory with `entries.jsonl` ({"seq", "entry": base64 of the exact bytes}), `checkpoints.jsonl`
({"size", "note"}) and `hub-keys.jwks`. Verification: every entry is at its place (0, 1, 2, ...) and is canonical
JSON; every checkpoint is signed by a hub key and its root is the Merkle root of the first `size` entries; the
newest checkpoint covers every entry; and, given the checkpoint a reviewer kept from last time, the log has only
grown since (a consistency proof from that size to the newest, verified against both roots).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hub.ledger.merkle import consistency_proof, leaf_hash, root, verify_consistency
from hub.ledger.note import Checkpoint, NoteError, open_note, parse_checkpoint


@dataclass
class Verdict:
    size: int = 0
    root: bytes = b""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def public_keys(jwks: dict[str, Any]) -> list[Ed25519PublicKey]:
    keys = []
    for jwk in jwks.get("keys", []):
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
            keys.append(Ed25519PublicKey.from_public_bytes(raw))
    return keys


def _open(note: str, origin: str | None, keys: list[Ed25519PublicKey]) -> Checkpoint:
    name = origin or note.split("\n", 1)[0]
    for key in keys:
        try:
            return parse_checkpoint(open_note(note, name, key))
        except NoteError:
            continue
    raise NoteError("no hub key verifies this checkpoint's signature")


def verify_bundle(directory: Path, *, keys: list[Ed25519PublicKey] | None = None, kept: str | None = None) -> Verdict:
    """Check a bundle; `keys` are the hub's public keys you trust (default: the bundle's own), `kept` a checkpoint
    note you kept from an earlier verification."""
    verdict = Verdict()
    if keys is None:
        keys = public_keys(json.loads((directory / "hub-keys.jwks").read_text(encoding="utf-8")))
    leaves: list[bytes] = []
    for number, line in enumerate((directory / "entries.jsonl").read_text(encoding="utf-8").splitlines()):
        record = json.loads(line)
        entry = base64.b64decode(record["entry"], validate=True)
        if record["seq"] != number:
            verdict.problems.append(
                f"entry {record['seq']} stands at place {number}: entries are missing, added or reordered"
            )
            return verdict
        if json.dumps(json.loads(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() != entry:
            verdict.problems.append(f"entry {number} is not canonical JSON: it was altered")
        leaves.append(leaf_hash(entry))
    checkpoints = [
        json.loads(line) for line in (directory / "checkpoints.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    if not checkpoints:
        verdict.problems.append("the bundle holds no checkpoint: nothing is signed")
        return verdict
    newest: Checkpoint | None = None
    for record in checkpoints:
        try:
            checkpoint = _open(record["note"], None, keys)
        except NoteError as exc:
            verdict.problems.append(f"checkpoint at size {record['size']}: {exc}")
            continue
        if checkpoint.size > len(leaves) or root(leaves[: checkpoint.size]) != checkpoint.root:
            verdict.problems.append(
                f"the entries do not give the signed root at size {checkpoint.size}: the log was altered"
            )
        if newest is None or checkpoint.size >= newest.size:
            newest = checkpoint
    if newest is None:
        return verdict
    if newest.size != len(leaves):
        verdict.problems.append(
            f"{len(leaves) - newest.size} entries lie beyond the newest checkpoint and are not signed"
        )
    verdict.size, verdict.root = newest.size, newest.root
    if kept is not None:
        _check_kept(verdict, kept, newest, leaves, keys)
    return verdict


def _check_kept(
    verdict: Verdict, kept: str, newest: Checkpoint, leaves: list[bytes], keys: list[Ed25519PublicKey]
) -> None:
    try:
        old = _open(kept, newest.origin, keys)
    except NoteError as exc:
        verdict.problems.append(f"the checkpoint you kept: {exc}")
        return
    if old.size > newest.size:
        verdict.problems.append(f"the log shrank: you kept size {old.size}, the newest checkpoint says {newest.size}")
        return
    proof = consistency_proof(old.size, leaves[: newest.size])
    if not verify_consistency(old.size, newest.size, proof, old.root, newest.root):
        verdict.problems.append(
            f"the log is not an extension of the one you kept at size {old.size}: its past was rewritten"
        )
