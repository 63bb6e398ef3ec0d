"""A child process for the kill test: four producers append through the group-commit sequencer, each printing a
position only after the sequencer said it was durable (an acknowledgement), until the process is killed."""

from __future__ import annotations

import sys
import threading

from hub.db import Database
from hub.ledger.sequencer import Group, Sequencer

_print = threading.Lock()


def main() -> None:
    database = Database(sys.argv[1])
    sequencer = Sequencer(database)
    sequencer.start()

    def produce(producer: int) -> None:
        for i in range(1_000_000):
            n = producer * 1_000_000 + i

            def work(_: Group) -> None:
                return None

            committed = sequencer.commit(work, [{"soort": "verstrekking", "n": n}])
            with _print:
                sys.stdout.write(f"{committed.positions.start} {n}\n")
                sys.stdout.flush()

    threads = [threading.Thread(target=produce, args=(p,), daemon=True) for p in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
