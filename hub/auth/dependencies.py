"""FastAPI dependencies: who is calling (`authenticated_caller`) and may they (`require_roles`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from connectors import TokenRejected
from hub.auth.service import Authenticator, Caller, RequestFacts
from hub.errors import Forbidden, Unauthenticated
from hub.ops.metrics import Metrics
from hub.partners.models import Role

log = structlog.get_logger("hub.auth")


async def authenticated_caller(request: Request) -> Caller:
    """Verify the request's token. Every rejection is a 401 problem whose `code` says why; the token is never logged."""
    authenticator: Authenticator = request.app.state.authenticator
    metrics: Metrics = request.app.state.metrics
    facts = RequestFacts(
        method=request.method,
        url=request.app.state.settings.public_url + request.url.path,
        body=await request.body(),
        authorization=request.headers.get("authorization"),
        content_digest=request.headers.get("content-digest"),
    )
    try:
        caller = await run_in_threadpool(authenticator.authenticate, facts)
    except TokenRejected as exc:
        metrics.auth_failures.labels(reason=exc.reason).inc()
        log.warning("auth.rejected", reason=exc.reason, method=request.method)
        raise Unauthenticated(str(exc), code=exc.reason) from None
    structlog.contextvars.bind_contextvars(partner_id=caller.partner_id, principal_id=caller.principal_id)
    return caller


CallerDep = Annotated[Caller, Depends(authenticated_caller)]


def require_roles(*roles: Role) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency that lets the call through only for a principal with one of `roles`."""
    allowed = frozenset(roles)
    names = ", ".join(sorted(allowed))

    async def check(caller: CallerDep) -> Caller:
        if not caller.has_any(allowed):
            log.warning("auth.forbidden", reason="role-missing", principal_id=caller.principal_id)
            raise Forbidden(f"this needs one of the roles: {names}", code="role-missing")
        return caller

    return check
