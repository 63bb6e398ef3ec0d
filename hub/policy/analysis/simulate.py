"""Simulation: replay recorded decision inputs (metadata only, never payloads) against a proposed version.

A recorded input is one JSON object per line:
    {"verstrekker": "politie-limburg", "ontvanger": "via-zuid-limburg", "doel": "screening-verward-gedrag",
     "berichttype": "e33-verward-gedrag", "categorieen": ["identificatie", "adres"], "datum": "2026-11-02",
     "toestemmingen": []}
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hub.policy.deciding.decision import Besluit, Verzoek
from hub.policy.deciding.engine import CompiledPolicy


class Opname(BaseModel):
    """One recorded decision input. Only metadata: who, to whom, why, which categories, when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verstrekker: str = Field(max_length=64)
    ontvanger: str = Field(max_length=64)
    doel: str = Field(max_length=64)
    berichttype: str = Field(max_length=64)
    categorieen: list[str] = Field(max_length=64)
    datum: date
    toestemmingen: list[str] = Field(default_factory=list, max_length=64)

    def verzoek(self) -> Verzoek:
        return Verzoek(
            self.verstrekker,
            self.ontvanger,
            self.doel,
            self.berichttype,
            frozenset(self.categorieen),
            self.datum,
            frozenset(self.toestemmingen),
        )


class TrafficError(ValueError):
    """A recorded-traffic line is not a valid decision input; the message names the line."""


def read_traffic(lines: Iterable[str]) -> list[Opname]:
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(Opname.model_validate(json.loads(line)))
        except (ValueError, ValidationError) as exc:
            raise TrafficError(f"line {number}: not a decision input ({type(exc).__name__})") from exc
    return records


@dataclass
class Rapport:
    totaal: int = 0
    gewijzigd: int = 0
    uitkomsten: Counter[str] = field(default_factory=Counter)
    """"permit -> partial" and the like: how many inputs would change outcome this way."""
    nu_verstrekt: Counter[str] = field(default_factory=Counter)
    """Per category: how many inputs would newly disclose it."""
    nu_achtergehouden: Counter[str] = field(default_factory=Counter)
    voorbeelden: list[dict[str, Any]] = field(default_factory=list)
    per_stroom: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """Per flow (verstrekker, ontvanger, doel): how many of its inputs would change."""

    def as_json(self) -> dict[str, Any]:
        return {
            "totaal": self.totaal,
            "gewijzigd": self.gewijzigd,
            "uitkomsten": dict(sorted(self.uitkomsten.items())),
            "nuVerstrekt": dict(sorted(self.nu_verstrekt.items())),
            "nuAchtergehouden": dict(sorted(self.nu_achtergehouden.items())),
            "voorbeelden": self.voorbeelden,
            "perStroom": [
                {"verstrekker": v, "ontvanger": o, "doel": d, "gewijzigd": n}
                for (v, o, d), n in sorted(self.per_stroom.items())
            ],
        }

    def lines(self) -> list[str]:
        out = [f"{self.gewijzigd} van {self.totaal} besluiten veranderen."]
        out += [f"  {change}: {count}" for change, count in sorted(self.uitkomsten.items())]
        out += [f"  + {c} zou nu verstrekt worden in {n} gevallen" for c, n in sorted(self.nu_verstrekt.items())]
        out += [
            f"  - {c} zou nu achtergehouden worden in {n} gevallen" for c, n in sorted(self.nu_achtergehouden.items())
        ]
        for example in self.voorbeelden:
            out.append(
                f"  voorbeeld: {example['verstrekker']} -> {example['ontvanger']} ({example['doel']}, "
                f"{example['datum']}): {example['was']} -> {example['wordt']}"
            )
        return out


def simulate(
    current: CompiledPolicy | None, proposed: CompiledPolicy, records: Iterable[Opname], examples: int = 3
) -> Rapport:
    rapport = Rapport()
    shown: Counter[tuple[str, str, str, str]] = Counter()
    for record in records:
        verzoek = record.verzoek()
        rapport.totaal += 1
        was = current.decide(verzoek) if current is not None else None
        becomes = proposed.decide(verzoek)
        before, after = _granted(was), _granted(becomes)
        outcome_before = str(was.uitkomst) if was is not None else "geen beleid"
        if before == after and outcome_before == str(becomes.uitkomst):
            continue
        rapport.gewijzigd += 1
        change = f"{outcome_before} -> {becomes.uitkomst}"
        rapport.uitkomsten[change] += 1
        rapport.per_stroom[(record.verstrekker, record.ontvanger, record.doel)] += 1
        rapport.nu_verstrekt.update(after - before)
        rapport.nu_achtergehouden.update(before - after)
        key = (record.verstrekker, record.ontvanger, record.doel, change)
        if shown[key] < examples:
            shown[key] += 1
            rapport.voorbeelden.append(
                {
                    "verstrekker": record.verstrekker,
                    "ontvanger": record.ontvanger,
                    "doel": record.doel,
                    "berichttype": record.berichttype,
                    "datum": record.datum.isoformat(),
                    "was": outcome_before,
                    "wordt": str(becomes.uitkomst),
                    "nuVerstrekt": sorted(after - before),
                    "nuAchtergehouden": sorted(before - after),
                }
            )
    return rapport


def _granted(besluit: Besluit | None) -> set[str]:
    if besluit is None:
        return set()
    return {c if g.items is None else f"{c}/{i}" for c, g in besluit.verstrekt.items() for i in (g.items or [""])}
