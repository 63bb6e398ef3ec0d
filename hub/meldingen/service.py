"""Submitting a melding: validate, route, decide per recipient, pseudonymise, then one durable transaction.

Everything that needs no database happens in the request's own thread: the schema check, the persons and their
pseudonyms, the decisions, each recipient's view and seal, and the ledger entries. Then the ledger's sequencer
writes the melding, its deliveries, the vault's persons and the entries in one transaction, shared with other
requests (group commit), and answers once it is durable. No entry, no delivery; no commit, no answer.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlmodel import Session

from hub import refusals
from hub.casus.models import CasusMelding
from hub.delivery import outbox
from hub.errors import Forbidden
from hub.kit.canonical import canonical_json
from hub.kit.clock import dutch_date
from hub.ledger.entries import Betrokkene, Context, Entry
from hub.ledger.sequencer import Group, Lookups
from hub.meldingen import repository
from hub.meldingen.berichttypes import PSEUDONIEM, Schema
from hub.meldingen.entries import verstrekking
from hub.meldingen.models import Melding
from hub.meldingen.persons import Persoon, find_persons, with_pseudonyms
from hub.meldingen.postcodes import Postcodes, sample_postcodes
from hub.meldingen.routing import Route, doel_of, route
from hub.meldingen.schemas import MeldingIn
from hub.policy.convenant.format import add_duration
from hub.policy.deciding.decision import Besluit, CasusStand, Reden, Uitkomst, Verzoek
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.deciding.projection import present_categories, project
from hub.pseudonym import repository as vault_repository
from hub.pseudonym.vault import PreparedPerson, Sealed, Vault
from hub.toestemming import service as toestemming

_MELDING = Melding.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes
_CASUS_MELDING = CasusMelding.__table__  # type: ignore[attr-defined]


class Schemas:
    """The berichttype schemas of the convenant versions in use, made once per version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._schemas: dict[tuple[str, str], Schema] = {}

    def get(self, policy: CompiledPolicy, code: str) -> Schema:
        key = (policy.content_hash, code)
        schema = self._schemas.get(key)
        if schema is None:
            found = next((b for b in policy.source.berichttypes.berichttypes if b.code == code), None)
            if found is None:
                raise refusals.BerichttypeUnknown(f"the convenant has no berichttype {code!r}")
            schema = Schema(found)
            with self._lock:
                if len(self._schemas) > 64:
                    self._schemas.clear()
                self._schemas[key] = schema
        return schema


@dataclass(frozen=True, slots=True)
class Submission:
    verstrekker: str
    melding: MeldingIn
    body_digest: str
    idempotency_key: str | None
    context: Context


@dataclass(slots=True)
class _Delivery:
    route: Route
    besluit: Besluit
    levering_id: str | None = None
    toestemmingen: list[int] = field(default_factory=list)
    pseudonyms: list[str] = field(default_factory=list)
    sealed: Sealed | None = None
    digest: str | None = None
    voorwaarden: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int
    receipt: dict[str, Any]


def refusal(receipt: dict[str, Any]) -> Forbidden:
    """The 403 for a melding nobody may receive: each recipient's reasons, no personal data."""
    reasons = "; ".join(
        f"{o['partner']}: "
        + ", ".join(
            f"{a['categorie']} ({a['reden']}{' ' + a['verwijzing'] if a.get('verwijzing') else ''})"
            for a in o["achtergehouden"]
        )
        for o in receipt["ontvangers"]
    )
    return refusals.MeldingGeweigerd(
        f"no recipient may receive this melding (melding {receipt['meldingId']}; the refusals are on the "
        f"verstrekkingenlog): {reasons or 'no recipient'}"
    )


def replay(session: Session, submission: Submission) -> Outcome | None:
    """The answer given before to the same idempotency key and body; a conflict for another body."""
    if submission.idempotency_key is None:
        return None
    earlier = repository.by_idempotency_key(session, submission.verstrekker, submission.idempotency_key)
    if earlier is None:
        return None
    if earlier.request_digest != submission.body_digest:
        raise refusals.IdempotencyKeyReused(
            "this Idempotency-Key was used for another request body; use a new key for a new melding"
        )
    return Outcome(earlier.status_code, earlier.receipt)


