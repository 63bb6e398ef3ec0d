"""Who sits at a casus's table: the partners the procesregisseur adds and removes (each for a reason, in the
history and on the verstrekkingenlog), what a melding sent in the casus is decided against (`stand`), and what a
partner was given only for its seat ending when it leaves."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from hub import refusals
from hub.casus import repository
from hub.casus.models import Casus, CasusDeelnemer, Fase
from hub.casus.service import Regisseur, check_open, own, record
from hub.delivery import repository as deliveries
from hub.delivery import withdrawal
from hub.ledger.entries import Context
from hub.partners import service as partners
from hub.policy.deciding.decision import CasusStand, Reden
from hub.pseudonym.vault import Vault


def at_table(session: Session, found: Casus) -> frozenset[str]:
    """The partners at the table of a casus: its current participants and the ZVH that runs it."""
    return frozenset({found.zvh, *(d.partner_id for d in repository.participants(session, found.id or 0))})


def stand(session: Session, casus_id: int, verstrekker: str, day: date) -> CasusStand:
    """The casus a melding from `verstrekker` is sent in, as it stands on `day`. Only a partner at its table may
    send in it; a partner that is not gets the same answer as for a casus that does not exist."""
    found = repository.get(session, casus_id)
    table = at_table(session, found) if found is not None else frozenset()
    if found is None or verstrekker not in table:
        raise refusals.NietAanTafel(
            f"you are not at the table of casus {casus_id}, or there is no such casus: only the ZVH that runs a casus "
            "and its participants send meldingen in it"
        )
    einde = None
    if found.fase in (Fase.AFSCHALING, Fase.GESLOTEN):
        einde = Reden.CASUS_AFGESCHAALD
    elif found.monitoring_tot is not None and day > found.monitoring_tot:
        einde = Reden.MONITORING_VERLOPEN
    top_x = found.top_x_tot is not None and day <= found.top_x_tot
    return CasusStand(casus_id, str(found.type), str(found.fase), table, top_x, einde)


def add_participant(
    session: Session,
    regisseur: Regisseur,
    casus_id: int,
    partner_id: str,
    *,
    reden: str,
    context: Context,
    now: datetime,
) -> CasusDeelnemer:
    found = own(session, regisseur, casus_id)
    check_open(found)
    partners.get_partner(session, partner_id)
    if any(d.partner_id == partner_id for d in repository.participants(session, casus_id)):
        raise refusals.DeelnemerAlAanwezig(f"{partner_id} is at the table of casus {casus_id} already")
    deelnemer = CasusDeelnemer(casus_id=casus_id, partner_id=partner_id, sinds=now)
    repository.add(session, deelnemer)
    record(session, found, regisseur, "deelnemer-toegevoegd", details=partner_id, reden=reden, context=context, now=now)
    return deelnemer


def remove_participant(
    session: Session,
    regisseur: Regisseur,
    casus_id: int,
    partner_id: str,
    *,
    reden: str,
    context: Context,
    now: datetime,
    vault: Vault,
) -> CasusDeelnemer:
    """The partner leaves the table. What it was given only because it sat there ends with it: every such delivery
    not made yet is withheld (a dead letter too). For each delivery it received in the casus (for its seat or not)
    it is told to stop processing it: a stopbericht, delivered and acknowledged like any melding, on the ledger."""
    found = own(session, regisseur, casus_id)
    check_open(found)
    current = [d for d in repository.participants(session, casus_id) if d.partner_id == partner_id]
    if not current:
        raise refusals.DeelnemerNietAanwezig(f"{partner_id} is not at the table of casus {casus_id}")
    current[0].tot = now
    repository.add(session, current[0])
    record(session, found, regisseur, "deelnemer-verwijderd", details=partner_id, reden=reden, context=context, now=now)
    cause = withdrawal.Cause(
        "niet-meer-aan-tafel",
        {"casus_id": casus_id},
        stop={"casus": casus_id, "nietMeerAanTafelSinds": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "opdracht": TAFEL_STOP},
    )
    relying = deliveries.relying_on_table(session, casus_id, partner_id, withdrawal.AFFECTED)
    relied = {levering.id for levering in relying}
    # What it received in the casus under a rule not bound to the table: it is told to stop processing that too.
    received = [r for r in repository.received_in(session, casus_id, withdrawal.MADE, partner_id) if r.id not in relied]
    withdrawal.withdraw(session, vault, [*relying, *received], cause, context=context, now=now)
    return current[0]


TAFEL_STOP = (
    "Uw organisatie zit niet meer aan tafel in de casus waarin u deze gegevens ontving. Verwerk ze niet verder voor "
    "die casus en handel ze af volgens uw eigen bewaarbeleid."
)
