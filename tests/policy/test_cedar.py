"""Cross-check: Cedar (cedarpy), given policies generated from the compiled convenant, answers every question of
the finite request space exactly as the decision table does.

The space: every verstrekker x every ontvanger (all deelnemers) x every doel x every resource (each category and
each consent item) x the rule dates x consent. Three dimensions are reduced to classes that no policy can tell
apart, and only those:
- dates: every date on which a rule or prohibition starts or stops applying, and the day before the first;
  all dates between two such boundaries compare alike against every rule's bounds, in both engines;
- berichttype: per doel, every berichttype some rule names for it, plus one that none names (no permit
  mentions the others, so they all answer alike);
- consent: four variants (none, whole categories, one item, the other items) for the categories some
  consent rule conditions; none for the rest (no policy reads consent for them).

The table answers every question of the space. Cedar answers every question that some permit could grant: those
whose verstrekker, ontvanger and doel a permit names (or leaves open), read from the permits' own text. For every
other (verstrekker, ontvanger, doel) no permit can match whatever the rest of the question is, so Cedar must deny
all of its questions: Cedar is asked one of them, must deny it, and the table must deny them all. That keeps the
check exhaustive while Cedar, at ~50 us a question, is asked about a tenth of the space instead of 780,000 times.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from datetime import date

import cedarpy
import pytest

from hub.policy.analysis.cedar import Vraag, resources, to_cedar
from hub.policy.convenant.format import PolicySource, Verbod
from hub.policy.deciding.decision import CasusStand, Verzoek
from hub.policy.deciding.engine import CompiledPolicy, RegelInstantie


def request_space(policy: CompiledPolicy) -> list[Vraag]:
    source = policy.source
    partners = sorted(policy.deelnemers)
    boundaries = policy.breakpoints()
    days = [date.fromordinal(boundaries[0].toordinal() - 1), *boundaries]
    named: dict[str, set[str]] = {}
    for regel in policy.regels:
        named.setdefault(regel.doel, set()).add(regel.berichttype)
    all_types = sorted(b.code for b in source.berichttypes.berichttypes)
    consent_categories = sorted({c for r in policy.regels if r.toestemming for c in r.categorieen})
    items = {c: sorted(policy.categorie_items.get(c, ())) for c in consent_categories}
    variants = [
        frozenset(),
        frozenset(consent_categories),
        frozenset(f"{c}/{i[0]}" for c, i in items.items() if i),
        frozenset(f"{c}/{x}" for c, i in items.items() for x in i[1:]),
    ]
    casus_bound = [r for r in policy.regels if r.casus is not None]
    space = []
    for doel in sorted(d.code for d in source.vocabulaires.doelen):
        types = sorted(named.get(doel, set()))
        types += [next(t for t in all_types if t not in types)]
        for categorie in sorted(c.code for c in source.vocabulaires.categorieen):
            consents = variants if categorie in consent_categories else [frozenset()]
            bound = [r for r in casus_bound if r.doel == doel and categorie in r.categorieen]
            givers = {r.verstrekker for r in bound}
            for resource, berichttype, giver, taker, day, consent in itertools.product(
                resources(policy, categorie), types, partners, partners, days, consents
            ):
                for casus in casus_variants(bound) if giver in givers else [None]:
                    space.append(Vraag(giver, taker, doel, berichttype, resource, day, consent, casus))
    return space


def casus_variants(bound: list[RegelInstantie]) -> list[tuple[str, str, bool, bool] | None]:
    """The casus states that rules bound to a casus can tell apart: none; and, for every stage (the three a rule
    may name and one it may not) and every kind some rule names plus one none names, the recipient at the table
    with Top X in force, and each of those two conditions alone turned off. A giver without such a rule for the
    category is asked without a casus only: no policy reads the casus for it."""
    stages = ["aanmelding", "triage", "plan-van-aanpak", "afschaling"]
    kinds = sorted({t for r in bound for t in (r.casus.typen if r.casus else ())})
    kinds += [next(k for k in ("pga", "top-x", "huisverbod-monitoring", "nazorg") if k not in kinds)]
    variants: list[tuple[str, str, bool, bool] | None] = [None]
    for stage, kind in itertools.product(stages, kinds):
        variants += [(stage, kind, True, True), (stage, kind, False, True), (stage, kind, True, False)]
    return variants


def table_answer(policy: CompiledPolicy, vraag: Vraag) -> bool:
    categorie, _, item = vraag.resource.partition("/")
    casus = None
    if vraag.casus is not None:
        fase, kind, at_table, top_x = vraag.casus
        casus = CasusStand(1, kind, fase, frozenset({vraag.ontvanger} if at_table else ()), top_x)
    besluit = policy.decide(
        Verzoek(
            vraag.verstrekker,
            vraag.ontvanger,
            vraag.doel,
            vraag.berichttype,
            frozenset({categorie}),
            vraag.datum,
            vraag.toestemmingen,
            casus,
        )
    )
    grant = besluit.verstrekt.get(categorie)
    return grant is not None and (grant.items is None or (item != "" and item in grant.items))


Scope = tuple[str | None, str | None, str | None]
"""What a permit requires of (verstrekker, ontvanger, doel); None where its text does not pin it down."""

_PRINCIPAL = re.compile(r'^permit \(principal == Schakel::Partner::("(?:[^"\\]|\\.)*"),')
_EQUALS = re.compile(r'^context\.(ontvanger|doel) == ("(?:[^"\\]|\\.)*")$')


def permit_scopes(cedar: str) -> list[Scope]:
    """Every permit's scope, read conservatively from the policy text: a condition counts only where it is one of
    the top-level `&&` terms of the permit's only `when` clause; anything else leaves that part open (None)."""
    scopes: list[Scope] = []
    for statement in cedar.split("\n\n"):
        body = "\n".join(line for line in statement.splitlines() if not line.startswith("@"))
        if not body.startswith("permit"):
            continue
        principal = _PRINCIPAL.match(body)
        giver = json.loads(principal.group(1)) if principal else None
        pinned: dict[str, str] = {}
        whens = body.split("\nwhen { ")
        if len(whens) == 2 and whens[1].endswith(" };") and "unless" not in whens[1]:
            for term in top_level_terms(whens[1].removesuffix(" };")):
                equals = _EQUALS.match(term)
                if equals:
                    pinned[equals.group(1)] = json.loads(equals.group(2))
        scopes.append((giver, pinned.get("ontvanger"), pinned.get("doel")))
    return scopes


