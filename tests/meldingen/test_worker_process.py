"""`schakel worker` as its own process: it delivers what the hub stored, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hub.config import Settings
from hub.db import Database
from tests.meldingen.conftest import Partnership, sample_melding, wait_for


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
    env.update(SCHAKEL_DATABASE_URL=database_url, SCHAKEL_KEYS_DIR=str(keys_dir), SCHAKEL_PUBLIC_URL=public_url,
               SCHAKEL_LOG_LEVEL="WARNING")  # fmt: skip
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "schakel"), "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    try:
        assert "delivery worker running" in worker.stdout.readline()
        wait_for(lambda: [e["leveringId"] for e in via.received] == [levering_id])
    finally:
        worker.send_signal(signal.SIGTERM)
        returncode = worker.wait(timeout=30)
        worker.stdout.close()
    assert returncode == 0, "a worker stops cleanly on SIGTERM"
