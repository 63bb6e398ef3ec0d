"""Informing the persons of a casus (AVG art. 13/14), or the ground (art. 23) for not informing them yet, with the
date it is reviewed again; each decision in the history and on the verstrekkingenlog."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from hub import refusals
from hub.casus import repository
from hub.casus.models import Beperkingsgrond, Casus, CasusInformering, Informeren
from hub.casus.service import Regisseur, own, record
from hub.kit.clock import dutch_date
from hub.ledger.entries import Context
from hub.policy.convenant.format import Procesafspraken, add_duration


def inform(
    session: Session,
    regisseur: Regisseur,
    casus_id: int,
    *,
    artikel: str,
    datum: date,
    reden: str,
    context: Context,
    now: datetime,
) -> CasusInformering:
    """The persons of the casus were informed on `datum`, under AVG art. 13 (their data came from them) or 14 (it
    came from others). Also after closure: the duty to inform does not end with the casus."""
    found = own(session, regisseur, casus_id)
    if artikel not in {"13", "14"}:
        raise refusals.ArtikelOnbekend("informing is under AVG article 13 or 14")
    if datum > dutch_date(now):
        raise refusals.DatumInToekomst("the day they were informed cannot lie in the future")
    row = CasusInformering(
        casus_id=casus_id,
        besluit=Informeren.GEINFORMEERD,
        artikel=artikel,
        datum=datum,
        door=regisseur.principal_id,
        op=now,
    )
    details = f"art. {artikel} op {datum.isoformat()}"
    return _decided(session, found, regisseur, row, "betrokkenen-geinformeerd", details, reden, context, now)


def defer_informing(
    session: Session,
    regisseur: Regisseur,
    casus_id: int,
    *,
    grond: Beperkingsgrond,
    herbeoordeling: date,
    reden: str,
    afspraken: Procesafspraken,
    context: Context,
    now: datetime,
) -> CasusInformering:
    """The persons of the casus are not informed (yet), on a ground of AVG art. 23 lid 1, until `herbeoordeling` at
    the latest (no later than the convenant's `informeren_uitstel` from today): then it is decided again."""
    found = own(session, regisseur, casus_id)
    today = dutch_date(now)
    latest = add_duration(today, afspraken.informeren_uitstel)
    if not today < herbeoordeling <= latest:
        raise refusals.HerbeoordelingOngeldig(
            f"the review date must lie after today and no later than {latest.isoformat()} (the convenant's "
            f"informeren_uitstel, {afspraken.informeren_uitstel})"
        )
    row = CasusInformering(
        casus_id=casus_id,
        besluit=Informeren.NIET_GEINFORMEERD,
        artikel="23",
        datum=today,
        grond=grond,
        herbeoordeling=herbeoordeling,
        door=regisseur.principal_id,
        op=now,
    )
    details = f"art. 23 lid 1 sub {grond}; herbeoordeling uiterlijk {herbeoordeling.isoformat()}"
    return _decided(session, found, regisseur, row, "informeren-uitgesteld", details, reden, context, now)


def _decided(  # noqa: PLR0917 - one history step's parts
    session: Session,
    found: Casus,
    regisseur: Regisseur,
    row: CasusInformering,
    soort: str,
    details: str,
    reden: str,
    context: Context,
    now: datetime,
) -> CasusInformering:
    event = record(session, found, regisseur, soort, details=details, reden=reden, context=context, now=now)
    row.positie = event.positie
    repository.add(session, row)
    return row


def decide_informing(
    session: Session,
    regisseur: Regisseur,
    casus_id: int,
    *,
    besluit: Informeren,
    artikel: str | None,
    datum: date | None,
    grond: Beperkingsgrond | None,
    herbeoordeling: date | None,
    reden: str,
    afspraken: Procesafspraken,
    context: Context,
    now: datetime,
) -> CasusInformering:
    """Either decision, from what a form or a request gives: each needs its own fields and none of the other's."""
    if besluit == Informeren.GEINFORMEERD:
        if artikel is None or datum is None or grond is not None or herbeoordeling is not None:
            raise refusals.InformeringOnvolledig(
                "informed: give `artikel` (13 or 14) and `datum`, and no `grond` or `herbeoordeling`"
            )
        return inform(session, regisseur, casus_id, artikel=artikel, datum=datum, reden=reden, context=context, now=now)
    if grond is None or herbeoordeling is None or artikel is not None or datum is not None:
        raise refusals.InformeringOnvolledig(
            "not informed: give `grond` (AVG art. 23 lid 1) and `herbeoordeling`, and no `artikel` or `datum`"
        )
    return defer_informing(
        session,
        regisseur,
        casus_id,
        grond=grond,
        herbeoordeling=herbeoordeling,
        reden=reden,
        afspraken=afspraken,
        context=context,
        now=now,
    )


def informing(session: Session, casus_id: int) -> CasusInformering | None:
    """The decision on informing the casus's persons that holds now (the newest), if any."""
    return repository.informing(session, casus_id)
