"""One round of retention, and the report of what expires soon.

What the hub holds about a person: their sealed identity in the vault, the openings that tie ledger entries to
them, the pseudonyms it handed out, and the references of casussen and bekend signals. It keeps them as long as
any of these needs them:

- a disclosure (a verstrekking entry that gave something): until its day plus the longest bewaartermijn of the rules
  it relied on;
- a casus the person belongs to: while it is open, and after its closure (or afschaling) for the convenant's
  `casus_bewaartermijn`, after which its references to persons and meldingen are removed;
- a bekend signal: until its end date (an ended or withdrawn signal is removed).

A delivery waits for its recipient to collect and acknowledge it for its doel's collection term (the convenant's
`ophaaltermijn`); after that it becomes a dead letter whose sealed content is destroyed, on the ledger, and its
verstrekker is sent a notice.

When none remains, the person is crypto-shredded: their data key and sealed identity destroyed, the openings of
their ledger commitments and the pseudonyms handed out deleted, and every delivery about them that was never
acknowledged withdrawn with its content destroyed (no inbox, push or re-drive hands out anything about them). The
ledger entries stay and verify, tied to nobody.
Every removal is an entry on the verstrekkingenlog.

A round is one transaction and may run in several processes at once: on PostgreSQL only the holder of an advisory
lock does the work (the others skip the round); SQLite's write lock serialises them. Everything it does is decided
from the current state, so running it twice changes nothing more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from hub.bekendheid.models import BekendSignaal
from hub.bewaren import repository
from hub.casus import service as casus_service
from hub.casus import topx
from hub.casus.models import Casus
from hub.casus.repository import history
from hub.delivery import repository as delivery_repository
from hub.delivery import withdrawal
from hub.kit.clock import NL, dutch_date
from hub.ledger import service as ledger
from hub.ledger.entries import Betrokkene, Context, Entry, bekendheid, bewaartermijn_verstreken
from hub.policy.convenant.format import Procesafspraken, add_duration
from hub.policy.deciding.engine import CompiledPolicy
from hub.pseudonym.models import VaultPerson
from hub.pseudonym.vault import Vault

ACTOR = casus_service.Regisseur(principal_id="schakel-bewaren", partner_id="")
"""Who acts in a casus's history when retention removes its references."""
_LOCK = 0x5C4A_B3AE  # the advisory lock of the retention round on PostgreSQL
_REDEN = "bewaartermijn verstreken"


@dataclass(frozen=True, slots=True)
class Ophaaltermijnen:
    """How long a delivery waits to be collected: per doel where the convenant sets one, else the default."""

    standaard: str = Procesafspraken().ophaaltermijn
    per_doel: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def van(cls, policy: CompiledPolicy | None) -> Ophaaltermijnen:
        """The terms of the convenant in force (the format's default while none is)."""
        if policy is None:
            return cls()
        doelen = policy.source.vocabulaires.doelen
        per_doel = {d.code: d.ophaaltermijn for d in doelen if d.ophaaltermijn is not None}
        return cls(policy.source.convenant.procesafspraken.ophaaltermijn, per_doel)


@dataclass(slots=True)
class Ronde:
    """What one round removed."""

    signalen: int = 0
    casussen: int = 0
    personen: int = 0
    leveringen_ingetrokken: int = 0
    """Deliveries about the persons forgotten that were never acknowledged: withdrawn, their content destroyed."""
    leveringen_niet_opgehaald: int = 0
    """Deliveries nobody collected within their collection term: dead letters now, their content destroyed."""
    top_x_vervallen: int = 0
    next_after: str = ""
    """Where the next round goes on with persons (a round looks at a bounded number)."""


