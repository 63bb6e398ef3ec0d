"""How fast the `schakel` command starts, against `python -c "import typer"` measured in the same run.

For each command line: the median wall time of a fresh process over several runs, and its ratio to the median of
the baseline (a fresh Python importing typer, which every typer command line pays). Target: `schakel --help` and a
typical command's help within 2x the baseline. Commands that do work (a database, keys) pay for the libraries that
work needs when it runs, not before.

Run: .venv/bin/python bench/cli_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET = 2.0

LINES: dict[str, list[str]] = {
    "baseline: python -c 'import typer'": [sys.executable, "-c", "import typer"],
    "schakel --help": [str(BIN / "schakel"), "--help"],
    "schakel --version": [str(BIN / "schakel"), "--version"],
    "schakel ledger verify --help": [str(BIN / "schakel"), "ledger", "verify", "--help"],
    "schakel partner list --help": [str(BIN / "schakel"), "partner", "list", "--help"],
}


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - our own commands
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Fewer runs (CI).")
    runs = 5 if parser.parse_args().quick else 15
    for command in LINES.values():
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - warm the file cache and bytecode
    baseline = median_seconds(next(iter(LINES.values())), runs)
    print(f"CLI start, median of {runs} fresh processes; target within {TARGET:.0f}x the baseline")
    for name, command in LINES.items():
        seconds = median_seconds(command, runs)
        ratio = seconds / baseline
        verdict = "" if name.startswith("baseline") else ("  ok" if ratio <= TARGET else "  OVER TARGET")
        print(f"  {name:<40} {seconds * 1000:7.0f} ms  {ratio:5.2f}x{verdict}")


if __name__ == "__main__":
    main()