@dataclass(frozen=True, slots=True)
class Plan:
    """A melding validated, decided, pseudonymised and sealed: what is left is the one transaction that stores it."""

    status_code: int
    entries: list[Entry]
    work: Callable[[Group], dict[str, Any]]
    """Writes the melding, the vault's persons and the deliveries; returns the receipt with its ledger positions."""
    lookups: Lookups
    """The vault's look-ups of the melding's persons, made once for the whole group commit."""


Consents = toestemming.Register
"""What `toestemming.consents_of` answers: the consents in force of each person of the melding."""


def list_types(policy: CompiledPolicy) -> list[str]:
    """The berichttypes that are lists of addresses (`lijst`)."""
    return [b.code for b in policy.source.berichttypes.berichttypes if b.lijst is not None]


def lists_sent(session: Session, submission: Submission, policy: CompiledPolicy, now: datetime) -> int:
    """How many lists the sender sent in the convenant's period (`lijst_limiet.per`), counted back from now."""
    per = policy.source.convenant.procesafspraken.lijst_limiet.per
    day = dutch_date(now)
    return repository.sent_since(
        session, submission.verstrekker, list_types(policy), now - (add_duration(day, per) - day)
    )


def needs_consents(policy: CompiledPolicy, submission: Submission) -> bool:
    """Whether deciding needs the consent register (a rule with a consent condition applies): a read then."""
    return policy.needs_consent(submission.verstrekker, submission.melding.berichttype)


def consents_for(
    session: Session, submission: Submission, schemas: Schemas, policy: CompiledPolicy, vault: Vault
) -> Consents:
    schema = schemas.get(policy, submission.melding.berichttype)
    persons = find_persons(submission.melding.inhoud, schema.person_lists, vault.pseudonyms)
    return toestemming.consents_of(session, [vault.log_pseudonyms(p.identiteit) for p in persons])


def plan(
    submission: Submission,
    *,
    policy: CompiledPolicy | None,
    schemas: Schemas,
    vault: Vault,
    consents: Consents | None,
    guard: Callable[[Group], None],
    now: datetime,
    casus: CasusStand | None = None,
    postcodes: Postcodes | None = None,
    lists_sent: int = 0,
) -> Plan:
    """Everything but the write, in the request's own thread (or event loop): no database.

    `consents` must be given when `needs_consents`; `casus`, the casus the melding names, as it stands (read by
    `hub.casus.tafel.stand`, which refuses a sender not at its table); `guard` runs first in the transaction (the
    token's jti is spent and the generation checked there, so that a replayed token or a changed convenant or casus
    stores nothing).
    """
    if policy is None:
        raise refusals.ConvenantNotActive("no convenant is active yet: the hub cannot decide")
    melding = submission.melding
    verstrekker = submission.verstrekker
    if verstrekker not in policy.deelnemers:
        raise refusals.GeenDeelnemer(f"{verstrekker} is not a deelnemer of the active convenant")
    schema = schemas.get(policy, melding.berichttype)
    problems = schema.validate(melding.inhoud)
    if problems:
        raise refusals.MeldingInvalid("; ".join(str(p) for p in problems))
    persons = find_persons(melding.inhoud, schema.person_lists, vault.pseudonyms)
    day = dutch_date(now)
    named = melding.ontvanger_ids()
    doel = doel_of(policy, verstrekker, melding.berichttype, day, melding.doel, named=named is not None)
    if schema.lijst_path is not None:
        _check_list(policy, submission, schema.list_length(melding.inhoud), lists_sent)
    gemeente = schema.gemeente_of(melding.inhoud)
    if gemeente is not None:
        check_gemeente(policy, verstrekker, gemeente, schema.postcodes_of(melding.inhoud), postcodes)
    routes = route(policy, verstrekker, melding.berichttype, day, named=named, doel=doel, gemeente=gemeente)
    if not routes:
        raise refusals.GeenOntvanger(
            f"the convenant names no recipient for {melding.berichttype} from {verstrekker} for doel {doel} whose "
            f"werkgebied covers gemeente {gemeente}"
        )
    present = present_categories(melding.inhoud, schema.tree)
    melding_id = secrets.token_hex(16)
    categories = schema.tree.categories()
    deliveries = []
    if consents is None and needs_consents(policy, submission):
        raise RuntimeError("the consent register was not read for a rule that needs it")  # a bug, never a decision
    register = consents or toestemming.EMPTY
    for r in routes:
        consented, records = register.voor(policy, r.ontvanger, r.doel, day)
        verzoek = Verzoek(verstrekker, r.ontvanger, r.doel, melding.berichttype, categories, day, consented, casus)
        besluit = policy.decide_in(verzoek, gemeente).voor(present)
        deliveries.append(_Delivery(r, besluit, toestemmingen=toestemming.relied_on(besluit, records)))
    for delivery in deliveries:
        if delivery.besluit.uitkomst is not Uitkomst.DENY:
            _prepare_view(delivery, melding, schema, persons, vault)
            delivery.voorwaarden = voorwaarden(policy, delivery.besluit, gemeente)
    about: Sequence[Persoon | None] = persons or [None]
    entries = [
        _entry(submission, melding_id, delivery, person, gemeente, casus) for delivery in deliveries for person in about
    ]
    receipt = _receipt(melding_id, melding, deliveries, now, gemeente, casus)
    status = 201 if any(d.levering_id for d in deliveries) else 403
    sealed = vault.seal_bytes(canonical_json(melding.inhoud), f"melding:{melding_id}") if status == 201 else None
    prepared = [vault.prepare(p.gegeven, p.identiteit, now) for p in persons]
    work = _unit(
        submission, melding_id, schema.versie, status, receipt, sealed, prepared, deliveries, vault, guard, now, casus
    )
    return Plan(status, entries, work, (vault_repository.ids_by_log_pseudonym, vault.lookup_keys(prepared)))


