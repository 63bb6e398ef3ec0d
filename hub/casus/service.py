"""The casus's lifecycle: opened by a procesregisseur of the ZVH, moved through its stages, with its persons and
meldingen linked. Every step is in the casus's history and, in the same transaction, in the verstrekkingenlog. Who
sits at the table is `tafel.py`, Top X `topx.py`, informing the persons `informeren.py`, deadlines `termijnen.py`,
and who may read a casus `access.py`.

Stages move forward only: aanmelding -> triage -> plan van aanpak -> afschaling -> gesloten (a casus not taken on
after aanmelding or triage goes to afschaling or gesloten at once)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from hub import refusals
from hub.casus import access, repository
from hub.casus.models import Casus, CasusDeelnemer, CasusGebeurtenis, CasusMelding, CasusPersoon, CasusType, Fase
from hub.delivery import notices
from hub.delivery.models import Soort as LeveringSoort
from hub.delivery.models import Status as LeveringStatus
from hub.kit.clock import dutch_date
from hub.ledger import service as ledger
from hub.ledger.entries import Betrokkene, Context, casus
from hub.meldingen.models import Melding
from hub.partners import service as partners
from hub.partners.models import PartnerSoort
from hub.policy.convenant.format import Procesafspraken, add_duration
from hub.pseudonym.vault import Vault

HUISVERBOD_HOOGSTENS = timedelta(days=28)
"""A tijdelijk huisverbod lasts 10 days and may be extended to at most 28 in all (Wet tijdelijk huisverbod):
its last day lies no later than this after a start that has come."""

NEXT: dict[Fase, frozenset[Fase]] = {
    Fase.AANMELDING: frozenset({Fase.TRIAGE, Fase.AFSCHALING, Fase.GESLOTEN}),
    Fase.TRIAGE: frozenset({Fase.PLAN_VAN_AANPAK, Fase.AFSCHALING, Fase.GESLOTEN}),
    Fase.PLAN_VAN_AANPAK: frozenset({Fase.AFSCHALING}),
    Fase.AFSCHALING: frozenset({Fase.GESLOTEN}),
    Fase.GESLOTEN: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Regisseur:
    """The procesregisseur acting, and the ZVH they work for."""

    principal_id: str
    partner_id: str


def _zvh(session: Session, regisseur: Regisseur) -> None:
    if partners.get_partner(session, regisseur.partner_id).soort != PartnerSoort.ZVH:
        raise refusals.GeenZvh("only a procesregisseur of a Zorg- en Veiligheidshuis runs a casus")


def get(session: Session, casus_id: int) -> Casus:
    found = repository.get(session, casus_id)
    if found is None:
        raise refusals.CasusNotFound(f"there is no casus {casus_id}")
    return found


def own(session: Session, regisseur: Regisseur, casus_id: int) -> Casus:
    """The casus, if the regisseur's ZVH runs it; for any other casus the 404 of one that does not exist."""
    return access.of_organisation(session, regisseur.partner_id, casus_id)


def check_open(found: Casus) -> None:
    if found.fase == Fase.GESLOTEN:
        raise refusals.CasusGesloten(f"casus {found.id} is closed")


def record(
    session: Session,
    found: Casus,
    regisseur: Regisseur,
    soort: str,
    *,
    details: str,
    reden: str,
    context: Context,
    now: datetime,
) -> CasusGebeurtenis:
    entry = casus(
        context=context,
        casus_id=found.id or 0,
        handeling=soort,
        door=regisseur.principal_id,
        details=details,
        reden=reden,
    )
    positions = ledger.append(session, [entry], now)
    event = CasusGebeurtenis(
        casus_id=found.id or 0,
        soort=soort,
        door=regisseur.principal_id,
        op=now,
        reden=reden,
        details=details,
        positie=positions.start,
    )
    repository.add(session, event)
    return event


