"""The difference between two versions, as effective permissions on a date, in words a privacy officer reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from hub.policy.deciding.engine import CasusEis, CompiledPolicy


class Soort(StrEnum):
    TOEGEVOEGD = "toegevoegd"
    VERVALLEN = "vervallen"
    GEWIJZIGD = "gewijzigd"


@dataclass(frozen=True, slots=True)
class Toegang:
    """How a category reaches a recipient for a doel: under which rule(s), ground and term, in which berichttypes."""

    regels: tuple[str, ...]
    grondslagen: tuple[str, ...]
    bewaartermijnen: tuple[str, ...]
    met_toestemming: bool
    berichttypes: tuple[str, ...]
    alleen_in_casus: tuple[str, ...] = ()
    """When it is granted only within a casus: each way, in words (`plan-van-aanpak, aan tafel`)."""


@dataclass(frozen=True, slots=True)
class Wijziging:
    verstrekker: str
    ontvanger: str
    doel: str
    categorie: str
    soort: Soort
    oud: Toegang | None
    nieuw: Toegang | None

    def zin(self) -> str:
        """One line: `politie-limburg -> via-zuid-limburg, doel screening-verward-gedrag: + adres (regel R-POL-001)`."""
        head = f"{self.verstrekker} -> {self.ontvanger}, doel {self.doel}:"
        if self.soort is Soort.TOEGEVOEGD and self.nieuw is not None:
            consent = ", alleen met toestemming" if self.nieuw.met_toestemming else ""
            if self.nieuw.alleen_in_casus:
                consent += f", alleen in een casus ({'; '.join(self.nieuw.alleen_in_casus)})"
            return f"{head} + {self.categorie} (regel {', '.join(self.nieuw.regels)}{consent})"
        if self.soort is Soort.VERVALLEN and self.oud is not None:
            return f"{head} - {self.categorie} (was regel {', '.join(self.oud.regels)})"
        assert self.oud is not None and self.nieuw is not None  # noqa: S101 - GEWIJZIGD has both
        changes = []
        for label, before, after in (
            ("grondslag", self.oud.grondslagen, self.nieuw.grondslagen),
            ("bewaartermijn", self.oud.bewaartermijnen, self.nieuw.bewaartermijnen),
            ("berichttypes", self.oud.berichttypes, self.nieuw.berichttypes),
            ("regel", self.oud.regels, self.nieuw.regels),
        ):
            if before != after:
                changes.append(f"{label} {', '.join(before)} -> {', '.join(after)}")
        if self.oud.alleen_in_casus != self.nieuw.alleen_in_casus:
            changes.append(
                f"nu alleen in een casus ({'; '.join(self.nieuw.alleen_in_casus)})"
                if self.nieuw.alleen_in_casus
                else "nu ook buiten een casus"
            )
        if self.oud.met_toestemming != self.nieuw.met_toestemming:
            changes.append("nu alleen met toestemming" if self.nieuw.met_toestemming else "nu zonder toestemming")
        return f"{head} ~ {self.categorie}: {'; '.join(changes)}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["soort"] = str(self.soort)
        data["zin"] = self.zin()
        return data


def permissions(policy: CompiledPolicy, day: date) -> dict[tuple[str, str, str, str], Toegang]:
    """(verstrekker, ontvanger, doel, categorie) -> how it is granted on `day`, berichttypes merged."""
    grouped: dict[tuple[str, str, str, str], list[tuple[str, str, str, str, bool, str]]] = {}
    for (giver, taker, doel, berichttype), categorie, grant, conditional, casus in policy.toegang(day):
        grouped.setdefault((giver, taker, doel, categorie), []).append(
            (grant.regel, grant.grondslag, grant.bewaartermijn, berichttype, conditional, casus_words(casus))
        )
    return {
        key: Toegang(
            regels=tuple(sorted({g[0] for g in grants})),
            grondslagen=tuple(sorted({g[1] for g in grants})),
            bewaartermijnen=tuple(sorted({g[2] for g in grants})),
            met_toestemming=all(g[4] for g in grants),
            berichttypes=tuple(sorted({g[3] for g in grants})),
            alleen_in_casus=() if any(not g[5] for g in grants) else tuple(sorted({g[5] for g in grants})),
        )
        for key, grants in grouped.items()
    }


def casus_words(casus: CasusEis | None) -> str:
    """A casus condition in words: `fase plan-van-aanpak, type top-x, aan tafel, met Top X`; empty for none."""
    if casus is None:
        return ""
    parts = [f"fase {' of '.join(sorted(casus.fasen))}"]
    if casus.typen:
        parts.append(f"type {' of '.join(sorted(casus.typen))}")
    if casus.aan_tafel:
        parts.append("aan tafel")
    if casus.top_x:
        parts.append("met Top X")
    return ", ".join(parts)


def diff(old: CompiledPolicy | None, new: CompiledPolicy, day: date) -> list[Wijziging]:
    """What changes on `day` when `new` replaces `old` (None: nothing was permitted before)."""
    before = permissions(old, day) if old is not None else {}
    after = permissions(new, day)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        was, becomes = before.get(key), after.get(key)
        if was == becomes:
            continue
        soort = Soort.TOEGEVOEGD if was is None else Soort.VERVALLEN if becomes is None else Soort.GEWIJZIGD
        changes.append(Wijziging(*key, soort=soort, oud=was, nieuw=becomes))
    return changes


def affected_verstrekkers(changes: list[Wijziging]) -> set[str]:
    return {change.verstrekker for change in changes}


def affected_on_any_date(old: CompiledPolicy | None, new: CompiledPolicy) -> set[str]:
    """The verstrekkers whose permissions differ on any date: on every start or end date of either version."""
    days = set(new.breakpoints()) | (set(old.breakpoints()) if old is not None else set())
    days |= {date.fromordinal(d.toordinal() - 1) for d in days}
    return {v for day in days for v in affected_verstrekkers(diff(old, new, day))}
