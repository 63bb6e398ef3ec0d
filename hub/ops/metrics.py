"""Prometheus metrics, in a registry owned by one app or worker process (no import-time globals).

Three kinds: what this process did (HTTP requests, meldingen taken in, deliveries pushed and how long they took),
the process itself (CPU, memory, open files, garbage collection), and the state of the hub read from the database
at each scrape (deliveries waiting and dead, the oldest waiting one, the log's size, the newest checkpoint's age,
each witness's lag). The last kind is the same in every process of one hub: aggregate it with `max`, not `sum`
(docker/prometheus/alerts.yml does)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import sqlalchemy as sa
from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Connection
from sqlmodel import Session

from hub.db import Database
from hub.delivery.models import Levering, Status
from hub.delivery.withdrawal import UNCOLLECTED
from hub.kit.clock import utcnow
from hub.ledger.models import LedgerCheckpoint, LedgerCosignature, LedgerEntry, LedgerHead, LedgerTerugzetting
from hub.policy.convenant.format import FORMAAT
from hub.policy.runtime import PolicyRuntime

_LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(_Delegate(collector))
        self.requests = Counter(
            "schakel_http_requests",
            "HTTP requests handled, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "schakel_http_request_duration_seconds",
            "Time from receiving a request to sending the last byte, by method and route template.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )
        self.auth_failures = Counter(
            "schakel_auth_failures",
            "Requests refused because their token failed verification, by reason code.",
            ["reason"],
            registry=self.registry,
        )
        self.meldingen = Counter(
            "schakel_meldingen",
            "Meldingen this process took in, by berichttype and outcome (aangenomen: stored and answered 201; "
            "geweigerd: no recipient may receive it, 403).",
            ["berichttype", "uitkomst"],
            registry=self.registry,
        )
        self.delivery_latency = Histogram(
            "schakel_bezorgtijd_seconds",
            "Time from a melding's acceptance to its delivery at the partner's webhook, for deliveries this process "
            "pushed.",
            registry=self.registry,
            buckets=_LATENCY_BUCKETS,
        )
        self.worker_round = Gauge(
            "schakel_bezorgronde_timestamp_seconds",
            "When this process's delivery worker last finished a round (POSIX seconds): stale means it is stuck.",
            registry=self.registry,
        )

        self.state = HubState()
        self.registry.register(self.state)

    def watch(self, database: Database | None, runtime: PolicyRuntime | None = None) -> None:
        """Report the hub's state from this database at each scrape (None: stop, e.g. at shutdown), and the
        convenant in force as `runtime` reads it (the hub's processes; a delivery worker decides nothing)."""
        self.state.database = database
        self.state.runtime = runtime


class _Delegate(Collector):
    """A default collector (process, platform, gc) in this registry too, without registering it twice globally."""

    def __init__(self, collector: Collector) -> None:
        self._collector = collector

    def collect(self) -> Iterator[Metric]:
        return iter(self._collector.collect())


# Core over the tables, so that their column types (aware UTC datetimes) apply to what comes back.
_L, _H, _K, _C, _T = (
    t.__table__  # type: ignore[union-attr]
    for t in (Levering, LedgerHead, LedgerCheckpoint, LedgerCosignature, LedgerTerugzetting)
)
_WAITING = (
    sa.select(_L.c.status, sa.func.count(), sa.func.min(_L.c.aangemaakt_op))
    .where(
        _L.c.status.in_([Status.WACHTEND, Status.DOOD]),
        # A dead letter whose collection term passed has no content left: nothing to re-drive, counted apart.
        sa.or_(_L.c.laatste_fout.is_(None), _L.c.laatste_fout != UNCOLLECTED),
    )
    .group_by(_L.c.status)
)
_UNCOLLECTED = sa.select(sa.func.count()).where(
    _L.c.status == Status.DOOD,
    _L.c.laatste_fout == UNCOLLECTED,
    _L.c.dood_op >= sa.bindparam("since", type_=_L.c.dood_op.type),
)
_E = LedgerEntry.__table__  # type: ignore[attr-defined]
_AT_CAP = (
    sa.select(_E.c.entry)
    .where(_E.c.soort == "limiet", _E.c.recorded_at >= sa.bindparam("since", type_=_E.c.recorded_at.type))
    .limit(10_000)
)
AT_CAP_WINDOW = timedelta(days=1)
"""How long a refusal at a convenant's cap counts in `schakel_limiet_geweigerd`."""
UNCOLLECTED_WINDOW = timedelta(days=7)
"""How long a delivery nobody collected (its content destroyed) counts in `schakel_leveringen_niet_opgehaald`."""
_SIZE = sa.select(_H.c.size)
_CHECKPOINT = sa.select(_K.c.size, _K.c.signed_at).order_by(_K.c.size.desc(), _K.c.id.desc()).limit(1)
_ROLLED_BACK = sa.select(_T.c.reden).order_by(_T.c.id.desc()).limit(1)
_COSIGNED = (
    sa.select(_C.c.getuige, sa.func.max(_K.c.size)).join(_K, _K.c.id == _C.c.checkpoint_id).group_by(_C.c.getuige)
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The hub's state as the metrics and the health read it (indexed, bounded queries)."""

    waiting: dict[str, tuple[int, datetime | None]]
    """Per status (`wachtend`, `dood`): how many, and the oldest's creation."""
    size: int
    checkpoint_size: int
    checkpoint_at: datetime | None
    cosigned: dict[str, int]
    """Per witness: the largest size it cosigned."""
    teruggezet: str | None = None
    """Why the log was found put back behind a known checkpoint (Dutch), if it was: no checkpoint is signed."""
    niet_opgehaald: int = 0
    """Deliveries nobody collected within their collection term in the last week (their content destroyed)."""
    aan_limiet: dict[str, int] = field(default_factory=dict)
    """Per cap of the convenant (`bekend-signalen`, `bekendheidschecks`, `lijsten`, `lijst-adressen`): refusals at
    it in the last day."""

    @property
    def dead(self) -> int:
        return self.waiting.get("dood", (0, None))[0]

    @property
    def oldest_waiting(self) -> datetime | None:
        return self.waiting.get("wachtend", (0, None))[1]


def embedded_data_dir(database: Database) -> Path | None:
    """The folder of the embedded SQLite database (None on PostgreSQL, whose server watches its own disk)."""
    path = database.engine.url.database if database.backend == "sqlite" else None
    folder = Path(path).parent if path else None
    return folder if folder is not None and folder.exists() else None


def snapshot(connection: Connection, now: datetime | None = None) -> Snapshot:
    waiting = {str(s): (int(n), oldest) for s, n, oldest in connection.execute(_WAITING)}
    size = connection.execute(_SIZE).scalar() or 0
    checkpoint = connection.execute(_CHECKPOINT).first()
    cosigned = {str(name): int(at) for name, at in connection.execute(_COSIGNED)}
    at = checkpoint[1] if checkpoint is not None else None
    rolled_back = connection.execute(_ROLLED_BACK).scalar()
    since = (now or utcnow()) - UNCOLLECTED_WINDOW
    uncollected = int(connection.execute(_UNCOLLECTED, {"since": since}).scalar() or 0)
    checkpoint_size = int(checkpoint[0]) if checkpoint is not None else 0
    at_cap: dict[str, int] = {}
    for (raw,) in connection.execute(_AT_CAP, {"since": (now or utcnow()) - AT_CAP_WINDOW}):
        limiet = str(orjson.loads(raw).get("limiet", "onbekend"))
        at_cap[limiet] = at_cap.get(limiet, 0) + 1
    return Snapshot(waiting, int(size), checkpoint_size, at, cosigned, rolled_back, uncollected, at_cap)


class HubState(Collector):
    """The state of the hub, read from the database when Prometheus scrapes (indexed, bounded queries)."""

    def __init__(self) -> None:
        self.database: Database | None = None
        self.runtime: PolicyRuntime | None = None

    def describe(self) -> Iterator[Metric]:
        return iter(())  # read at scrape time only: never while registering

    def collect(self) -> Iterator[Metric]:
        if self.database is None:
            return
        now = utcnow()
        with self.database.engine.connect() as connection:
            found = snapshot(connection, now)
        waiting, size, cosigned = found.waiting, found.size, found.cosigned
        checkpoint = (found.checkpoint_size, found.checkpoint_at) if found.checkpoint_at is not None else None
        deliveries = GaugeMetricFamily(
            "schakel_leveringen",
            "Deliveries by status: waiting to be delivered or collected, or dead letters.",
            labels=["status"],
        )
        for status in ("wachtend", "dood"):
            deliveries.add_metric([status], waiting.get(status, (0, None))[0])
        yield deliveries
        capped = GaugeMetricFamily(
            "schakel_limiet_geweigerd",
            "Refusals at a cap the convenant sets (new bekend signals, bekendheidschecks, lists, addresses a list) in "
            "the last day, per cap: fishing, or a cap set too low.",
            labels=["limiet"],
        )
        for limiet in ("bekend-signalen", "bekendheidschecks", "lijsten", "lijst-adressen"):
            capped.add_metric([limiet], found.aan_limiet.get(limiet, 0))
        yield capped
        yield GaugeMetricFamily(
            "schakel_leveringen_niet_opgehaald",
            "Deliveries nobody collected within their collection term in the last 7 days: their content was "
            "destroyed and their verstrekker told.",
            value=found.niet_opgehaald,
        )
        oldest = waiting.get("wachtend", (0, None))[1]
        yield GaugeMetricFamily(
            "schakel_oudste_wachtende_levering_seconds",
            "Age of the oldest delivery still waiting (0 when none waits).",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        yield GaugeMetricFamily("schakel_verstrekkingenlog_entries", "Entries in the verstrekkingenlog.", value=size)
        yield GaugeMetricFamily(
            "schakel_verstrekkingenlog_teruggezet",
            "1 when the log was found put back behind a checkpoint a witness cosigned: no checkpoint is signed.",
            value=1 if found.teruggezet else 0,
        )
        if checkpoint is not None:
            yield GaugeMetricFamily(
                "schakel_controlepunt_leeftijd_seconds",
                "Age of the newest signed checkpoint.",
                value=(now - checkpoint[1]).total_seconds(),
            )
            lag = GaugeMetricFamily(
                "schakel_getuige_achterstand_entries",
                "Entries of the newest checkpoint that each witness has not yet cosigned.",
                labels=["getuige"],
            )
            for name, at in sorted(cosigned.items()):
                lag.add_metric([name], int(checkpoint[0]) - at)
            yield lag
        if self.runtime is not None:
            with Session(self.database.engine) as session:
                stand = self.runtime.stand(session, now)
            if stand is not None:
                yield GaugeMetricFamily(
                    "schakel_convenant_leesbaar",
                    "1 when this hub can read the convenant version in force; 0: nothing is disclosed.",
                    value=1 if stand.leesbaar else 0,
                )
                yield GaugeMetricFamily(
                    "schakel_convenant_formaat_achter",
                    "How many formats the convenant version in force lags behind today's (0: today's).",
                    value=FORMAAT - stand.formaat,
                )
        data_dir = embedded_data_dir(self.database)
        if data_dir is not None:
            usage = shutil.disk_usage(data_dir)
            yield GaugeMetricFamily(
                "schakel_schijf_vrij_verhouding",
                "The share of the disk under the embedded SQLite database that is free (0 to 1).",
                value=usage.free / usage.total if usage.total else 0.0,
            )
