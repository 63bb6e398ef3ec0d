"""Writing and proving the verstrekkingenlog: append in the caller's transaction, sign checkpoints, give proofs,
export bundles."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection
from sqlmodel import Session

from connectors.tlog import Checkpoint, leaf_hash, sign
from hub import refusals
from hub.errors import ConfigurationError, SchakelError, on_record
from hub.kit.canonical import canonical_json
from hub.kit.progress import steps
from hub.ledger import repository, tree
from hub.ledger.entries import Context, Entry, body, commitment, limiet, new_salt
from hub.ledger.models import LedgerCheckpoint, LedgerCosignature, LedgerTerugzetting
from hub.ledger.repository import Prepared


def origin_for(public_url: str) -> str:
    """The default name of a new log: the hub's host, then `/verstrekkingenlog` (a note key name has no scheme)."""
    return f"{urlsplit(public_url).netloc}/verstrekkingenlog"


def log_origin(session: Session, configured: str | None, public_url: str) -> str:
    """The log's permanent name (C2SP origin), the same for the hub and every CLI command: the origin of its first
    checkpoint once it has one, else `configured` (SCHAKEL_LOG_ORIGIN), else the default from the public URL.
    A configured origin that differs from the one the log already has is a ConfigurationError: a log never
    changes its name (a verifier pins it)."""
    first = repository.first_checkpoint(session)
    if first is None:
        return configured or origin_for(public_url)
    origin = first.note.split("\n", 1)[0]
    if configured is not None and configured != origin:
        raise ConfigurationError(
            f"SCHAKEL_LOG_ORIGIN is {configured!r}, but this log is named {origin!r} since its first checkpoint; "
            "a log keeps its name (reviewers pin it): unset SCHAKEL_LOG_ORIGIN or set it to that name"
        )
    return origin


def prepare(entry: Entry | dict[str, Any], now: datetime) -> Prepared:
    """The canonical bytes, leaf hash, index columns and commitment opening of one entry.

    A plain dict is written as it is (tests and tools); an `Entry` gets its version, kind, time and commitment.
    """
    if isinstance(entry, dict):
        data = canonical_json(entry)
        return Prepared(data, leaf_hash(data), {"soort": str(entry.get("soort")) if "soort" in entry else None})
    subject = None
    betrokkene_id = None
    if entry.betrokkene is not None:
        salt = new_salt()
        betrokkene_id = commitment(salt, entry.betrokkene.log_pseudonym)
        subject = (entry.betrokkene.log_pseudonym, salt)
    data = canonical_json(body(entry, now, betrokkene_id))
    index = {
        "soort": str(entry.soort),
        "verstrekker": entry.verstrekker,
        "ontvanger": entry.ontvanger,
        "doel": entry.doel,
        "besluit": entry.besluit,
        "berichttype": entry.berichttype,
        "categorieen": "|" + "|".join(entry.categorieen) + "|" if entry.categorieen else None,
    }
    return Prepared(data, leaf_hash(data), index, subject)


def append(session: Session, entries: Sequence[Entry | dict[str, Any]], now: datetime) -> range:
    """Append entries in the caller's transaction (for the occasional entry; the meldingen flow uses the
    sequencer, which commits many producers' entries at once)."""
    return append_prepared(session.connection(), [prepare(e, now) for e in entries], now)


def append_prepared(connection: Connection, prepared: Sequence[Prepared], now: datetime) -> range:
    if not prepared:
        return range(0)
    first = repository.reserve(connection, len(prepared))
    repository.write(connection, prepared, first, now)
    return range(first, first + len(prepared))


def reserve(connection: Connection, count: int) -> int:
    """The first of `count` positions taken at the end of the log, in the connection's transaction (which must then
    `write_reserved` exactly that many entries before it commits)."""
    return repository.reserve(connection, count) if count else 0


def write_reserved(connection: Connection, prepared: Sequence[Prepared], first: int, now: datetime) -> None:
    if prepared:
        repository.write(connection, prepared, first, now)


def tree_root(connection: Connection, size: int) -> bytes:
    return tree.range_hash(0, size, repository.nodes(connection, set(tree.range_keys(0, size))))


def sign_checkpoint(session: Session, origin: str, key: Ed25519PrivateKey, now: datetime) -> LedgerCheckpoint:
    """Sign the log as it stands: its size and Merkle root, as a C2SP signed note (none new if nothing changed).
    `origin` names a new log; a log that has a checkpoint keeps the name of its first one, whoever signs."""
    found = repository.terugzettingen(session)
    if found:
        raise refusals.LogRolledBack(
            f"the log was put back to {found[-1].grootte} entries behind a checkpoint of {found[-1].bekend} known to "
            f"{found[-1].bron}: the hub signs no checkpoint over it"
        )
    first = repository.first_checkpoint(session)
    if first is not None:
        origin = first.note.split("\n", 1)[0]
    connection = session.connection()
    size = repository.size(connection)
    latest = repository.latest_checkpoint(session)
    if latest is not None and latest.size == size:
        return latest
    root = tree_root(connection, size)
    note = sign(Checkpoint(origin, size, root).text(), origin, key)
    checkpoint = LedgerCheckpoint(size=size, root=root, note=note, signed_at=now)
    repository.add_checkpoint(session, checkpoint)
    return checkpoint


