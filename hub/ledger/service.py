"""Writing the verstrekkingenlog: append entries in the caller's transaction, sign checkpoints, export bundles."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from hub.kit.canonical import canonical_json
from hub.ledger import repository
from hub.ledger.merkle import leaf_hash, root
from hub.ledger.models import LedgerCheckpoint
from hub.ledger.note import Checkpoint, sign


def origin_for(public_url: str) -> str:
    """The log's permanent name: the hub's host, then `/verstrekkingenlog` (a signed-note key name has no scheme)."""
    return f"{urlsplit(public_url).netloc}/verstrekkingenlog"


def append(session: Session, entries: Sequence[Mapping[str, Any]], now: datetime) -> range:
    """Append entries (plain JSON data: no floats, no direct identifiers) in the caller's transaction."""
    leaves = [(data, leaf_hash(data)) for data in (canonical_json(dict(e)) for e in entries)]
    return repository.append(session, leaves, now)


def sign_checkpoint(session: Session, origin: str, key: Ed25519PrivateKey, now: datetime) -> LedgerCheckpoint:
    """Sign the log as it stands: its size and Merkle root, as a C2SP signed note."""
    size = repository.size(session)
    tree_root = root(repository.leaf_hashes(session, size))
    note = sign(Checkpoint(origin, size, tree_root).text(), origin, key)
    checkpoint = LedgerCheckpoint(size=size, root=tree_root, note=note, signed_at=now)
    repository.add_checkpoint(session, checkpoint)
    return checkpoint


def export(session: Session, directory: Path, public_jwks: list[dict[str, Any]]) -> int:
    """Write a bundle a reviewer verifies offline: entries with their exact bytes, checkpoints, the public keys."""
    directory.mkdir(parents=True, exist_ok=False)
    checkpoints = repository.checkpoints(session)
    size = checkpoints[-1].size if checkpoints else 0
    with (directory / "entries.jsonl").open("w", encoding="utf-8") as file:
        for seq, entry in repository.entries(session, size):
            file.write(json.dumps({"seq": seq, "entry": base64.b64encode(entry).decode("ascii")}) + "\n")
    with (directory / "checkpoints.jsonl").open("w", encoding="utf-8") as file:
        for checkpoint in checkpoints:
            file.write(json.dumps({"size": checkpoint.size, "note": checkpoint.note}) + "\n")
    (directory / "hub-keys.jwks").write_text(json.dumps({"keys": public_jwks}, indent=2) + "\n", encoding="utf-8")
    return size
