"""Compiling a convenant into an immutable decision table, and deciding with it.

The table is keyed by (verstrekker, ontvanger, doel, berichttype), all as partner ids after expanding soorten.
Each key holds the dates on which any rule or prohibition starts or ends, and for every interval between them
the outcome per category: granted (perhaps only with consent) or withheld with its reason. A decision is then
a lookup, an interval search and the consent check. Prohibitions are folded in when the table is built, so
no path through `decide` can skip them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from hub.policy.convenant.format import CasusVoorwaarde, Grondslag, PolicySource, Verbod
from hub.policy.deciding.decision import Achtergehouden, Besluit, CasusStand, Reden, Verstrekt, Verzoek, uitkomst_van

Key = tuple[str, str, str, str]
_CACHE_LIMIT = 65_536


@dataclass(frozen=True, slots=True)
class CasusEis:
    """A rule's casus condition: the stages (and kinds) of casus it applies in, whether the recipient must be at
    the table, and whether Top X status must be in force."""

    fasen: frozenset[str]
    typen: frozenset[str]
    aan_tafel: bool
    top_x: bool

    @staticmethod
    def van(voorwaarde: CasusVoorwaarde | None) -> CasusEis | None:
        if voorwaarde is None:
            return None
        return CasusEis(
            frozenset(voorwaarde.fasen), frozenset(voorwaarde.typen), voorwaarde.aan_tafel, voorwaarde.top_x
        )

    def reden(self, stand: CasusStand | None, ontvanger: str) -> Reden | None:
        """Why the condition does not hold for a melding in `stand` to `ontvanger`, or None when it does."""
        if stand is None:
            return Reden.GEEN_CASUS
        if stand.fase not in self.fasen or (self.typen and stand.type not in self.typen):
            return Reden.BUITEN_CASUSFASE
        if self.aan_tafel and ontvanger not in stand.aan_tafel:
            return Reden.NIET_AAN_TAFEL
        if self.top_x and not stand.top_x:
            return Reden.GEEN_TOP_X
        return None


@dataclass(frozen=True, slots=True)
class RegelInstantie:
    """One rule for one (verstrekker, ontvanger, berichttype), soorten expanded to partners."""

    id: str
    verstrekker: str
    ontvanger: str
    doel: str
    berichttype: str
    categorieen: frozenset[str]
    grondslag: str
    bewaartermijn: str
    van: int
    tot: int | None
    """Ordinal of the last day the rule applies, or None."""
    toestemming: bool
    casus: CasusEis | None = None

    def geldig(self, day: int) -> bool:
        return self.van <= day and (self.tot is None or day <= self.tot)


@dataclass(frozen=True, slots=True)
class VerbodInstantie:
    id: str
    categorieen: frozenset[str]
    van: int | None
    tot: int | None

    def geldig(self, day: int) -> bool:
        return (self.van is None or self.van <= day) and (self.tot is None or day <= self.tot)


@dataclass(frozen=True, slots=True)
class _Option:
    """One way a category may be granted: by a rule in force, perhaps only with consent or within a casus."""

    grant: Verstrekt
    conditional: bool = False
    """Only with the betrokkene's consent."""
    casus: CasusEis | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    options: tuple[_Option, ...] = ()
    """The ways to grant, most permissive first: unconditional, within a casus, with consent, both."""
    withheld: Achtergehouden | None = None


@dataclass(frozen=True, slots=True)
class _Segments:
    breakpoints: tuple[int, ...]
    maps: tuple[Mapping[str, _Entry], ...]


