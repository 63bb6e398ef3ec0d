"""The delivery worker: pushes each due delivery to its recipient's registered webhook, signed by the hub.

One runs in-process under `schakel serve`; more run as `schakel worker` processes. A worker leases a batch of
due deliveries (spoed first), posts each outside any transaction, and records the outcome: 2xx is `afgeleverd`
(the recipient's signed acknowledgement follows through the API), anything else is retried with exponential
backoff and jitter, and a delivery older than the maximum age becomes a dead letter an operator can re-drive.
Redirects are never followed and only the URL registered for the partner is used. Delivery is at least once,
with a stable delivery id the receiver de-duplicates on. The worker also deletes acknowledged payloads after
the grace period: what remains is the ledger.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import structlog
from sqlmodel import Session

from connectors import SigningKey, sign_request_token
from hub.config import Settings
from hub.db import Database
from hub.delivery import repository, service
from hub.delivery.models import Levering, Status
from hub.keys.keyring import HubKeyring
from hub.kit.canonical import canonical_json
from hub.kit.clock import utcnow
from hub.ops.metrics import Metrics
from hub.partners import repository as partners
from hub.pseudonym.vault import Vault

log = structlog.get_logger("hub.delivery")


@dataclass(frozen=True, slots=True)
class Policy:
    """How hard the worker tries: timeouts, backoff, the maximum age, the lease, the grace before deletion."""

    timeout_seconds: float = 10.0
    backoff_base_seconds: float = 2.0
    backoff_cap_seconds: float = 900.0
    max_age: timedelta = timedelta(days=3)
    lease: timedelta = timedelta(seconds=60)
    grace: timedelta = timedelta(days=7)
    batch: int = 20
    idle_seconds: float = 1.0
    housekeeping_seconds: float = 60.0
    """How often acknowledged payloads past their grace period are deleted (not every round: it writes)."""


def policy_from(settings: Settings) -> Policy:
    return Policy(
        timeout_seconds=settings.delivery_timeout_seconds,
        backoff_base_seconds=settings.delivery_backoff_base_seconds,
        max_age=timedelta(seconds=settings.delivery_max_age_seconds),
        grace=timedelta(seconds=settings.delivery_grace_seconds),
    )


def for_hub(database: Database, vault: Vault, settings: Settings, metrics: Metrics | None = None) -> DeliveryWorker:
    """A worker for this hub: its signing key, its public URL as issuer, its delivery settings, and the metrics it
    reports to."""
    key = HubKeyring(settings.keys_dir).signing_key()
    return DeliveryWorker(
        database, vault, key, issuer=settings.public_url, policy=policy_from(settings), metrics=metrics
    )


def backoff(attempts: int, policy: Policy, rng: random.Random) -> timedelta:
    """Exponential, capped, with full jitter between half and one and a half times the step."""
    step = min(policy.backoff_base_seconds * (2 ** max(attempts - 1, 0)), policy.backoff_cap_seconds)
    return timedelta(seconds=step * rng.uniform(0.5, 1.5))


class DeliveryWorker:
    def __init__(
        self,
        database: Database,
        vault: Vault,
        key: SigningKey,
        *,
        issuer: str,
        policy: Policy | None = None,
        client: httpx.Client | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics
        self._database = database
        self._vault = vault
        self._key = key
        self._issuer = issuer
        self.policy = policy or Policy()
        self._client = client or httpx.Client(timeout=self.policy.timeout_seconds, follow_redirects=False)
        self._rng = random.Random()  # noqa: S311 - jitter, not a secret
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_housekeeping = 0.0

    # Running

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="delivery-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._client.close()

    def wake(self) -> None:
        """New deliveries were committed: look now instead of at the next tick."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception as exc:  # noqa: BLE001 - the worker must outlive a bad round; the next one retries
                log.error("delivery.round_failed", error_type=type(exc).__name__)  # noqa: TRY400 - no text: it may hold data
                busy = 0
            if self._metrics is not None:
                self._metrics.worker_round.set_to_current_time()
            if not busy:
                self._wake.wait(self.policy.idle_seconds)
                self._wake.clear()

    # One round

    def run_once(self, now: datetime | None = None) -> int:
        """Push what is due; returns how many deliveries were attempted."""
        now = now or utcnow()
        with self._database.unit_of_work() as session:
            claimed = repository.claim_due(session, now, now + self.policy.lease, self.policy.batch)
            work = [(c.id, c.ontvanger) for c in claimed]
            if time.monotonic() >= self._next_housekeeping:
                self._housekeeping(session, now)
                self._next_housekeeping = time.monotonic() + self.policy.housekeeping_seconds
        for levering_id, ontvanger in work:
            self._deliver(levering_id, ontvanger)
        return len(work)

    def _housekeeping(self, session: Session, now: datetime) -> None:
        purged = repository.purge_payloads(session, now - self.policy.grace, now)
        if purged:
            repository.purge_meldingen(session)
            log.info("delivery.payloads_deleted", count=purged)

    def _deliver(self, levering_id: str, ontvanger: str) -> None:
        with self._database.unit_of_work(immediate=False) as session:
            levering = repository.get(session, levering_id)
            partner = partners.get_partner(session, ontvanger)
            if levering is None or levering.status != Status.WACHTEND or partner is None or not partner.webhook_url:
                return
            url, created = partner.webhook_url, levering.aangemaakt_op
            body = canonical_json(service.open_delivery(session, self._vault, levering).envelope())
        _, headers = sign_request_token(
            self._key, issuer=self._issuer, subject="schakel", audience=ontvanger, method="POST", url=url, body=body
        )
        reason = self._post(url, body, headers)
        if reason is None and self._metrics is not None:
            # Here, not when recording: a receiver may acknowledge before the push returns.
            self._metrics.delivery_latency.observe(max((utcnow() - created).total_seconds(), 0.0))
        with self._database.unit_of_work() as session:
            levering = repository.get(session, levering_id)
            if levering is not None and levering.status == Status.WACHTEND:
                self._record(levering, reason, utcnow())
                repository.add(session, levering)

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> str | None:
        """None when the receiver took it (2xx), else a reason code (never the response body)."""
        try:
            response = self._client.post(url, content=body, headers={**headers, "Content-Type": "application/json"})
        except httpx.TimeoutException:
            return "timeout"
        except httpx.HTTPError as exc:
            return f"connect-{type(exc).__name__}".lower()[:64]
        return None if response.is_success else f"http-{response.status_code}"

    def _record(self, levering: Levering, reason: str | None, now: datetime) -> None:
        levering.pogingen += 1
        levering.geclaimd_tot = None
        if reason is None:
            levering.status, levering.afgeleverd_op, levering.laatste_fout = Status.AFGELEVERD, now, None
            log.info("delivery.delivered", target_id=levering.id, attempts=levering.pogingen)
            return
        levering.laatste_fout = reason
        since = levering.herstart_op or levering.aangemaakt_op
        if now - since >= self.policy.max_age:
            levering.status, levering.dood_op = Status.DOOD, now
            log.warning("delivery.dead_letter", target_id=levering.id, reason=reason)
            return
        levering.volgende_poging = now + backoff(levering.pogingen, self.policy, self._rng)
        log.info("delivery.retry", target_id=levering.id, reason=reason, attempts=levering.pogingen)
