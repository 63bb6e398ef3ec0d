"""What an entry of the verstrekkingenlog says, and how it is written down.

An entry is plain JSON data (no floats, no free text, no direct identifiers), its field names aligned with
Logius' Logboek Dataverwerkingen where one exists (`trace_id`, `span_id`, `verwerkingsactiviteit_id`,
`betrokkene_id`) plus the hub's own. The betrokkene appears only as a salted commitment to their log-domain
pseudonym: SHA-256 over a domain-separation label, a fresh 16-byte salt and the pseudonym. The salt and the
pseudonym sit in the side table `ledger_betrokkene`, which erasure empties for that person; the entry itself
never changes and stays verifiable, but can no longer be tied to anyone. Neither needs the database: an entry
is made, canonically written and hashed before the transaction that stores it (see `sequencer.py`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

ENTRY_VERSION = 1
_COMMITMENT_LABEL = b"schakel/betrokkene/v1\x00"


class Soort(StrEnum):
    """The kinds of entry."""

    VERSTREKKING = "verstrekking"
    """A decision to disclose (permit, partial) or to refuse (deny) one melding to one recipient, per person."""
    ONTVANGST = "ontvangst"
    """The recipient's signed acknowledgement of a delivery: the proof of delivery."""
    INTREKKING = "intrekking"
    """A delivery not made after all, because the consent it relied on was withdrawn."""
    HERIDENTIFICATIE = "heridentificatie"
    """A step of a re-identification: asked, approved, the identity shown to the holder's officer, or refused."""
    VERGETELHEID = "vergetelheid"
    """A betrokkene was forgotten (their data key destroyed)."""
    RAADPLEGING = "raadpleging"
    """Somebody read entries about betrokkenen (which entries, by whom, why)."""
    CASUS = "casus"
    """A step in a casus of the ZVH: opened, stage changed, a participant added or removed, a person or melding
    linked. The reason given stays in the casus's history; the entry holds its hash."""
    LIMIET = "limiet"
    """Somebody was refused at a cap the convenant sets (signals, bekendheidschecks, lists): who, which cap."""
    BEKENDHEID = "bekendheid"
    """The bekendheidscheck: a partner registered, renewed or withdrew that it knows a person; or the ZVH asked, for
    a casus at triage, whether a partner at the table knows its persons, and the answer (hit or no hit)."""


@dataclass(frozen=True, slots=True)
class Betrokkene:
    """The person an entry is about, as the log knows them: by their log-domain pseudonym (under the active key)."""

    log_pseudonym: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry to append: its data (without the commitment, which appending adds) and what indexes it."""

    soort: Soort
    data: Mapping[str, Any]
    betrokkene: Betrokkene | None = None
    verstrekker: str | None = None
    ontvanger: str | None = None
    doel: str | None = None
    besluit: str | None = None
    categorieen: tuple[str, ...] = field(default=())
    berichttype: str | None = None


def commitment(salt: bytes, log_pseudonym: str) -> str:
    """`sha256:<hex>` of the label, the salt and the pseudonym: binds an entry to a person without naming them."""
    digest = hashlib.sha256(_COMMITMENT_LABEL + salt + log_pseudonym.encode("ascii")).hexdigest()
    return f"sha256:{digest}"


def new_salt() -> bytes:
    return secrets.token_bytes(16)


def timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds: a fixed-width string, so entries stay free of floats."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def body(entry: Entry, moment: datetime, betrokkene_id: str | None) -> dict[str, Any]:
    """The exact data that is written canonically and hashed as the leaf."""
    data = {"v": ENTRY_VERSION, "soort": str(entry.soort), "tijdstip": timestamp(moment), **entry.data}
    if betrokkene_id is not None:
        data["betrokkene_id"] = betrokkene_id
        data["betrokkene_id_soort"] = "commitment-sha256"
    return data


@dataclass(frozen=True, slots=True)
class Context:
    """Who caused an entry and in which request: the trace context and the digest of the signed request."""

    trace_id: str | None
    span_id: str | None
    verzoek_digest: str | None = None
    """SHA-256 of the caller's signed token: proof that this principal asked for exactly this request."""

    def fields(self) -> dict[str, Any]:
        values = {"trace_id": self.trace_id, "span_id": self.span_id, "verzoek_digest": self.verzoek_digest}
        return {k: v for k, v in values.items() if v is not None}