def top_level_terms(condition: str) -> list[str]:
    """`a && (b || c) && d` -> [a, (b || c), d]; the whole condition when a top-level `||` makes terms meaningless."""
    terms, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(condition):
        char = condition[i]
        if quoted:
            if char == "\\":
                i += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and condition.startswith("||", i):
            return [condition]
        elif depth == 0 and condition.startswith(" && ", i):
            terms.append(condition[start:i])
            start = i + 4
            i += 3
        i += 1
    return [*terms, condition[start:]]


def could_permit(scopes: list[Scope], vraag: Vraag) -> bool:
    return any(
        (giver is None or giver == vraag.verstrekker)
        and (taker is None or taker == vraag.ontvanger)
        and (doel is None or doel == vraag.doel)
        for giver, taker, doel in scopes
    )


def _check_shard(
    source: PolicySource, noodverboden: list[Verbod], categories: list[str] | None, shard: int, shards: int
) -> tuple[int, int, list[Vraag]]:
    """Ask the table every question of one shard of the space, and Cedar those some permit could grant plus one
    of every (verstrekker, ontvanger, doel) no permit names (runs in a worker process)."""
    policy = CompiledPolicy(source, content_hash="h", label="cross-check", noodverboden=noodverboden)
    cedar = to_cedar(policy)
    policies = cedarpy.PolicySet.from_str(cedar)
    entities = cedarpy.Entities.from_json_str("[]")
    scopes = permit_scopes(cedar)
    space = request_space(policy)[shard::shards]
    if categories is not None:
        space = [v for v in space if v.resource.partition("/")[0] in categories]
    open_questions = [v for v in space if could_permit(scopes, v)]
    unnamed = {(v.verstrekker, v.ontvanger, v.doel): v for v in space if not could_permit(scopes, v)}
    asked = [*open_questions, *unnamed.values()]
    answers: dict[Vraag, bool] = {}
    for start in range(0, len(asked), 20_000):
        chunk = asked[start : start + 20_000]
        batch = cedarpy.is_authorized_batch([v.cedar_request() for v in chunk], policies, entities)
        answers.update((v, a.decision == cedarpy.Decision.Allow) for v, a in zip(chunk, batch, strict=True))
    granted = [v for v in unnamed.values() if answers[v]]
    assert not granted, f"Cedar granted what no permit names: the permits were misread {granted[:3]}"
    allowed, differences = 0, []
    for vraag in space:
        answer = answers.get(vraag, False)
        allowed += answer
        if answer != table_answer(policy, vraag):
            differences.append(vraag)
    return len(space), allowed, differences


