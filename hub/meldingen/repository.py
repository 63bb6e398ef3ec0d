"""Every query of meldingen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from hub.meldingen.models import Melding


def by_idempotency_key(session: Session, verstrekker: str, key: str) -> Melding | None:
    query = select(Melding).where(Melding.verstrekker == verstrekker, Melding.idempotency_key == key)
    return session.exec(query).first()


def get(session: Session, melding_id: str) -> Melding | None:
    return session.get(Melding, melding_id)


def sent_since(session: Session, verstrekker: str, berichttypes: Sequence[str], since: datetime) -> int:
    """How many meldingen of these berichttypes `verstrekker` sent (and the hub took) since `since`."""
    query = select(func.count()).where(
        Melding.verstrekker == verstrekker,
        col(Melding.berichttype).in_(list(berichttypes)),
        col(Melding.ontvangen_op) >= since,
        Melding.status_code == 201,
    )
    return int(session.exec(query).one())
