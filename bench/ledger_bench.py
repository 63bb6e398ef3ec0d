"""Benchmarks of the verstrekkingenlog, each against a baseline measured in the same run.

1. Durable appends per second with 16 concurrent producers through the group-commit sequencer (each unit like a
   melding for two recipients: two ~700-byte entries and a row of its own), against raw SQLite inserts of the same
   bytes with the same durability (WAL, synchronous=FULL), one transaction per unit, 16 threads.
   Target: at least 5,000 durable entries per second.
2. Full offline verification of an export bundle, scaled to a million entries, against hashing the same bytes
   alone (SHA-256 leaf hashes, the floor of any verifier). Target: under 5 s per million entries.
3. Inclusion proofs from the store (O(log n) node lookups), against a single primary-key lookup of one entry in the
   same database. Target: under 100 us per proof.

Run: .venv/bin/python bench/ledger_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import base64
import json
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402

from connectors.tlog import Checkpoint, leaf_hash, root, sign, verify_inclusion  # noqa: E402  # noqa: E402
from hub.db import Database  # noqa: E402
from hub.kit.canonical import canonical_json  # noqa: E402
from hub.ledger import repository, service  # noqa: E402
from hub.ledger.entries import Betrokkene, Entry, Soort  # noqa: E402
from hub.ledger.repository import Prepared  # noqa: E402
from hub.ledger.sequencer import Group, Sequencer  # noqa: E402
from hub.ledger.verify import Trust, verify_bundle  # noqa: E402

PRODUCERS = 16
ORIGIN = "schakel.bench/verstrekkingenlog"


def sample_entry(n: int) -> dict[str, object]:
    """A verstrekking entry of realistic size and shape (invented ids)."""
    return {
        "trace_id": f"{n:032x}",
        "span_id": f"{n:016x}",
        "verzoek_digest": "sha256:" + "ab" * 32,
        "verwerkingsactiviteit_id": "VA-ZVH-001@v1",
        "verstrekker": "politie-limburg",
        "ontvanger": "via-zuid-limburg" if n % 2 else "veilig-thuis-zuid-limburg",
        "doel": "screening-verward-gedrag",
        "berichttype": "e33-verward-gedrag",
        "melding_id": f"m-{n // 2:012d}",
        "rol": "betrokkene",
        "besluit": "partial",
        "grondslagen": ["wpg-art-19-20"],
        "regels": ["R-POL-001"],
        "bewaartermijnen": ["P2Y"],
        "beleid_hash": "sha256:" + "cd" * 32,
        "beleid": "zuid-limburg 2026.1 (versie 1)",
        "categorieen_verstrekt": [{"categorie": c, "regel": "R-POL-001"} for c in ("incident", "adres", "gezondheid")],
        "categorieen_achtergehouden": [{"categorie": "strafrechtelijk", "reden": "geen-regel"}],
        "levering_id": f"l-{n:012d}",
        "inhoud_digest": "sha256:" + "ef" * 32,
    }


def run_threads(count: int, target: Callable[[int], None]) -> float:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def nothing(group: Group) -> None:
    """The unit's own rows: none here, so the figure is the log's alone."""
    del group


def bench_appends(directory: Path, units_per_producer: int) -> tuple[float, float, Database]:
    database = Database(f"sqlite:///{directory / 'ledger.db'}")
    database.upgrade()
    sequencer = Sequencer(database)
    sequencer.start()

    def producer(number: int) -> None:
        for i in range(units_per_producer):
            n = (number * units_per_producer + i) * 2

            who = Betrokkene(f"ps1.k1.schakel-log.{n:032x}")
            entries = [
                Entry(Soort.VERSTREKKING, sample_entry(n + k), who, "politie-limburg", "via-zuid-limburg")
                for k in (0, 1)
            ]
            sequencer.commit(nothing, entries)

    ours = PRODUCERS * units_per_producer * 2 / run_threads(PRODUCERS, producer)
    sequencer.stop()

    raw_path = directory / "raw.db"
    setup = sqlite3.connect(raw_path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE entry (seq INTEGER PRIMARY KEY, entry BLOB NOT NULL, leaf_hash BLOB NOT NULL)")
    setup.close()
    payloads = [canonical_json(sample_entry(n)) for n in range(PRODUCERS * units_per_producer * 2)]

    def raw_producer(number: int) -> None:
        connection = sqlite3.connect(raw_path, timeout=60, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA synchronous=FULL")
        for i in range(units_per_producer):
            n = (number * units_per_producer + i) * 2
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(
                "INSERT INTO entry (entry, leaf_hash) VALUES (?, ?)",
                [(payloads[n + k], leaf_hash(payloads[n + k])) for k in (0, 1)],
            )
            connection.execute("COMMIT")
        connection.close()

    raw = PRODUCERS * units_per_producer * 2 / run_threads(PRODUCERS, raw_producer)
    return ours, raw, database


def bench_verify(directory: Path, count: int) -> tuple[float, float]:
    key = Ed25519PrivateKey.generate()
    bundle = directory / "bundle"
    bundle.mkdir()
    # The canonical bytes without canonical_json's float check, which would dominate making a million of them.
    payloads = [
        json.dumps({"v": 1, "soort": "verstrekking", **sample_entry(n)}, sort_keys=True, separators=(",", ":")).encode()
        for n in range(count)
    ]
    (bundle / "entries.jsonl").write_bytes(b"".join(p + b"\n" for p in payloads))
    note = sign(Checkpoint(ORIGIN, count, root([leaf_hash(p) for p in payloads])).text(), ORIGIN, key)
    (bundle / "checkpoints.jsonl").write_text(json.dumps({"size": count, "note": note}) + "\n", encoding="utf-8")
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}
    (bundle / "hub-keys.jwks").write_text(json.dumps({"keys": [jwk]}), encoding="utf-8")
    started = time.perf_counter()
    verdict = verify_bundle(bundle, Trust(ORIGIN, (key.public_key(),)))
    elapsed = time.perf_counter() - started
    assert verdict.ok, verdict.problems
    started = time.perf_counter()
    for payload in payloads:
        leaf_hash(payload)
    hashing = time.perf_counter() - started
    return elapsed * 1_000_000 / count, hashing * 1_000_000 / count


def grow(database: Database, size: int) -> None:
    """Fill the log to `size` entries in large transactions (the proof benchmark needs a big tree, not speed)."""
    now = datetime.now(UTC)
    with database.engine.connect() as connection:
        current = repository.size(connection)
        connection.commit()
        while current < size:
            block = []
            for n in range(current, min(size, current + 20_000)):
                data = json.dumps(sample_entry(n), sort_keys=True, separators=(",", ":")).encode()
                block.append(Prepared(data, leaf_hash(data), {"soort": "verstrekking"}))
            with connection.begin():
                service.append_prepared(connection, block, now)
            current += len(block)


def bench_proofs(database: Database, samples: int) -> tuple[float, float, float, int]:
    """Median of: a proof from the store; its verification; one entry by primary key on the same cursor."""
    with database.engine.connect() as connection:
        size = repository.size(connection)
        root_hash = service.tree_root(connection, size)
        cursor = connection.connection.cursor()
        proofs, checks, lookups = [], [], []
        for i in range(samples):
            position = (i * 7919) % size
            started = time.perf_counter()
            proof = service.inclusion_proof(connection, position, size)
            proofs.append(time.perf_counter() - started)
            started = time.perf_counter()
            cursor.execute("SELECT entry, leaf_hash FROM ledger_entry WHERE seq = ?", (position,))
            row = cursor.fetchone()
            assert row is not None
            leaf = row[1]
            lookups.append(time.perf_counter() - started)
            started = time.perf_counter()
            verify_inclusion(bytes(leaf), position, size, proof.hashes, root_hash)
            checks.append(time.perf_counter() - started)
        cursor.close()
    proof_us, check_us, lookup_us = (statistics.median(values) * 1e6 for values in (proofs, checks, lookups))
    return proof_us, check_us, lookup_us, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (for a smoke test)")
    quick = parser.parse_args().quick
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        ours, raw, database = bench_appends(directory, 150 if quick else 400)
        print(f"durable appends, {PRODUCERS} producers (units of 2 entries), SQLite WAL synchronous=FULL:")
        print(f"  raw SQLite inserts, one commit per unit  {raw:10,.0f} entries/s")
        print(f"  Schakel sequencer (group commit)         {ours:10,.0f} entries/s   ratio {ours / raw:5.2f}x")
        print(f"  target: at least 5,000 entries/s          {'met' if ours >= 5_000 else 'NOT met'}")
        count = 100_000 if quick else 1_000_000
        per_entry, hashing = bench_verify(directory, count)
        print(f"offline verification of a bundle of {count:,} entries:")
        print(f"  SHA-256 leaf hashes alone                {hashing:10.2f} us/entry")
        print(
            f"  full verification                        {per_entry:10.2f} us/entry   ratio {per_entry / hashing:5.1f}x"
            f"   = {per_entry:.2f} s per million (target < 5 s)"
        )
        grow(database, 100_000 if quick else 1_000_000)
        proof, check, lookup, size = bench_proofs(database, 500 if quick else 5_000)
        print(f"inclusion proofs in a log of {size:,} entries (median):")
        print(f"  one entry by primary key (driver cursor) {lookup:10.1f} us")
        print(f"  inclusion proof from the stored nodes    {proof:10.1f} us   ratio {proof / lookup:5.1f}x")
        print(f"  verifying that proof                     {check:10.1f} us")
        print("  target: a proof under 100 us")
        database.dispose()


if __name__ == "__main__":
    main()