def _check_list(policy: CompiledPolicy, submission: Submission, addresses: int, sent: int) -> None:
    """A list of addresses holds at most so many, and a sender sends at most so many lists a period (the convenant's
    procesafspraken): no bulk lists. The refusal carries the cap, for the ledger and the metric."""
    afspraken = policy.source.convenant.procesafspraken
    if addresses > afspraken.lijst_max_adressen:
        raise refusals.LijstTeLang(
            f"this list holds {addresses} addresses; a list holds at most {afspraken.lijst_max_adressen} "
            "(convenant.yaml, procesafspraken, lijst_max_adressen): split it",
            limiet="lijst-adressen",
            grens=f"{afspraken.lijst_max_adressen} per lijst",
        )
    cap = afspraken.lijst_limiet
    if sent >= cap.aantal:
        grens = f"{cap.aantal} per {cap.per}"
        raise refusals.LimietBereikt(
            f"{submission.verstrekker} sent {grens} lists already (convenant.yaml, procesafspraken, lijst_limiet)",
            limiet="lijsten",
            grens=grens,
        )


def check_gemeente(
    policy: CompiledPolicy, verstrekker: str, gemeente: str, addresses: Sequence[str], postcodes: Postcodes | None
) -> None:
    """A sender speaks only for the gemeenten of its own werkgebied (the registry's and the convenant's), and a
    gemeentecode must fit the address it describes (by the hub's postcode table; the sample region's if none)."""
    if policy.werkgebied_reden(verstrekker, gemeente) is Reden.BUITEN_WERKGEBIED:
        raise refusals.BuitenEigenWerkgebied(
            f"the melding concerns gemeente {gemeente}, which is outside the werkgebied of {verstrekker}: a sender "
            "speaks only for the gemeenten it serves"
        )
    if addresses:
        (postcodes or sample_postcodes()).check(addresses, gemeente)


