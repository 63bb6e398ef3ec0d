"""Reading the verstrekkingenlog: pages of entries for reviewers, single entries with their proofs.

Every read that returns entries about betrokkenen is itself an entry (`raadpleging`), in the same transaction
as the read: who read which positions, and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from hub.errors import NotFound
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
        raise NotFound(f"the log has no entry at position {positie}", code="entry-not-found")
    checkpoint = repository.latest_checkpoint(session)
    proof = None
    if checkpoint is not None and positie < checkpoint.size:
        proof = service.inclusion_proof(connection, positie, checkpoint.size)
    service.append(session, [raadpleging(context=context, lezer=reader, reden="dpia", posities=[positie])], now)
    return Proven(positie, found[positie], checkpoint, proof)
