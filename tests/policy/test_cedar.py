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
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import date

import cedarpy
import pytest

from hub.policy.cedar import Vraag, resources, to_cedar
from hub.policy.decision import CasusStand, Verzoek
from hub.policy.engine import CompiledPolicy, RegelInstantie
from hub.policy.format import PolicySource, Verbod


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


def _check_shard(
    source: PolicySource, noodverboden: list[Verbod], categories: list[str] | None, shard: int, shards: int
) -> tuple[int, int, list[Vraag]]:
    """Ask Cedar and the table every question of one shard of the space (runs in a worker process)."""
    policy = CompiledPolicy(source, content_hash="h", label="cross-check", noodverboden=noodverboden)
    policies = cedarpy.PolicySet.from_str(to_cedar(policy))
    entities = cedarpy.Entities.from_json_str("[]")
    space = request_space(policy)[shard::shards]
    if categories is not None:
        space = [v for v in space if v.resource.partition("/")[0] in categories]
    allowed, differences = 0, []
    for start in range(0, len(space), 20_000):
        chunk = space[start : start + 20_000]
        answers = cedarpy.is_authorized_batch([v.cedar_request() for v in chunk], policies, entities)
        for vraag, answer in zip(chunk, answers, strict=True):
            cedar = answer.decision == cedarpy.Decision.Allow
            allowed += cedar
            if cedar != table_answer(policy, vraag):
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
    return (
        sum(r[0] for r in results),
        sum(r[1] for r in results),
        [d for r in results for d in r[2]],
    )


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


class TestTheCrossCheckCanFail:
    def test_cedar_without_its_forbids_disagrees_with_the_table(self, sample: CompiledPolicy) -> None:
        verbod = Verbod(id="NV-1", omschrijving="t", categorieen=["adres"], ontvangers=["via"])
        policy = CompiledPolicy(sample.source, content_hash="h", label="l", noodverboden=[verbod])
        permits_only = "\n\n".join(p for p in to_cedar(policy).split("\n\n") if "forbid" not in p)
        vraag = Vraag(
            "politie-limburg", "via-zuid-limburg", "screening-verward-gedrag", "e33-verward-gedrag", "adres",
            date(2026, 11, 22), frozenset(),
        )  # fmt: skip
        answer = cedarpy.is_authorized(vraag.cedar_request(), permits_only, "[]")
        assert answer.decision == cedarpy.Decision.Allow
        assert not table_answer(policy, vraag)

    def test_cedar_without_the_casus_conditions_disagrees_with_the_table(self, sample: CompiledPolicy) -> None:
        loose = to_cedar(sample).replace(" && context.aan_tafel", "")
        vraag = Vraag(
            "zvh-zuid-limburg", "veilig-thuis-zuid-limburg", "casusoverleg-pga", "verrijking", "identificatie",
            date(2026, 11, 22), frozenset(), ("plan-van-aanpak", "pga", False, False),
        )  # fmt: skip
        assert cedarpy.is_authorized(vraag.cedar_request(), loose, "[]").decision == cedarpy.Decision.Allow
        assert not table_answer(sample, vraag)
        at_table = dataclasses.replace(vraag, casus=("plan-van-aanpak", "pga", True, False))
        assert table_answer(sample, at_table)
        strict = cedarpy.is_authorized(at_table.cedar_request(), to_cedar(sample), "[]")
        assert strict.decision == cedarpy.Decision.Allow
