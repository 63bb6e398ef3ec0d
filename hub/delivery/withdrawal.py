"""Withdrawing deliveries when what a disclosure relied on ends: one way for every cause (a consent withdrawn, a Top X
status that lapsed, a person forgotten).

A delivery that was not made (waiting, or a dead letter that an operator could otherwise re-drive) is withheld: its
sealed content is destroyed and it can never be delivered or re-driven. A recipient that already received one is
sent a stopbericht. Each effect is one `intrekking` entry on the verstrekkingenlog with the cause's reason, in the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from hub.delivery import notices, repository
from hub.delivery.models import Levering, Soort, Status
from hub.ledger import service as ledger
from hub.ledger.entries import Context, Entry
from hub.ledger.entries import Soort as EntrySoort
from hub.pseudonym.vault import Vault

NOT_MADE = (Status.WACHTEND, Status.DOOD)
"""Withheld: not delivered yet, or a dead letter."""
MADE = (Status.AFGELEVERD, Status.BEVESTIGD)
"""Delivered (and perhaps acknowledged): the recipient is told to stop processing it."""
AFFECTED = (*NOT_MADE, *MADE)
"""Every status a withdrawal acts on; a delivery already withdrawn is left as it is."""
UNACKNOWLEDGED = (Status.WACHTEND, Status.AFGELEVERD, Status.DOOD)
"""Not acknowledged: its content is still in the hub, for an inbox, a push, a retry or a re-drive."""
HUB = "schakel"
"""The sender named on a notice the hub sends of its own accord (no partner sent it)."""
UNCOLLECTED = "ophaaltermijn-verstreken"
"""The ledger's `reden` when a delivery nobody collected within its collection term is destroyed."""
FORGOTTEN = "betrokkene-vergeten"
"""The ledger's `reden` when deliveries are withdrawn because a person they are about was forgotten."""


@dataclass(frozen=True, slots=True)
class Cause:
    """Why deliveries are withdrawn: the ledger's `reden` code, what the entries name besides the delivery (the
    consent's or the casus's id), and what a stopbericht tells its recipient."""

    reden: str
    references: dict[str, Any] = field(default_factory=dict)
    stop: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Withdrawn:
    withheld: int
    """Deliveries not made (waiting, or dead letters), withheld."""
    notified: int
    """Deliveries made already, whose recipients are sent a stopbericht."""


def withdraw(
    session: Session, vault: Vault, leveringen: Sequence[Levering], cause: Cause, *, context: Context, now: datetime
) -> Withdrawn:
    """Withhold every delivery of `leveringen` that was not made and send a stopbericht for every one that was; a
    delivery in another status (withdrawn already) is left alone. On the ledger, in the caller's transaction."""
    entries = []
    withheld = [levering for levering in leveringen if levering.status in NOT_MADE]
    for levering in withheld:
        levering.status, levering.payload, levering.wrapped_key = Status.INGETROKKEN, None, None
        levering.verwijderd_op, levering.geclaimd_tot = now, None
        repository.add(session, levering)
        entries.append(_entry(context, levering, cause, "ingehouden"))
    made = [levering for levering in leveringen if levering.status in MADE]
    for levering in made:
        notice = notices.stopbericht(vault, levering, cause.stop, now)
        repository.add(session, notice)
        entries.append(_entry(context, levering, cause, "verwerking-stoppen", notice.id))
    session.flush()
    if entries:
        ledger.append(session, entries, now)
    return Withdrawn(len(withheld), len(made))


def destroy(
    session: Session, leveringen: Sequence[Levering], cause: Cause, *, status: Status, context: Context, now: datetime
) -> int:
    """Destroy the sealed content of every unacknowledged delivery of `leveringen`, so that no inbox, push, retry or
    re-drive can ever hand it out; each becomes `status` (`ingetrokken`: never to be delivered; `dood`: a dead letter
    whose content is gone). One `intrekking` entry each (`gevolg` `vernietigd`), in the caller's transaction."""
    gone = [levering for levering in leveringen if levering.status in UNACKNOWLEDGED and levering.payload is not None]
    for levering in gone:
        if status == Status.DOOD and levering.dood_op is None:
            levering.dood_op = now
        levering.status, levering.payload, levering.wrapped_key = status, None, None
        levering.verwijderd_op, levering.geclaimd_tot, levering.laatste_fout = now, None, cause.reden
        repository.add(session, levering)
    if gone:
        ledger.append(session, [_entry(context, levering, cause, "vernietigd") for levering in gone], now)
        repository.purge_meldingen(session)  # the sealed melding too, once no delivery of it holds content
    return len(gone)


def forget(session: Session, log_pseudonyms: Sequence[str], *, context: Context, now: datetime) -> int:
    """A person is being forgotten: withdraw and destroy every delivery about them (their disclosures on the log) that
    was not acknowledged. Call it before their ledger openings are deleted (it finds the deliveries through them)."""
    about = {
        str(e["levering_id"]) for e in ledger.verstrekkingen_about(session, log_pseudonyms) if e.get("levering_id")
    }
    leveringen = repository.by_ids(session, about, UNACKNOWLEDGED)
    return destroy(session, leveringen, Cause(FORGOTTEN), status=Status.INGETROKKEN, context=context, now=now)


def expire(
    session: Session, vault: Vault, leveringen: Sequence[Levering], term: str, *, context: Context, now: datetime
) -> int:
    """Nobody collected these deliveries within their collection term `term`: each becomes a dead letter whose
    content is destroyed (on the ledger), and the verstrekker of each melding is sent a notice (ids and codes only)."""
    expired = destroy(
        session, leveringen, Cause(UNCOLLECTED, {"ophaaltermijn": term}), status=Status.DOOD, context=context, now=now
    )
    for levering in leveringen:
        if levering.soort != Soort.MELDING or levering.payload is not None:
            continue  # a notice that was not collected is not reported in turn
        melding = repository.melding(session, levering.melding_id)
        if melding is None:
            continue
        notices.notice(
            session,
            vault,
            afzender=HUB,
            ontvanger=melding.verstrekker,
            soort=Soort.NIET_OPGEHAALD,
            doel=levering.doel,
            inhoud={
                "bericht": str(Soort.NIET_OPGEHAALD),
                "betreftMelding": levering.melding_id,
                "betreftLevering": levering.id,
                "ontvanger": levering.ontvanger,
                "doel": levering.doel,
                "ophaaltermijn": term,
                "gevolg": "inhoud vernietigd",
            },
            now=now,
        )
    return expired


def _entry(context: Context, levering: Levering, cause: Cause, gevolg: str, bericht: str | None = None) -> Entry:
    return Entry(
        EntrySoort.INTREKKING,
        {
            **context.fields(),
            "levering_id": levering.id,
            "melding_id": levering.melding_id,
            "ontvanger": levering.ontvanger,
            "doel": levering.doel,
            **cause.references,
            "reden": cause.reden,
            "gevolg": gevolg,
            **({"stopbericht_levering_id": bericht} if bericht else {}),
        },
        ontvanger=levering.ontvanger,
        doel=levering.doel,
    )
