"""Checking a convenant beyond its format: codes that do not exist, special data without a ground that covers it,
impossible dates, rules that a prohibition empties or trims, and duplicate or contradictory rules.

Every finding names the file, the rule (or entry) and what to change. Errors block a proposal; warnings do not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

from hub.policy.convenant.format import Berichttype, Categorie, FormatError, Grondslag, PolicySource, Regel
from hub.policy.deciding.engine import CompiledPolicy, RegelInstantie


class Niveau(StrEnum):
    FOUT = "fout"
    WAARSCHUWING = "waarschuwing"


@dataclass(frozen=True, slots=True)
class Bevinding:
    niveau: Niveau
    bestand: str
    onderwerp: str
    """The rule id, prohibition id or vocabulary entry it is about; empty for the whole file."""
    melding: str

    def __str__(self) -> str:
        where = f"{self.bestand}, {self.onderwerp}" if self.onderwerp else self.bestand
        return f"{self.niveau}: {where}: {self.melding}"


def findings_from_format_error(error: FormatError) -> list[Bevinding]:
    return [
        Bevinding(Niveau.FOUT, file, location, f"{message}; see the JSON Schema in policies/schema/")
        for file, location, message in error.problems
    ]


def validate(source: PolicySource) -> list[Bevinding]:
    """Every finding about a well-formed convenant, errors first."""
    found: list[Bevinding] = []
    found += _vocabulary(source)
    found += _rules(source)
    found += _prohibitions(source)
    found += _consents(source)
    found += _reidentification(source)
    found += _free_text(source)
    found += _process(source)
    found += _casus(source)
    found += _unconfirmed(source)
    if not any(f.niveau is Niveau.FOUT for f in found):
        # Only a convenant whose codes all resolve can be expanded into rule instances.
        compiled = CompiledPolicy(source, content_hash="", label="validate")
        found += _overlaps(compiled)
        found += _prohibition_effects(source, compiled)
    return sorted(found, key=lambda f: (f.niveau is not Niveau.FOUT, f.bestand, f.onderwerp))


def has_errors(findings: Iterable[Bevinding]) -> bool:
    return any(f.niveau is Niveau.FOUT for f in findings)


def _known(kind: str, value: str, known: Iterable[str]) -> str:
    options = ", ".join(sorted(known))
    return f"unknown {kind} {value!r}; use one of: {options}"


def _duplicates(codes: list[str]) -> set[str]:
    return {c for c in codes if codes.count(c) > 1}


def _vocabulary(source: PolicySource) -> list[Bevinding]:
    found: list[Bevinding] = []
    vocab = source.vocabulaires
    for kind, codes in (
        ("soort", [s.code for s in vocab.soorten]),
        ("doel", [d.code for d in vocab.doelen]),
        ("categorie", [c.code for c in vocab.categorieen]),
        ("grondslag", [g.code for g in vocab.grondslagen]),
    ):
        for code in sorted(_duplicates(codes)):
            found.append(Bevinding(Niveau.FOUT, "vocabulaires.yaml", code, f"{kind} {code!r} is defined twice"))
    soorten = {s.code for s in vocab.soorten}
    partners = [d.partner for d in source.convenant.deelnemers]
    for partner in sorted(_duplicates(partners)):
        found.append(Bevinding(Niveau.FOUT, "convenant.yaml", partner, "this partner is listed twice as deelnemer"))
    for deelnemer in source.convenant.deelnemers:
        if deelnemer.soort not in soorten:
            found.append(
                Bevinding(Niveau.FOUT, "convenant.yaml", deelnemer.partner, _known("soort", deelnemer.soort, soorten))
            )
    categories = {c.code for c in vocab.categorieen}
    for code in sorted(_duplicates([b.code for b in source.berichttypes.berichttypes])):
        found.append(Bevinding(Niveau.FOUT, "berichttypes.yaml", code, "this berichttype is defined twice"))
    for berichttype in source.berichttypes.berichttypes:
        for path, spec in berichttype.velden.items():
            categorie = spec if isinstance(spec, str) else spec.categorie
            if categorie not in categories:
                found.append(
                    Bevinding(
                        Niveau.FOUT,
                        "berichttypes.yaml",
                        f"{berichttype.code}: {path}",
                        _known("categorie", categorie, categories),
                    )
                )
    return found


def _rules(source: PolicySource) -> list[Bevinding]:
    found: list[Bevinding] = []
    vocab = source.vocabulaires
    selectors = {d.partner for d in source.convenant.deelnemers} | {s.code for s in vocab.soorten}
    doelen = {d.code for d in vocab.doelen}
    berichttypes = {b.code: b for b in source.berichttypes.berichttypes}
    categories = {c.code: c for c in vocab.categorieen}
    grounds = {g.code: g for g in vocab.grondslagen}
    ids = [r.id for regels in source.regels.values() for r in regels.regels]
    for rule_id in sorted(_duplicates(ids)):
        found.append(Bevinding(Niveau.FOUT, "regels/", rule_id, "this rule id is used twice; give each rule its own"))
    for file_name, regels in sorted(source.regels.items()):
        file = f"regels/{file_name}"
        if regels.verstrekker not in selectors:
            found.append(
                Bevinding(Niveau.FOUT, file, "verstrekker", _known("partner or soort", regels.verstrekker, selectors))
            )
        for regel in regels.regels:
            found += _rule(file, regel, selectors, doelen, berichttypes, categories, grounds)
    return found


def _rule(  # noqa: PLR0917 - the vocabularies it checks against, each by name
    file: str,
    regel: Regel,
    selectors: set[str],
    doelen: set[str],
    berichttypes: dict[str, Berichttype],
    categories: dict[str, Categorie],
    grounds: dict[str, Grondslag],
) -> list[Bevinding]:
    found: list[Bevinding] = []

    def error(message: str) -> None:
        found.append(Bevinding(Niveau.FOUT, file, regel.id, message))

    if regel.ontvanger not in selectors:
        error(_known("ontvanger (partner or soort)", regel.ontvanger, selectors))
    if regel.doel not in doelen:
        error(_known("doel", regel.doel, doelen))
    for code in regel.berichttypes:
        if code not in berichttypes:
            error(_known("berichttype", code, berichttypes))
    for code in regel.categorieen:
        if code not in categories:
            error(_known("categorie", code, categories))
    ground = grounds.get(regel.grondslag)
    if ground is None:
        error(_known("grondslag", regel.grondslag, grounds))
    else:
        for code in regel.categorieen:
            categorie = categories.get(code)
            if categorie is not None and categorie.bijzonder and categorie.bijzonder not in ground.dekt:
                kind = "special-category (AVG art. 9)" if categorie.bijzonder == "art9" else "criminal (AVG art. 10)"
                error(
                    f"{code!r} is {kind} data but grondslag {ground.code!r} does not cover {categorie.bijzonder}; "
                    f"use a grondslag whose `dekt` lists {categorie.bijzonder}, or move {code!r} to a rule that has one"
                )
    if regel.geldig_tot is not None and regel.geldig_tot < regel.geldig_van:
        error(f"geldig_tot {regel.geldig_tot} lies before geldig_van {regel.geldig_van}; swap or correct the dates")
    carried = {
        (spec if isinstance(spec, str) else spec.categorie)
        for code in regel.berichttypes
        if code in berichttypes
        for spec in berichttypes[code].velden.values()
    }
    unused = sorted(set(regel.categorieen) - carried) if carried else []
    if unused and not any(f.niveau is Niveau.FOUT for f in found):
        found.append(
            Bevinding(
                Niveau.WAARSCHUWING,
                file,
                regel.id,
                f"none of its berichttypes has a field of {', '.join(unused)}; remove them or add the fields",
            )
        )
    return found


def _prohibitions(source: PolicySource) -> list[Bevinding]:
    found: list[Bevinding] = []
    selectors = {d.partner for d in source.convenant.deelnemers} | {s.code for s in source.vocabulaires.soorten}
    categories = {c.code for c in source.vocabulaires.categorieen}
    for verbod_id in sorted(_duplicates([v.id for v in source.verboden.verboden])):
        found.append(Bevinding(Niveau.FOUT, "verboden.yaml", verbod_id, "this prohibition id is used twice"))
    for verbod in source.verboden.verboden:
        for code in verbod.categorieen:
            if code not in categories:
                found.append(Bevinding(Niveau.FOUT, "verboden.yaml", verbod.id, _known("categorie", code, categories)))
        for selector in [*verbod.ontvangers, *verbod.behalve]:
            if selector != "*" and selector not in selectors:
                found.append(
                    Bevinding(Niveau.FOUT, "verboden.yaml", verbod.id, _known("partner or soort", selector, selectors))
                )
        if verbod.geldig_van and verbod.geldig_tot and verbod.geldig_tot < verbod.geldig_van:
            found.append(
                Bevinding(
                    Niveau.FOUT, "verboden.yaml", verbod.id, "geldig_tot lies before geldig_van; correct the dates"
                )
            )
    return found


def _casus(source: PolicySource) -> list[Bevinding]:
    """A rule bound to a casus names only stages its doel serves, and needs Top X only where a casus can have it."""
    found: list[Bevinding] = []
    stages = {d.code: set(d.casusfasen) for d in source.vocabulaires.doelen}
    for file_name, regels in sorted(source.regels.items()):
        for regel in regels.regels:
            casus = regel.voorwaarden.casus
            if casus is None or regel.doel not in stages:
                continue
            served = stages[regel.doel]
            outside = sorted(set(casus.fasen) - served)
            if outside:
                found.append(
                    Bevinding(
                        Niveau.FOUT,
                        f"regels/{file_name}",
                        regel.id,
                        f"voorwaarden.casus names stage(s) {', '.join(outside)}, which doel {regel.doel!r} does not "
                        f"serve (its casusfasen: {', '.join(sorted(served)) or 'none'}); add them to the doel in "
                        "vocabulaires.yaml or choose the doel of that stage",
                    )
                )
            if casus.top_x and casus.typen and "top-x" not in casus.typen:
                found.append(
                    Bevinding(
                        Niveau.FOUT,
                        f"regels/{file_name}",
                        regel.id,
                        "voorwaarden.casus needs Top X status but names no casus of type top-x: no casus can ever "
                        "satisfy it; add top-x to typen or drop top_x",
                    )
                )
    return found


def _consents(source: PolicySource) -> list[Bevinding]:
    """Who may record which consent: known items and partners; a consent rule nobody can ever satisfy."""
    found: list[Bevinding] = []
    selectors = {d.partner for d in source.convenant.deelnemers} | {s.code for s in source.vocabulaires.soorten}
    items: dict[str, set[str]] = {c.code: set() for c in source.vocabulaires.categorieen}
    for berichttype in source.berichttypes.berichttypes:
        for spec in berichttype.velden.values():
            if not isinstance(spec, str) and spec.item is not None:
                items.setdefault(spec.categorie, set()).add(spec.item)
    entitled: set[str] = set()
    for bevoegdheid in source.convenant.toestemmingen:
        categorie, _, item = bevoegdheid.item.partition("/")
        if categorie not in items or (item and item not in items[categorie]):
            found.append(
                Bevinding(
                    Niveau.FOUT,
                    "convenant.yaml",
                    f"toestemmingen: {bevoegdheid.item}",
                    "no category or consent item of this convenant has this code; use `categorie` or "
                    "`categorie/item` as the berichttypes declare them",
                )
            )
        for vastlegger in bevoegdheid.vastleggers:
            if vastlegger not in selectors:
                found.append(
                    Bevinding(
                        Niveau.FOUT,
                        "convenant.yaml",
                        f"toestemmingen: {bevoegdheid.item}",
                        _known("partner or soort", vastlegger, selectors),
                    )
                )
        entitled.add(categorie)
    for file_name, regels in sorted(source.regels.items()):
        for regel in regels.regels:
            missing = sorted(set(regel.categorieen) - entitled) if regel.voorwaarden.toestemming else []
            if missing:
                found.append(
                    Bevinding(
                        Niveau.WAARSCHUWING,
                        f"regels/{file_name}",
                        regel.id,
                        f"needs consent, but convenant.yaml names nobody who may record a consent for "
                        f"{', '.join(missing)}: those categories will never be disclosed under it",
                    )
                )
    bound = all(d.werkgebied is not None for d in source.convenant.deelnemers)  # format 1 bound none
    for berichttype in source.berichttypes.berichttypes:
        if berichttype.gemeente is None and bound:
            found.append(
                Bevinding(
                    Niveau.WAARSCHUWING,
                    "berichttypes.yaml",
                    berichttype.code,
                    "names no `gemeente` field: its meldingen concern no known gemeente, so they reach no recipient "
                    "(every recipient is bound to its werkgebied)",
                )
            )
    return found


def _process(source: PolicySource) -> list[Bevinding]:
    """Who may register a `bekend` signal by a reference to its own file: known partners or soorten."""
    selectors = {d.partner for d in source.convenant.deelnemers} | {s.code for s in source.vocabulaires.soorten}
    return [
        Bevinding(
            Niveau.FOUT,
            "convenant.yaml",
            "procesafspraken: bekend_met_referentie",
            _known("partner or soort", selector, selectors),
        )
        for selector in source.convenant.procesafspraken.bekend_met_referentie
        if selector not in selectors
    ]


def _free_text(source: PolicySource) -> list[Bevinding]:
    """What a free-text field may hold: known categories."""
    categorieen = {c.code for c in source.vocabulaires.categorieen}
    return [
        Bevinding(
            Niveau.FOUT,
            "berichttypes.yaml",
            f"{berichttype.code}: vrije_tekst {path}",
            _known("category", categorie, categorieen),
        )
        for berichttype in source.berichttypes.berichttypes
        for path, vrij in berichttype.vrije_tekst.items()
        for categorie in vrij.kan_bevatten
        if categorie not in categorieen
    ]


def _reidentification(source: PolicySource) -> list[Bevinding]:
    """Under which doelen a pseudonym may be re-identified, and by whose approval: known doelen and approvers."""
    found: list[Bevinding] = []
    doelen = {d.code for d in source.vocabulaires.doelen}
    approvers = {d.partner for d in source.convenant.deelnemers} | {s.code for s in source.vocabulaires.soorten}
    approvers.add("verstrekker")
    for index, afspraak in enumerate(source.convenant.heridentificatie):
        where = f"heridentificatie[{index}]"
        found += [
            Bevinding(Niveau.FOUT, "convenant.yaml", where, _known("doel", doel, doelen))
            for doel in afspraak.doelen
            if doel not in doelen
        ]
        found += [
            Bevinding(Niveau.FOUT, "convenant.yaml", where, _known("approver", goedkeurder, approvers))
            for goedkeurder in afspraak.goedkeurders
            if goedkeurder not in approvers
        ]
    return found


def _unconfirmed(source: PolicySource) -> list[Bevinding]:
    """Every legal reference still marked `te_bevestigen`: approving officers must see that a lawyer has not
    confirmed it yet (activation records that they did)."""
    found: list[Bevinding] = []
    for ground in source.vocabulaires.grondslagen:
        if ground.te_bevestigen:
            found.append(
                Bevinding(
                    Niveau.WAARSCHUWING,
                    "vocabulaires.yaml",
                    f"grondslag {ground.code}",
                    f"the article references ({'; '.join(ground.artikelen)}) are not confirmed by a lawyer yet "
                    "(te_bevestigen); have them confirmed, then remove te_bevestigen",
                )
            )
    for soort in source.vocabulaires.soorten:
        if soort.beroepsgeheim is not None and soort.beroepsgeheim.te_bevestigen:
            found.append(
                Bevinding(
                    Niveau.WAARSCHUWING,
                    "vocabulaires.yaml",
                    f"soort {soort.code}",
                    f"the legal source of its beroepsgeheim ({soort.beroepsgeheim.wet}) is not confirmed by a "
                    "lawyer yet (te_bevestigen)",
                )
            )
    return found


def _file_of(source: PolicySource) -> dict[str, str]:
    return {regel.id: f"regels/{name}" for name, regels in source.regels.items() for regel in regels.regels}


def _overlap(a: RegelInstantie, b: RegelInstantie) -> bool:
    return (a.tot is None or b.van <= a.tot) and (b.tot is None or a.van <= b.tot)


def _overlaps(compiled: CompiledPolicy) -> list[Bevinding]:
    by_key: dict[tuple[str, str, str, str], list[RegelInstantie]] = {}
    for regel in compiled.regels:
        by_key.setdefault((regel.verstrekker, regel.ontvanger, regel.doel, regel.berichttype), []).append(regel)
    files = _file_of(compiled.source)
    reported: set[tuple[str, str]] = set()
    found: list[Bevinding] = []
    for rules in by_key.values():
        for a, b in combinations(sorted(rules, key=lambda r: r.id), 2):
            if a.id == b.id or (a.id, b.id) in reported or not _overlap(a, b):
                continue
            shared = a.categorieen & b.categorieen
            if not shared:
                continue
            reported.add((a.id, b.id))
            where = f"{a.verstrekker} -> {a.ontvanger}, {a.doel}, {a.berichttype}"
            if (a.grondslag, a.bewaartermijn, a.toestemming) != (b.grondslag, b.bewaartermijn, b.toestemming):
                message = (
                    f"contradicts {b.id} for {', '.join(sorted(shared))} ({where}): they differ in grondslag, "
                    "bewaartermijn or the consent condition; make one rule for these categories"
                )
            else:
                message = f"duplicates {b.id} for {', '.join(sorted(shared))} ({where}); remove one of them"
            found.append(Bevinding(Niveau.FOUT, files.get(a.id, "regels/"), a.id, message))
    return found


def _prohibition_effects(source: PolicySource, compiled: CompiledPolicy) -> list[Bevinding]:
    files = _file_of(source)
    effects: dict[tuple[str, str], set[str]] = {}
    emptied: set[tuple[str, str]] = set()
    for regel in compiled.regels:
        for verbod in source.verboden.verboden:
            if not compiled.verbod_geldt(verbod, regel.ontvanger):
                continue
            cut = regel.categorieen & frozenset(verbod.categorieen)
            if cut:
                effects.setdefault((regel.id, verbod.id), set()).update(cut)
                if cut == regel.categorieen:
                    emptied.add((regel.id, verbod.id))
    found = []
    for (rule_id, verbod_id), categories in sorted(effects.items()):
        verb = "empties" if (rule_id, verbod_id) in emptied else "trims"
        found.append(
            Bevinding(
                Niveau.WAARSCHUWING,
                files.get(rule_id, "regels/"),
                rule_id,
                f"prohibition {verbod_id} {verb} this rule: "
                f"{', '.join(sorted(categories))} will never be disclosed under it",
            )
        )
    return found
