"""Inzage (AVG art. 15): every entry of the log about one betrokkene, in plain Dutch, each with its proof.

The privacy officer names the person (BSN, or name and date of birth); the vault finds them; the side table
gives the positions of their entries (by their log pseudonym under every key version) and the openings of the
commitments in them. A fresh checkpoint is signed
and every entry comes with its inclusion proof in it, so the officer can check that what the report says is in
the log the hub signed. Entries for a doel that the active convenant marks `vertrouwelijk` are held back until a
version without the mark is active; so is a casus restricted under AVG art. 23, and a confidential casus until a
decision to inform its persons is recorded. The letter never says so (that alone would tell); the officer is told
beside it. The inzage itself becomes an entry about the person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from hub.casus import repository as casus_repository
from hub.casus import termijnen
from hub.casus.models import Casus, CasusInformering, Informeren
from hub.kit.clock import day_in_words, moment_in_words
from hub.ledger import repository as ledger_repository
from hub.ledger import service as ledger
from hub.ledger.entries import Betrokkene, Context, raadpleging
from hub.ledger.models import LedgerCheckpoint
from hub.partners import repository as partners
from hub.policy.convenant.format import Procesafspraken
from hub.policy.convenant.sentences import CASUSTYPEN
from hub.policy.deciding.engine import CompiledPolicy
from hub.pseudonym.vault import OpgegevenIdentiteit, Vault


@dataclass(frozen=True, slots=True)
class Regel:
    """One entry of the report: what happened, in words, and how to check it."""

    positie: int
    tekst: str
    entry: dict[str, Any]
    raw: bytes
    salt: bytes
    log_pseudoniem: str
    bewijs: list[bytes]


@dataclass(frozen=True, slots=True)
class Inzage:
    opgesteld_op: datetime
    samenvatting: str
    regels: list[Regel]
    checkpoint: LedgerCheckpoint
    achtergehouden: list[dict[str, Any]] = field(default_factory=list)
    """Per confidential doel: how many entries are held back (for the officer, not for the betrokkene)."""
    casussen: list[str] = field(default_factory=list)
    """Per casus of the person (that they may be told of): whether and when they were informed, in words."""
    beperkt: list[dict[str, Any]] = field(default_factory=list)
    """Per casus whose persons are not to be informed (AVG art. 23): its ground, review date and how many entries
    are held back (for the officer, not for the betrokkene)."""
    vertrouwelijk: list[dict[str, Any]] = field(default_factory=list)
    """Per confidential casus held back because no decision to inform its persons is recorded yet: its kind and
    how many entries (for the officer, not for the betrokkene)."""


@dataclass(frozen=True, slots=True)
class Names:
    partners: dict[str, str]
    doelen: dict[str, str]
    grondslagen: dict[str, str]

    def partner(self, code: str) -> str:
        naam = self.partners.get(code)
        return f"{naam} ({code})" if naam else code

    def doel(self, code: str) -> str:
        return f"'{self.doelen.get(code, code)}'"


def when(tijdstip: str) -> str:
    return moment_in_words(datetime.fromisoformat(tijdstip.replace("Z", "+00:00")))


def sentence(entry: dict[str, Any], names: Names) -> str:  # noqa: PLR0911 - one sentence per kind of entry
    """One entry in plain Dutch."""
    moment = f"Op {when(entry['tijdstip'])}"
    soort = entry["soort"]
    if soort == "verstrekking":
        giver, taker = names.partner(entry["verstrekker"]), names.partner(entry["ontvanger"])
        disclosed = ", ".join(c["categorie"] for c in entry["categorieen_verstrekt"])
        withheld = ", ".join(c["categorie"] for c in entry["categorieen_achtergehouden"])
        if entry["besluit"] == "deny":
            return (
                f"{moment} wilde {giver} gegevens over u verstrekken aan {taker} voor het doel "
                f"{names.doel(entry['doel'])}. Dat is geweigerd: het convenant staat het niet toe"
                f"{f' (niet verstrekt: {withheld})' if withheld else ''}."
            )
        bases = ", ".join(names.grondslagen.get(g, g) for g in entry["grondslagen"])
        text = (
            f"{moment} heeft {giver} gegevens over u verstrekt aan {taker} voor het doel {names.doel(entry['doel'])}, "
            f"op grond van {bases}. Verstrekt: {disclosed}."
        )
        return text + (f" Niet verstrekt: {withheld}." if withheld else "")
    if soort == "ontvangst":
        return f"{moment} heeft {names.partner(entry.get('ontvanger', ''))} de ontvangst bevestigd."
    if soort == "heridentificatie":
        return _reidentification(entry, names, moment)
    if soort == "raadpleging":
        return f"{moment} heeft {entry['lezer']} de registratie over u ingezien (reden: {entry['reden']})."
    if soort == "casus":
        return f"{moment} bent u betrokken bij casus {entry['casus_id']} van het Zorg- en Veiligheidshuis."
    if soort == "bekendheid":
        partner = names.partner(entry.get("partner", ""))
        if entry.get("handeling") == "bekend-bij-vraag":
            return (
                f"{moment} heeft het Zorg- en Veiligheidshuis in casus {entry['casus_id']} nagevraagd welke "
                f"organisaties u kennen. {partner} kent u; alleen dat is aan het Zorg- en Veiligheidshuis gemeld."
            )
        if entry.get("handeling") == "ingetrokken":
            return f"{moment} heeft {partner} gemeld dat het niet langer met u werkt."
        return f"{moment} heeft {partner} gemeld dat het met u werkt (tot {entry.get('tot', '')})."
    return f"{moment}: {soort}."


WEIGERINGEN = {
    "heridentificatie-niet-houder": "alleen de organisatie die het pseudoniem kreeg mag dat vragen",
    "heridentificatie-niet-toegestaan": "het convenant staat dat voor dit doel niet toe",
    "heridentificatie-zonder-verstrekking": "die organisatie kreeg voor dit doel geen gegevens over u",
    "goedkeurder-niet-aangewezen": "het convenant wijst die organisatie niet aan om het goed te keuren",
    "four-eyes-required": "een tweede privacy officer moet het goedkeuren, niet degene die het vroeg",
    "not-the-requester": "alleen de privacy officer die het vroeg mag het antwoord zien",
}
"""Why a step of a re-identification was refused, by the refusal's code, for the betrokkene."""


