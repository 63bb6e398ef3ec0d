"""Every query of meldingen."""

from __future__ import annotations

from sqlmodel import Session, select

from hub.meldingen.models import Melding


def by_idempotency_key(session: Session, verstrekker: str, key: str) -> Melding | None:
    query = select(Melding).where(Melding.verstrekker == verstrekker, Melding.idempotency_key == key)
    return session.exec(query).first()


def get(session: Session, melding_id: str) -> Melding | None:
    return session.get(Melding, melding_id)
