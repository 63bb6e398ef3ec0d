"""`GET /api/v1/aanroeper`: who the hub takes the caller to be. The first call an integrator makes."""

from __future__ import annotations

from fastapi import APIRouter

from hub.auth.dependencies import CallerDep
from hub.auth.schemas import CallerOut
from hub.kit.openapi import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["authenticatie"])


@router.get(
    "/aanroeper",
    summary="Who am I",
    description="Verifies the request-bound token and answers with the partner, principal, roles and key it names.",
)
async def whoami(caller: CallerDep) -> CallerOut:
    return CallerOut(
        partner_id=caller.partner_id, principal_id=caller.principal_id, roles=sorted(caller.roles), kid=caller.kid
    )
