"""Retention in the background: a thread of `schakel serve` and `schakel worker` that runs a round at an interval
(rounds of several processes do not collide: see `service`)."""

from __future__ import annotations

import threading
from datetime import datetime

import structlog

from hub.bewaren import service
from hub.db import Database
from hub.kit.clock import utcnow
from hub.ledger.entries import Context
from hub.policy.convenant.format import Procesafspraken
from hub.policy.runtime import PolicyRuntime
from hub.pseudonym.vault import Vault

log = structlog.get_logger("hub.bewaren")


def one_round(
    database: Database, vault: Vault, *, after: str = "", now: datetime | None = None, droog: bool = False
) -> service.Ronde:
    """One round in its own transaction, under the terms of the convenant in force (the format's defaults while
    none is: the disclosures' own terms are on their entries). `droog`: rolled back, so nothing is removed; the
    counts say what a round at `now` would remove."""
    now = now or utcnow()
    with database.rehearsal() if droog else database.unit_of_work() as session:
        policy = PolicyRuntime().active(session, now)
        afspraken = policy.source.convenant.procesafspraken if policy is not None else Procesafspraken()
        ophaal = service.Ophaaltermijnen.van(policy)
        return service.run_round(
            session, vault, afspraken, context=Context(None, None), now=now, after=after, ophaal=ophaal
        )


def full_pass(
    database: Database,
    vault: Vault,
    *,
    now: datetime | None = None,
    stop: threading.Event | None = None,
    droog: bool = False,
) -> service.Ronde:
    """Rounds until every living person was looked at (each round its own short transaction, so the hub goes on
    meanwhile); the totals. `stop` ends it between rounds; `droog` rolls every round back (a rehearsal)."""
    total = service.Ronde()
    after = ""
    while True:
        ronde = one_round(database, vault, after=after, now=now, droog=droog)
        total.personen += ronde.personen
        total.leveringen_ingetrokken += ronde.leveringen_ingetrokken
        total.leveringen_niet_opgehaald += ronde.leveringen_niet_opgehaald
        total.signalen += ronde.signalen
        total.casussen += ronde.casussen
        total.top_x_vervallen += ronde.top_x_vervallen
        after = ronde.next_after
        if not after or (stop is not None and stop.is_set()):
            return total


class RetentionKeeper:
    def __init__(self, database: Database, vault: Vault, interval: float) -> None:
        self._database = database
        self._vault = vault
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                ronde = full_pass(self._database, self._vault, stop=self._stop)
            except Exception as exc:  # noqa: BLE001 - the keeper must outlive a bad round; the next one retries
                log.error("retention.round_failed", error_type=type(exc).__name__)  # noqa: TRY400 - no text: it may hold data
                continue
            if (
                ronde.personen
                or ronde.signalen
                or ronde.casussen
                or ronde.top_x_vervallen
                or ronde.leveringen_ingetrokken
            ):
                log.info(
                    "retention.round",
                    persons=ronde.personen,
                    signals=ronde.signalen,
                    casussen=ronde.casussen,
                    top_x_lapsed=ronde.top_x_vervallen,
                    deliveries_withdrawn=ronde.leveringen_ingetrokken,
                    deliveries_uncollected=ronde.leveringen_niet_opgehaald,
                )