def _unit(  # noqa: PLR0917 - the closure's inputs, gathered in one place
    submission: Submission,
    melding_id: str,
    versie: int,
    status: int,
    receipt: dict[str, Any],
    sealed: Sealed | None,
    persons: Sequence[PreparedPerson],
    deliveries: Sequence[_Delivery],
    vault: Vault,
    guard: Callable[[Group], None],
    received: datetime,
    casus: CasusStand | None,
) -> Callable[[Group], dict[str, Any]]:
    """What the sequencer runs in the group's transaction: the guard, the melding, the vault's persons, the
    deliveries. SQLAlchemy Core throughout: this runs on the one writer thread of the process."""
    melding = submission.melding

    def work(group: Group) -> dict[str, Any]:
        guard(group)
        rows, at = group.rows, group.at
        stored = {**receipt, "posities": list(group.positions)}
        rows.add(
            _MELDING,
            {
                "id": melding_id,
                "verstrekker": submission.verstrekker,
                "berichttype": melding.berichttype,
                "berichttype_versie": versie,
                "spoed": melding.spoed,
                "idempotency_key": submission.idempotency_key,
                "request_digest": submission.body_digest,
                "status_code": status,
                "receipt": stored,
                "ontvangen_op": received,
                "kek_id": sealed.kek_id if sealed else None,
                "wrapped_key": sealed.wrapped_key if sealed else None,
                "sealed": sealed.sealed if sealed else None,
            },
        )  # first: in a re-run unit by unit, the idempotency key's uniqueness is checked before anything else
        known = group.fetched(vault_repository.ids_by_log_pseudonym)
        person_ids = vault.seal_prepared(group.session, persons, rows.add, known)
        planned: list[outbox.Planned] = []
        issued: list[tuple[str, str, str]] = []
        for delivery in deliveries:
            if delivery.levering_id is None:
                continue
            issued.extend(
                (person_id, pseudonym, delivery.route.ontvanger)
                for person_id, pseudonym in zip(person_ids, delivery.pseudonyms, strict=False)  # none if identified
            )
            planned.append(_planned(delivery, casus))
        vault.record_issued_many(issued, at, rows.add)
        outbox.add(rows, melding_id, melding.spoed, at, planned)
        if casus is not None:  # the melding belongs to its casus, refused or not: the casus shows what was tried
            rows.add(_CASUS_MELDING, [{"casus_id": casus.id, "melding_id": melding_id, "sinds": at}])
        return stored

    return work


def _prepare_view(
    delivery: _Delivery, melding: MeldingIn, schema: Schema, persons: Sequence[Persoon], vault: Vault
) -> None:
    """The recipient's view: its permitted fields, and its own pseudonym for each person it may not identify."""
    besluit = delivery.besluit
    identified = besluit.staat_toe("identificatie", None)
    delivery.pseudonyms = [vault.pseudonyms.pseudonymise(p.identiteit, delivery.route.ontvanger) for p in persons]
    inhoud = with_pseudonyms(melding.inhoud, persons, delivery.pseudonyms) if persons else melding.inhoud

    def allows(categorie: str, item: str | None) -> bool:
        return not identified if categorie == PSEUDONIEM else besluit.staat_toe(categorie, item)

    view = canonical_json(project(inhoud, schema.tree_with_pseudonyms, allows))
    delivery.levering_id = secrets.token_hex(16)
    delivery.digest = "sha256:" + hashlib.sha256(view).hexdigest()
    delivery.sealed = vault.seal_bytes(view, f"levering:{delivery.levering_id}")
    if identified:
        delivery.pseudonyms = []  # the recipient knows them by name: no pseudonym was handed over


