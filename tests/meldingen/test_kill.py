"""Killing the hub (SIGKILL) during a burst of meldingen loses no acknowledged melding, and every delivery that
was made has its ledger entry; the ledger still verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors import HubClient, SigningKey
from hub.db import Database
from hub.ledger import repository as ledger_store
from hub.ledger import service as ledger
from hub.ledger.verify import Trust, verify_bundle
from hub.policy.convenant.format import PolicySource
from tests.ledger.test_store import _jwk
from tests.partnership import receivers_for, register, sample_melding
from tests.server import free_socket
from tests.support import activate_sample

ACKNOWLEDGED_BEFORE_THE_KILL = 40


def test_sigkill_during_a_burst_of_meldingen(
    *,
    database: Database,
    database_url: str,
    keys_dir: Path,
    sample_source: PolicySource,
    partner_keys: dict[str, SigningKey],
    tmp_path: Path,
) -> None:
    probe = free_socket()
    port = probe.getsockname()[1]
    probe.close()
    url = f"http://127.0.0.1:{port}"
    soorten = {d.partner: d.soort for d in sample_source.convenant.deelnemers}
    with httpx.Client(base_url=url, timeout=10) as http, receivers_for(url, partner_keys, http) as receivers:
        werkgebieden = {d.partner: list(d.werkgebied or ()) for d in sample_source.convenant.deelnemers}
        register(database, partner_keys, {p: r.url for p, r in receivers.items()}, soorten, werkgebieden)
        activate_sample(database, sample_source, datetime.now(UTC))
        receivers["via-zuid-limburg"].start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCHAKEL_")}
        env.update(
            SCHAKEL_DATABASE_URL=database_url,
            SCHAKEL_KEYS_DIR=str(keys_dir),
            SCHAKEL_PUBLIC_URL=url,
            SCHAKEL_LOG_LEVEL="WARNING",
            SCHAKEL_DELIVERY_BACKOFF_BASE_SECONDS="0.05",
        )
        hub = subprocess.Popen(
            [str(Path(sys.executable).parent / "schakel"), "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if http.get("/api/v1/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
                assert time.monotonic() < deadline and hub.poll() is None, "the hub did not start"
            acknowledged: list[str] = []
            lock, stop = threading.Lock(), threading.Event()

            def burst() -> None:
                client = HubClient(
                    url,
                    partner_id="politie-limburg",
                    principal_id="politie-limburg-systeem",
                    key=partner_keys["politie-limburg"],
                    timeout=5,
                )
                body = {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")}
                with client:
                    while not stop.is_set():
                        try:
                            response = client.send("POST", "/api/v1/meldingen", json_body=body)
                        except Exception:  # noqa: BLE001 - the hub was killed mid-request: not acknowledged
                            return
                        if response.status_code == 201:
                            with lock:
                                acknowledged.append(response.json()["meldingId"])

            threads = [threading.Thread(target=burst) for _ in range(6)]
            for thread in threads:
                thread.start()
            while len(acknowledged) < ACKNOWLEDGED_BEFORE_THE_KILL:
                assert hub.poll() is None, "the hub died by itself"
                time.sleep(0.01)
            hub.send_signal(signal.SIGKILL)  # mid-burst
            hub.wait(timeout=30)
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        finally:
            if hub.poll() is None:
                hub.kill()
        received = list(receivers["via-zuid-limburg"].received)

    with database.engine.connect() as connection:
        stored = set(connection.execute(sa.text("SELECT id FROM melding")).scalars())
        deliveries: dict[str, str] = {
            str(i): str(m) for i, m in connection.execute(sa.text("SELECT id, melding_id FROM levering"))
        }
        size = ledger_store.size(connection)
        entries = [orjson.loads(raw) for _, raw in ledger_store.entries(connection, size)]
    assert set(acknowledged) <= stored, "no acknowledged melding is lost"
    logged: dict[str, Any] = {
        e["levering_id"]: e for e in entries if e["soort"] == "verstrekking" and "levering_id" in e
    }
    assert set(deliveries) <= set(logged), "no delivery exists without its ledger entry"
    assert all(logged[d]["melding_id"] == m for d, m in deliveries.items())
    assert {e["leveringId"] for e in received} <= set(logged), "every delivery made has its ledger entry"
    with database.unit_of_work() as session:
        key = Ed25519PrivateKey.generate()
        ledger.sign_checkpoint(session, "schakel.test/verstrekkingenlog", key, datetime.now(UTC))
        ledger.export(session, tmp_path / "bundle", [_jwk(key)])
    verdict = verify_bundle(tmp_path / "bundle", Trust("schakel.test/verstrekkingenlog", (key.public_key(),)))
    assert verdict.ok, verdict.problems
