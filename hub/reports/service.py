"""The DPIA report: how many disclosures per verstrekker -> ontvanger, doel, categorie and month, and how many
categories were withheld and why. Counted per person, as the log records them; no person appears in it."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlmodel import Session

from hub.kit.clock import NL
from hub.ledger import repository

VERSTREKT = "verstrekt"
ONBEKEND = "onbekend"
"""The gemeente of an entry that names none (the melding did not say, or the entry predates werkgebieden)."""


@dataclass(frozen=True, slots=True)
class Report:
    van: datetime
    tot: datetime
    categorieen: list[dict[str, Any]]
    """Rows: maand, gemeente, verstrekker, ontvanger, doel, categorie, uitkomst (`verstrekt` or a reason), aantal."""
    besluiten: list[dict[str, Any]]
    """Rows: maand, gemeente, verstrekker, ontvanger, doel, permit, partial, deny."""


def month_of(tijdstip: str) -> str:
    """The Dutch calendar month of an entry's UTC timestamp, as YYYY-MM."""
    return datetime.fromisoformat(tijdstip.replace("Z", "+00:00")).astimezone(NL).strftime("%Y-%m")


def verstrekkingen(session: Session, van: datetime, tot: datetime) -> Report:
    per_category: Counter[tuple[str, str, str, str, str, str, str]] = Counter()
    per_decision: Counter[tuple[str, str, str, str, str, str]] = Counter()
    for raw in repository.verstrekkingen_between(session.connection(), van, tot):
        entry = orjson.loads(raw)
        gemeente = entry.get("gemeente") or ONBEKEND
        key = (month_of(entry["tijdstip"]), gemeente, entry["verstrekker"], entry["ontvanger"], entry["doel"])
        per_decision[(*key, entry["besluit"])] += 1
        for disclosed in entry["categorieen_verstrekt"]:
            per_category[(*key, disclosed["categorie"], VERSTREKT)] += 1
        for withheld in entry["categorieen_achtergehouden"]:
            per_category[(*key, withheld["categorie"], withheld["reden"])] += 1
    categories = [
        {
            "maand": m,
            "gemeente": g,
            "verstrekker": v,
            "ontvanger": o,
            "doel": d,
            "categorie": c,
            "uitkomst": u,
            "aantal": n,
        }
        for (m, g, v, o, d, c, u), n in sorted(per_category.items())
    ]
    decisions: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
    for (m, g, v, o, d, besluit), n in sorted(per_decision.items()):
        row = decisions.setdefault(
            (m, g, v, o, d),
            {
                "maand": m,
                "gemeente": g,
                "verstrekker": v,
                "ontvanger": o,
                "doel": d,
                "permit": 0,
                "partial": 0,
                "deny": 0,
            },
        )
        row[besluit] = n
    return Report(van, tot, categories, list(decisions.values()))


CSV_COLUMNS = ("maand", "gemeente", "verstrekker", "ontvanger", "doel", "categorie", "uitkomst", "aantal")


def as_csv(report: Report) -> str:
    """The per-category counts as CSV (comma-separated, a header row), for a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report.categorieen)
    return out.getvalue()
