"""Every query of the outbox."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from hub.delivery.models import Levering, Status
from hub.meldingen.models import Melding
from hub.partners.models import DeliveryMode, Partner


def get(session: Session, levering_id: str) -> Levering | None:
    return session.exec(select(Levering).where(Levering.id == levering_id)).first()


def melding(session: Session, melding_id: str) -> Melding | None:
    return session.get(Melding, melding_id)


def inbox(session: Session, partner_id: str, *, after: int | None, limit: int) -> Sequence[Levering]:
    """A partner's deliveries not yet acknowledged, oldest first (spoed first within a page is the worker's job)."""
    query = select(Levering).where(
        Levering.ontvanger == partner_id,
        col(Levering.status).in_([Status.WACHTEND, Status.AFGELEVERD]),
        col(Levering.payload).is_not(None),
    )
    if after is not None:
        query = query.where(col(Levering.nr) > after)
    return session.exec(query.order_by(col(Levering.nr)).limit(limit)).all()


def by_status(session: Session, status: Status, *, after: int | None, limit: int) -> Sequence[Levering]:
    query = select(Levering).where(Levering.status == status)
    if after is not None:
        query = query.where(col(Levering.nr) > after)
    return session.exec(query.order_by(col(Levering.nr)).limit(limit)).all()


def claim_due(session: Session, now: datetime, lease_until: datetime, limit: int) -> list[Levering]:
    """Lease the due webhook deliveries (spoed first) to this worker. On PostgreSQL `FOR UPDATE SKIP LOCKED`
    lets several workers claim side by side; on SQLite the write lock orders them. Either way a delivery under
    another worker's lease is not taken."""
    query = (
        select(Levering)
        .join(Partner, col(Partner.id) == col(Levering.ontvanger))
        .where(
            Levering.status == Status.WACHTEND,
            col(Levering.volgende_poging) <= now,
            or_(col(Levering.geclaimd_tot).is_(None), col(Levering.geclaimd_tot) < now),
            Partner.delivery_mode == DeliveryMode.WEBHOOK,
        )
        .order_by(col(Levering.prioriteit).desc(), col(Levering.nr))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Levering)
    claimed = list(session.exec(query).all())
    for levering in claimed:
        levering.geclaimd_tot = lease_until
        session.add(levering)
    session.flush()
    return claimed


def purge_payloads(session: Session, acknowledged_before: datetime, now: datetime) -> int:
    """Delete the sealed views of deliveries acknowledged before the cut-off: transit only."""
    result = session.connection().execute(
        update(Levering)
        .where(
            col(Levering.status) == Status.BEVESTIGD,
            col(Levering.bevestigd_op) < acknowledged_before,
            col(Levering.payload).is_not(None),
        )
        .values(payload=None, wrapped_key=None, verwijderd_op=now)
    )
    return int(result.rowcount or 0)


def purge_meldingen(session: Session) -> int:
    """Delete the sealed melding once none of its deliveries still holds a payload."""
    pending = select(Levering.melding_id).where(col(Levering.payload).is_not(None))
    result = session.connection().execute(
        update(Melding)
        .where(col(Melding.sealed).is_not(None), col(Melding.id).not_in(pending))
        .values(sealed=None, wrapped_key=None)
    )
    return int(result.rowcount or 0)


def relying_on_consent(session: Session, toestemming_id: int, statuses: Sequence[Status]) -> list[Levering]:
    """Deliveries in one of `statuses` whose decision needed this consent. Only those that needed any consent are
    read (their list is not empty), then filtered here: JSON containment is not portable across the databases."""
    query = select(Levering).where(
        col(Levering.status).in_(list(statuses)), sa.cast(col(Levering.toestemmingen), sa.String) != "[]"
    )
    rows = session.exec(query.order_by(col(Levering.nr))).all()
    return [levering for levering in rows if toestemming_id in levering.toestemmingen]


def relying_on_top_x(session: Session, casus_id: int, statuses: Sequence[Status]) -> Sequence[Levering]:
    """Deliveries in one of `statuses` granted only because this casus had Top X status."""
    query = select(Levering).where(Levering.top_x_casus == casus_id, col(Levering.status).in_(list(statuses)))
    return session.exec(query.order_by(col(Levering.nr))).all()


def relying_on_table(session: Session, casus_id: int, ontvanger: str, statuses: Sequence[Status]) -> Sequence[Levering]:
    """Deliveries to `ontvanger` in one of `statuses` granted only because it sat at this casus's table."""
    query = select(Levering).where(
        Levering.tafel_casus == casus_id, Levering.ontvanger == ontvanger, col(Levering.status).in_(list(statuses))
    )
    return session.exec(query.order_by(col(Levering.nr))).all()


def by_ids(session: Session, levering_ids: Collection[str], statuses: Sequence[Status]) -> Sequence[Levering]:
    """The deliveries with these ids that are in one of `statuses`."""
    if not levering_ids:
        return []
    query = select(Levering).where(col(Levering.id).in_(list(levering_ids)), col(Levering.status).in_(list(statuses)))
    return session.exec(query.order_by(col(Levering.nr))).all()


def uncollected(
    session: Session,
    statuses: Sequence[Status],
    created_before: datetime,
    *,
    doel: str | None,
    others: Collection[str],
    limit: int,
) -> Sequence[Levering]:
    """Deliveries in `statuses` that still hold content and were made before `created_before`, oldest first: of
    `doel`, or (`doel` None) of any doel not in `others`."""
    query = select(Levering).where(
        col(Levering.status).in_(list(statuses)),
        col(Levering.payload).is_not(None),
        col(Levering.aangemaakt_op) < created_before,
    )
    query = (
        query.where(Levering.doel == doel) if doel is not None else query.where(col(Levering.doel).not_in(list(others)))
    )
    return session.exec(query.order_by(col(Levering.nr)).limit(limit)).all()


def add(session: Session, levering: Levering) -> None:
    session.add(levering)
    session.flush()