def open_casus(
    session: Session,
    regisseur: Regisseur,
    *,
    soort: CasusType,
    reden: str,
    context: Context,
    now: datetime,
    huisverbod_einde: date | None = None,
    afspraken: Procesafspraken | None = None,
) -> Casus:
    """A new casus at aanmelding, run by the regisseur's ZVH. A huisverbod-monitoring casus needs the last day of
    the huisverbod: it runs until the term the convenant agrees (`afspraken`) after it, and no longer."""
    _zvh(session, regisseur)
    monitoring_tot = None
    details = str(soort)
    if soort == CasusType.HUISVERBOD:
        if huisverbod_einde is None:
            raise refusals.HuisverbodEindeVereist(
                "a huisverbod-monitoring casus needs the last day of the huisverbod (huisverbodEinde): the "
                "monitoring runs until the agreed term after it"
            )
        latest = dutch_date(now) + HUISVERBOD_HOOGSTENS
        if huisverbod_einde > latest:
            raise refusals.HuisverbodEindeTeLaat(
                f"huisverbodEinde {huisverbod_einde.isoformat()} lies after {latest.isoformat()}: a huisverbod lasts "
                "at most 28 days (10, extended to at most 28) from a start that has come"
            )
        term = (afspraken or Procesafspraken()).huisverbod_monitoring
        monitoring_tot = add_duration(huisverbod_einde, term)
        details = f"{soort}; monitoring tot en met {monitoring_tot.isoformat()}"
    elif huisverbod_einde is not None:
        raise refusals.HuisverbodEindeOnverwacht("only a huisverbod-monitoring casus has a huisverbod end")
    found = Casus(
        type=soort,
        fase=Fase.AANMELDING,
        zvh=regisseur.partner_id,
        geopend_door=regisseur.principal_id,
        geopend_op=now,
        monitoring_tot=monitoring_tot,
    )
    repository.add(session, found)
    record(session, found, regisseur, "geopend", details=details, reden=reden, context=context, now=now)
    return found


def move(
    session: Session,
    regisseur: Regisseur,
    casus_id: int,
    naar: Fase,
    *,
    reden: str,
    context: Context,
    now: datetime,
    vault: Vault,
) -> Casus:
    """The next stage. Scaling down (or closing a casus that was not scaled down) tells every partner at the table
    with an afschalingsbericht; from then on nothing is disclosed in the casus, and retention runs."""
    found = own(session, regisseur, casus_id)
    if naar not in NEXT[found.fase]:
        allowed = ", ".join(sorted(NEXT[found.fase])) or "none: it is closed"
        raise refusals.FaseNietToegestaan(f"casus {casus_id} is in stage {found.fase}; it can move to: {allowed}")
    before = found.fase
    found.fase = naar
    if naar in (Fase.AFSCHALING, Fase.GESLOTEN) and found.gesloten_op is None:
        found.gesloten_op = now
        _tell_the_table(session, vault, found, regisseur, reden=reden, context=context, now=now)
    if naar == Fase.GESLOTEN:
        for deelnemer in repository.participants(session, casus_id):
            deelnemer.tot = now
            repository.add(session, deelnemer)
    repository.add(session, found)
    record(session, found, regisseur, "fase", details=f"{before} -> {naar}", reden=reden, context=context, now=now)
    return found


def _tell_the_table(
    session: Session, vault: Vault, found: Casus, regisseur: Regisseur, *, reden: str, context: Context, now: datetime
) -> None:
    """An afschalingsbericht to every partner at the table, and to every partner that received data in the casus
    without a seat (one that left the table was sent a stopbericht for each delivery then)."""
    seated = [d.partner_id for d in repository.participants(session, found.id or 0)]
    ever = {d.partner_id for d in repository.participants(session, found.id or 0, current=False)}
    received = repository.received_in(session, found.id or 0, (LeveringStatus.AFGELEVERD, LeveringStatus.BEVESTIGD))
    unseated = sorted({r.ontvanger for r in received} - ever - {found.zvh})
    for partner_id in [*seated, *unseated]:
        levering = notices.notice(
            session,
            vault,
            afzender=found.zvh,
            ontvanger=partner_id,
            soort=LeveringSoort.AFSCHALING,
            doel="afschaling",
            inhoud={
                "casus": found.id,
                "zvh": found.zvh,
                "afgeschaaldOp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "opdracht": AFSCHALING,
            },
            now=now,
        )
        entry = casus(
            context=context,
            casus_id=found.id or 0,
            handeling="afschalingsbericht",
            door=regisseur.principal_id,
            details=levering.id,
            reden=reden,
            verstrekker=found.zvh,
            ontvanger=partner_id,
        )
        ledger.append(session, [entry], now)


