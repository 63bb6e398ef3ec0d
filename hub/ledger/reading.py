"""Reading the verstrekkingenlog: pages of entries for reviewers, single entries with their proofs.

Every read that returns entries about betrokkenen is itself an entry (`raadpleging`), in the same transaction
as the read: who read which positions, and why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from hub import refusals
from hub.kit.clock import dutch_date
from hub.ledger import repository, service
from hub.ledger.entries import Context, raadpleging
from hub.ledger.models import LedgerCheckpoint
from hub.ledger.repository import Filter
from hub.ledger.service import Proof


@dataclass(frozen=True, slots=True)
class Page:
    items: list[tuple[int, bytes]]
    volgende: int | None


def read_page(
    session: Session, where: Filter, *, after: int | None, limit: int, reader: str, context: Context, now: datetime
) -> Page:
    rows = repository.page(session.connection(), where, after=after, limit=limit + 1)
    items = rows[:limit]
    if items:
        record = raadpleging(context=context, lezer=reader, reden="dpia", posities=[seq for seq, _ in items])
        service.append(session, [record], now)
    return Page(items, items[-1][0] if len(rows) > limit else None)


@dataclass(frozen=True, slots=True)
class Proven:
    positie: int
    entry: bytes
    checkpoint: LedgerCheckpoint | None
    proof: Proof | None


def read_entry(session: Session, positie: int, *, reader: str, context: Context, now: datetime) -> Proven:
    """One entry with its inclusion proof in the newest checkpoint (if a checkpoint covers it yet)."""
    connection = session.connection()
    found = repository.entries_at(connection, [positie])
    if positie not in found:
        raise refusals.EntryNotFound(f"the log has no entry at position {positie}")
    checkpoint = repository.latest_checkpoint(session)
    proof = None
    if checkpoint is not None and positie < checkpoint.size:
        proof = service.inclusion_proof(connection, positie, checkpoint.size)
    service.append(session, [raadpleging(context=context, lezer=reader, reden="dpia", posities=[positie])], now)
    return Proven(positie, found[positie], checkpoint, proof)


def recorded_inputs(session: Session, since: datetime, limit: int) -> list[dict[str, object]]:
    """The decision inputs of the newest verstrekkingen since `since` (at most `limit`), as the policy simulation
    takes them: metadata only (who, to whom, doel, berichttype, categories, day, consent items relied on), never a
    person. A consent item counts as given where the entry disclosed it."""
    inputs: list[dict[str, object]] = []
    for recorded_at, raw in repository.verstrekkingen_since(session.connection(), since, limit):
        entry = json.loads(raw)
        disclosed = entry.get("categorieen_verstrekt", [])
        withheld = entry.get("categorieen_achtergehouden", [])
        inputs.append(
            {
                "verstrekker": entry["verstrekker"],
                "ontvanger": entry["ontvanger"],
                "doel": entry["doel"],
                "berichttype": entry["berichttype"],
                "categorieen": sorted({c["categorie"] for c in [*disclosed, *withheld]}),
                "datum": dutch_date(recorded_at).isoformat(),
                "toestemmingen": sorted({item for c in disclosed for item in c.get("items", [])}),
            }
        )
    return inputs
