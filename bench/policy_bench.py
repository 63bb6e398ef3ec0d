"""Benchmark of the policy engine, measured against baselines in the same run (these machines are noisy).

1. Decisions per second: the compiled table against cedarpy on the same rules and the same questions. A
   decision answers every category of a melding for one recipient; Cedar answers one resource per question,
   so a Cedar decision is the batch of its questions. Target: the table at least 100x cedarpy.
2. The full per-melding path for a 2 KB E33 melding and one recipient: parse, decide, project (finding the
   categories present in the same pass), restrict the decision to them for the record, serialise. Target: median
   under 25 us. Printed with the bare parse + serialise (orjson) of the same bytes as a baseline.

Run: .venv/bin/python bench/policy_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import cedarpy
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub.kit.canonical import content_hash  # noqa: E402 - after the path is set
from hub.policy.analysis.cedar import Vraag, resources, to_cedar  # noqa: E402
from hub.policy.convenant.format import load_directory, source_to_data  # noqa: E402
from hub.policy.deciding.decision import Verzoek  # noqa: E402
from hub.policy.deciding.engine import CompiledPolicy  # noqa: E402
from hub.policy.deciding.projection import build_tree, project_and_present  # noqa: E402

DAY = date(2026, 11, 22)


def two_kb_melding() -> bytes:
    """The sample E33 melding with a second (invented) person: about 2 KB."""
    melding: dict[str, Any] = json.loads((ROOT / "hub/partners/voorbeeldmeldingen/e33-verward-gedrag.json").read_text())
    second = copy.deepcopy(melding["personen"][0])
    second.update({"rol": "melder-buurtbewoner", "bsn": "119662164", "voornamen": "Ruud", "achternaam": "Bedenksel"})
    second["gedragsobservaties"] = "Geen bijzonderheden; belde 112 omdat de betrokkene op de brug stond te roepen."
    melding["personen"].append(second)
    return json.dumps(melding, ensure_ascii=False).encode("utf-8")


def decisions(policy: CompiledPolicy, tree_categories: dict[str, frozenset[str]]) -> list[Verzoek]:
    """One decision per rule instance: the melding's categories, for that verstrekker, ontvanger and doel."""
    return [
        Verzoek(r.verstrekker, r.ontvanger, r.doel, r.berichttype, tree_categories[r.berichttype], DAY)
        for r in policy.regels
    ]


def per_second(run: Callable[[], int], seconds: float) -> float:
    """Operations per second of `run` (which returns how many it did), over at least `seconds`."""
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        done += run()
    return done / elapsed


def bench_decisions(policy: CompiledPolicy, verzoeken: list[Verzoek], seconds: float) -> None:
    policies = cedarpy.PolicySet.from_str(to_cedar(policy))
    entities = cedarpy.Entities.from_json_str("[]")
    questions = [
        [
            Vraag(v.verstrekker, v.ontvanger, v.doel, v.berichttype, r, v.datum, v.toestemmingen).cedar_request()
            for c in sorted(v.categorieen)
            for r in resources(policy, c)
        ]
        for v in verzoeken
    ]
    n_questions = sum(len(q) for q in questions)

    def cedar() -> int:
        for batch in questions:
            cedarpy.is_authorized_batch(batch, policies, entities)
        return len(questions)

    def table() -> int:
        for verzoek in verzoeken:
            policy.decide(verzoek)
        return len(verzoeken)

    def table_uncached() -> int:
        for verzoek in verzoeken:
            policy.decide_uncached(verzoek)
        return len(verzoeken)

    cedar_rate = per_second(cedar, seconds)
    table_rate = per_second(table, seconds)
    uncached_rate = per_second(table_uncached, seconds)
    print(f"decisions: {len(verzoeken)} distinct, {n_questions / len(verzoeken):.1f} Cedar questions each")
    print(f"  cedarpy                {cedar_rate:12,.0f} decisions/s")
    ratio = table_rate / cedar_rate
    print(f"  table                  {table_rate:12,.0f} decisions/s   ratio {ratio:8.1f}x  (target >= 100x)")
    print(f"  table, no memo         {uncached_rate:12,.0f} decisions/s   ratio {uncached_rate / cedar_rate:8.1f}x")


def median_ns(run: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter_ns()
        run()
        samples.append(time.perf_counter_ns() - started)
    return statistics.median(samples)


def bench_full_path(policy: CompiledPolicy, rounds: int) -> None:
    raw = two_kb_melding()
    tree = build_tree(next(b for b in policy.source.berichttypes.berichttypes if b.code == "e33-verward-gedrag"))
    all_categories = tree.categories()

    def baseline() -> object:
        return orjson.dumps(orjson.loads(raw))

    def full_path() -> object:
        melding = orjson.loads(raw)
        besluit = policy.decide(
            Verzoek(
                "politie-limburg",
                "via-zuid-limburg",
                "screening-verward-gedrag",
                "e33-verward-gedrag",
                all_categories,
                DAY,
            )
        )
        view, present = project_and_present(melding, tree, besluit)
        record = besluit.voor(present)  # what the melding's record will say
        return orjson.dumps(view), record

    for _ in range(2000):  # warm up caches and the allocator
        full_path()
        baseline()
    base = median_ns(baseline, rounds)
    full = median_ns(full_path, rounds)
    print(f"full per-melding path ({len(raw)} bytes, one recipient), median of {rounds}:")
    print(f"  parse + serialise only {base / 1000:8.1f} us")
    print(f"  full path              {full / 1000:8.1f} us   ratio {full / base:5.2f}x the baseline  (target < 25 us)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (for a smoke test)")
    args = parser.parse_args()
    source = load_directory(ROOT / "policies" / "zuid-limburg")
    policy = CompiledPolicy(
        source, content_hash=content_hash("schakel-beleid-v1", source_to_data(source)), label="bench"
    )
    trees = {b.code: build_tree(b) for b in source.berichttypes.berichttypes}
    categories = {code: tree.categories() for code, tree in trees.items()}
    bench_decisions(policy, decisions(policy, categories), seconds=0.5 if args.quick else 3.0)
    bench_full_path(policy, rounds=2000 if args.quick else 50_000)


if __name__ == "__main__":
    main()
