"""Queries of the casus tables. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from hub.casus.models import Casus, CasusDeelnemer, CasusGebeurtenis, CasusInformering, CasusMelding, CasusPersoon
from hub.delivery.models import Levering, Soort, Status
from hub.kit.paging import keyset


def add(
    session: Session, row: Casus | CasusDeelnemer | CasusPersoon | CasusMelding | CasusGebeurtenis | CasusInformering
) -> None:
    session.add(row)
    session.flush()


def get(session: Session, casus_id: int) -> Casus | None:
    return session.get(Casus, casus_id)


def of_zvh(
    session: Session, zvh: str | None, *, open_only: bool, after: int | None = None, limit: int | None = None
) -> Sequence[Casus]:
    """Newest first."""
    query = select(Casus)
    if zvh is not None:
        query = query.where(Casus.zvh == zvh)
    if open_only:
        query = query.where(col(Casus.gesloten_op).is_(None))
    return session.exec(keyset(query, col(Casus.id), after=after, limit=limit, descending=True)).all()


def participants(session: Session, casus_id: int, *, current: bool = True) -> Sequence[CasusDeelnemer]:
    query = select(CasusDeelnemer).where(CasusDeelnemer.casus_id == casus_id).order_by(col(CasusDeelnemer.id))
    if current:
        query = query.where(col(CasusDeelnemer.tot).is_(None))
    return session.exec(query).all()


def received_in(
    session: Session, casus_id: int, statuses: Sequence[Status], partner_id: str | None = None
) -> Sequence[Levering]:
    """The deliveries of the meldingen of a casus (sent in it, or linked to it) in `statuses`: to `partner_id`, or
    to anyone."""
    query = (
        select(Levering)
        .join(CasusMelding, col(CasusMelding.melding_id) == col(Levering.melding_id))
        .where(
            CasusMelding.casus_id == casus_id, Levering.soort == Soort.MELDING, col(Levering.status).in_(list(statuses))
        )
    )
    if partner_id is not None:
        query = query.where(Levering.ontvanger == partner_id)
    return session.exec(query.order_by(col(Levering.nr))).all()


def persons(session: Session, casus_id: int) -> Sequence[CasusPersoon]:
    return session.exec(select(CasusPersoon).where(CasusPersoon.casus_id == casus_id)).all()


def meldingen(session: Session, casus_id: int) -> Sequence[CasusMelding]:
    return session.exec(select(CasusMelding).where(CasusMelding.casus_id == casus_id)).all()


def history(session: Session, casus_id: int) -> Sequence[CasusGebeurtenis]:
    query = select(CasusGebeurtenis).where(CasusGebeurtenis.casus_id == casus_id).order_by(col(CasusGebeurtenis.id))
    return session.exec(query).all()


def informing(session: Session, casus_id: int) -> CasusInformering | None:
    query = select(CasusInformering).where(CasusInformering.casus_id == casus_id)
    return session.exec(query.order_by(col(CasusInformering.id).desc()).limit(1)).first()


def informing_of(session: Session, casus_ids: Sequence[int]) -> dict[int, CasusInformering]:
    """The newest decision on informing per casus, for these casussen."""
    if not casus_ids:
        return {}
    rows = session.exec(
        select(CasusInformering).where(col(CasusInformering.casus_id).in_(casus_ids)).order_by(col(CasusInformering.id))
    ).all()
    return {row.casus_id: row for row in rows}


def casussen_of_person(session: Session, person_id: str) -> Sequence[Casus]:
    query = select(Casus).join(CasusPersoon, col(CasusPersoon.casus_id) == col(Casus.id))
    return session.exec(query.where(CasusPersoon.person_id == person_id).order_by(col(Casus.id))).all()


def steps_by(session: Session, soort: str, door: str, since: datetime) -> int:
    """How many steps of this kind `door` took in any casus since `since`."""
    query = select(func.count()).where(
        CasusGebeurtenis.soort == soort, CasusGebeurtenis.door == door, col(CasusGebeurtenis.op) >= since
    )
    return int(session.exec(query).one())
