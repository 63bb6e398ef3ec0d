"""One submission from request to durable receipt, on the event loop: the hub's hottest path.

Nothing here waits on a thread or a read in the common case. The caller's key and the convenant in force are kept
in memory for the generation they were read at (`hub.kit.generation`); the token is verified and the melding
decided, pseudonymised and sealed right here; then the ledger's sequencer stores it in a group commit while the
loop serves other requests. The transaction that stores it first spends the token's jti and checks the
generation, so a replayed token, a revoked key, a new convenant version or an emergency prohibition that came
first leaves nothing stored, and the melding is decided again on fresh state (or refused).

An answer that stores no melding (a 4xx, or an earlier answer repeated for an Idempotency-Key) spends the token
and checks the generation all the same, in a transaction of its own: no answer is given on a stale key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from connectors import TokenRejected
from hub import refusals
from hub.auth.dependencies import admitted, rejected, request_facts
from hub.auth.service import Authenticator, RequestFacts, Verified
from hub.casus import tafel
from hub.db import Database
from hub.errors import SchakelError
from hub.kit import generation
from hub.kit.clock import dutch_date, utcnow
from hub.ledger import service as ledger
from hub.ledger.entries import Context
from hub.ledger.sequencer import Group, Sequencer
from hub.meldingen import service
from hub.meldingen.postcodes import Postcodes
from hub.meldingen.schemas import MeldingIn
from hub.partners.models import Role
from hub.policy.deciding.decision import CasusStand
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.runtime import PolicyRuntime
from hub.pseudonym.vault import Vault
from hub.state import state_of

_PARTNERS = frozenset({Role.PARTNER})
_ATTEMPTS = 4


@dataclass(frozen=True, slots=True)
class Hub:
    """What a submission needs of the running hub."""

    database: Database
    authenticator: Authenticator
    policy_runtime: PolicyRuntime
    schemas: service.Schemas
    sequencer: Sequencer
    vault: Vault
    postcodes: Postcodes


@dataclass(slots=True)
class Presented:
    """The request's token as `authenticate_first` verified it; spent only in the transaction that stores the
    melding. `verified` None: verify again (the keys changed meanwhile)."""

    facts: RequestFacts
    verified: Verified | None


async def authenticate_first(request: Request) -> Presented:
    """A dependency of the meldingen route: the caller's token is verified before the body is looked at (a bad
    token gets its 401 even when the body is invalid too). Nothing is spent here."""
    facts = await request_facts(request)
    return Presented(facts, await _verify(state_of(request.app).authenticator, request, facts))


PresentedDep = Annotated[Presented, Depends(authenticate_first)]


async def submit(
    hub: Hub, request: Request, presented: Presented, melding: MeldingIn, idempotency_key: str | None
) -> service.Outcome:
    """Authenticate, decide and store one melding; the outcome to answer with (201, or 403 with its reasons)."""
    trace_id, span_id = getattr(request.state, "trace", (None, None))
    for _ in range(_ATTEMPTS):
        try:
            return await _attempt(hub, request, presented, melding, idempotency_key, (trace_id, span_id))
        except generation.Stale:
            presented.verified = None  # verify again, on fresh keys
            # A key, the convenant or a prohibition changed since it was read: read again, decide again.
            hub.authenticator.forget()
            hub.policy_runtime.forget()
    raise refusals.StateChanging(
        "the registry or the convenant kept changing while this melding was decided; nothing was stored, retry it"
    )


async def _attempt(  # noqa: PLR0917 - one request's parts
    hub: Hub,
    request: Request,
    presented: Presented,
    melding: MeldingIn,
    idempotency_key: str | None,
    trace: tuple[str | None, str | None],
) -> service.Outcome:
    facts = presented.facts
    verified = presented.verified or await _verify(hub.authenticator, request, facts)
    now = utcnow()
    kept = hub.policy_runtime.kept(now)
    policy, seen = kept if kept is not None else await run_in_threadpool(hub.policy_runtime.load, hub.database, now)
    if seen != verified.generation:
        raise generation.Stale
    guard = _guard(hub.authenticator, verified)
    caller = verified.caller
    submission = service.Submission(
        verstrekker=caller.partner_id,
        melding=melding,
        body_digest="sha256:" + hashlib.sha256(facts.body).hexdigest(),
        idempotency_key=idempotency_key,
        context=Context(trace_id=trace[0], span_id=trace[1], verzoek_digest=f"sha256:{caller.token_digest}"),
    )
    try:
        admitted(caller, _PARTNERS)  # on roles kept in memory: settled below, like every refusal
        if idempotency_key is not None:
            earlier = await run_in_threadpool(_replay, hub.database, submission)
            if earlier is not None:
                await _settle(hub.sequencer, guard, request)
                return earlier
        consents = None
        if policy is not None and service.needs_consents(policy, submission):
            consents = await run_in_threadpool(_consents, hub, submission, policy)
        lists = 0
        if policy is not None and melding.berichttype in service.list_types(policy):
            lists = await run_in_threadpool(_lists, hub, submission, policy, now)
        casus = None
        if policy is not None and melding.casus is not None:
            casus = await run_in_threadpool(_casus, hub, submission, melding.casus, now)
        planned = service.plan(
            submission,
            policy=policy,
            schemas=hub.schemas,
            vault=hub.vault,
            consents=consents,
            guard=guard,
            now=now,
            casus=casus,
            postcodes=hub.postcodes,
            lists_sent=lists,
        )
    except SchakelError as refusal:
        await _settle(hub.sequencer, guard, request)  # a refusal too is an answer: on current state, token spent
        if isinstance(refusal, refusals.LijstTeLang | refusals.LimietBereikt):
            await run_in_threadpool(_at_cap, hub, submission, caller.principal_id, refusal, now)
        raise
    try:
        committed = await hub.sequencer.commit_async(planned.work, planned.entries, planned.lookups)
    except TokenRejected as exc:
        raise rejected(request, exc) from None
    except IntegrityError:
        # Another request with this Idempotency-Key committed first (or, on PostgreSQL, another process stored the
        # same new person): answer as it was answered, or decide again.
        earlier = await run_in_threadpool(_replay, hub.database, submission)
        if earlier is None:
            raise generation.Stale from None
        await _settle(hub.sequencer, guard, request)
        return earlier
    return service.Outcome(planned.status_code, committed.result)


async def _verify(authenticator: Authenticator, request: Request, facts: RequestFacts) -> Verified:
    try:
        verified = authenticator.verify_cached(facts, load=False)
        if verified is None:  # the key is not in memory: read it in a thread
            verified = await run_in_threadpool(lambda: authenticator.verify_cached(facts, load=True))
    except TokenRejected as exc:
        raise rejected(request, exc) from None
    assert verified is not None  # noqa: S101 - load=True never answers None
    return verified


def _guard(authenticator: Authenticator, verified: Verified) -> Callable[[Group], None]:
    """First thing in the storing transaction: the state the decision relied on is current, the token unspent."""

    def guard(group: Group) -> None:
        generation.check(group.session, verified.generation)
        authenticator.spend(group, verified.token)

    return guard


async def _settle(sequencer: Sequencer, guard: Callable[[Group], None], request: Request) -> None:
    """Run the guard alone, for an answer that stores no melding: `Stale`, or a 401 for a replayed token."""
    try:
        await sequencer.commit_async(guard, [])
    except TokenRejected as exc:
        raise rejected(request, exc) from None


def _replay(database: Database, submission: service.Submission) -> service.Outcome | None:
    with database.unit_of_work(immediate=False) as session:
        return service.replay(session, submission)


def _consents(hub: Hub, submission: service.Submission, policy: CompiledPolicy) -> service.Consents:
    with hub.database.unit_of_work(immediate=False) as session:
        return service.consents_for(session, submission, hub.schemas, policy, hub.vault)


def _lists(hub: Hub, submission: service.Submission, policy: CompiledPolicy, now: datetime) -> int:
    with hub.database.unit_of_work(immediate=False) as session:
        return service.lists_sent(session, submission, policy, now)


def _at_cap(
    hub: Hub,
    submission: service.Submission,
    principal_id: str,
    refusal: refusals.LijstTeLang | refusals.LimietBereikt,
    now: datetime,
) -> None:
    """A refusal at a cap is on the ledger (who, which cap), in a transaction of its own."""
    with hub.database.unit_of_work() as session:
        ledger.refused_at_cap(
            session, refusal, partner=submission.verstrekker, door=principal_id, context=submission.context, now=now
        )


def _casus(hub: Hub, submission: service.Submission, casus_id: int, now: datetime) -> CasusStand:
    with hub.database.unit_of_work(immediate=False) as session:
        return tafel.stand(session, casus_id, submission.verstrekker, dutch_date(now))