def voorwaarden(policy: CompiledPolicy, besluit: Besluit, gemeente: str | None) -> dict[str, Any]:
    """The terms a recipient must honour, as `Voorwaarden` serialises them; memoised on the shared decision."""
    key = ("voorwaarden", gemeente)
    kept = besluit.memo.get(key)
    if isinstance(kept, dict):
        return kept
    grounds = [policy.grondslagen[code] for code in besluit.grondslagen if code in policy.grondslagen]
    terms = {
        "doel": besluit.doel,
        "verwerkingsactiviteit": besluit.verwerkingsactiviteit,
        "convenant": besluit.beleid_label,
        "convenantHash": besluit.beleid_hash,
        "gemeente": gemeente,
        "regels": list(besluit.regels),
        "grondslagen": [
            {
                "code": g.code,
                "omschrijving": g.omschrijving,
                "wet": g.wet,
                "artikelen": list(g.artikelen),
                "teBevestigen": g.te_bevestigen,
            }
            for g in grounds
        ],
        "bewaartermijnen": sorted({g.bewaartermijn for g in besluit.verstrekt.values()}),
        "categorieen": [
            {
                "categorie": categorie,
                "regel": g.regel,
                "grondslag": g.grondslag,
                "bewaartermijn": g.bewaartermijn,
                "opToestemming": g.op_toestemming,
            }
            for categorie, g in sorted(besluit.verstrekt.items())
        ],
    }
    besluit.memo[key] = terms
    return terms


def _entry(  # noqa: PLR0917 - one entry's parts
    submission: Submission,
    melding_id: str,
    delivery: _Delivery,
    person: Persoon | None,
    gemeente: str | None,
    casus: CasusStand | None,
) -> Entry:
    return verstrekking(
        context=submission.context,
        betrokkene=Betrokkene(person.log_pseudonym) if person else None,
        rol=person.rol if person else None,
        verstrekker=submission.verstrekker,
        ontvanger=delivery.route.ontvanger,
        berichttype=submission.melding.berichttype,
        melding_id=melding_id,
        besluit=delivery.besluit,
        levering_id=delivery.levering_id,
        inhoud_digest=delivery.digest,
        gemeente=gemeente,
        casus=(casus.id, casus.fase) if casus is not None else None,
    )


def _planned(delivery: _Delivery, casus: CasusStand | None) -> outbox.Planned:
    """The delivery for the outbox, with what its decision relied on (a consent, a Top X status, a seat at the
    casus's table): when that ends, the delivery is withdrawn."""
    assert delivery.levering_id and delivery.sealed and delivery.digest  # noqa: S101 - checked by the caller
    granted = delivery.besluit.verstrekt.values()
    casus_id = casus.id if casus is not None else None
    return outbox.Planned(
        id=delivery.levering_id,
        ontvanger=delivery.route.ontvanger,
        doel=delivery.route.doel,
        besluit=str(delivery.besluit.uitkomst),
        digest=delivery.digest,
        sealed=delivery.sealed,
        voorwaarden=delivery.voorwaarden,
        toestemmingen=delivery.toestemmingen,
        top_x_casus=casus_id if any(g.op_top_x for g in granted) else None,
        tafel_casus=casus_id if any(g.aan_tafel for g in granted) else None,
    )


def _receipt(  # noqa: PLR0917 - one receipt's parts
    melding_id: str,
    melding: MeldingIn,
    deliveries: Sequence[_Delivery],
    now: datetime,
    gemeente: str | None,
    casus: CasusStand | None,
) -> dict[str, Any]:
    """The receipt as `Ontvangstbewijs` serialises it (camelCase, every field present), built directly: it is made
    for every melding, and validating what the hub itself assembles would only cost time. A test holds the two
    equal."""
    outcomes = []
    for delivery in deliveries:
        besluit = delivery.besluit
        outcomes.append(
            {
                "partner": delivery.route.ontvanger,
                "doel": delivery.route.doel,
                "besluit": str(besluit.uitkomst),
                "verstrekt": sorted(besluit.verstrekt),
                "achtergehouden": [
                    {"categorie": c, "reden": str(a.reden), "verwijzing": a.verwijzing}
                    for c, a in sorted(besluit.achtergehouden.items())
                ],
                "leveringId": delivery.levering_id,
            }
        )
    return {
        "meldingId": melding_id,
        "ontvangenOp": _MOMENT.dump_python(now, mode="json"),
        "berichttype": melding.berichttype,
        "doel": deliveries[0].route.doel,
        "gemeente": gemeente,
        "casus": casus.id if casus is not None else None,
        "spoed": melding.spoed,
        "ontvangers": outcomes,
        "posities": [],
    }


_MOMENT = TypeAdapter(datetime)
