"""FastAPI dependencies: who is calling (`authenticated_caller`) and may they (`require_roles`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from connectors import TokenRejected
from hub import refusals
from hub.auth.service import Caller, RequestFacts
from hub.errors import Unauthenticated
from hub.partners.models import Role
from hub.state import state_of

log = structlog.get_logger("hub.auth")


async def request_facts(request: Request) -> RequestFacts:
    """What the request's token is bound to."""
    return RequestFacts(
        method=request.method,
        url=state_of(request.app).settings.public_url + request.url.path,
        body=await request.body(),
        authorization=request.headers.get("authorization"),
        content_digest=request.headers.get("content-digest"),
    )


def rejected(request: Request, exc: TokenRejected) -> Unauthenticated:
    """The 401 for a rejected token, counted and logged by its reason (never with the token)."""
    metrics = state_of(request.app).metrics
    metrics.auth_failures.labels(reason=exc.reason).inc()
    log.warning("auth.rejected", reason=exc.reason, method=request.method)
    return refusals.token_refusal(exc.reason)(str(exc))


def admitted(caller: Caller, allowed: frozenset[Role]) -> Caller:
    """The caller, bound to the request's log context, if it has one of the `allowed` roles; else a 403."""
    structlog.contextvars.bind_contextvars(partner_id=caller.partner_id, principal_id=caller.principal_id)
    if not caller.has_any(allowed):
        log.warning("auth.forbidden", reason="role-missing", principal_id=caller.principal_id)
        raise refusals.RoleMissing(f"this needs one of the roles: {', '.join(sorted(allowed))}")
    return caller


async def authenticated_caller(request: Request) -> Caller:
    """Verify the request's token. Every rejection is a 401 problem whose `code` says why; the token is never logged."""
    authenticator = state_of(request.app).authenticator
    facts = await request_facts(request)
    try:
        caller = await run_in_threadpool(authenticator.authenticate, facts)
    except TokenRejected as exc:
        raise rejected(request, exc) from None
    structlog.contextvars.bind_contextvars(partner_id=caller.partner_id, principal_id=caller.principal_id)
    return caller


CallerDep = Annotated[Caller, Depends(authenticated_caller)]


def require_roles(*roles: Role) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency that lets the call through only for a principal with one of `roles`."""
    allowed = frozenset(roles)

    async def check(caller: CallerDep) -> Caller:
        return admitted(caller, allowed)

    return check


PartnerDep = Annotated[Caller, Depends(require_roles(Role.PARTNER))]
"""A partner's own system or person: what sends meldingen, reads its inbox and records consents."""
