"""The operators' start page: is the hub ready, and where the rest of beheer is."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hub.config import API_VERSION
from hub.db import SessionDep, write_probe_in, writes
from hub.ops import health
from hub.ops.service import readiness
from hub.state import StateDep
from hub.web.dependencies import OperatorPage
from hub.web.render import page

router = APIRouter(prefix="/beheer", include_in_schema=False)


@router.get("")
@writes
async def overview(request: Request, _: OperatorPage, session: SessionDep, state: StateDep) -> Response:
    # The probe writes in the request's own unit of work (the sign-in check may hold the write lock already), which
    # is a writer from its first statement (`writes`): a reader that wrote later would find its snapshot stale as
    # soon as the delivery worker committed, and SQLite refuses that at once.
    probe = partial(write_probe_in, session)
    problems = await run_in_threadpool(readiness, probe, state.keyring, state.vault)
    degraded = await run_in_threadpool(health.of_hub, state)
    return page(request, "ops/beheer.html", {"problemen": problems, "aandacht": degraded, "versie": API_VERSION})
