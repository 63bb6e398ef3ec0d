"""Recording, reading and withdrawing consent; and what a decision may rely on.

A consent is recorded by the partner that obtained it and that the convenant entitles for its item (for the
informatieblad basisvoorwaarden: the DJI/PI that holds the detainee's signed toestemmingsverklaring), for one
person (by their log-domain pseudonym: the register holds no identity) and one item: a whole category
(`basisvoorwaarden`) or one item of it (`basisvoorwaarden/huisvesting`). It names the reference of the signed
statement, the recipients (partners or soorten) and the one doel it covers, and how long it applies. A decision
relies on a consent only within that scope, and only while the convenant in force still entitles the partner that
recorded it: anything else is no consent (fail closed).

Withdrawing a consent withholds every delivery that relied on it and was not made yet, and sends every recipient
that already received data under it a notice to stop processing (a `stopbericht`, delivered and acknowledged like
a melding); both are on the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from hub import refusals
from hub.delivery import repository as deliveries
from hub.delivery import withdrawal
from hub.kit.clock import dutch_date
from hub.ledger.entries import Context
from hub.policy.convenant.format import add_duration
from hub.policy.deciding.decision import Besluit
from hub.policy.deciding.engine import CompiledPolicy
from hub.pseudonym.vault import Vault
from hub.toestemming import repository
from hub.toestemming.models import Toestemming
from hub.toestemming.schemas import ToestemmingIn

STOP = (
    "De betrokkene heeft de toestemming ingetrokken waarop deze verstrekking berustte. Verwerk de gegevens die u "
    "onder deze toestemming ontving niet verder en handel ze af volgens uw eigen bewaarbeleid."
)


def record(
    session: Session,
    vault: Vault,
    policy: CompiledPolicy,
    *,
    partner_id: str,
    principal_id: str,
    body: ToestemmingIn,
    now: datetime,
) -> Toestemming:
    categorie, _, sub = body.item.partition("/")
    known = {c.code for c in policy.source.vocabulaires.categorieen}
    if categorie not in known or (sub and sub not in policy.categorie_items.get(categorie, frozenset())):
        raise refusals.ToestemmingItemUnknown(f"{body.item!r} is no category or consent item of the active convenant")
    if not policy.mag_toestemming_vastleggen(partner_id, body.item):
        raise refusals.ToestemmingNietBevoegd(
            f"the convenant does not entitle {partner_id} to record a consent for {body.item}: only the partner that "
            "holds the betrokkene's signed statement for it may (convenant.yaml, toestemmingen)"
        )
    doelen = {d.code for d in policy.source.vocabulaires.doelen}
    if body.doel not in doelen:
        raise refusals.DoelOnbekend(f"the convenant knows no doel {body.doel!r}")
    soorten = {s.code for s in policy.source.vocabulaires.soorten}
    unknown = [o for o in body.ontvangers if o not in policy.deelnemers and o not in soorten]
    if unknown:
        raise refusals.OntvangerOnbekend(f"ontvangers: {', '.join(unknown)} is no deelnemer or soort of the convenant")
    today = dutch_date(now).toordinal()
    servable = sorted(
        {
            r.ontvanger
            for r in policy.regels
            if r.doel == body.doel and r.toestemming and categorie in r.categorieen and r.geldig(today)
        }
    )
    unserved = [o for o in body.ontvangers if not any(policy.selects(o, p) for p in servable)]
    if unserved:
        raise refusals.ToestemmingZonderRegel(
            f"no rule in force lets {', '.join(unserved)} receive {categorie} for doel {body.doel!r} on consent, so "
            f"this consent could never be relied on for them; recipients it can serve: {', '.join(servable) or 'none'}"
        )
    verklaard_op, geldig_van, geldig_tot = _terms(policy, body, dutch_date(now))
    row = Toestemming(
        log_pseudonym=vault.log_pseudonyms(body.gegeven().normalised())[0],
        item=body.item,
        vastgelegd_door=partner_id,
        principal_id=principal_id,
        referentie=body.referentie,
        ontvangers=list(dict.fromkeys(body.ontvangers)),
        doel=body.doel,
        verklaard_op=verklaard_op,
        geldig_van=geldig_van,
        geldig_tot=geldig_tot,
        vastgelegd_op=now,
    )
    repository.add(session, row)
    return row


def _terms(policy: CompiledPolicy, body: ToestemmingIn, today: date) -> tuple[date, date, date]:
    """The statement's day, the first and the last day of a consent: signed not after today, applying not before it
    was signed, and for at most the item's longest term (which is also how long it holds when no end is given)."""
    verklaard_op = body.verklaard_op or today
    if verklaard_op > today:
        raise refusals.DatumInToekomst(f"verklaardOp {verklaard_op.isoformat()} lies in the future")
    geldig_van = body.geldig_van or today
    if geldig_van < verklaard_op:
        raise refusals.ToestemmingVoorVerklaring(
            f"geldigVan {geldig_van.isoformat()} lies before verklaardOp {verklaard_op.isoformat()}: a consent cannot "
            "apply before the betrokkene signed it"
        )
    term = policy.toestemming_max_termijn(body.item) or "P1Y"  # an item nobody may record is refused before this
    last = add_duration(geldig_van, term) - timedelta(days=1)
    if body.geldig_tot is not None and body.geldig_tot > last:
        raise refusals.ToestemmingTeLang(
            f"a consent for {body.item} may hold at most {term} from its first day (convenant.yaml, toestemmingen, "
            f"max_termijn): geldigTot {body.geldig_tot.isoformat()} lies beyond {last.isoformat()}"
        )
    return verklaard_op, geldig_van, body.geldig_tot or last


