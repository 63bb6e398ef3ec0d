"""A child process for the kill test: appends entries one transaction at a time, printing each position only
after its commit returned (an acknowledgement), until it is killed."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from hub.db import Database
from hub.ledger import service


def main() -> None:
    database = Database(sys.argv[1])
    for n in range(1_000_000):
        with database.unit_of_work() as session:
            (position,) = service.append(session, [{"soort": "verstrekking", "n": n}], datetime.now(UTC))
        sys.stdout.write(f"{position} {n}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
