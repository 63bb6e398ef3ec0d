"""The casus's lifecycle: opened by a procesregisseur of the ZVH, moved through its stages, with partners at the
table added and removed for a reason, and its persons and meldingen linked. Every step is in the casus's history
and, in the same transaction, in the verstrekkingenlog.

Stages move forward only: aanmelding -> triage -> plan van aanpak -> afschaling -> gesloten (a casus not taken on
after aanmelding or triage goes to afschaling or gesloten at once)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from hub.casus import access, repository
from hub.casus.models import (
    Beperkingsgrond,
    Casus,
    CasusDeelnemer,
    CasusGebeurtenis,
    CasusInformering,
    CasusMelding,
    CasusPersoon,
    CasusType,
    Fase,
    Informeren,
)
from hub.delivery import notices, withdrawal
from hub.delivery import repository as deliveries
from hub.delivery.models import Soort as LeveringSoort
from hub.errors import Conflict, Forbidden, NotFound, Unprocessable
from hub.kit.clock import dutch_date
from hub.ledger import service as ledger
from hub.ledger.entries import Betrokkene, Context, casus
from hub.meldingen.models import Melding
from hub.partners import service as partners
from hub.partners.models import PartnerSoort
from hub.policy.decision import CasusStand, Reden
from hub.policy.format import Procesafspraken, add_duration
from hub.pseudonym.vault import Vault

JUSTITIEPARTNERS = frozenset({PartnerSoort.POLITIE, PartnerSoort.OM, PartnerSoort.RECLASSERING, PartnerSoort.DJI})
"""Who must be at a weegtafel for a Top X decision (at least one of them)."""

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
        raise Forbidden("only a procesregisseur of a Zorg- en Veiligheidshuis runs a casus", code="geen-zvh")


def get(session: Session, casus_id: int) -> Casus:
    found = repository.get(session, casus_id)
    if found is None:
        raise NotFound(f"there is no casus {casus_id}", code="casus-not-found")
    return found


def own(session: Session, regisseur: Regisseur, casus_id: int) -> Casus:
    """The casus, if the regisseur's ZVH runs it; for any other casus the 404 of one that does not exist."""
    return access.of_organisation(session, regisseur.partner_id, casus_id)


def _open(found: Casus) -> None:
    if found.fase == Fase.GESLOTEN:
        raise Conflict(f"casus {found.id} is closed", code="casus-gesloten")


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
            raise Unprocessable(
                "a huisverbod-monitoring casus needs the last day of the huisverbod (huisverbodEinde): the "
                "monitoring runs until the agreed term after it",
                code="huisverbod-einde-vereist",
            )
        term = (afspraken or Procesafspraken()).huisverbod_monitoring
        monitoring_tot = add_duration(huisverbod_einde, term)
        details = f"{soort}; monitoring tot en met {monitoring_tot.isoformat()}"
    elif huisverbod_einde is not None:
        raise Unprocessable(
            "only a huisverbod-monitoring casus has a huisverbod end", code="huisverbod-einde-onverwacht"
        )
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


def at_table(session: Session, found: Casus) -> frozenset[str]:
    """The partners at the table of a casus: its current participants and the ZVH that runs it."""
    return frozenset({found.zvh, *(d.partner_id for d in repository.participants(session, found.id or 0))})


def stand(session: Session, casus_id: int, verstrekker: str, day: date) -> CasusStand:
    """The casus a melding from `verstrekker` is sent in, as it stands on `day`. Only a partner at its table may
    send in it; a partner that is not gets the same answer as for a casus that does not exist."""
    found = repository.get(session, casus_id)
    table = at_table(session, found) if found is not None else frozenset()
    if found is None or verstrekker not in table:
        raise Forbidden(
            f"you are not at the table of casus {casus_id}, or there is no such casus: only the ZVH that runs a casus "
            "and its participants send meldingen in it",
            code="niet-aan-tafel",
        )
    einde = None
    if found.fase in (Fase.AFSCHALING, Fase.GESLOTEN):
        einde = Reden.CASUS_AFGESCHAALD
    elif found.monitoring_tot is not None and day > found.monitoring_tot:
        einde = Reden.MONITORING_VERLOPEN
    top_x = found.top_x_tot is not None and day <= found.top_x_tot
    return CasusStand(casus_id, str(found.type), str(found.fase), table, top_x, einde)


def weegtafel(
    session: Session,
    regisseur: Regisseur,
    casus_id: int,
    *,
    datum: date,
    aanwezig: Sequence[str],
    reden: str,
    afspraken: Procesafspraken,
    context: Context,
    now: datetime,
) -> Casus:
    """A weegtafel decision gives (or requalifies) Top X status: on `datum`, with the justitiepartners `aanwezig`,
    for the term the convenant agrees. Only a Top X casus that is taken on (triage or plan van aanpak)."""
    found = own(session, regisseur, casus_id)
    _open(found)
    if found.type != CasusType.TOP_X:
        raise Conflict(f"casus {casus_id} is not a Top X casus", code="geen-top-x-casus")
    if found.fase not in (Fase.TRIAGE, Fase.PLAN_VAN_AANPAK):
        raise Conflict(
            f"casus {casus_id} is in stage {found.fase}: a weegtafel decides at triage or in the plan van aanpak",
            code="fase-niet-toegestaan",
        )
    present = sorted(set(aanwezig))
    soorten = {partners.get_partner(session, p).soort for p in present}
    if not soorten & JUSTITIEPARTNERS:
        raise Unprocessable(
            "a weegtafel decision needs at least one justitiepartner present (politie, OM, reclassering or DJI)",
            code="weegtafel-zonder-justitie",
        )
    if datum > dutch_date(now):
        raise Unprocessable("the weegtafel's date cannot lie in the future", code="datum-in-toekomst")
    tot = add_duration(datum, afspraken.top_x_herkwalificatie) - timedelta(days=1)
    requalified = found.top_x_tot is not None
    found.top_x_tot = tot
    repository.add(session, found)
    record(
        session,
        found,
        regisseur,
        "top-x-herkwalificatie" if requalified else "top-x-besluit",
        details=f"weegtafel {datum.isoformat()}; aanwezig {', '.join(present)}; geldig tot en met {tot.isoformat()}",
        reden=reden,
        context=context,
        now=now,
    )
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
        raise Conflict(
            f"casus {casus_id} is in stage {found.fase}; it can move to: {allowed}", code="fase-niet-toegestaan"
        )
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
    for deelnemer in repository.participants(session, found.id or 0):
        levering = notices.notice(
            session,
            vault,
            afzender=found.zvh,
            ontvanger=deelnemer.partner_id,
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
            ontvanger=deelnemer.partner_id,
        )
        ledger.append(session, [entry], now)