def run_round(
    session: Session,
    vault: Vault,
    afspraken: Procesafspraken,
    *,
    context: Context,
    now: datetime,
    after: str = "",
    limit: int = 500,
    ophaal: Ophaaltermijnen | None = None,
) -> Ronde:
    ronde = Ronde(next_after=after)
    if not _hold_lock(session):
        return ronde  # another process is doing this round
    today = dutch_date(now)
    if not after:  # once per pass, not once per batch of persons
        ronde.leveringen_niet_opgehaald = _expire_uncollected(
            session, vault, ophaal or Ophaaltermijnen(), context=context, now=now, limit=limit
        )
    ronde.signalen = _end_signals(session, today, context=context, now=now, limit=limit)
    ronde.top_x_vervallen = _lapse_terms(session, vault, today, context=context, now=now)
    ronde.casussen = _drop_casus_references(session, afspraken, today, context=context, now=now, limit=limit)
    persons = repository.living_persons(session, now - timedelta(days=1), after, limit)
    for person in persons:
        if keep_until(session, vault, person, afspraken) < today:
            ronde.leveringen_ingetrokken += _shred(session, vault, person, context=context, now=now)
            ronde.personen += 1
    ronde.next_after = persons[-1].id if len(persons) == limit else ""
    return ronde


def keep_until(session: Session, vault: Vault, person: VaultPerson, afspraken: Procesafspraken) -> date:
    """The last day the hub must keep what it holds about this person (`date.max` while a casus of theirs is open)."""
    ends = [dutch_date(person.created_at)]
    for closed in repository.casus_closures(session, person.id):
        if closed is None:
            return date.max
        ends.append(add_duration(dutch_date(closed), afspraken.casus_bewaartermijn))
    ends += repository.signal_ends(session, person.id)
    pseudonyms = vault.log_pseudonyms(vault.open(session, person.id).normalised())
    for entry in ledger.verstrekkingen_about(session, pseudonyms):
        if entry.get("besluit") == "deny":
            continue
        day = datetime.fromisoformat(entry["tijdstip"].replace("Z", "+00:00")).astimezone(NL).date()
        ends += [add_duration(day, term) for term in entry.get("bewaartermijnen", [])]
    return max(ends)


def _expire_uncollected(
    session: Session, vault: Vault, terms: Ophaaltermijnen, *, context: Context, now: datetime, limit: int
) -> int:
    """Deliveries not acknowledged within their doel's collection term become dead letters whose content is
    destroyed; the verstrekker is told (see `withdrawal.expire`)."""
    today = dutch_date(now)
    expired = 0
    groups: list[tuple[str | None, str]] = [*terms.per_doel.items(), (None, terms.standaard)]
    for doel, term in groups:
        cutoff = now - (add_duration(today, term) - today)
        found = delivery_repository.uncollected(
            session, withdrawal.UNACKNOWLEDGED, cutoff, doel=doel, others=list(terms.per_doel), limit=limit
        )
        expired += withdrawal.expire(session, vault, found, term, context=context, now=now)
    return expired


