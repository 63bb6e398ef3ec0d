"""Killing the process (SIGKILL) during a burst of appends loses no acknowledged entry and leaves a verifiable log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.db import Database
from hub.kit.canonical import canonical_json
from hub.ledger import repository, service
from hub.ledger.verify import Trust, verify_bundle
from tests.ledger.test_store import _jwk

ACKNOWLEDGEMENTS_BEFORE_THE_KILL = 300


def test_sigkill_during_a_burst(database: Database, database_url: str, tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.appender", database_url],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "SCHAKEL_LOG_LEVEL": "WARNING"},
    )
    acknowledged: dict[int, int] = {}
    assert child.stdout is not None
    try:
        for line in child.stdout:
            position, n = map(int, line.split())
            acknowledged[position] = n
            if len(acknowledged) >= ACKNOWLEDGEMENTS_BEFORE_THE_KILL:
                child.send_signal(signal.SIGKILL)  # mid-burst: it is appending as fast as it can
                break
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    with database.unit_of_work() as session:
        size = repository.size(session.connection())
        stored = dict(repository.entries(session.connection(), size))
    assert size >= len(acknowledged), "nothing acknowledged is lost"
    assert sorted(stored) == list(range(size)), "no gaps, no half-written entries"
    for position, n in acknowledged.items():
        assert stored[position] == canonical_json({"n": n, "soort": "verstrekking"})

    key = Ed25519PrivateKey.generate()
    with database.unit_of_work() as session:
        service.sign_checkpoint(session, "schakel.example/verstrekkingenlog", key, datetime.now(UTC))
        service.export(session, tmp_path / "bundle", [_jwk(key)])
    verdict = verify_bundle(tmp_path / "bundle", Trust("schakel.example/verstrekkingenlog", (key.public_key(),)))
    assert verdict.ok, verdict.problems
    assert verdict.size == size
