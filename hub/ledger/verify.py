"""The offline verifier of a verstrekkingenlog bundle. Needs only the standard library and `cryptography`.

A bundle is a directory with `entries.jsonl` (line i is the exact bytes of entry i: canonical JSON has no
newline in it), `checkpoints.jsonl` ({"size", "note"}) and `hub-keys.jwks`. Verification: every checkpoint is
signed by a hub key and its root is the Merkle root of the first `size` entries; the newest checkpoint covers
every entry; and, given the checkpoint a reviewer kept from last time, the log has only grown since (a consistency
proof from that size to the newest, verified against both roots). With `strict`, every entry must also be
canonical JSON (a check of the hub's writing, not of integrity: the hashes already fix every byte).

Large bundles are hashed by several processes, each over its own stretch of the file.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import multiprocessing
import os
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hub.ledger.merkle import node_hash, verify_consistency
from hub.ledger.note import Checkpoint, NoteError, open_note, parse_checkpoint
from hub.ledger.tree import NodeKey, consistency_ranges, hashes, range_hash

_PARALLEL_FROM_BYTES = 16 * 1024 * 1024


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


class Levels(Mapping[NodeKey, bytes]):
    """Every perfect subtree's hash, level by level, computed once from the leaf hashes."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.levels = [leaves]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    def __getitem__(self, key: NodeKey) -> bytes:
        level, index = key
        return self.levels[level][index]

    def __iter__(self) -> Iterator[NodeKey]:
        return ((level, i) for level, row in enumerate(self.levels) for i in range(len(row)))

    def __len__(self) -> int:
        return sum(len(row) for row in self.levels)


def _hash_lines(data: bytes) -> list[bytes]:
    sha256 = hashlib.sha256
    return [sha256(b"\x00" + line).digest() for line in data.split(b"\n")]


def _hash_stretch(path: str, start: int, end: int) -> bytes:
    with Path(path).open("rb") as file:
        file.seek(start)
        return b"".join(_hash_lines(file.read(end - start - 1)))  # the stretch ends in a newline


def leaf_hashes(path: Path, *, parallel_from: int = _PARALLEL_FROM_BYTES) -> list[bytes]:
    """SHA-256(0x00 || line) of every line of `entries.jsonl`, in order (in several processes past `parallel_from`
    bytes)."""
    size = path.stat().st_size
    if size == 0:
        return []
    workers = min(os.cpu_count() or 1, 8)
    if size < parallel_from or workers == 1:
        data = path.read_bytes()
        return _hash_lines(data[:-1] if data.endswith(b"\n") else data)
    bounds = [0]
    with path.open("rb") as file:
        for k in range(1, workers):
            file.seek(max(size * k // workers, bounds[-1]))
            file.readline()
            bounds.append(min(file.tell(), size))
    bounds.append(size)
    stretches = [(str(path), a, b) for a, b in itertools.pairwise(bounds) if b > a]
    # fork is fast; a process with other threads spawns instead (forking it could copy a held lock).
    context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    with ProcessPoolExecutor(max_workers=len(stretches), mp_context=context) as pool:
        joined = b"".join(pool.map(_hash_stretch, *zip(*stretches, strict=True)))
    return [joined[i : i + 32] for i in range(0, len(joined), 32)]


def _open(note: str, origin: str | None, keys: list[Ed25519PublicKey]) -> Checkpoint:
    name = origin or note.split("\n", 1)[0]
    for key in keys:
        try:
            return parse_checkpoint(open_note(note, name, key))
        except NoteError:
            continue
    raise NoteError("no hub key verifies this checkpoint's signature")


def _canonical_problems(path: Path) -> list[str]:
    problems = []
    with path.open("rb") as file:
        for number, line in enumerate(file):
            entry = line.rstrip(b"\n")
            try:
                again = json.dumps(json.loads(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            except ValueError:
                again = ""
            if again.encode("utf-8") != entry:
                problems.append(f"entry {number} is not canonical JSON")
    return problems


def verify_bundle(
    directory: Path, *, keys: list[Ed25519PublicKey] | None = None, kept: str | None = None, strict: bool = False
) -> Verdict:
    """Check a bundle; `keys` are the hub's public keys you trust (default: the bundle's own), `kept` a checkpoint
    note you kept from an earlier verification."""
    verdict = Verdict()
    if keys is None:
        keys = public_keys(json.loads((directory / "hub-keys.jwks").read_text(encoding="utf-8")))
    entries = directory / "entries.jsonl"
    with entries.open("rb") as file:
        file.seek(max(entries.stat().st_size - 1, 0))
        if entries.stat().st_size and file.read(1) != b"\n":
            verdict.problems.append("entries.jsonl does not end in a newline: it was cut off")
    tree = Levels(leaf_hashes(entries))
    count = len(tree.levels[0])
    if strict:
        verdict.problems.extend(_canonical_problems(entries))
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
        if checkpoint.size > count or range_hash(0, checkpoint.size, tree) != checkpoint.root:
            verdict.problems.append(
                f"the entries do not give the signed root at size {checkpoint.size}: the log was altered"
            )
        if newest is None or checkpoint.size >= newest.size:
            newest = checkpoint
    if newest is None:
        return verdict
    if newest.size != count:
        verdict.problems.append(f"{count - newest.size} entries lie beyond the newest checkpoint and are not signed")
    verdict.size, verdict.root = newest.size, newest.root
    if kept is not None:
        _check_kept(verdict, kept, newest, tree, keys)
    return verdict


def _check_kept(verdict: Verdict, kept: str, newest: Checkpoint, tree: Levels, keys: list[Ed25519PublicKey]) -> None:
    try:
        old = _open(kept, newest.origin, keys)
    except NoteError as exc:
        verdict.problems.append(f"the checkpoint you kept: {exc}")
        return
    if old.size > newest.size:
        verdict.problems.append(f"the log shrank: you kept size {old.size}, the newest checkpoint says {newest.size}")
        return
    if newest.size > len(tree.levels[0]):
        return  # reported already: the entries do not reach the newest checkpoint
    proof = hashes(consistency_ranges(old.size, newest.size), tree)
    if not verify_consistency(old.size, newest.size, proof, old.root, newest.root):
        verdict.problems.append(
            f"the log is not an extension of the one you kept at size {old.size}: its past was rewritten"
        )