def note_rolled_back(session: Session, size: int, known: int, source: str, now: datetime) -> LedgerTerugzetting:
    """Record that the log (of `size` entries) lies behind a checkpoint of `known` entries that `source` (a witness,
    or `controlepunt`) knew: from now on the hub signs no checkpoint over it (`sign_checkpoint` refuses)."""
    lost = known - size
    reason = f"De verstrekkingenlog heeft {size} vastleggingen, maar {source} kent een controlepunt van {known}" + (
        f": {lost} vastleggingen ontbreken." if lost > 0 else " met een andere inhoud."
    )
    found = LedgerTerugzetting(vastgesteld_op=now, grootte=size, bekend=known, bron=source[:200], reden=reason[:400])
    repository.add_terugzetting(session, found)
    return found


@dataclass(frozen=True, slots=True)
class Proof:
    index: int
    size: int
    hashes: list[bytes]


def inclusion_proof(connection: Connection, index: int, size: int) -> Proof:
    if not 0 <= index < size:
        raise refusals.ProofOutOfRange(f"entry {index} is not in a tree of {size} entries")
    planned = tree.inclusion_plan(index, size)
    nodes = repository.nodes(connection, {key for keys in planned for key in keys})
    return Proof(index, size, tree.fold(planned, nodes))


def inclusion_proofs(connection: Connection, indexes: Sequence[int], size: int) -> list[Proof]:
    """Many proofs against one tree size, with one query for all the nodes they need."""
    plans = [(i, tree.inclusion_plan(i, size)) for i in indexes]
    nodes = repository.nodes(connection, {key for _, planned in plans for keys in planned for key in keys})
    return [Proof(i, size, tree.fold(planned, nodes)) for i, planned in plans]


def consistency_proof(connection: Connection, old_size: int, size: int) -> list[bytes]:
    if not 0 <= old_size <= size:
        raise refusals.ProofOutOfRange("a consistency proof goes from a smaller size to a larger one")
    if size > repository.size(connection):
        raise refusals.ProofOutOfRange(f"the log has fewer than {size} entries")
    ranges = tree.consistency_ranges(old_size, size)
    return tree.hashes(ranges, repository.nodes(connection, tree.keys_for(ranges)))


def full_note(checkpoint: LedgerCheckpoint, cosignatures: Sequence[LedgerCosignature]) -> str:
    """The checkpoint's note with the witnesses' cosignature lines after the hub's own signature."""
    return checkpoint.note + "".join(row.regel for row in cosignatures)


def export(session: Session, directory: Path, public_jwks: list[dict[str, Any]]) -> int:
    """Write a bundle a reviewer verifies offline: entries with their exact bytes, checkpoints, the public keys."""
    directory.mkdir(parents=True, exist_ok=False)
    checkpoints = repository.checkpoints(session)
    size = checkpoints[-1].size if checkpoints else 0
    with (directory / "entries.jsonl").open("wb") as file:
        for _, entry in steps(repository.entries(session.connection(), size), total=size, description="Exporteren"):
            file.write(entry + b"\n")  # canonical JSON holds no newline: line i is entry i, byte for byte
    cosigned = repository.cosignatures(session, [c.id or 0 for c in checkpoints])
    with (directory / "checkpoints.jsonl").open("w", encoding="utf-8") as file:
        for checkpoint in checkpoints:
            note = full_note(checkpoint, cosigned.get(checkpoint.id or 0, []))
            file.write(json.dumps({"size": checkpoint.size, "note": note}) + "\n")
    (directory / "hub-keys.jwks").write_text(json.dumps({"keys": public_jwks}, indent=2) + "\n", encoding="utf-8")
    return size


def verstrekkingen_about(session: Session, log_pseudonyms: Sequence[str]) -> list[dict[str, Any]]:
    """Every `verstrekking` entry about the person with these log pseudonyms, oldest first, as the log holds it."""
    connection = session.connection()
    positions = [seq for seq, _, _ in repository.subject_rows(connection, log_pseudonyms)]
    entries = repository.entries_at(connection, positions)
    parsed = (orjson.loads(entries[seq]) for seq in sorted(entries))
    return [entry for entry in parsed if entry.get("soort") == "verstrekking"]


def related(session: Session, log_pseudonyms: Sequence[str], partner: str) -> bool:
    """Whether the log shows `partner` sent a melding about this person, or received data about them."""
    return repository.related(session.connection(), log_pseudonyms, partner)


def refused_at_cap(
    session: Session,
    refusal: refusals.LijstTeLang | refusals.LimietBereikt,
    *,
    partner: str,
    door: str,
    context: Context,
    now: datetime,
) -> SchakelError:
    """Put a refusal at a cap on the log (who, which cap) and hand it back to raise: the record stays."""
    append(
        session, [limiet(context=context, partner=partner, door=door, limiet=refusal.limiet, grens=refusal.grens)], now
    )
    return on_record(refusal)


def disclosers_to(session: Session, log_pseudonyms: Sequence[str], ontvanger: str, doel: str) -> set[str]:
    """Who disclosed data about this person (by their log pseudonyms) to `ontvanger` under `doel`, as the log shows."""
    return repository.disclosers_to(session.connection(), log_pseudonyms, ontvanger, doel)


def forget(session: Session, log_pseudonyms: Sequence[str]) -> int:
    """Erasure: delete the openings of this person's commitments (under every key version's log pseudonym).
    Their entries stay, and verify, but can no longer be tied to them."""
    return repository.forget_subject(session.connection(), log_pseudonyms)
