"""Queries of the casus tables. Never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from hub.casus.models import Casus, CasusDeelnemer, CasusGebeurtenis, CasusMelding, CasusPersoon


def add(session: Session, row: Casus | CasusDeelnemer | CasusPersoon | CasusMelding | CasusGebeurtenis) -> None:
    session.add(row)
    session.flush()


def get(session: Session, casus_id: int) -> Casus | None:
    return session.get(Casus, casus_id)


def of_zvh(session: Session, zvh: str | None, *, open_only: bool) -> Sequence[Casus]:
    query = select(Casus).order_by(col(Casus.id).desc())
    if zvh is not None:
        query = query.where(Casus.zvh == zvh)
    if open_only:
        query = query.where(col(Casus.gesloten_op).is_(None))
    return session.exec(query).all()


def participants(session: Session, casus_id: int, *, current: bool = True) -> Sequence[CasusDeelnemer]:
    query = select(CasusDeelnemer).where(CasusDeelnemer.casus_id == casus_id).order_by(col(CasusDeelnemer.id))
    if current:
        query = query.where(col(CasusDeelnemer.tot).is_(None))
    return session.exec(query).all()


def persons(session: Session, casus_id: int) -> Sequence[CasusPersoon]:
    return session.exec(select(CasusPersoon).where(CasusPersoon.casus_id == casus_id)).all()


def meldingen(session: Session, casus_id: int) -> Sequence[CasusMelding]:
    return session.exec(select(CasusMelding).where(CasusMelding.casus_id == casus_id)).all()


def history(session: Session, casus_id: int) -> Sequence[CasusGebeurtenis]:
    query = select(CasusGebeurtenis).where(CasusGebeurtenis.casus_id == casus_id).order_by(col(CasusGebeurtenis.id))
    return session.exec(query).all()
