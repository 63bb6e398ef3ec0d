"""Authenticating a request: verify its token against the registry, then spend its `jti` exactly once."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from connectors import KeyFileError, ResolvedKey, TokenRejected, VerifiedToken, public_key_from_jwk
from connectors import verify_request_token as verify_token
from hub.auth import repository
from hub.db import Database
from hub.kit.clock import utcnow
from hub.ledger.sequencer import Sequencer
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


class Authenticator:
    """Verifies request-bound tokens for one hub (its audience), against the registry in its database."""

    def __init__(
        self, database: Database, audience: str, leeway_seconds: int, sequencer: Sequencer | None = None
    ) -> None:
        """With a `sequencer`, spent token ids are written in its group commits (one writer for the process, no
        lock contention); without one, each in a transaction of its own."""
        self._database = database
        self._sequencer = sequencer
        self._audience = audience
        self._leeway = leeway_seconds
        self._counter = itertools.count(1)

    def authenticate(self, request: RequestFacts) -> Caller:
        token = _bearer(request.authorization)
        with self._database.unit_of_work(immediate=False) as session:
            owners: dict[str, tuple[str, frozenset[Role]]] = {}

            def resolve(kid: str) -> ResolvedKey:
                resolved, principal_id, roles = _resolve_key(session, kid)
                owners[kid] = (principal_id, roles)
                return resolved

            verified = verify_token(
                token,
                resolve_key=resolve,
                audience=self._audience,
                method=request.method,
                url=request.url,
                body=request.body,
                content_digest_header=request.content_digest,
                leeway_seconds=self._leeway,
            )
        if self._sequencer is not None:
            self._sequencer.commit(lambda s, _: self._spend(s, verified), [])
        else:
            with self._database.unit_of_work() as session:
                self._spend(session, verified)
        principal_id, roles = owners[verified.kid]
        return Caller(
            partner_id=verified.issuer,
            principal_id=principal_id,
            roles=roles,
            kid=verified.kid,
            token_digest=verified.token_digest,
        )

    def _spend(self, session: Session, verified: VerifiedToken) -> None:
        # Keep the jti until the token could not pass the exp check anyway (exp + leeway).
        keep_until = datetime.fromtimestamp(verified.expires_at + self._leeway, UTC)
        if not repository.remember_jti(session, verified.issuer, verified.jti, keep_until):
            raise TokenRejected("token-replayed", "this token was used before; sign a fresh one per request")
        if next(self._counter) % _PURGE_EVERY == 0:
            repository.purge_expired(session, utcnow() - timedelta(seconds=1))


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
