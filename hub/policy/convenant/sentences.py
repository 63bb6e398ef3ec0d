"""A convenant version read as sentences: per verstrekker and ontvanger, what may be shared, for which doel, on
which grondslag, for how long and on which conditions. For privacy officers and reviewers who do not read YAML."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from hub.kit.clock import day_in_words
from hub.policy.convenant.format import PolicySource, Regel

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")


CASUSFASEN = {
    "aanmelding": "aanmelding", "triage": "triage", "plan-van-aanpak": "plan van aanpak", "afschaling": "afschaling",
    "gesloten": "gesloten",
}  # fmt: skip
"""The stages of a casus in words (the casus pages use them too)."""
CASUSTYPEN = {
    "pga": "persoonsgerichte aanpak", "top-x": "Top X", "huisverbod-monitoring": "monitoring na huisverbod",
    "nazorg": "nazorg ex-gedetineerden", "radicalisering": "radicalisering",
}  # fmt: skip
"""The kinds of casus in words."""


def termijn(duration: str) -> str:
    """`P1Y6M` -> `1 jaar en 6 maanden`."""
    match = _DURATION.fullmatch(duration)
    if match is None:
        return duration
    parts = []
    for value, one, many in zip(match.groups(), ("jaar", "maand", "dag"), ("jaar", "maanden", "dagen"), strict=True):
        if value:
            parts.append(f"{int(value)} {one if int(value) == 1 else many}")
    return " en ".join(parts) or duration


def opsomming(items: list[str]) -> str:
    """`a`, `a en b`, `a, b en c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


@dataclass(frozen=True, slots=True)
class Zin:
    """One rule as a sentence, with the parts a page may show apart."""

    regel: str
    tekst: str
    doel: str
    categorieen: tuple[str, ...]
    grondslag: str
    bewaartermijn: str
    voorwaarden: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Stroom:
    """All rules from one verstrekker to one ontvanger."""

    verstrekker: str
    ontvanger: str
    zinnen: tuple[Zin, ...]


class Namen:
    """The convenant's own descriptions of its codes."""

    def __init__(self, source: PolicySource) -> None:
        vocab = source.vocabulaires
        self.doelen = {d.code: d.omschrijving for d in vocab.doelen}
        self.categorieen = {c.code: c.omschrijving for c in vocab.categorieen}
        self.soorten = {s.code: s.omschrijving for s in vocab.soorten}
        self.grondslagen = {g.code: g for g in vocab.grondslagen}

    def partij(self, code: str) -> str:
        """A partner id as it is, a soort as `alle partners van de soort <omschrijving>`."""
        if code in self.soorten:
            return f"elke {self.soorten[code].lower()} (soort {code})"
        return code

    def grondslag(self, code: str) -> str:
        found = self.grondslagen.get(code)
        if found is None:
            return code
        articles = opsomming(found.artikelen)
        unconfirmed = " (artikelen nog door een jurist te bevestigen)" if found.te_bevestigen else ""
        return f"{found.wet}, {articles}{unconfirmed}"


def zin(regel: Regel, verstrekker: str, namen: Namen) -> Zin:
    categorieen = tuple(namen.categorieen.get(c, c) for c in regel.categorieen)
    doel = namen.doelen.get(regel.doel, regel.doel)
    grondslag = namen.grondslag(regel.grondslag)
    voorwaarden = []
    if regel.voorwaarden.toestemming:
        voorwaarden.append("alleen met toestemming van de betrokkene")
    casus = regel.voorwaarden.casus
    if casus is not None:
        fasen = opsomming([CASUSFASEN.get(f, f) for f in casus.fasen])
        soort = f" van het type {opsomming([CASUSTYPEN.get(t, t) for t in casus.typen])}" if casus.typen else ""
        voorwaarden.append(f"alleen binnen een casus{soort} in de fase {fasen}")
        if casus.aan_tafel:
            voorwaarden.append("alleen aan een ontvanger die aan tafel zit bij die casus")
        if casus.top_x:
            voorwaarden.append("alleen zolang de casus een Top X-status heeft die niet is vervallen")
    geldig = f"geldig vanaf {day_in_words(regel.geldig_van)}"
    if regel.geldig_tot is not None:
        geldig += f" tot en met {day_in_words(regel.geldig_tot)}"
    berichten = opsomming(regel.berichttypes)
    text = (
        f"{namen.partij(verstrekker).capitalize()} mag aan {namen.partij(regel.ontvanger)} "
        f"{opsomming([c.lower() for c in categorieen])} verstrekken, voor het doel {doel.lower()} ({regel.doel}), "
        f"in meldingen van het type {berichten}. Grondslag: {grondslag}; convenant artikel {regel.artikel}. "
        f"Bewaartermijn: {termijn(regel.bewaartermijn)}; {geldig}."
        + (f" Voorwaarde: {opsomming(voorwaarden)}." if voorwaarden else "")
    )
    return Zin(regel.id, text, doel, categorieen, grondslag, termijn(regel.bewaartermijn), tuple(voorwaarden))


def stromen(source: PolicySource) -> list[Stroom]:
    """Every (verstrekker, ontvanger) with its rules as sentences, in a stable order."""
    namen = Namen(source)
    grouped: dict[tuple[str, str], list[Zin]] = defaultdict(list)
    for bestand in source.regels.values():
        for regel in bestand.regels:
            grouped[(bestand.verstrekker, regel.ontvanger)].append(zin(regel, bestand.verstrekker, namen))
    return [
        Stroom(verstrekker, ontvanger, tuple(sorted(zinnen, key=lambda z: z.regel)))
        for (verstrekker, ontvanger), zinnen in sorted(grouped.items())
    ]
