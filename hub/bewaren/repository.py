"""The queries retention needs, across the domains whose references to people it ends. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete
from sqlmodel import Session, col, or_, select

from hub.bekendheid.models import BekendSignaal
from hub.casus.models import Casus, CasusMelding, CasusPersoon
from hub.pseudonym.models import IssuedPseudonym, VaultPerson


def ended_signals(session: Session, today: date, limit: int) -> Sequence[BekendSignaal]:
    """Bekend signals past their end date or withdrawn."""
    query = (
        select(BekendSignaal)
        .where(or_(col(BekendSignaal.tot) < today, col(BekendSignaal.ingetrokken_op).is_not(None)))
        .order_by(col(BekendSignaal.id))
        .limit(limit)
    )
    return session.exec(query).all()


def closed_casussen_with_references(session: Session, closed_before: datetime, limit: int) -> Sequence[Casus]:
    """Casussen closed (or scaled down) before the cut-off that still refer to persons or meldingen."""
    has_persons = select(CasusPersoon.casus_id)
    has_meldingen = select(CasusMelding.casus_id)
    query = (
        select(Casus)
        .where(
            col(Casus.gesloten_op).is_not(None),
            col(Casus.gesloten_op) < closed_before,
            or_(col(Casus.id).in_(has_persons), col(Casus.id).in_(has_meldingen)),
        )
        .order_by(col(Casus.id))
        .limit(limit)
    )
    return session.exec(query).all()


def drop_references(session: Session, casus_id: int) -> int:
    connection = session.connection()
    dropped = connection.execute(delete(CasusPersoon).where(col(CasusPersoon.casus_id) == casus_id)).rowcount or 0
    dropped += connection.execute(delete(CasusMelding).where(col(CasusMelding.casus_id) == casus_id)).rowcount or 0
    return int(dropped)


def living_persons(session: Session, created_before: datetime, after: str, limit: int) -> Sequence[VaultPerson]:
    """Persons not yet erased, created before the cut-off, in id order after `after`."""
    query = (
        select(VaultPerson)
        .where(
            col(VaultPerson.erased_at).is_(None),
            col(VaultPerson.created_at) < created_before,
            col(VaultPerson.id) > after,
        )
        .order_by(col(VaultPerson.id))
        .limit(limit)
    )
    return session.exec(query).all()


def casus_closures(session: Session, person_id: str) -> list[datetime | None]:
    """When each casus the person belongs to was closed (None: still open)."""
    query = (
        select(Casus.gesloten_op)
        .join(CasusPersoon, col(CasusPersoon.casus_id) == col(Casus.id))
        .where(CasusPersoon.person_id == person_id)
    )
    return list(session.exec(query).all())


def signal_ends(session: Session, person_id: str) -> list[date]:
    query = select(col(BekendSignaal.tot)).where(
        BekendSignaal.person_id == person_id, col(BekendSignaal.ingetrokken_op).is_(None)
    )
    return list(session.exec(query).all())


def drop_issued_pseudonyms(session: Session, person_id: str) -> int:
    statement = delete(IssuedPseudonym).where(col(IssuedPseudonym.person_id) == person_id)
    return int(session.connection().execute(statement).rowcount or 0)


def signal_ends_between(session: Session, van: date, tot: date) -> list[date]:
    query = select(col(BekendSignaal.tot)).where(
        col(BekendSignaal.ingetrokken_op).is_(None), col(BekendSignaal.tot) >= van, col(BekendSignaal.tot) <= tot
    )
    return list(session.exec(query).all())


def terms_ended(session: Session, today: date) -> Sequence[Casus]:
    """Open casussen whose Top X status or monitoring term ended before `today`."""
    query = (
        select(Casus)
        .where(col(Casus.gesloten_op).is_(None), or_(col(Casus.top_x_tot) < today, col(Casus.monitoring_tot) < today))
        .order_by(col(Casus.id))
    )
    return session.exec(query).all()