def _reidentification(entry: dict[str, Any], names: Names, moment: str) -> str:
    """A step of a re-identification; an entry without `stap` is from before steps were recorded: a reveal."""
    holder, doel = names.partner(entry.get("pseudoniem_domein", "")), names.doel(entry.get("doel", ""))
    stap = entry.get("stap", "getoond")
    if stap == "aangevraagd":
        return (
            f"{moment} heeft privacy officer {entry.get('aangevraagd_door', '')} van {holder} gevraagd wie u bent "
            f"achter het pseudoniem dat {holder} voor u kreeg, voor het doel {doel}."
        )
    if stap == "goedgekeurd":
        return (
            f"{moment} heeft privacy officer {entry.get('goedgekeurd_door', '')} goedgekeurd dat {holder} mag weten "
            f"wie u bent achter zijn pseudoniem, voor het doel {doel}."
        )
    if stap == "geweigerd":
        reden = WEIGERINGEN.get(entry.get("reden", ""), "het mocht niet")
        return (
            f"{moment} heeft {names.partner(entry.get('organisatie', ''))} geprobeerd iets te doen met een vraag wie "
            f"u bent achter het pseudoniem dat {holder} voor u kreeg, voor het doel {doel}. Dat is geweigerd: {reden}."
        )
    return (
        f"{moment} is op verzoek van privacy officer {entry.get('aangevraagd_door', '')}, met goedkeuring van "
        f"{entry.get('goedgekeurd_door', '')}, vastgesteld wie u bent achter een pseudoniem, voor het doel {doel}."
    )


def _names(session: Session, policy: CompiledPolicy | None) -> Names:
    partner_names = {p.id: p.naam for p in partners.list_partners(session)}
    if policy is None:
        return Names(partner_names, {}, {})
    vocab = policy.source.vocabulaires
    return Names(
        partner_names,
        {d.code: d.omschrijving for d in vocab.doelen},
        {g.code: f"{g.wet} {', '.join(g.artikelen)}" for g in vocab.grondslagen},
    )