class CompiledPolicy:
    """An immutable decision table for one convenant version (plus any emergency prohibitions)."""

    def __init__(
        self,
        source: PolicySource,
        *,
        content_hash: str,
        label: str,
        noodverboden: Iterable[Verbod] = (),
        registry_werkgebieden: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        """`registry_werkgebieden`: the werkgebied each partner has in the registry. A recipient is reached only
        where both the convenant and the registry say it serves (the narrower of the two); None for the
        convenant's alone (validation and simulation, where no registry is at hand)."""
        self.source = source
        self.content_hash = content_hash
        self.label = label
        self.deelnemers: Mapping[str, str] = MappingProxyType({d.partner: d.soort for d in source.convenant.deelnemers})
        self.werkgebied_gebonden = all(d.werkgebied is not None for d in source.convenant.deelnemers)
        """False for a version of format 1, which bound no disclosure to a werkgebied (and still does not)."""
        werkgebieden = {d.partner: frozenset(d.werkgebied or ()) for d in source.convenant.deelnemers}
        if registry_werkgebieden is not None:
            werkgebieden = {p: w & registry_werkgebieden.get(p, frozenset()) for p, w in werkgebieden.items()}
        self.werkgebieden: Mapping[str, frozenset[str]] = MappingProxyType(werkgebieden)
        self._vastleggers = {b.item: tuple(b.vastleggers) for b in source.convenant.toestemmingen}
        self._max_termijnen = {b.item: b.max_termijn for b in source.convenant.toestemmingen}
        self.grondslagen: Mapping[str, Grondslag] = MappingProxyType(
            {g.code: g for g in source.vocabulaires.grondslagen}
        )
        self._beroepsgeheim = {s.code for s in source.vocabulaires.soorten if s.beroepsgeheim}
        self._activiteit = {
            d.code: f"{d.verwerkingsactiviteit.id}@v{d.verwerkingsactiviteit.versie}"
            for d in source.vocabulaires.doelen
        }
        self.categorie_items: Mapping[str, frozenset[str]] = MappingProxyType(_items_per_category(source))
        self.regels: tuple[RegelInstantie, ...] = tuple(self._expand_rules())
        self.noodverboden: tuple[Verbod, ...] = tuple(noodverboden)
        verboden = [*source.verboden.verboden, *self.noodverboden]
        self._verboden: dict[str, tuple[VerbodInstantie, ...]] = {
            partner: tuple(self._prohibitions_for(partner, verboden)) for partner in self.deelnemers
        }
        by_key: dict[Key, list[RegelInstantie]] = {}
        for regel in self.regels:
            by_key.setdefault((regel.verstrekker, regel.ontvanger, regel.doel, regel.berichttype), []).append(regel)
        self._table: dict[Key, _Segments] = {
            key: _segments(sorted(rules, key=lambda r: r.id), self._verboden[key[1]]) for key, rules in by_key.items()
        }
        self._prohibitions_only = {partner: _segments([], self._verboden[partner]) for partner in self.deelnemers}
        self._cache: dict[tuple[object, ...], Besluit] = {}
        self._with_consent_rules = frozenset((r.verstrekker, r.berichttype) for r in self.regels if r.toestemming)

    # Deciding

    def decide(self, verzoek: Verzoek) -> Besluit:
        day = verzoek.datum.toordinal()
        if verzoek.verstrekker not in self.deelnemers or verzoek.ontvanger not in self.deelnemers:
            return self._besluit(verzoek, {}, dict.fromkeys(verzoek.categorieen, Achtergehouden(Reden.GEEN_DEELNEMER)))
        key = (verzoek.verstrekker, verzoek.ontvanger, verzoek.doel, verzoek.berichttype)
        segments = self._table.get(key) or self._prohibitions_only[verzoek.ontvanger]
        index = bisect.bisect_right(segments.breakpoints, day)
        stand = verzoek.casus.sleutel(verzoek.ontvanger) if verzoek.casus is not None else None
        cache_key = (key, id(segments), index, verzoek.categorieen, verzoek.toestemmingen, stand)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        besluit = self._decide(verzoek, segments.maps[index])
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = besluit
        return besluit

    def decide_uncached(self, verzoek: Verzoek) -> Besluit:
        """`decide` without the memo of earlier answers (for benchmarks and cross-checks)."""
        if verzoek.verstrekker not in self.deelnemers or verzoek.ontvanger not in self.deelnemers:
            return self.decide(verzoek)
        key = (verzoek.verstrekker, verzoek.ontvanger, verzoek.doel, verzoek.berichttype)
        segments = self._table.get(key) or self._prohibitions_only[verzoek.ontvanger]
        return self._decide(
            verzoek, segments.maps[bisect.bisect_right(segments.breakpoints, verzoek.datum.toordinal())]
        )

    def _decide(self, verzoek: Verzoek, entries: Mapping[str, _Entry]) -> Besluit:
        granted: dict[str, Verstrekt] = {}
        withheld: dict[str, Achtergehouden] = {}
        for categorie in sorted(verzoek.categorieen):
            entry = entries.get(categorie)
            if entry is None:
                withheld[categorie] = Achtergehouden(Reden.GEEN_REGEL)
            elif entry.withheld is not None:
                withheld[categorie] = entry.withheld
            else:
                self._choose(categorie, entry.options, verzoek, granted, withheld)
        return self._besluit(verzoek, granted, withheld)

    def _choose(
        self,
        categorie: str,
        options: tuple[_Option, ...],
        verzoek: Verzoek,
        granted: dict[str, Verstrekt],
        withheld: dict[str, Achtergehouden],
    ) -> None:
        """The first option whose casus condition holds decides; when none holds, the first one's reason."""
        failed: Achtergehouden | None = None
        for option in options:
            if option.casus is not None:
                reden = option.casus.reden(verzoek.casus, verzoek.ontvanger)
                if reden is not None:
                    failed = failed or Achtergehouden(reden, option.grant.regel)
                    continue
            if option.conditional:
                self._with_consent(categorie, option.grant, verzoek.toestemmingen, granted, withheld)
            else:
                granted[categorie] = option.grant
            return
        withheld[categorie] = failed or Achtergehouden(Reden.GEEN_REGEL)

    def _with_consent(
        self,
        categorie: str,
        grant: Verstrekt,
        consents: frozenset[str],
        granted: dict[str, Verstrekt],
        withheld: dict[str, Achtergehouden],
    ) -> None:
        if categorie in consents:
            granted[categorie] = grant
            return
        items = self.categorie_items.get(categorie, frozenset())
        consented = frozenset(i for i in items if f"{categorie}/{i}" in consents)
        if consented:
            granted[categorie] = Verstrekt(
                grant.regel,
                grant.grondslag,
                grant.bewaartermijn,
                consented,
                op_toestemming=True,
                op_top_x=grant.op_top_x,
                aan_tafel=grant.aan_tafel,
            )
        missing = items - consented
        if not consented or missing:
            withheld[categorie] = Achtergehouden(
                Reden.TOESTEMMING_ONTBREEKT, grant.regel, frozenset(missing) if consented else None
            )

    def _besluit(self, verzoek: Verzoek, granted: dict[str, Verstrekt], withheld: dict[str, Achtergehouden]) -> Besluit:
        return Besluit(
            uitkomst=uitkomst_van(granted, withheld),
            verstrekt=MappingProxyType(granted),
            achtergehouden=MappingProxyType(withheld),
            doel=verzoek.doel,
            verwerkingsactiviteit=self._activiteit.get(verzoek.doel),
            beleid_hash=self.content_hash,
            beleid_label=self.label,
            regels=tuple(sorted({g.regel for g in granted.values()})),
            grondslagen=tuple(sorted({g.grondslag for g in granted.values()})),
        )

    def decide_in(self, verzoek: Verzoek, gemeente: str | None) -> Besluit:
        """`decide`, for a melding about `gemeente`: a recipient whose werkgebied does not cover it gets nothing,
        nor does anyone in a casus that has ended (scaled down, closed, or its monitoring term over)."""
        reden = self.werkgebied_reden(verzoek.ontvanger, gemeente)
        if reden is None and verzoek.casus is not None:
            reden = verzoek.casus.einde
        if reden is None:
            return self.decide(verzoek)
        return self._besluit(verzoek, {}, dict.fromkeys(verzoek.categorieen, Achtergehouden(reden)))

    def werkgebied_reden(self, ontvanger: str, gemeente: str | None) -> Reden | None:
        """Why `ontvanger` may receive nothing about `gemeente` (unknown, or outside its werkgebied), or None."""
        if not self.werkgebied_gebonden:
            return None
        if gemeente is None:
            return Reden.GEMEENTE_ONBEKEND
        if gemeente not in self.werkgebieden.get(ontvanger, frozenset()):
            return Reden.BUITEN_WERKGEBIED
        return None

    def doelen(self, verstrekker: str, berichttype: str, day: date) -> tuple[str, ...]:
        """Every doel some rule in force on `day` lets `verstrekker` give `berichttype` for, sorted."""
        ordinal = day.toordinal()
        return tuple(
            sorted(
                {
                    r.doel
                    for r in self.regels
                    if r.verstrekker == verstrekker and r.berichttype == berichttype and r.geldig(ordinal)
                }
            )
        )

    def ontvangers(self, verstrekker: str, berichttype: str, doel: str, day: date) -> tuple[str, ...]:
        """Every recipient some rule in force on `day` names for (verstrekker, berichttype, doel), sorted."""
        ordinal = day.toordinal()
        return tuple(
            sorted(
                {
                    r.ontvanger
                    for r in self.regels
                    if (r.verstrekker, r.berichttype, r.doel) == (verstrekker, berichttype, doel) and r.geldig(ordinal)
                }
            )
        )

    def mag_toestemming_vastleggen(self, partner: str, item: str) -> bool:
        """Whether the convenant entitles `partner` to record a consent for `item` (a category, or one item of
        it: an entitlement for the whole category covers its items)."""
        categorie = item.partition("/")[0]
        selectors = (*self._vastleggers.get(item, ()), *self._vastleggers.get(categorie, ()))
        return partner in self.deelnemers and any(self.selects(s, partner) for s in selectors)

    def toestemming_max_termijn(self, item: str) -> str | None:
        """The longest term the convenant allows a consent for `item` (the item's own entry, else its category's);
        None when no entry names it (then nobody may record one)."""
        return self._max_termijnen.get(item) or self._max_termijnen.get(item.partition("/")[0])

    def needs_consent(self, verstrekker: str, berichttype: str) -> bool:
        """Whether any rule for this verstrekker and berichttype has a consent condition (else consents cannot
        change a decision, and need not be looked up)."""
        return (verstrekker, berichttype) in self._with_consent_rules

    # Reading the table

    def toegang(self, day: date) -> Iterator[tuple[Key, str, Verstrekt, bool, CasusEis | None]]:
        """Every way a (key, category) may be granted on `day`: the grant, whether it needs consent, and the casus
        it needs (None: none)."""
        ordinal = day.toordinal()
        for key, segments in sorted(self._table.items()):
            entries = segments.maps[bisect.bisect_right(segments.breakpoints, ordinal)]
            for categorie, entry in entries.items():
                for option in entry.options:
                    yield key, categorie, option.grant, option.conditional, option.casus

    def verboden_voor(self, ontvanger: str) -> tuple[VerbodInstantie, ...]:
        """The prohibitions (emergency ones included) that apply to this recipient."""
        return self._verboden.get(ontvanger, ())

    def breakpoints(self) -> tuple[date, ...]:
        """Every date on which some rule or prohibition starts or stops applying."""
        points = {p for segments in self._table.values() for p in segments.breakpoints}
        points |= {p for segments in self._prohibitions_only.values() for p in segments.breakpoints}
        return tuple(date.fromordinal(p) for p in sorted(points))

    # Compiling

    def selects(self, selector: str, partner: str) -> bool:
        return selector in ("*", partner) or self.deelnemers.get(partner) == selector

    def _expand_rules(self) -> Iterable[RegelInstantie]:
        for regels in self.source.regels.values():
            givers = [p for p in self.deelnemers if self.selects(regels.verstrekker, p)]
            for regel in regels.regels:
                takers = [p for p in self.deelnemers if self.selects(regel.ontvanger, p)]
                for giver in givers:
                    for taker in takers:
                        if giver == taker:
                            continue
                        for berichttype in regel.berichttypes:
                            yield RegelInstantie(
                                id=regel.id,
                                verstrekker=giver,
                                ontvanger=taker,
                                doel=regel.doel,
                                berichttype=berichttype,
                                categorieen=frozenset(regel.categorieen),
                                grondslag=regel.grondslag,
                                bewaartermijn=regel.bewaartermijn,
                                van=regel.geldig_van.toordinal(),
                                tot=regel.geldig_tot.toordinal() if regel.geldig_tot else None,
                                toestemming=regel.voorwaarden.toestemming,
                                casus=CasusEis.van(regel.voorwaarden.casus),
                            )

    def verbod_geldt(self, verbod: Verbod, partner: str) -> bool:
        if not any(self.selects(s, partner) for s in verbod.ontvangers):
            return False
        if any(self.selects(s, partner) for s in verbod.behalve):
            return False
        return not (verbod.alleen_zonder_beroepsgeheim and self.deelnemers.get(partner) in self._beroepsgeheim)

    def _prohibitions_for(self, partner: str, verboden: list[Verbod]) -> Iterable[VerbodInstantie]:
        for verbod in verboden:
            if self.verbod_geldt(verbod, partner):
                yield VerbodInstantie(
                    id=verbod.id,
                    categorieen=frozenset(verbod.categorieen),
                    van=verbod.geldig_van.toordinal() if verbod.geldig_van else None,
                    tot=verbod.geldig_tot.toordinal() if verbod.geldig_tot else None,
                )


def _items_per_category(source: PolicySource) -> dict[str, frozenset[str]]:
    items: dict[str, set[str]] = {}
    for berichttype in source.berichttypes.berichttypes:
        for veld in berichttype.velden.values():
            if not isinstance(veld, str) and veld.item is not None:
                items.setdefault(veld.categorie, set()).add(veld.item)
    return {categorie: frozenset(values) for categorie, values in items.items()}


def _segments(rules: list[RegelInstantie], verboden: tuple[VerbodInstantie, ...]) -> _Segments:
    spans: list[tuple[int | None, int | None]] = [(r.van, r.tot) for r in rules] + [(v.van, v.tot) for v in verboden]
    points: set[int] = set()
    for van, tot in spans:
        if van is not None:
            points.add(van)
        if tot is not None:
            points.add(tot + 1)
    breakpoints = tuple(sorted(points))
    categories = {c for r in rules for c in r.categorieen} | {c for v in verboden for c in v.categorieen}
    # Segment i covers [breakpoints[i-1], breakpoints[i]); segment 0 everything before the first breakpoint.
    representatives = [breakpoints[0] - 1 if breakpoints else 1, *breakpoints]
    maps = tuple(
        MappingProxyType({c: evaluate(rules, verboden, c, day) for c in sorted(categories)}) for day in representatives
    )
    return _Segments(breakpoints, maps)


def evaluate(rules: list[RegelInstantie], verboden: Iterable[VerbodInstantie], categorie: str, day: int) -> _Entry:
    """The reference semantics for one category on one day (the table stores its results per interval).

    1. a prohibition in force covering the category withholds it, whatever any rule says;
    2. else the rules in force granting it, most permissive first (no condition, only within a casus, only
       with consent, both): the first whose casus condition holds grants it (under its consent condition, if
       any); when no casus condition holds, the first one's reason withholds it;
    3. else a rule that grants it on another day explains why not now (not yet valid, or expired);
    4. else no rule grants it.
    """
    for verbod in verboden:
        if categorie in verbod.categorieen and verbod.geldig(day):
            return _Entry(withheld=Achtergehouden(Reden.VERBOD, verbod.id))
    granting = [r for r in rules if categorie in r.categorieen]
    in_force = [r for r in granting if r.geldig(day)]
    options = tuple(
        _Option(
            Verstrekt(
                regel.id,
                regel.grondslag,
                regel.bewaartermijn,
                op_toestemming=conditional,
                op_top_x=regel.casus is not None and regel.casus.top_x,
                aan_tafel=regel.casus is not None and regel.casus.aan_tafel,
            ),
            conditional,
            regel.casus,
        )
        for conditional in (False, True)
        for bound in (False, True)
        for regel in in_force
        if regel.toestemming == conditional and (regel.casus is not None) == bound
    )
    if options:
        return _Entry(options=options)
    for regel in granting:
        if regel.van > day:
            return _Entry(withheld=Achtergehouden(Reden.REGEL_NOG_NIET_GELDIG, regel.id))
    for regel in granting:
        return _Entry(withheld=Achtergehouden(Reden.REGEL_VERLOPEN, regel.id))
    return _Entry(withheld=Achtergehouden(Reden.GEEN_REGEL))
