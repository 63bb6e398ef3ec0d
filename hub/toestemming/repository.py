"""Every query of the consent register."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from hub.kit.paging import keyset
from hub.toestemming.models import Toestemming


def add(session: Session, row: Toestemming) -> None:
    session.add(row)
    session.flush()


def get(session: Session, toestemming_id: int) -> Toestemming | None:
    return session.get(Toestemming, toestemming_id)


def active_for(session: Session, pseudonyms: Sequence[str]) -> Sequence[Toestemming]:
    query = select(Toestemming).where(
        col(Toestemming.log_pseudonym).in_(list(pseudonyms)), col(Toestemming.ingetrokken_op).is_(None)
    )
    return session.exec(query).all()


def recorded_by(
    session: Session, partner_id: str, *, after: int | None = None, limit: int | None = None
) -> Sequence[Toestemming]:
    query = select(Toestemming).where(Toestemming.vastgelegd_door == partner_id)
    return session.exec(keyset(query, col(Toestemming.id), after=after, limit=limit)).all()
