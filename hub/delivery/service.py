"""The recipient's side of delivery: collect from the inbox, acknowledge receipt; operators re-drive dead letters.

The acknowledgement is a signed request of the recipient naming the digest of what it received: it is the proof
of delivery, and it goes on the verstrekkingenlog in the same transaction as the status change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlmodel import Session

from hub import refusals
from hub.audit import service as audit
from hub.delivery import repository
from hub.delivery.models import Levering, Status
from hub.ledger import service as ledger
from hub.ledger.entries import Context, Entry, Soort
from hub.pseudonym.vault import Vault


@dataclass(frozen=True, slots=True)
class Bericht:
    """A delivery as the recipient receives it: the envelope and its view of the melding."""

    levering: Levering
    verstrekker: str
    berichttype: str
    spoed: bool
    inhoud: dict[str, Any]

    def envelope(self) -> dict[str, Any]:
        envelope = {
            "soort": str(self.levering.soort),
            "leveringId": self.levering.id,
            "meldingId": self.levering.melding_id,
            "verstrekker": self.verstrekker,
            "berichttype": self.berichttype,
            "doel": self.levering.doel,
            "besluit": self.levering.besluit,
            "spoed": self.spoed,
            "inhoudDigest": self.levering.inhoud_digest,
            "inhoud": self.inhoud,
        }
        if self.levering.voorwaarden is not None:
            envelope["voorwaarden"] = self.levering.voorwaarden
        return envelope


def open_delivery(session: Session, vault: Vault, levering: Levering) -> Bericht:
    melding = repository.melding(session, levering.melding_id)
    if levering.payload is None or levering.wrapped_key is None or melding is None:
        raise refusals.LeveringVerwijderd("this delivery's content has left the hub")
    view = vault.open_bytes(levering.wrapped_key, levering.payload, f"levering:{levering.id}")
    return Bericht(levering, melding.verstrekker, melding.berichttype, melding.spoed, orjson.loads(view))


def inbox(
    session: Session, vault: Vault, partner_id: str, *, after: int | None, limit: int
) -> tuple[list[Bericht], int | None]:
    found = repository.inbox(session, partner_id, after=after, limit=limit + 1)
    page = [open_delivery(session, vault, levering) for levering in found[:limit]]
    return page, (found[limit - 1].nr if len(found) > limit else None)


def _own(session: Session, partner_id: str, levering_id: str) -> Levering:
    levering = repository.get(session, levering_id)
    if levering is None or levering.ontvanger != partner_id:
        # Another partner's delivery is as absent as one that does not exist: nothing to learn from the answer.
        raise refusals.LeveringNotFound("there is no such delivery in your inbox")
    return levering


def acknowledge(
    session: Session, partner_id: str, levering_id: str, inhoud_digest: str, *, context: Context, now: datetime
) -> Levering:
    levering = _own(session, partner_id, levering_id)
    if levering.status == Status.BEVESTIGD:
        return levering  # at-least-once: a second acknowledgement changes nothing
    if levering.status == Status.INGETROKKEN:
        raise refusals.LeveringIngetrokken("this delivery was withdrawn before it was made")
    if levering.status == Status.DOOD and levering.payload is None and levering.afgeleverd_op is None:
        raise refusals.LeveringVerwijderd(
            "nobody collected this delivery within its collection term: its content was destroyed before it was made"
        )  # one that was pushed before its term passed is still acknowledged: the recipient has it
    if inhoud_digest != levering.inhoud_digest:
        raise refusals.InhoudDigestMismatch(
            "the digest does not match what the hub delivered; acknowledge what you received, unchanged"
        )
    levering.status, levering.bevestigd_op = Status.BEVESTIGD, now
    repository.add(session, levering)
    entry = Entry(
        Soort.ONTVANGST,
        {
            **context.fields(),
            "levering_id": levering.id,
            "melding_id": levering.melding_id,
            "ontvanger": levering.ontvanger,
            "doel": levering.doel,
            "inhoud_digest": levering.inhoud_digest,
        },
        ontvanger=levering.ontvanger,
        doel=levering.doel,
    )
    ledger.append(session, [entry], now)
    return levering


def dead_letters(session: Session, *, after: int | None, limit: int) -> Sequence[Levering]:
    return repository.by_status(session, Status.DOOD, after=after, limit=limit)


def redrive(session: Session, operator: str, levering_id: str, now: datetime) -> Levering:
    levering = repository.get(session, levering_id)
    if levering is None:
        raise refusals.LeveringNotFound("there is no such delivery")
    if levering.status == Status.INGETROKKEN:
        raise refusals.LeveringIngetrokkenHerstart(
            "this delivery was withdrawn because what it relied on ended (a consent withdrawn, a Top X status "
            "lapsed); its content is destroyed and it is never delivered"
        )
    if levering.status != Status.DOOD:
        raise refusals.NotDead(f"only a dead letter can be re-driven; this one is {levering.status}")
    if levering.payload is None:
        raise refusals.LeveringVerwijderd(
            "nobody collected this delivery within its collection term: its content is destroyed and it is never "
            "delivered (the verstrekker was told)"
        )
    levering.status, levering.pogingen, levering.volgende_poging = Status.WACHTEND, 0, now
    levering.herstart_op, levering.dood_op, levering.geclaimd_tot = now, None, None
    repository.add(session, levering)
    audit.record(
        session,
        actor=operator,
        action="delivery.redriven",
        target_type="levering",
        target_id=levering.id,
        details={"ontvanger": levering.ontvanger},
    )
    return levering