AFSCHALING = (
    "De casus is afgeschaald: er wordt niets meer in gedeeld. Bewaar wat u in deze casus ontving niet langer dan "
    "de bewaartermijn die bij elke levering stond."
)


def link_melding(
    session: Session,
    regisseur: Regisseur,
    casus_id: int,
    melding_id: str,
    *,
    reden: str,
    context: Context,
    now: datetime,
) -> CasusMelding:
    found = own(session, regisseur, casus_id)
    check_open(found)
    if session.get(Melding, melding_id) is None:
        raise refusals.MeldingNotFound("there is no such melding")
    if any(m.melding_id == melding_id for m in repository.meldingen(session, casus_id)):
        raise refusals.MeldingAlGekoppeld("this melding belongs to the casus already")
    row = CasusMelding(casus_id=casus_id, melding_id=melding_id, sinds=now)
    repository.add(session, row)
    record(session, found, regisseur, "melding-gekoppeld", details=melding_id, reden=reden, context=context, now=now)
    return row


def link_person(
    session: Session,
    regisseur: Regisseur,
    casus_id: int,
    person_id: str,
    *,
    log_pseudonym: str,
    reden: str,
    context: Context,
    now: datetime,
) -> CasusPersoon:
    """A person of the casus, by the vault's id; the log entry is about them (by their log pseudonym)."""
    found = own(session, regisseur, casus_id)
    check_open(found)
    if any(p.person_id == person_id for p in repository.persons(session, casus_id)):
        raise refusals.PersoonAlGekoppeld("this person belongs to the casus already")
    row = CasusPersoon(casus_id=casus_id, person_id=person_id, sinds=now)
    repository.add(session, row)
    entry = casus(
        context=context,
        casus_id=casus_id,
        handeling="persoon-gekoppeld",
        door=regisseur.principal_id,
        details="",
        reden=reden,
        betrokkene=Betrokkene(log_pseudonym),
    )
    positions = ledger.append(session, [entry], now)
    repository.add(
        session,
        CasusGebeurtenis(
            casus_id=casus_id,
            soort="persoon-gekoppeld",
            door=regisseur.principal_id,
            op=now,
            reden=reden,
            positie=positions.start,
        ),
    )
    return row


def every_casus(session: Session) -> Sequence[Casus]:
    """Every casus of every ZVH: for the hub's own rounds (retention), never for a reader (`access`)."""
    return repository.of_zvh(session, None, open_only=False)


def current_participants(session: Session, casus_id: int) -> Sequence[CasusDeelnemer]:
    return repository.participants(session, casus_id)


def participants(session: Session, casus_id: int) -> Sequence[CasusDeelnemer]:
    return repository.participants(session, casus_id, current=False)


def history(session: Session, casus_id: int) -> Sequence[CasusGebeurtenis]:
    return repository.history(session, casus_id)


def persons(session: Session, casus_id: int) -> Sequence[CasusPersoon]:
    return repository.persons(session, casus_id)


def meldingen(session: Session, casus_id: int) -> Sequence[CasusMelding]:
    return repository.meldingen(session, casus_id)


def check_reason(reden: str) -> str:
    reden = reden.strip()
    if not 5 <= len(reden) <= 1000:
        raise refusals.RedenVereist("give a reason of 5 to 1000 characters (no personal data)")
    return reden