def heridentificatie(
    *,
    context: Context,
    betrokkene: Betrokkene,
    stap: str,
    domein: str,
    doel: str,
    verzoek_id: int | None = None,
    door: str | None = None,
    goedgekeurd: str | None = None,
    geweigerd: tuple[str, str, str] | None = None,
) -> Entry:
    """One step of a re-identification: `aangevraagd`, `goedgekeurd`, `getoond` or `geweigerd` (an entry without a
    `stap`, from before steps were recorded, is a `getoond`). `geweigerd`: (principal, their partner, refusal code)."""
    data = {
        **context.fields(),
        "stap": stap,
        "verzoek_id": verzoek_id,
        "pseudoniem_domein": domein,
        "doel": doel,
        "aangevraagd_door": door,
        "goedgekeurd_door": goedgekeurd,
        **({"geweigerd_voor": geweigerd[0], "organisatie": geweigerd[1], "reden": geweigerd[2]} if geweigerd else {}),
    }
    return Entry(Soort.HERIDENTIFICATIE, {k: v for k, v in data.items() if v is not None}, betrokkene, doel=doel)


def vergetelheid(*, context: Context, verzoek_id: int, door: str, goedgekeurd: str) -> Entry:
    """An erasure: it names the request only, since the person's commitments are unlinked at the same moment."""
    data = {**context.fields(), "verzoek_id": verzoek_id, "aangevraagd_door": door, "goedgekeurd_door": goedgekeurd}
    return Entry(Soort.VERGETELHEID, data)


def bewaartermijn_verstreken(*, context: Context) -> Entry:
    """A person crypto-shredded by retention: every term that held them ended. Names nobody: their commitments are
    unlinked at the same moment."""
    return Entry(Soort.VERGETELHEID, {**context.fields(), "reden": "bewaartermijn-verstreken"})


def raadpleging(
    *, context: Context, lezer: str, reden: str, posities: list[int], betrokkene: Betrokkene | None = None
) -> Entry:
    """Somebody read entries: which positions (so which persons' entries), who, and why (`inzage`, `dpia`)."""
    data = {**context.fields(), "lezer": lezer, "reden": reden, "posities": posities}
    return Entry(Soort.RAADPLEGING, data, betrokkene)


def casus(
    *,
    context: Context,
    casus_id: int,
    handeling: str,
    door: str,
    details: str,
    reden: str,
    betrokkene: Betrokkene | None = None,
    verstrekker: str | None = None,
    ontvanger: str | None = None,
) -> Entry:
    """A step in a casus. `details` are codes (a stage, a partner id); the free-text `reden` is kept out of the
    log: only its SHA-256 is here, so the history's reason can be checked against it."""
    data = {
        **context.fields(),
        "casus_id": casus_id,
        "handeling": handeling,
        "door": door,
        "details": details,
        "reden_digest": "sha256:" + hashlib.sha256(reden.encode("utf-8")).hexdigest(),
    }
    if ontvanger is not None:
        data |= {"verstrekker": verstrekker, "ontvanger": ontvanger}
    return Entry(Soort.CASUS, data, betrokkene, verstrekker=verstrekker, ontvanger=ontvanger)


def limiet(*, context: Context, partner: str, door: str, limiet: str, grens: str) -> Entry:
    """A refusal at a cap (`limiet`: `bekend-signalen`, `bekendheidschecks`, `lijsten`, `lijst-adressen`; `grens`:
    the cap in words, e.g. `100 per P1M`). Names nobody it is about: no person is looked up for it."""
    data = {**context.fields(), "partner": partner, "door": door, "limiet": limiet, "grens": grens}
    return Entry(Soort.LIMIET, data, verstrekker=partner)


def bekendheid(
    *,
    context: Context,
    handeling: str,
    partner: str,
    details: dict[str, Any],
    betrokkene: Betrokkene | None = None,
    zvh: str | None = None,
) -> Entry:
    """A bekend signal registered, renewed or withdrawn by `partner` (about `betrokkene`), or the ZVH's question to
    `partner` within a casus and its answer (`details`: ids and codes only)."""
    data = {**context.fields(), "handeling": handeling, "partner": partner, **details}
    if zvh is not None:
        data["zvh"] = zvh
    return Entry(Soort.BEKENDHEID, data, betrokkene, verstrekker=zvh, ontvanger=partner)
