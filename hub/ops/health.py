"""What keeps the hub from working as it should, while it still answers: health says `degraded` and why.

The same limits as the alert rules (`docker/prometheus/alerts.yml`), so the page, the health endpoint and the
operator's alerts tell one story: a convenant in force that cannot be read or is of an older format, dead letters, a
delivery waiting too long, an old checkpoint, a witness behind, a disk that is nearly full."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from hub.kit.clock import utcnow
from hub.ops.metrics import Snapshot, embedded_data_dir, snapshot
from hub.policy.convenant.format import FORMAAT
from hub.policy.runtime import Stand
from hub.state import HubState

WAITING_TOO_LONG = timedelta(hours=6)
CHECKPOINT_TOO_OLD = timedelta(hours=2)
WITNESS_GRACE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Degraded:
    code: str
    detail: str
    """In Dutch, for the operator; no personal data."""


def degradations(
    found: Snapshot, now: datetime, data_dir: Path | None, disk_free_minimum: float, convenant: Stand | None = None
) -> list[Degraded]:
    """Why the hub is degraded (empty: it is not). `data_dir`: where the embedded database lives (None on
    PostgreSQL, whose disk its own monitoring watches); `convenant`: the version in force, if any."""
    reasons = []
    if convenant is not None and not convenant.leesbaar:
        detail = (
            f"Deze hub kan convenantversie {convenant.versie} (formaat {convenant.formaat}), die in werking is, niet "
            "lezen: er wordt niets verstrekt. Laat twee privacy officers een versie goedkeuren die hij wel leest."
        )
        reasons.append(Degraded("convenant-onleesbaar", detail))
    elif convenant is not None and convenant.formaat < FORMAAT:
        detail = (
            f"Convenantversie {convenant.versie} is goedgekeurd in formaat {convenant.formaat} en werkt met de "
            f"betekenis van toen; het huidige formaat is {FORMAAT}. Op de convenantpagina staat wat het nieuwe "
            "formaat van de privacy officers vraagt (met de opdracht schakel policy migreer)."
        )
        reasons.append(Degraded("convenant-oud-formaat", detail))
    if found.teruggezet:
        reasons.append(
            Degraded(
                "log-teruggezet",
                f"{found.teruggezet} De hub ondertekent geen controlepunt meer over deze log: zet een nieuwere "
                "backup terug (docs/deployment.md, Backup en herstel).",
            )
        )
    if found.dead:
        count = "1 levering is" if found.dead == 1 else f"{found.dead} leveringen zijn"
        reasons.append(
            Degraded("onbestelbare-leveringen", f"{count} onbestelbaar. Herstel de oorzaak en bied ze opnieuw aan.")
        )
    oldest = found.oldest_waiting
    if oldest is not None and now - oldest > WAITING_TOO_LONG:
        hours = int((now - oldest).total_seconds() // 3600)
        reasons.append(Degraded("levering-wacht-lang", f"De oudste wachtende levering wacht al {hours} uur."))
    if found.checkpoint_at is not None and now - found.checkpoint_at > CHECKPOINT_TOO_OLD:
        reasons.append(Degraded("controlepunt-oud", "Het nieuwste controlepunt is ouder dan twee uur."))
    if found.checkpoint_at is not None and now - found.checkpoint_at > WITNESS_GRACE:
        behind = sorted(name for name, at in found.cosigned.items() if at < found.checkpoint_size)
        if behind:
            names = ", ".join(behind)
            detail = f"Deze getuigen hebben het nieuwste controlepunt na een uur nog niet medeondertekend: {names}."
            reasons.append(Degraded("getuige-achter", detail))
    if data_dir is not None:
        usage = shutil.disk_usage(data_dir)
        if usage.free < disk_free_minimum * usage.total:
            detail = f"Er is nog maar {usage.free // 2**20} MiB vrij op de schijf van de database."
            reasons.append(Degraded("schijf-bijna-vol", detail))
    return reasons


def of_hub(state: HubState) -> list[Degraded]:
    """Why this hub is degraded now: its database's state, and the disk of its embedded database."""
    database, now = state.database, utcnow()
    with database.engine.connect() as connection:
        found = snapshot(connection)
        with Session(connection) as session:
            convenant = state.policy_runtime.stand(session, now)
    return degradations(found, now, embedded_data_dir(database), state.settings.health_disk_free_minimum, convenant)
