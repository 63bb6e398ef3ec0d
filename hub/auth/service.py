"""Authenticating a request: verify its token against the registry, then spend its `jti` exactly once.

Two ways. `authenticate` reads the caller's key fresh and spends the jti before the handler runs (every endpoint
but one). `verify_cached` is for the hottest path (submitting a melding): it verifies against keys kept in memory
for the generation they were read at (`hub.kit.generation`), and the handler spends the jti and checks that
generation in the very transaction that stores its work, so a revoked key or a replayed token still gets nothing.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from connectors import KeyFileError, ResolvedKey, TokenRejected, VerifiedToken, public_key_from_jwk
from connectors import verify_request_token as verify_token
from hub.auth import repository
from hub.db import Database
from hub.kit import generation
from hub.kit.clock import utcnow
from hub.ledger.sequencer import Group, Sequencer
from hub.partners.models import PartnerStatus, PrincipalStatus, Role

_PURGE_EVERY = 500


@dataclass(frozen=True, slots=True)
class Caller:
    """Who made this request, as established by a verified token."""

    partner_id: str
    principal_id: str
    roles: frozenset[Role]
    kid: str
    token_digest: str

    def has_any(self, roles: frozenset[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """The parts of an HTTP request a token is bound to."""

    method: str
    url: str
    body: bytes
    authorization: str | None
    content_digest: str | None


@dataclass(frozen=True, slots=True)
class Verified:
    """A token verified against the keys of `generation`; its jti not yet spent."""

    caller: Caller
    token: VerifiedToken
    generation: int


class _NotKept(Exception):
    """The token's key is not kept in memory: the caller reads it in a thread."""


@dataclass(frozen=True, slots=True)
class _Known:
    resolved: ResolvedKey
    principal_id: str
    roles: frozenset[Role]


class Authenticator:
    """Verifies request-bound tokens for one hub (its audience), against the registry in its database."""

    def __init__(self, database: Database, audience: str, leeway_seconds: int, sequencer: Sequencer) -> None:
        """Spent token ids are written in the `sequencer`'s group commits (one writer for the process, no lock
        contention)."""
        self._database = database
        self._sequencer = sequencer
        self._audience = audience
        self._leeway = leeway_seconds
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._generation = -1
        self._known: dict[str, _Known] = {}

    def authenticate(self, request: RequestFacts) -> Caller:
        token = _bearer(request.authorization)
        with self._database.unit_of_work(immediate=False) as session:
            owners: dict[str, tuple[str, frozenset[Role]]] = {}

            def resolve(kid: str) -> ResolvedKey:
                resolved, principal_id, roles = _resolve_key(session, kid)
                owners[kid] = (principal_id, roles)
                return resolved

            verified = self._verify(token, request, resolve)
        self._sequencer.commit(lambda group: self.spend(group, verified), [])
        principal_id, roles = owners[verified.kid]
        return Caller(
            partner_id=verified.issuer,
            principal_id=principal_id,
            roles=roles,
            kid=verified.kid,
            token_digest=verified.token_digest,
        )

    def verify_cached(self, request: RequestFacts, *, load: bool) -> Verified | None:
        """Verify the token against the keys known for the current generation, without spending it.

        Only usable keys are kept, and only until the generation changes; a kid not kept is read from the registry
        when `load` is true (with the generation, in one transaction) and otherwise answered with None, so that an
        event loop can do the read in a thread instead. The caller must `spend` the token and `generation.check`
        the generation in the transaction that stores its work.
        """
        token = _bearer(request.authorization)
        # Read the generation before the keys: `forget` and `_load` replace the keys first, so the keys found are
        # never older than the generation noted (newer at worst, which the commit's check then refuses).
        seen = self._generation
        kept = self._known
        found: list[_Known] = []

        def resolve(kid: str) -> ResolvedKey:
            nonlocal seen
            known = kept.get(kid)
            if known is None:
                if not load:
                    raise _NotKept
                known, seen = self._load(kid)
            found.append(known)
            return known.resolved

        try:
            verified = self._verify(token, request, resolve)
        except _NotKept:
            return None
        known = found[-1]
        caller = Caller(verified.issuer, known.principal_id, known.roles, verified.kid, verified.token_digest)
        return Verified(caller, verified, seen)

    def _verify(self, token: str, request: RequestFacts, resolve: Callable[[str], ResolvedKey]) -> VerifiedToken:
        return verify_token(
            token,
            resolve_key=resolve,
            audience=self._audience,
            method=request.method,
            url=request.url,
            body=request.body,
            content_digest_header=request.content_digest,
            leeway_seconds=self._leeway,
        )

    def _load(self, kid: str) -> tuple[_Known, int]:
        with self._database.unit_of_work(immediate=False) as session:
            current = generation.read(session.connection())
            resolved, principal_id, roles = _resolve_key(session, kid)  # raises for an unusable key: not kept
        known = _Known(resolved, principal_id, roles)
        with self._lock:
            if current != self._generation:
                self._known = {kid: known}
                self._generation = current
            else:
                self._known = {**self._known, kid: known}  # a new dict: readers hold the one they started with
        return known, current

    def forget(self) -> None:
        """Drop every kept key (the generation moved on): the next request reads its key afresh."""
        with self._lock:
            self._known = {}
            self._generation = -1

    def spend(self, group: Group, verified: VerifiedToken) -> None:
        """Spend the token's jti in a group commit's transaction (with its other inserts); its unit fails with
        `TokenRejected` if the jti was spent before, by this process or another. It is kept until the token could
        not pass the exp check anyway (exp + leeway)."""
        keep_until = datetime.fromtimestamp(verified.expires_at + self._leeway, UTC)
        row = {"issuer": verified.issuer, "jti": verified.jti, "expires_at": keep_until}
        refusal = TokenRejected("token-replayed", "this token was used before; sign a fresh one per request")
        group.rows.add_unique(repository.USED_TOKENS, row, refusal)
        if next(self._counter) % _PURGE_EVERY == 0:
            repository.purge_expired(group.session, utcnow() - timedelta(seconds=1))


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise TokenRejected("token-missing", "send Authorization: Bearer <request-bound token>")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("token-missing", "send Authorization: Bearer <request-bound token>")
    return token.strip()


def _resolve_key(session: Session, kid: str) -> tuple[ResolvedKey, str, frozenset[Role]]:
    found = repository.key_with_owner(session, kid)
    if found is None:
        raise TokenRejected("kid-unknown", "no key with this kid is registered")
    if found.revoked:
        raise TokenRejected("key-revoked", "this key has been revoked; sign with a current key")
    if found.partner_status != PartnerStatus.ACTIVE:
        raise TokenRejected("partner-suspended", "this partner is suspended; contact the hub's operators")
    if found.principal_status != PrincipalStatus.ACTIVE:
        raise TokenRejected("principal-disabled", "this principal is disabled; contact the hub's operators")
    try:
        public_key, algorithm = public_key_from_jwk(found.public_jwk)
    except KeyFileError as exc:  # a registered key that no longer parses is a registry fault: fail closed
        raise TokenRejected("kid-unknown", "the registered key cannot be used") from exc
    roles = frozenset(Role(role) for role in found.roles)
    resolved = ResolvedKey(public_key, algorithm, issuer=found.partner_id, subject=found.principal_id)
    return resolved, found.principal_id, roles