def cross_check(
    source: PolicySource, noodverboden: list[Verbod] | None = None, categories: list[str] | None = None
) -> tuple[int, int, list[Vraag]]:
    """The whole check, spread over the machine's cores (cedarpy spends ~50 us per question on its own)."""
    shards = max(1, min(4, os.cpu_count() or 1))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=shards, mp_context=context) as pool:
        futures = [
            pool.submit(_check_shard, source, noodverboden or [], categories, shard, shards) for shard in range(shards)
        ]
        results = [f.result() for f in futures]
    return (sum(r[0] for r in results), sum(r[1] for r in results), [d for r in results for d in r[2]])


class TestCedarCrossCheck:
    def test_the_sample_convenant(self, sample: CompiledPolicy) -> None:
        total, allowed, differences = cross_check(sample.source)
        assert differences == [], differences[:5]
        assert allowed > 500, "the space must contain real permits, not only refusals"
        assert total > 100_000

    @pytest.mark.parametrize(
        "verbod",
        [
            Verbod(id="NV-1", omschrijving="t", categorieen=["adres"], ontvangers=["via"]),
            Verbod(id="NV-2", omschrijving="t", categorieen=["strafrechtelijk"], ontvangers=["gemeente"]),
        ],
        ids=["adres-not-to-via", "strafrechtelijk-not-to-gemeenten"],
    )
    def test_with_an_emergency_prohibition(self, sample: CompiledPolicy, verbod: Verbod) -> None:
        total, _, differences = cross_check(sample.source, [verbod], categories=verbod.categorieen)
        assert total > 0
        assert differences == []


class TestReadingThePermits:
    def test_a_permit_pins_what_its_top_level_conditions_name(self, sample: CompiledPolicy) -> None:
        scopes = permit_scopes(to_cedar(sample))
        assert len(scopes) == to_cedar(sample).count("permit (")
        assert ("bkr", "kredietbank-limburg", "vroegsignalering-schulden") in scopes

    def test_a_condition_that_is_gone_or_inside_an_or_leaves_that_part_open(self, sample: CompiledPolicy) -> None:
        loose = to_cedar(sample).replace('context.ontvanger == "kredietbank-limburg"', "true")
        assert ("bkr", None, "vroegsignalering-schulden") in permit_scopes(loose)
        either = to_cedar(sample).replace('context.doel == "vroegsignalering-schulden" &&', "true ||")
        assert all(doel is None for giver, _, doel in permit_scopes(either) if giver == "bkr")
        unbound = to_cedar(sample).replace('principal == Schakel::Partner::"bkr"', "principal")
        assert (None, "kredietbank-limburg", "vroegsignalering-schulden") in permit_scopes(unbound)


class TestTheCrossCheckCanFail:
    def test_cedar_without_its_forbids_disagrees_with_the_table(self, sample: CompiledPolicy) -> None:
        verbod = Verbod(id="NV-1", omschrijving="t", categorieen=["adres"], ontvangers=["via"])
        policy = CompiledPolicy(sample.source, content_hash="h", label="l", noodverboden=[verbod])
        permits_only = "\n\n".join(p for p in to_cedar(policy).split("\n\n") if "forbid" not in p)
        vraag = Vraag(
            "politie-limburg",
            "via-zuid-limburg",
            "screening-verward-gedrag",
            "e33-verward-gedrag",
            "adres",
            date(2026, 11, 22),
            frozenset(),
        )
        answer = cedarpy.is_authorized(vraag.cedar_request(), permits_only, "[]")
        assert answer.decision == cedarpy.Decision.Allow
        assert not table_answer(policy, vraag)

    def test_cedar_without_the_casus_conditions_disagrees_with_the_table(self, sample: CompiledPolicy) -> None:
        loose = to_cedar(sample).replace(" && context.aan_tafel", "")
        vraag = Vraag(
            "zvh-zuid-limburg",
            "veilig-thuis-zuid-limburg",
            "casusoverleg-pga",
            "verrijking",
            "identificatie",
            date(2026, 11, 22),
            frozenset(),
            ("plan-van-aanpak", "pga", False, False),
        )
        assert cedarpy.is_authorized(vraag.cedar_request(), loose, "[]").decision == cedarpy.Decision.Allow
        assert not table_answer(sample, vraag)
        at_table = dataclasses.replace(vraag, casus=("plan-van-aanpak", "pga", True, False))
        assert table_answer(sample, at_table)
        strict = cedarpy.is_authorized(at_table.cedar_request(), to_cedar(sample), "[]")
        assert strict.decision == cedarpy.Decision.Allow
