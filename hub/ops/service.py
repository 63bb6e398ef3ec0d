"""Readiness: can this hub take meldingen now? Asked by the health endpoint and the operators' page alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy.exc import SQLAlchemyError

from hub.keys.keyring import HubKeyring
from hub.pseudonym.vault import Vault

log = structlog.get_logger("hub.ops")


@dataclass(frozen=True, slots=True)
class NotReady:
    code: str
    detail: str


def readiness(probe: Callable[[], None], keyring: HubKeyring, vault: Vault | None) -> list[NotReady]:
    """What keeps the hub from taking meldingen (empty: ready). `probe` writes, as every melding does: a committed
    write of its own (`Database.write_probe`), or one in the request's unit of work (`write_probe_in`) where the
    request has one, whose write lock a second transaction would wait for."""
    problems = []
    try:
        probe()
    except SQLAlchemyError as exc:
        log.error("health.not_writable", error_type=type(exc).__name__)  # noqa: TRY400 - no text: it may echo data
        problems.append(
            NotReady(
                "database-not-writable",
                "the database does not take writes (full disk, read-only, or unreachable): nothing can be stored",
            )
        )
    if vault is None or not keyring.manifest.exists():
        problems.append(NotReady("keys-missing", "the hub's keys are not loaded; run `schakel keys init`"))
    return problems