TOP_X_STOP = (
    "De Top X-status van de casus waarin u deze gegevens ontving, is vervallen, en de verstrekking steunde daarop. "
    "Verwerk deze gegevens niet verder en handel ze af volgens uw eigen bewaarbeleid."
)


def end_top_x_disclosures(
    session: Session, vault: Vault, casus_id: int, *, context: Context, now: datetime
) -> withdrawal.Withdrawn:
    """A Top X status lapsed: every delivery that relied on it and was not made is withheld (a dead letter too, so
    no re-drive makes it), and every recipient that received one is told to stop processing it; on the ledger."""
    cause = withdrawal.Cause(
        "top-x-vervallen",
        {"casus_id": casus_id},
        stop={"casus": casus_id, "topXVervallenOp": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "opdracht": TOP_X_STOP},
    )
    relying = deliveries.relying_on_top_x(session, casus_id, withdrawal.AFFECTED)
    return withdrawal.withdraw(session, vault, relying, cause, context=context, now=now)


AFSCHALING = (
    "De casus is afgeschaald: er wordt niets meer in gedeeld. Bewaar wat u in deze casus ontving niet langer dan "
    "de bewaartermijn die bij elke levering stond."
)


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
    _open(found)
    partners.get_partner(session, partner_id)
    if any(d.partner_id == partner_id for d in repository.participants(session, casus_id)):
        raise Conflict(f"{partner_id} is at the table of casus {casus_id} already", code="deelnemer-al-aanwezig")
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
    not made yet is withheld (a dead letter too), and for each one it received it is told to stop processing it."""
    found = own(session, regisseur, casus_id)
    _open(found)
    current = [d for d in repository.participants(session, casus_id) if d.partner_id == partner_id]
    if not current:
        raise NotFound(f"{partner_id} is not at the table of casus {casus_id}", code="deelnemer-niet-aanwezig")
    current[0].tot = now
    repository.add(session, current[0])
    record(session, found, regisseur, "deelnemer-verwijderd", details=partner_id, reden=reden, context=context, now=now)
    cause = withdrawal.Cause(
        "niet-meer-aan-tafel",
        {"casus_id": casus_id},
        stop={"casus": casus_id, "nietMeerAanTafelSinds": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "opdracht": TAFEL_STOP},
    )
    relying = deliveries.relying_on_table(session, casus_id, partner_id, withdrawal.AFFECTED)
    withdrawal.withdraw(session, vault, relying, cause, context=context, now=now)
    return current[0]


TAFEL_STOP = (
    "Uw organisatie zit niet meer aan tafel in de casus waarin u deze gegevens ontving, en de verstrekking steunde "
    "daarop. Verwerk deze gegevens niet verder en handel ze af volgens uw eigen bewaarbeleid."
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
    _open(found)
    if session.get(Melding, melding_id) is None:
        raise NotFound("there is no such melding", code="melding-not-found")
    if any(m.melding_id == melding_id for m in repository.meldingen(session, casus_id)):
        raise Conflict("this melding belongs to the casus already", code="melding-al-gekoppeld")
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
    _open(found)
    if any(p.person_id == person_id for p in repository.persons(session, casus_id)):
        raise Conflict("this person belongs to the casus already", code="persoon-al-gekoppeld")
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
        raise Unprocessable("informing is under AVG article 13 or 14", code="artikel-onbekend")
    if datum > dutch_date(now):
        raise Unprocessable("the day they were informed cannot lie in the future", code="datum-in-toekomst")
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
        raise Unprocessable(
            f"the review date must lie after today and no later than {latest.isoformat()} (the convenant's "
            f"informeren_uitstel, {afspraken.informeren_uitstel})",
            code="herbeoordeling-ongeldig",
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
            raise Unprocessable(
                "informed: give `artikel` (13 or 14) and `datum`, and no `grond` or `herbeoordeling`",
                code="informering-onvolledig",
            )
        return inform(session, regisseur, casus_id, artikel=artikel, datum=datum, reden=reden, context=context, now=now)
    if grond is None or herbeoordeling is None or artikel is not None or datum is not None:
        raise Unprocessable(
            "not informed: give `grond` (AVG art. 23 lid 1) and `herbeoordeling`, and no `artikel` or `datum`",
            code="informering-onvolledig",
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
        raise Unprocessable("give a reason of 5 to 1000 characters (no personal data)", code="reden-vereist")
    return reden
