"""Memory over a long run: 20,000 meldingen through one hub process, its resident memory (RSS) after every 1,000.

The same durable `POST /api/v1/meldingen` as bench/meldingen_bench.py (SQLite, a freshly signed token per request,
16 keep-alive clients). Target: RSS levels off, i.e. over the second half of the run it grows less than 5% (the
first thousands fill the caches, the allocator's arenas and the page cache of SQLite). Prints the curve and the
growth over the second half.

Run: .venv/bin/python bench/soak_bench.py [--quick]   (--quick: 4,000 meldingen, every 500)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meldingen_bench import ROOT, free_port, load, melding, prepare_hub, requests, serve

from connectors import SigningKey
from hub.config import LogFormat
from hub.logging import configure_logging

TARGET = 0.05


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS: this benchmark reads /proc (Linux)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4,000 meldingen instead of 20,000")
    quick = parser.parse_args().quick
    total, step = (4_000, 500) if quick else (20_000, 1_000)
    configure_logging(LogFormat.CONSOLE, "WARNING")
    key = SigningKey.generate()
    body = json.dumps(melding(), separators=(",", ":")).encode()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCHAKEL_")}
        env.update(prepare_hub(work, key), SCHAKEL_PUBLIC_URL=url, SCHAKEL_LOG_LEVEL="WARNING")
        hub = serve(
            [
                str(ROOT / ".venv/bin/uvicorn"),
                "hub.main:create_app",
                "--factory",
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env,
            url + "/api/v1/health",
        )
        curve: list[tuple[int, float]] = [(0, rss_mib(hub.pid))]
        try:
            sent = 0
            while sent < total:
                asyncio.run(load(port, requests(url, key, body, step, port), 3600.0))
                sent += step
                curve.append((sent, rss_mib(hub.pid)))
        finally:
            hub.terminate()
            hub.wait(timeout=30)
    print(f"Hub RSS over {total:,} meldingen (one process, SQLite, 16 clients):")
    for count, mib in curve:
        print(f"  {count:7,} meldingen  {mib:7.1f} MiB  {'#' * int(mib / 4)}")
    middle = curve[len(curve) // 2][1]
    growth = (curve[-1][1] - middle) / middle
    verdict = "levels off" if growth < TARGET else "STILL GROWING"
    print(f"  growth over the second half: {growth * 100:5.1f}% (target < {TARGET * 100:.0f}%): {verdict}")


if __name__ == "__main__":
    main()