def inzage(
    session: Session,
    vault: Vault,
    given: OpgegevenIdentiteit,
    *,
    officer: str,
    policy: CompiledPolicy | None,
    context: Context,
    origin: str,
    key: Ed25519PrivateKey,
    now: datetime,
) -> Inzage:
    connection = session.connection()
    pseudonyms = vault.log_pseudonyms(given.normalised())
    rows = ledger_repository.subject_rows(connection, pseudonyms)
    raw = ledger_repository.entries_at(connection, [seq for seq, _, _ in rows])
    confidential = {d.code for d in policy.source.vocabulaires.doelen if d.vertrouwelijk} if policy else set()
    afspraken = policy.source.convenant.procesafspraken if policy else Procesafspraken()
    person_id = vault.find(session, given)
    entries = {seq: orjson.loads(raw[seq]) for seq, _, _ in rows}
    under_confidential_doel = {
        e["casus_id"] for e in entries.values() if e.get("doel") in confidential and e.get("casus_id") is not None
    }
    cases = _casussen(session, person_id, set(afspraken.vertrouwelijke_casustypen), under_confidential_doel)
    hidden = {c.casus.id: c for c in cases if c.verborgen}
    shown: list[tuple[int, dict[str, Any], bytes, str]] = []
    held: dict[str, int] = {}
    held_by_casus: dict[int, int] = {}
    for seq, salt, pseudonym in rows:
        entry = entries[seq]
        if entry.get("casus_id") in hidden:
            held_by_casus[entry["casus_id"]] = held_by_casus.get(entry["casus_id"], 0) + 1
            continue
        if entry.get("doel") in confidential:
            held[entry["doel"]] = held.get(entry["doel"], 0) + 1
            continue
        shown.append((seq, entry, salt, pseudonym))
    # The inzage is about this person too, whether or not the hub has seen them before.
    record = raadpleging(
        context=context,
        lezer=officer,
        reden="inzage",
        posities=[seq for seq, *_ in rows],
        betrokkene=Betrokkene(pseudonyms[0]),
    )
    ledger.append(session, [record], now)
    checkpoint = ledger.sign_checkpoint(session, origin, key, now)
    proofs = ledger.inclusion_proofs(connection, [seq for seq, *_ in shown], checkpoint.size)
    names = _names(session, policy)
    regels = [
        Regel(seq, sentence(entry, names), entry, raw[seq], salt, pseudonym, proof.hashes)
        for (seq, entry, salt, pseudonym), proof in zip(shown, proofs, strict=True)
    ]
    withheld = [{"doel": doel, "aantal": count} for doel, count in sorted(held.items())]
    told = [c.zin for c in cases if not c.verborgen]
    beperkt = [
        {
            "casus_id": c.casus.id,
            "grond": c.informering.grond,
            "herbeoordeling": c.informering.herbeoordeling,
            "aantal": held_by_casus.get(c.casus.id or 0, 0),
        }
        for c in cases
        if c.beperkt and c.informering is not None
    ]
    vertrouwelijk = [
        {"casus_id": c.casus.id, "soort": str(c.casus.type), "aantal": held_by_casus.get(c.casus.id or 0, 0)}
        for c in cases
        if c.verborgen and not c.beperkt
    ]
    # The letter never says that anything is held back: that alone would tell the person (a confidential doel,
    # AVG art. 23). What is held back, why and until when is for the officer only (`achtergehouden`, `beperkt`,
    # `vertrouwelijk`), shown beside the letter, never in it.
    summary = _summary(len(regels))
    return Inzage(now, summary, regels, checkpoint, withheld, told, beperkt, vertrouwelijk)


@dataclass(frozen=True, slots=True)
class _Casus:
    casus: Casus
    informering: CasusInformering | None
    beperkt: bool
    """Its persons are not informed on a ground of AVG art. 23."""
    verborgen: bool
    """Neither the casus nor anything of it is in the letter: restricted, or confidential and not informed."""
    zin: str


def _casussen(
    session: Session, person_id: str | None, confidential_types: set[str], under_confidential_doel: set[int]
) -> list[_Casus]:
    """The casussen the person belongs to, each with the decision on informing them, in words; and whether the
    letter must keep it out: a restriction (AVG art. 23), or a confidential casus (its kind, or data shared in it
    under a confidential doel) for which no decision to inform its persons is recorded yet (fail closed)."""
    if person_id is None:
        return []
    found = casus_repository.casussen_of_person(session, person_id)
    decisions = casus_repository.informing_of(session, [c.id or 0 for c in found])
    result = []
    for casus_ in found:
        decision = decisions.get(casus_.id or 0)
        soort = CASUSTYPEN.get(str(casus_.type), str(casus_.type))
        informed = decision is not None and decision.besluit == Informeren.GEINFORMEERD
        if informed and decision is not None:
            status = f"u bent op {day_in_words(decision.datum)} hierover geïnformeerd (AVG artikel {decision.artikel})"
        else:
            status = "er is nog niet vastgelegd dat u hierover bent geïnformeerd"
        restricted = termijnen.restricted(decision)
        confidential = str(casus_.type) in confidential_types or casus_.id in under_confidential_doel
        hidden = restricted or (confidential and not informed)
        result.append(_Casus(casus_, decision, restricted, hidden, f"Casus {casus_.id} ({soort}): {status}."))
    return result


def _summary(count: int) -> str:
    """The letter's opening: how many entries it lists. Never whether anything was held back."""
    if count == 0:
        return "Schakel heeft geen verstrekkingen of andere verwerkingen over deze persoon vastgelegd."
    if count == 1:
        return "Schakel heeft één verwerking over deze persoon vastgelegd."
    return f"Schakel heeft {count} verwerkingen over deze persoon vastgelegd, de oudste eerst."