def covers(policy: CompiledPolicy, consent: Toestemming, ontvanger: str, doel: str, day: date) -> bool:
    """Whether `consent` may be relied on for a disclosure to `ontvanger` for `doel` on `day`."""
    return (
        consent.doel == doel
        and any(policy.selects(s, ontvanger) for s in consent.ontvangers)
        and (consent.geldig_van is None or consent.geldig_van <= day)
        and (consent.geldig_tot is None or day <= consent.geldig_tot)
        and policy.mag_toestemming_vastleggen(consent.vastgelegd_door, consent.item)
    )


@dataclass(frozen=True, slots=True)
class Register:
    """The consents in force for each person of one melding."""

    per_person: tuple[tuple[Toestemming, ...], ...]

    def voor(
        self, policy: CompiledPolicy, ontvanger: str, doel: str, day: date
    ) -> tuple[frozenset[str], list[Toestemming]]:
        """What every person consented to for this recipient and doel (a melding holds data of all of them, so
        only what all gave counts: fail closed), and the consent records behind it."""
        if not self.per_person:
            return frozenset(), []
        scoped = [[t for t in records if covers(policy, t, ontvanger, doel, day)] for records in self.per_person]
        common = frozenset.intersection(*(frozenset(t.item for t in records) for records in scoped))
        return common, [t for records in scoped for t in records if t.item in common]


EMPTY = Register(())


def consents_of(session: Session, person_pseudonyms: Sequence[Sequence[str]]) -> Register:
    """The consents not withdrawn of every person of a melding (each known by their log pseudonyms)."""
    return Register(tuple(tuple(repository.active_for(session, pseudonyms)) for pseudonyms in person_pseudonyms))


def relied_on(besluit: Besluit, records: Sequence[Toestemming]) -> list[int]:
    """The consent records a decision needed: those for a category it granted only on consent."""
    needed: set[str] = set()
    for categorie, grant in besluit.verstrekt.items():
        if grant.op_toestemming:
            needed.add(categorie)
            needed.update(f"{categorie}/{item}" for item in grant.items or ())
    return sorted({t.id or 0 for t in records if t.item in needed})


@dataclass(frozen=True, slots=True)
class Withdrawal:
    toestemming: Toestemming
    withheld: int
    """Deliveries not yet made, withheld."""
    notified: int
    """Deliveries made already, whose recipients are sent a stopbericht."""


def withdraw(
    session: Session, vault: Vault, partner_id: str, toestemming_id: int, *, context: Context, now: datetime
) -> Withdrawal:
    row = repository.get(session, toestemming_id)
    if row is None or row.vastgelegd_door != partner_id:
        raise refusals.ToestemmingNotFound("your organisation recorded no consent with this id")
    if row.ingetrokken_op is not None:
        raise refusals.ToestemmingIngetrokken("this consent was withdrawn already")
    row.ingetrokken_op = now
    repository.add(session, row)
    cause = withdrawal.Cause(
        "toestemming-ingetrokken",
        {"toestemming_id": toestemming_id},
        stop={
            "toestemming": {"id": row.id, "item": row.item, "doel": row.doel},
            "ingetrokkenOp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "opdracht": STOP,
        },
    )
    relying = deliveries.relying_on_consent(session, toestemming_id, withdrawal.AFFECTED)
    done = withdrawal.withdraw(session, vault, relying, cause, context=context, now=now)
    return Withdrawal(row, done.withheld, done.notified)
