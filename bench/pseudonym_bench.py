"""Benchmark of pseudonymisation against a bare HMAC-SHA256 of the same bytes, in the same run.

Target: the overhead of the interface and normalisation stays under 3x a bare HMAC. Measured for the common
case (a BSN, as source systems send it) and, for information, for a person without a BSN (name + date of birth,
where diacritics and tussenvoegsels are folded).

Run: .venv/bin/python bench/pseudonym_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import sys
import timeit
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub.pseudonym.identity import normalise  # noqa: E402 - after the path is set
from hub.pseudonym.scheme import HmacPseudonyms  # noqa: E402

BSNS = ["762621606", "118784481", "247603260", "929468843", "716885943", "446019689", "402015447", "296503186"]


def best_per_call(statement: str, namespace: dict[str, object], number: int) -> float:
    return min(timeit.repeat(statement, globals=namespace, number=number, repeat=5)) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (for a smoke test)")
    number = 20_000 if parser.parse_args().quick else 200_000
    key = os.urandom(32)
    scheme = HmacPseudonyms({1: os.urandom(32)}, active_version=1)
    keys = [normalise(bsn=b).key for b in BSNS]
    namespace: dict[str, object] = {
        "hmac": hmac, "hashlib": hashlib, "key": key, "keys": keys, "bsns": BSNS, "scheme": scheme,
        "normalise": normalise, "date": date,
    }  # fmt: skip
    bare = best_per_call("for k in keys: hmac.new(key, k, hashlib.sha256).digest()", namespace, number // 8)
    from_bsn = "for b in bsns: scheme.pseudonymise(normalise(bsn=b), 'via-zuid-limburg')"
    bsn = best_per_call(from_bsn, namespace, number // 8)
    name = best_per_call(
        "scheme.pseudonymise(normalise(voornamen='Téün', achternaam='van Verzonnen', geboortedatum=date(1987, 4, 12)),"
        " 'via-zuid-limburg')",
        namespace,
        number,
    )
    print("pseudonyms per second (one domain, key derived once):")
    print(f"  bare HMAC-SHA256 of the same bytes  {8 / bare:12,.0f}/s")
    print(f"  from a BSN                          {8 / bsn:12,.0f}/s   overhead {bsn / bare:5.2f}x  (target < 3x)")
    name_ratio = name / (bare / 8)
    print(f"  from name + date of birth           {1 / name:12,.0f}/s   overhead {name_ratio:5.2f}x  (no target)")


if __name__ == "__main__":
    main()
