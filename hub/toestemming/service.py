"""Recording, reading and withdrawing consent; and what a decision may rely on.

A consent is recorded by the partner that obtained it, for one person (by their log-domain pseudonym: the
register holds no identity) and one item: a whole category (`basisvoorwaarden`) or one item of it
(`basisvoorwaarden/huisvesting`). Rules with a consent condition read the register when they decide. Withdrawing
a consent withholds every delivery that relied on it and was not made yet, and says so on the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from hub.delivery.models import Status
from hub.errors import Conflict, NotFound, Unprocessable
from hub.ledger import service as ledger
from hub.ledger.entries import Context, Entry, Soort
from hub.policy.decision import Besluit
from hub.pseudonym.vault import OpgegevenIdentiteit, Vault
from hub.toestemming import repository
from hub.toestemming.models import Toestemming


def record(
    session: Session, vault: Vault, *, partner_id: str, principal_id: str, given: OpgegevenIdentiteit, item: str,
    known_items: dict[str, frozenset[str]], now: datetime,
) -> Toestemming:  # fmt: skip
    categorie, _, sub = item.partition("/")
    if categorie not in known_items or (sub and sub not in known_items[categorie]):
        raise Unprocessable(
            f"{item!r} is no category or consent item of the active convenant", code="toestemming-item-unknown"
        )
    row = Toestemming(
        log_pseudonym=vault.log_pseudonyms(given.normalised())[0],
        item=item,
        vastgelegd_door=partner_id,
        principal_id=principal_id,
        vastgelegd_op=now,
    )
    repository.add(session, row)
    return row


def consents_of(
    session: Session, person_pseudonyms: Sequence[Sequence[str]]
) -> tuple[frozenset[str], list[Toestemming]]:
    """What every person of a melding consented to (a melding holds data of all of them, so only what all gave
    counts: fail closed), and the consent records behind it."""
    if not person_pseudonyms:
        return frozenset(), []
    per_person: list[set[str]] = []
    records: list[Toestemming] = []
    for pseudonyms in person_pseudonyms:
        found = repository.active_for(session, pseudonyms)
        records.extend(found)
        per_person.append({t.item for t in found})
    common = frozenset(set.intersection(*per_person))
    return common, [t for t in records if t.item in common]


def relied_on(besluit: Besluit, records: Sequence[Toestemming]) -> list[int]:
    """The consent records a decision needed: those for a category it granted only on consent."""
    needed: set[str] = set()
    for categorie, grant in besluit.verstrekt.items():
        if grant.op_toestemming:
            needed.add(categorie)
            needed.update(f"{categorie}/{item}" for item in grant.items or ())
    return sorted({t.id or 0 for t in records if t.item in needed})


def withdraw(
    session: Session, partner_id: str, toestemming_id: int, *, context: Context, now: datetime
) -> tuple[Toestemming, int]:
    """Withdraw a consent; returns it and how many deliveries not yet made were withheld because of it."""
    row = repository.get(session, toestemming_id)
    if row is None or row.vastgelegd_door != partner_id:
        raise NotFound("your organisation recorded no consent with this id", code="toestemming-not-found")
    if row.ingetrokken_op is not None:
        raise Conflict("this consent was withdrawn already", code="toestemming-ingetrokken")
    row.ingetrokken_op = now
    repository.add(session, row)
    withheld = repository.pending_relying_on(session, toestemming_id)
    entries = []
    for levering in withheld:
        levering.status, levering.payload, levering.wrapped_key = Status.INGETROKKEN, None, None
        levering.verwijderd_op = now
        repository.add(session, levering)
        entries.append(
            Entry(
                Soort.INTREKKING,
                {
                    **context.fields(),
                    "levering_id": levering.id,
                    "melding_id": levering.melding_id,
                    "ontvanger": levering.ontvanger,
                    "doel": levering.doel,
                    "toestemming_id": toestemming_id,
                    "reden": "toestemming-ingetrokken",
                },
                ontvanger=levering.ontvanger,
                doel=levering.doel,
            )
        )
    if entries:
        ledger.append(session, entries, now)
    return row, len(withheld)
