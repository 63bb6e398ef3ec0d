"""Every query of the identity vault and the privacy requests."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Connection, Table, bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from hub.kit.paging import keyset
from hub.pseudonym.models import IssuedPseudonym, PrivacyRequest, VaultPerson


def add(session: Session, row: VaultPerson | IssuedPseudonym | PrivacyRequest) -> None:
    session.add(row)
    session.flush()


def person(session: Session, person_id: str) -> VaultPerson | None:
    return session.get(VaultPerson, person_id)


PERSONS: Table = VaultPerson.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes
ISSUED: Table = IssuedPseudonym.__table__  # type: ignore[attr-defined]


# Built once: a statement object keeps its compiled form (these run for every melding, on the writer's thread).
_BY_LOG_PSEUDONYM = sa_select(PERSONS.c.log_pseudonym, PERSONS.c.id).where(
    PERSONS.c.log_pseudonym.in_(bindparam("pseudonyms", expanding=True))
)


def ids_by_log_pseudonym(connection: Connection, log_pseudonyms: Collection[str]) -> dict[str, str]:
    """{log pseudonym: vault id} of the persons known by any of these (Core: the writer's thread)."""
    if not log_pseudonyms:
        return {}
    return {row[0]: row[1] for row in connection.execute(_BY_LOG_PSEUDONYM, {"pseudonyms": list(log_pseudonyms)})}


def rekey(connection: Connection, person_id: str, log_pseudonym: str) -> None:
    connection.execute(update(PERSONS).where(PERSONS.c.id == person_id).values(log_pseudonym=log_pseudonym))


def issued(session: Session, pseudonym: str) -> IssuedPseudonym | None:
    return session.get(IssuedPseudonym, pseudonym)


def issued_in_domain(session: Session, domain: str) -> Sequence[IssuedPseudonym]:
    query = select(IssuedPseudonym).where(IssuedPseudonym.domain == domain).order_by(col(IssuedPseudonym.pseudonym))
    return session.exec(query).all()


def request(session: Session, request_id: int) -> PrivacyRequest | None:
    return session.get(PrivacyRequest, request_id)


def requests(
    session: Session, soort: str, *, after: int | None = None, limit: int | None = None
) -> Sequence[PrivacyRequest]:
    query = select(PrivacyRequest).where(PrivacyRequest.soort == soort)
    return session.exec(keyset(query, col(PrivacyRequest.id), after=after, limit=limit)).all()
