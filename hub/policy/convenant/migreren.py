"""A stored version of an older format, rewritten in today's: what `schakel policy migreer` proposes.

The result means what the hub reads the old version as (`formaat.py`), plus what today's format asks and the
privacy officers must decide: a werkgebied per deelnemer (from the registry, or given), and per berichttype the
field with the gemeente (given; never guessed). A yes for a beroepsgeheim named no law, so it is left out; naming
the law is the officers' work. What is still open comes back as sentences, in Dutch; the files are written either
way, for the officers to complete, check (`schakel policy validate`) and propose (`schakel policy propose`), after
which a second privacy officer approves them: migrating is a proposal like any other, never an approval.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.policy.convenant.format import FORMAAT


@dataclass(frozen=True, slots=True)
class Migratie:
    bron: dict[str, Any]
    """The convenant in today's format, as data (`convenant`, `vocabulaires`, `berichttypes`, `verboden`, `regels`)."""
    nog_te_doen: list[str] = field(default_factory=list)
    """What the privacy officers must still add or decide, in Dutch; empty when the files are complete."""
    gedaan: list[str] = field(default_factory=list)
    """What was carried over on their behalf, in Dutch, for them to check."""


def migreer(
    stored: dict[str, Any], formaat: int, *, werkgebieden: Mapping[str, list[str]], gemeentevelden: Mapping[str, str]
) -> Migratie:
    """`stored` (a version's source, of `formaat`) in today's format. `werkgebieden`: per partner, the CBS
    gemeentecodes it serves (given, else the registry's); `gemeentevelden`: per berichttype, the field that holds
    the gemeentecode of the melding."""
    bron = copy.deepcopy(stored)
    todo: list[str] = []
    done: list[str] = []
    if formaat >= FORMAAT:
        todo.append(f"Deze versie heeft al formaat {FORMAAT}: er valt niets te migreren.")
        return Migratie(bron, todo, done)
    convenant = bron["convenant"]
    convenant["versie"] = f"{convenant['versie']}-formaat{FORMAAT}"
    done.append(f"Het versienummer is {convenant['versie']}; pas het aan als u wilt.")
    _soorten(bron, todo)
    _deelnemers(bron, werkgebieden, todo, done)
    _berichttypes(bron, gemeentevelden, todo, done)
    if not convenant.get("toestemmingen"):
        todo.append(
            "Het convenant zegt niet wie een toestemming mag vastleggen; een regel die toestemming vraagt, verstrekt "
            "daarom niets (zo las de hub ook de oude versie). Noem onder `toestemmingen` in convenant.yaml per item "
            "wie haar vastlegt, als dat de bedoeling is."
        )
    return Migratie(bron, todo, done)


def _soorten(bron: dict[str, Any], todo: list[str]) -> None:
    named = []
    for soort in bron["vocabulaires"]["soorten"]:
        if isinstance(soort.get("beroepsgeheim"), bool):
            if soort["beroepsgeheim"]:
                named.append(soort["code"])
            soort["beroepsgeheim"] = None
    if named:
        todo.append(
            f"Formaat 1 zei alleen 'ja' bij het beroepsgeheim van {', '.join(sorted(named))}, zonder wet. Een "
            "convenant kan geen beroepsgeheim scheppen: noem in vocabulaires.yaml per soort met een wettelijk "
            "beroepsgeheim de wet en de artikelen (beroepsgeheim: {wet: ..., artikelen: [...]}). Zonder blijft het "
            "weg, zoals de hub de oude versie ook las."
        )


def _fill(rows: list[dict[str, Any]], name: str, field: str, given: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Give each row (named by its `name` key) that lacks `field` the value `given` has for it. Returns (what was
    filled, as 'name (value)'; the names still lacking it)."""
    filled, missing = [], []
    for row in rows:
        if row.get(field):
            continue
        value = given.get(row[name])
        if value:
            row[field] = value
            filled.append(f"{row[name]} ({', '.join(value) if isinstance(value, list) else value})")
        else:
            missing.append(row[name])
    return filled, missing


def _deelnemers(bron: dict[str, Any], werkgebieden: Mapping[str, list[str]], todo: list[str], done: list[str]) -> None:
    codes = {partner: sorted(set(given)) for partner, given in werkgebieden.items()}
    filled, missing = _fill(bron["convenant"]["deelnemers"], "partner", "werkgebied", codes)
    if filled:
        done.append("Werkgebied overgenomen: " + "; ".join(filled) + ".")
    if missing:
        todo.append(
            f"Geef in convenant.yaml een werkgebied (CBS-gemeentecodes, bijv. [GM0935]) aan: {', '.join(missing)}; of "
            "geef het mee met --werkgebied PARTNER=GM0935,GM0938, of leg het eerst vast in het register "
            "(`schakel partner werkgebied`)."
        )


def _berichttypes(bron: dict[str, Any], gemeentevelden: Mapping[str, str], todo: list[str], done: list[str]) -> None:
    filled, missing = _fill(bron["berichttypes"]["berichttypes"], "code", "gemeente", gemeentevelden)
    if filled:
        done.append("Veld met de gemeente: " + "; ".join(filled) + ".")
    if missing:
        todo.append(
            f"Noem in berichttypes.yaml per berichttype het veld met de CBS-gemeentecode van de melding: "
            f"{', '.join(missing)}; of geef het mee met --gemeenteveld BERICHTTYPE=veld. Zonder bereikt een melding "
            "van dat berichttype niemand meer, want in het nieuwe formaat is elke ontvanger aan zijn werkgebied "
            "gebonden. Vraag de verstrekkers of hun systemen dat veld meesturen."
        )