def _hold_lock(session: Session) -> bool:
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return True  # SQLite: this unit of work holds the write lock already
    return bool(connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({_LOCK})").scalar_one())


def _end_signals(session: Session, today: date, *, context: Context, now: datetime, limit: int) -> int:
    signals: Sequence[BekendSignaal] = repository.ended_signals(session, today, limit)
    entries: list[Entry] = []
    for signal in signals:
        person = session.get(VaultPerson, signal.person_id)
        about = Betrokkene(person.log_pseudonym) if person is not None and person.log_pseudonym else None
        entries.append(
            bekendheid(
                context=context,
                handeling="verwijderd",
                partner=signal.partner_id,
                details={"signaal_id": signal.id, "reden": "verlopen-of-ingetrokken"},
                betrokkene=about,
            )
        )
        session.delete(signal)
    if entries:
        ledger.append(session, entries, now)
    return len(signals)


def _lapse_terms(session: Session, vault: Vault, today: date, *, context: Context, now: datetime) -> int:
    """A Top X status whose requalification lapsed ends, and so do the disclosures that relied on it (on the
    ledger); a monitoring term that ended is noted."""
    lapsed = 0
    for found in repository.terms_ended(session, today):
        regie = casus_service.Regisseur(ACTOR.principal_id, found.zvh)
        if found.top_x_tot is not None and found.top_x_tot < today:
            details = f"herkwalificatie verlopen na {found.top_x_tot.isoformat()}"
            found.top_x_tot = None
            session.add(found)
            casus_service.record(
                session, found, regie, "top-x-vervallen", details=details, reden=_REDEN, context=context, now=now
            )
            topx.end_top_x_disclosures(session, vault, found.id or 0, context=context, now=now)
            lapsed += 1
        if (
            found.monitoring_tot is not None
            and found.monitoring_tot < today
            and not any(e.soort == "monitoring-verlopen" for e in history(session, found.id or 0))
        ):
            casus_service.record(
                session,
                found,
                regie,
                "monitoring-verlopen",
                details=f"monitoring tot en met {found.monitoring_tot.isoformat()}",
                reden=_REDEN,
                context=context,
                now=now,
            )
    return lapsed


def _drop_casus_references(
    session: Session, afspraken: Procesafspraken, today: date, *, context: Context, now: datetime, limit: int
) -> int:
    dropped = 0
    for found in repository.closed_casussen_with_references(session, now, limit):
        assert found.gesloten_op is not None  # noqa: S101 - the query selects closed ones
        if add_duration(dutch_date(found.gesloten_op), afspraken.casus_bewaartermijn) >= today:
            continue
        count = repository.drop_references(session, found.id or 0)
        casus_service.record(
            session,
            found,
            casus_service.Regisseur(ACTOR.principal_id, found.zvh),
            "referenties-verwijderd",
            details=f"{count} verwijzingen",
            reden=_REDEN,
            context=context,
            now=now,
        )
        dropped += 1
    return dropped


def _shred(session: Session, vault: Vault, person: VaultPerson, *, context: Context, now: datetime) -> int:
    """Forget the person; returns how many deliveries about them, never acknowledged, were withdrawn."""
    pseudonyms = vault.log_pseudonyms(vault.open(session, person.id).normalised())
    withdrawn = withdrawal.forget(session, pseudonyms, context=context, now=now)
    ledger.append(session, [bewaartermijn_verstreken(context=context)], now)
    ledger.forget(session, pseudonyms)
    repository.drop_issued_pseudonyms(session, person.id)
    vault.forget(session, person.id, now)
    return withdrawn


@dataclass(frozen=True, slots=True)
class Vooruitblik:
    """What expires in the coming days: counts per day, never who."""

    van: date
    tot: date
    personen: dict[date, int] = field(default_factory=dict)
    signalen: dict[date, int] = field(default_factory=dict)
    casusreferenties: dict[date, int] = field(default_factory=dict)
    top_x_herkwalificaties: dict[date, int] = field(default_factory=dict)
    monitoring_einden: dict[date, int] = field(default_factory=dict)


def outlook(
    session: Session, vault: Vault, afspraken: Procesafspraken, *, now: datetime, days: int = 31
) -> Vooruitblik:
    today = dutch_date(now)
    last = today + timedelta(days=days)

    def within(day: date | None) -> bool:
        return day is not None and today <= day <= last

    personen: Counter[date] = Counter()
    after = ""
    while True:
        batch = repository.living_persons(session, now + timedelta(days=1), after, 1_000)
        for person in batch:
            end = keep_until(session, vault, person, afspraken)
            if within(end):
                personen[end + timedelta(days=1)] += 1  # the day it goes
        if len(batch) < 1_000:
            break
        after = batch[-1].id
    casussen: Sequence[Casus] = casus_service.every_casus(session)
    references = Counter(
        add_duration(dutch_date(c.gesloten_op), afspraken.casus_bewaartermijn) + timedelta(days=1)
        for c in casussen
        if c.gesloten_op is not None
    )
    signals = Counter(s + timedelta(days=1) for s in repository.signal_ends_between(session, today, last))
    top_x = Counter(c.top_x_tot for c in casussen if c.top_x_tot is not None and within(c.top_x_tot))
    monitoring = Counter(
        c.monitoring_tot for c in casussen if c.monitoring_tot is not None and within(c.monitoring_tot)
    )
    return Vooruitblik(
        van=today,
        tot=last,
        personen=dict(sorted(personen.items())),
        signalen=dict(sorted(signals.items())),
        casusreferenties={d: n for d, n in sorted(references.items()) if within(d)},
        top_x_herkwalificaties=dict(sorted(top_x.items())),
        monitoring_einden=dict(sorted(monitoring.items())),
    )
