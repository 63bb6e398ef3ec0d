"""Meldingen throughput with one and with two hub processes on one PostgreSQL, and against "bare + token check",
measured in the same run.

The same durable `POST /api/v1/meldingen` as bench/meldingen_bench.py (a 2 KB E33 for two recipients, a freshly
signed token per request, 16 keep-alive clients), against `schakel serve --workers 1` and then `--workers 2` on a
fresh PostgreSQL schema, and against the bare endpoint that only parses the body and verifies the token (the work
every request must do). Targets: two processes at least 1.6x one; Schakel at least 0.5x bare + token.

The load generator runs on the same machine and takes CPU from the servers: on two cores the process ratio is
bounded by that, and is printed as measured.

Run: .venv/bin/python bench/processes_bench.py [--quick]
  (PostgreSQL: SCHAKEL_BENCH_POSTGRES_URL, by default postgresql://postgres@127.0.0.1:5432/test)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meldingen_bench import ROOT, VERIFY_APP, free_port, load, melding, prepare_hub, requests, serve

from connectors import SigningKey
from hub.config import LogFormat
from hub.db import Database
from hub.logging import configure_logging

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (for a smoke test)")
    seconds = 4.0 if parser.parse_args().quick else 20.0
    configure_logging(LogFormat.CONSOLE, "WARNING")
    base = os.environ.get("SCHAKEL_BENCH_POSTGRES_URL", DEFAULT_URL)
    schema = f"bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(Database(base).url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    key = SigningKey.generate()
    body = json.dumps(melding(), separators=(",", ":")).encode()
    rates: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            public = f"http://127.0.0.1:{free_port()}"  # the audience every token names (as behind a proxy)
            env = {k: v for k, v in os.environ.items() if not k.startswith("SCHAKEL_")}
            env.update(
                prepare_hub(work, key, url),
                SCHAKEL_PUBLIC_URL=public,
                SCHAKEL_LOG_LEVEL="WARNING",
                SCHAKEL_CHECKPOINT_INTERVAL_SECONDS="0",
                BENCH_JWK=json.dumps(key.public_jwk()),
                PYTHONPATH=str(ROOT),
            )
            (work / "verify_app.py").write_text(VERIFY_APP, encoding="utf-8")
            budget = int(seconds * 3000)
            port = free_port()
            verifier = serve(
                [
                    str(ROOT / ".venv/bin/uvicorn"),
                    "verify_app:app",
                    "--app-dir",
                    str(work),
                    "--port",
                    str(port),
                    "--host",
                    "127.0.0.1",
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                env,
                f"http://127.0.0.1:{port}/docs",
            )
            try:
                asyncio.run(load(port, requests(public, key, body, 300, port), 1.0))
                rates["bare + token check"] = asyncio.run(
                    load(port, requests(public, key, body, budget, port), seconds)
                )[0]
            finally:
                verifier.terminate()
                verifier.wait(timeout=30)
            for processes in (1, 2):
                rates[f"Schakel, {processes} process(es), PostgreSQL"] = _hub_rate(
                    processes, env, lambda port, count: requests(public, key, body, count, port), budget, seconds
                )
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    bare = rates["bare + token check"]
    one, two = rates["Schakel, 1 process(es), PostgreSQL"], rates["Schakel, 2 process(es), PostgreSQL"]
    print(
        f"POST /api/v1/meldingen on PostgreSQL, {len(body):,}-byte E33 with two recipients, 16 clients, "
        f"{os.cpu_count()} cores:"
    )
    for name, rate in rates.items():
        print(f"  {name:40} {rate:8,.0f} req/s   {rate / bare:5.2f}x bare + token")
    print(f"  two processes against one: {two / one:5.2f}x (target >= 1.6)")
    print(f"  Schakel (two processes) against bare + token: {two / bare:5.2f}x (target >= 0.5)")


def _hub_rate(
    processes: int, env: dict[str, str], made: Callable[[int, int], list[bytes]], budget: int, seconds: float
) -> float:
    """Meldingen per second through `schakel serve --workers processes`; `made(port, count)` signs the requests."""
    port = free_port()
    hub = serve(
        [str(ROOT / ".venv/bin/schakel"), "serve", "--port", str(port), "--workers", str(processes)],
        env,
        f"http://127.0.0.1:{port}/api/v1/health",
    )
    try:
        _wait_listening(port, processes)
        asyncio.run(load(port, made(port, 300), 1.0))
        return asyncio.run(load(port, made(port, budget), seconds))[0]
    finally:
        hub.terminate()
        hub.wait(timeout=60)


def _wait_listening(port: int, processes: int) -> None:
    """Until every hub process listens on `port` (each on its own socket): the health check answers as soon as
    the first one does, and connections made before the others listen would all go to it."""
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].exists():  # not Linux: give the processes time instead
        time.sleep(5)
        return
    deadline = time.monotonic() + 60
    while True:
        rows = [line.split() for table in tables if table.exists() for line in table.read_text().splitlines()[1:]]
        if sum(1 for row in rows if int(row[1].rsplit(":", 1)[1], 16) == port and row[3] == "0A") >= processes:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"not every hub process listens on port {port}")
        time.sleep(0.1)


if __name__ == "__main__":
    main()
