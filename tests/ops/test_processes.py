"""Several hub processes and a worker on one PostgreSQL, as behind a load balancer: the hub in this process (A), a
`schakel serve` process (B) and a `schakel worker`, all delivering. Meldingen sent to A and B at once keep the
verstrekkingenlog gapless with every position used once; every delivery reaches its partner exactly once; a change
made through one process (a partner suspended) holds at the other's very next request."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors import HubClient
from hub.db import Database
from hub.partners.models import Role
from tests.partnership import Partnership, person_client, sample_melding, wait_for
from tests.server import free_socket

BIN = Path(sys.executable).parent
POLITIE, VIA = "politie-limburg", "via-zuid-limburg"
MELDINGEN = 40


class _To(httpx.HTTPTransport):
    """What a load balancer does: the client calls the hub's public URL, this process answers."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self._port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(port=self._port)
        return super().handle_request(request)


def _free_port() -> int:
    sock = free_socket()
    port = int(sock.getsockname()[1])
    sock.close()
    return port


def _start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(BIN / "schakel"), *args], env=env, cwd=cwd, stdout=subprocess.DEVNULL)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.postgresql
def test_two_hub_processes_and_a_worker_share_one_postgresql(
    *, partnership: Partnership, database: Database, database_url: str, keys_dir: Path, public_url: str, tmp_path: Path
) -> None:
    if database.backend != "postgresql":
        pytest.skip("several hub processes is the PostgreSQL path; the embedded SQLite has one process")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHAKEL_")}
    env.update(
        SCHAKEL_DATABASE_URL=database_url,
        SCHAKEL_KEYS_DIR=str(keys_dir),
        SCHAKEL_PUBLIC_URL=public_url,
        SCHAKEL_LOG_LEVEL="WARNING",
        SCHAKEL_DELIVERY_BACKOFF_BASE_SECONDS="0.05",
        SCHAKEL_WORKER_METRICS_PORT="0",
        SCHAKEL_CHECKPOINT_INTERVAL_SECONDS="0",
    )
    port = _free_port()
    hub_b = _start(["serve", "--port", str(port)], env, tmp_path)
    worker = _start(["worker"], env, tmp_path)
    b = httpx.Client(base_url=public_url, transport=_To(port), timeout=20)
    try:
        wait_for(lambda: _answers(b), seconds=30)
        clients = {
            "A": partnership.client(POLITIE),
            "B": HubClient(public_url, partner_id=POLITIE, principal_id=f"{POLITIE}-systeem",
                           key=partnership.keys[POLITIE], http=b),
        }  # fmt: skip
        body = {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")}

        def send(i: int) -> dict[str, Any]:
            receipt: dict[str, Any] = clients["AB"[i % 2]].post("/api/v1/meldingen", body)
            return receipt

        with ThreadPoolExecutor(max_workers=8) as pool:
            receipts = list(pool.map(send, range(MELDINGEN)))

        # The log: every position used once, none skipped, each melding's own.
        # One snapshot: VIA's receiver acknowledges meanwhile, and each acknowledgement appends an entry.
        with (
            database.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
            connection.begin(),
        ):
            size = connection.execute(sa.text("SELECT size FROM ledger_head")).scalar_one()
            seqs = [row[0] for row in connection.execute(sa.text("SELECT seq FROM ledger_entry ORDER BY seq"))]
        assert seqs == list(range(size)), "gapless and unique"
        positions = [p for r in receipts for p in r["posities"]]
        assert len(positions) == len(set(positions)), "no two meldingen share a position"

        # Deliveries: each reaches VIA once, whichever of the three processes pushed it.
        via = partnership.receivers[VIA]
        wanted = {o["leveringId"] for r in receipts for o in r["ontvangers"] if o["partner"] == VIA}
        assert len(wanted) == MELDINGEN
        wait_for(lambda: wanted <= {e["leveringId"] for e in via.received}, seconds=60)
        time.sleep(1)  # a duplicate push would arrive now
        counts = Counter(e["leveringId"] for e in via.received if e["leveringId"] in wanted)
        assert set(counts.values()) == {1}, "no delivery sent twice"

        # Kept state across processes: the operator suspends the police through A; B refuses its next request.
        operator = person_client(partnership, "zvh-zuid-limburg", "zvh-beheer-test", Role.OPERATOR)
        operator.send("PATCH", f"/api/v1/partners/{POLITIE}", json_body={"status": "suspended"})
        refused = clients["B"].send("POST", "/api/v1/meldingen", json_body=body)
        assert refused.status_code == 401, refused.text
        assert refused.json()["code"] == "partner-suspended"
    finally:
        b.close()
        _stop(hub_b)
        _stop(worker)


def _answers(client: httpx.Client) -> bool:
    try:
        return client.get("/api/v1/health").status_code == 200
    except httpx.HTTPError:
        return False
