"""`schakel worker` as its own process: it delivers what the hub stored, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hub.config import Settings
from hub.db import Database
from tests.partnership import Partnership, sample_melding, wait_for
from tests.server import free_socket


@pytest.fixture
def settings(database_url: str, keys_dir: Path, public_url: str) -> Settings:
    """A hub without its in-process worker: only the separate process delivers."""
    return Settings(database_url=database_url, keys_dir=keys_dir, public_url=public_url, delivery_in_process=False)


def test_a_worker_process_delivers_and_stops_on_sigterm(
    *, partnership: Partnership, database: Database, database_url: str, keys_dir: Path, public_url: str, tmp_path: Path
) -> None:
    melding = {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")}
    receipt = partnership.client("politie-limburg").post("/api/v1/meldingen", melding)
    levering_id = receipt["ontvangers"][0]["leveringId"]
    via = partnership.receivers["via-zuid-limburg"]
    assert via.received == [], "nothing is delivered without a worker"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHAKEL_")}
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    env.update(
        SCHAKEL_DATABASE_URL=database_url,
        SCHAKEL_KEYS_DIR=str(keys_dir),
        SCHAKEL_PUBLIC_URL=public_url,
        SCHAKEL_LOG_LEVEL="WARNING",
        SCHAKEL_WORKER_METRICS_PORT=str(port),
    )
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "schakel"), "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    try:
        assert "bezorgproces draait" in worker.stdout.readline()
        wait_for(lambda: [e["leveringId"] for e in via.received] == [levering_id])
        # Its metrics are its health: a recent round, the delivery it made, the hub's state.
        url = f"http://127.0.0.1:{port}/metrics"
        wait_for(lambda: _scrape(url)["schakel_bezorgtijd_seconds_count"] == 1)
        metrics = _scrape(url)
        assert time.time() - metrics["schakel_bezorgronde_timestamp_seconds"] < 60
        assert "schakel_verstrekkingenlog_entries" in metrics and "process_resident_memory_bytes" in metrics
    finally:
        worker.send_signal(signal.SIGTERM)
        returncode = worker.wait(timeout=30)
        worker.stdout.close()
    assert returncode == 0, "a worker stops cleanly on SIGTERM"


def _scrape(url: str) -> dict[str, float]:
    """The samples without labels of a Prometheus text exposition, by name."""
    text = httpx.get(url, timeout=5).text
    return {
        name: float(value)
        for name, _, value in (line.partition(" ") for line in text.splitlines() if line and not line.startswith("#"))
        if "{" not in name
    }
