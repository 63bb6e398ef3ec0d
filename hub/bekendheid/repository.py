"""Queries of the bekend signals. Never commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from hub.bekendheid.models import BekendSignaal
from hub.kit.paging import keyset


def add(session: Session, row: BekendSignaal) -> None:
    session.add(row)
    session.flush()


def get(session: Session, signal_id: int) -> BekendSignaal | None:
    return session.get(BekendSignaal, signal_id)


def active(session: Session, partner_id: str, person_id: str, day: date) -> BekendSignaal | None:
    query = select(BekendSignaal).where(
        BekendSignaal.partner_id == partner_id,
        BekendSignaal.person_id == person_id,
        col(BekendSignaal.ingetrokken_op).is_(None),
        col(BekendSignaal.tot) >= day,
    )
    return session.exec(query).first()


def of_partner(
    session: Session, partner_id: str, day: date, *, after: int | None = None, limit: int | None = None
) -> Sequence[BekendSignaal]:
    query = select(BekendSignaal).where(
        BekendSignaal.partner_id == partner_id,
        col(BekendSignaal.ingetrokken_op).is_(None),
        col(BekendSignaal.tot) >= day,
    )
    return session.exec(keyset(query, col(BekendSignaal.id), after=after, limit=limit)).all()


def hits(session: Session, partners: Collection[str], persons: Collection[str], day: date) -> Sequence[BekendSignaal]:
    """The signals in force of these partners for these persons."""
    if not partners or not persons:
        return []
    query = select(BekendSignaal).where(
        col(BekendSignaal.partner_id).in_(list(partners)),
        col(BekendSignaal.person_id).in_(list(persons)),
        col(BekendSignaal.ingetrokken_op).is_(None),
        col(BekendSignaal.tot) >= day,
    )
    return session.exec(query).all()


def registered_since(session: Session, partner_id: str, since: datetime) -> int:
    """How many signals `partner_id` registered (new, not renewed) since `since`."""
    query = select(func.count()).where(BekendSignaal.partner_id == partner_id, col(BekendSignaal.sinds) >= since)
    return int(session.exec(query).one())
