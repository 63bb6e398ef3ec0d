"""Every query of the identity vault and the privacy requests."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from hub.pseudonym.models import IssuedPseudonym, PrivacyRequest, VaultPerson


def add(session: Session, row: VaultPerson | IssuedPseudonym | PrivacyRequest) -> None:
    session.add(row)
    session.flush()


def person(session: Session, person_id: str) -> VaultPerson | None:
    return session.get(VaultPerson, person_id)


def person_by_log_pseudonym(session: Session, log_pseudonym: str) -> VaultPerson | None:
    return session.exec(select(VaultPerson).where(VaultPerson.log_pseudonym == log_pseudonym)).first()


def issued(session: Session, pseudonym: str) -> IssuedPseudonym | None:
    return session.get(IssuedPseudonym, pseudonym)


def issued_in_domain(session: Session, domain: str) -> Sequence[IssuedPseudonym]:
    query = select(IssuedPseudonym).where(IssuedPseudonym.domain == domain).order_by(col(IssuedPseudonym.pseudonym))
    return session.exec(query).all()


def request(session: Session, request_id: int) -> PrivacyRequest | None:
    return session.get(PrivacyRequest, request_id)


def requests(session: Session, soort: str) -> Sequence[PrivacyRequest]:
    query = select(PrivacyRequest).where(PrivacyRequest.soort == soort).order_by(col(PrivacyRequest.id))
    return session.exec(query).all()
