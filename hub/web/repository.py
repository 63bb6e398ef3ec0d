"""Queries of the web shell's tables. Never commits: the request's unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from hub.web.models import Ceremony, Confirmation, Enrolment, Passkey, WebSession


def add(session: Session, row: Passkey | Enrolment | Ceremony | WebSession | Confirmation) -> None:
    session.add(row)
    session.flush()


def passkey(session: Session, credential_id: str) -> Passkey | None:
    return session.get(Passkey, credential_id)


def passkeys_of(session: Session, principal_id: str) -> Sequence[Passkey]:
    query = select(Passkey).where(Passkey.principal_id == principal_id).order_by(col(Passkey.created_at))
    return session.exec(query).all()


def all_passkeys(session: Session) -> Sequence[Passkey]:
    return session.exec(select(Passkey).order_by(col(Passkey.principal_id), col(Passkey.created_at))).all()


def enrolment(session: Session, token_hash: str) -> Enrolment | None:
    return session.get(Enrolment, token_hash)


def open_enrolments(session: Session, now: datetime) -> Sequence[Enrolment]:
    query = (
        select(Enrolment)
        .where(col(Enrolment.used_at).is_(None), col(Enrolment.expires_at) > now)
        .order_by(col(Enrolment.created_at))
    )
    return session.exec(query).all()


def ceremony(session: Session, id_hash: str) -> Ceremony | None:
    return session.get(Ceremony, id_hash)


def remove(session: Session, row: Ceremony) -> None:
    session.delete(row)
    session.flush()


def purge_ceremonies(session: Session, now: datetime) -> None:
    session.execute(delete(Ceremony).where(col(Ceremony.expires_at) <= now))


def web_session(session: Session, id_hash: str) -> WebSession | None:
    return session.get(WebSession, id_hash)


def confirmations(
    session: Session, handeling: str | None = None, object_id: str | None = None
) -> Sequence[Confirmation]:
    query = select(Confirmation).order_by(col(Confirmation.id))
    if handeling is not None:
        query = query.where(Confirmation.handeling == handeling)
    if object_id is not None:
        query = query.where(Confirmation.object_id == object_id)
    return session.exec(query).all()


def confirmation(session: Session, confirmation_id: int) -> Confirmation | None:
    return session.get(Confirmation, confirmation_id)


def end_sessions_of(session: Session, principal_id: str, now: datetime) -> None:
    session.execute(
        update(WebSession)
        .where(col(WebSession.principal_id) == principal_id, col(WebSession.ended_at).is_(None))
        .values(ended_at=now)
    )
