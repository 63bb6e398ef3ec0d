"""Health and metrics. Both are unauthenticated; put /metrics behind the network boundary in production."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from hub import refusals
from hub.config import API_VERSION
from hub.errors import DatabaseUnavailable
from hub.kit.openapi import API_PREFIX
from hub.ops.health import of_hub
from hub.ops.schemas import Health, HealthReden, Liveness, Readiness
from hub.ops.service import readiness
from hub.state import StateDep

router = APIRouter(prefix=API_PREFIX, tags=["beheer"])
metrics_router = APIRouter()
log = structlog.get_logger("hub.health")


@router.get(
    "/health",
    summary="Liveness, database readiness, and what needs the operator",
    description=(
        "200 when the process runs and the database answers, with `status` `degraded` and the `redenen` when "
        "something needs the operator (a convenant in force that cannot be read or is of an older format, dead "
        "letters, a delivery waiting over six hours, a checkpoint over two hours old, a witness behind for an hour, a "
        "nearly full disk); a 503 problem when the database does not answer."
    ),
)
async def health(state: StateDep) -> Health:
    try:
        reasons = await run_in_threadpool(of_hub, state)
    except SQLAlchemyError as exc:
        log.error(  # noqa: TRY400 - no traceback: database errors echo connection details
            "health.database_unavailable", error_type=type(exc).__name__
        )
        raise DatabaseUnavailable("the database does not answer") from None
    redenen = [HealthReden(code=r.code, detail=r.detail) for r in reasons]
    return Health(status="degraded" if redenen else "ok", database="ok", version=API_VERSION, redenen=redenen)


@router.get(
    "/health/live",
    summary="Liveness: the process runs",
    description="Always 200 while the process can answer; restart it when this fails. Asks nothing of the database.",
)
async def live() -> Liveness:
    return Liveness(status="ok", version=API_VERSION)


@router.get(
    "/health/ready",
    summary="Readiness: the hub can take meldingen",
    description=(
        "200 when the database takes a committed write (as every melding's ledger entries need) and the hub's keys "
        "are loaded; else a 503 problem that says which (route traffic elsewhere; look at the disk or database)."
    ),
)
async def ready(state: StateDep) -> Readiness:
    problems = await run_in_threadpool(readiness, state.database.write_probe, state.keyring, state.vault)
    if problems:
        raise refusals.NOT_READY[problems[0].code](problems[0].detail)
    return Readiness(status="ok", database="ok", keys="ok", version=API_VERSION)


@metrics_router.get("/metrics", include_in_schema=False)
async def metrics(state: StateDep) -> Response:
    registry = state.metrics
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
