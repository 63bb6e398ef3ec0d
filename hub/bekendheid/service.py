"""Registering whom a partner knows, and the ZVH's question at triage.

A partner registers a `bekend` signal for a person it works with (by the identity it holds, or by the pseudonym the
hub gave it), until an end date no further ahead than the convenant allows; it renews it by registering again and
withdraws it when it stops. The hub keeps only the vault's id of the person.

At triage the ZVH asks, for one casus, which partners at its table know its persons. Each partner at the table is
answered only `bekend` or `niet bekend`; every partner with a hit is told (a `bekendheidsvraag` delivery naming its
own signals) so the two can contact each other. Both are on the verstrekkingenlog. No question without a casus at
triage, one casus per question, and no more persons than the convenant allows: no bulk look-ups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from hub import refusals
from hub.bekendheid import repository
from hub.bekendheid.models import BekendSignaal
from hub.casus import repository as casus_repository
from hub.casus import service as casus_service
from hub.casus.models import Fase
from hub.delivery import notices
from hub.delivery.models import Soort as LeveringSoort
from hub.kit.clock import dutch_date
from hub.ledger import service as ledger
from hub.ledger.entries import Betrokkene, Context, Entry, bekendheid
from hub.policy.convenant.format import Procesafspraken, add_duration
from hub.pseudonym.vault import Vault


@dataclass(frozen=True, slots=True)
class Antwoord:
    partner: str
    bekend: bool


def register(
    session: Session,
    vault: Vault,
    afspraken: Procesafspraken,
    *,
    partner_id: str,
    principal_id: str,
    person_id: str | None,
    known_as: Callable[[], str],
    referentie: str | None,
    by_reference: bool,
    tot: date,
    context: Context,
    now: datetime,
) -> BekendSignaal:
    """A new signal, or the renewal of the partner's signal for this person (a new end date).

    A new one only about a person the partner sent or received a melding about, or with a reference to its own file
    where the convenant lets the partner (`by_reference`; `known_as` then keeps the person); and no more than the
    convenant's cap per period (a refusal at the cap is on the ledger). `person_id`: the vault's id, None if the
    vault does not know the person."""
    day = dutch_date(now)
    longest = add_duration(day, afspraken.bekend_max_termijn)
    if tot < day:
        raise refusals.TotVerleden("the end date lies in the past")
    if tot > longest:
        raise refusals.BekendTeLang(
            f"a bekend signal holds at most {afspraken.bekend_max_termijn} (until {longest.isoformat()}); renew it "
            "before it ends if you still work with the person"
        )
    signal = repository.active(session, partner_id, person_id, day) if person_id is not None else None
    handeling = "verlengd" if signal is not None else "gemeld"
    if signal is None:
        cap = afspraken.bekend_limiet
        if repository.registered_since(session, partner_id, now - (add_duration(day, cap.per) - day)) >= cap.aantal:
            grens = f"{cap.aantal} per {cap.per}"
            refusal = refusals.LimietBereikt(
                f"{partner_id} registered {grens} new bekend signals already (convenant.yaml, procesafspraken, "
                "bekend_limiet); renewing a signal still works",
                limiet="bekend-signalen",
                grens=grens,
            )
            raise ledger.refused_at_cap(
                session, refusal, partner=partner_id, door=principal_id, context=context, now=now
            )
        related = person_id is not None and ledger.related(
            session, vault.log_pseudonyms(vault.open(session, person_id).normalised()), partner_id
        )
        if not related:
            if not (by_reference and referentie):
                raise refusals.BekendZonderRelatie(
                    f"{partner_id} neither sent nor received a melding about this person, so it may not register that "
                    "it knows them" + ("; give the reference to your own file (referentie)" if by_reference else "")
                )
            person_id = known_as()
        assert person_id is not None  # noqa: S101 - related, or kept by known_as
        signal = BekendSignaal(partner_id=partner_id, person_id=person_id, door=principal_id, sinds=now, tot=tot)
    else:
        signal.tot, signal.door = tot, principal_id
    repository.add(session, signal)
    details: dict[str, object] = {"signaal_id": signal.id, "tot": tot.isoformat(), "door": principal_id}
    if referentie:
        details["referentie_digest"] = "sha256:" + hashlib.sha256(referentie.encode("utf-8")).hexdigest()
    entry = bekendheid(
        context=context,
        handeling=handeling,
        partner=partner_id,
        details=details,
        betrokkene=Betrokkene(vault.log_pseudonym(session, signal.person_id)),
    )
    ledger.append(session, [entry], now)
    return signal


def withdraw(
    session: Session,
    vault: Vault,
    *,
    partner_id: str,
    principal_id: str,
    signal_id: int,
    context: Context,
    now: datetime,
) -> BekendSignaal:
    signal = repository.get(session, signal_id)
    if signal is None or signal.partner_id != partner_id:
        raise refusals.SignaalNotFound("your organisation has no such bekend signal")
    if signal.ingetrokken_op is not None:
        return signal
    signal.ingetrokken_op, signal.door = now, principal_id
    repository.add(session, signal)
    entry = bekendheid(
        context=context,
        handeling="ingetrokken",
        partner=partner_id,
        details={"signaal_id": signal.id, "door": principal_id},
        betrokkene=Betrokkene(vault.log_pseudonym(session, signal.person_id)),
    )
    ledger.append(session, [entry], now)
    return signal


def own(
    session: Session, partner_id: str, now: datetime, *, after: int | None = None, limit: int | None = None
) -> Sequence[BekendSignaal]:
    return repository.of_partner(session, partner_id, dutch_date(now), after=after, limit=limit)


def ask(
    session: Session,
    vault: Vault,
    regisseur: casus_service.Regisseur,
    casus_id: int,
    *,
    afspraken: Procesafspraken,
    context: Context,
    now: datetime,
) -> list[Antwoord]:
    """The bekendheidscheck of one casus at triage: per partner at its table, whether it knows any of its persons."""
    found = casus_service.own(session, regisseur, casus_id)
    if found.fase != Fase.TRIAGE:
        raise refusals.BekendheidscheckBuitenTriage(
            f"casus {casus_id} is in stage {found.fase}: the bekendheidscheck is asked at triage only"
        )
    persons = [p.person_id for p in casus_service.persons(session, casus_id)]
    if not persons:
        raise refusals.GeenPersonen("link the persons of the casus first: the question is about them")
    limit = afspraken.bekendheidscheck_max_personen
    if len(persons) > limit:
        raise refusals.TeVeelPersonen(
            f"casus {casus_id} has {len(persons)} persons; one bekendheidscheck asks about at most {limit}"
        )
    per_dag = afspraken.bekendheidschecks_per_dag
    if (
        casus_repository.steps_by(session, "bekendheidscheck", regisseur.principal_id, now - timedelta(days=1))
        >= per_dag
    ):
        refusal = refusals.LimietBereikt(
            f"{regisseur.principal_id} asked {per_dag} bekendheidschecks in the last day already (convenant.yaml, "
            "procesafspraken, bekendheidschecks_per_dag)",
            limiet="bekendheidschecks",
            grens=f"{per_dag} per P1D",
        )
        raise ledger.refused_at_cap(
            session, refusal, partner=regisseur.partner_id, door=regisseur.principal_id, context=context, now=now
        )
    linked = {m.melding_id for m in casus_repository.meldingen(session, casus_id)}
    without = sum(1 for person in persons if not _meldingen_about(session, vault, person) & linked)
    if without:
        raise refusals.PersoonZonderMelding(
            f"{without} of the {len(persons)} persons of casus {casus_id} have no melding about them linked to the "
            "casus: the bekendheidscheck asks only about persons a melding brought to the ZVH; link it first"
        )
    table = sorted({d.partner_id for d in casus_service.current_participants(session, casus_id)} - {found.zvh})
    if not table:
        raise refusals.GeenDeelnemers("no partner sits at the table of this casus yet: add the participants first")
    day = dutch_date(now)
    signals = repository.hits(session, table, persons, day)
    entries: list[Entry] = []
    answers = []
    for partner in table:
        theirs = sorted((s for s in signals if s.partner_id == partner), key=lambda s: s.id or 0)
        answers.append(Antwoord(partner, bool(theirs)))
        details: dict[str, object] = {
            "casus_id": casus_id,
            "uitkomst": "bekend" if theirs else "niet-bekend",
            "personen": len(persons),
        }
        if theirs:
            levering = notices.notice(
                session,
                vault,
                afzender=found.zvh,
                ontvanger=partner,
                soort=LeveringSoort.BEKENDHEIDSVRAAG,
                doel="bekendheidscheck",
                inhoud={
                    "casus": casus_id,
                    "zvh": found.zvh,
                    "signalen": [s.id for s in theirs],
                    "gevraagdOp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "toelichting": TOELICHTING,
                },
                now=now,
            )
            details["levering_id"] = levering.id
        entries.append(bekendheid(context=context, handeling="vraag", partner=partner, details=details, zvh=found.zvh))
        for signal in theirs:  # the person's own record shows that the ZVH learnt this partner knows them
            entries.append(
                bekendheid(
                    context=context,
                    handeling="bekend-bij-vraag",
                    partner=partner,
                    details={"casus_id": casus_id, "signaal_id": signal.id},
                    zvh=found.zvh,
                    betrokkene=Betrokkene(vault.log_pseudonym(session, signal.person_id)),
                )
            )
    ledger.append(session, entries, now)
    summary = "; ".join(f"{a.partner}: {'bekend' if a.bekend else 'niet bekend'}" for a in answers)
    casus_service.record(
        session,
        found,
        regisseur,
        "bekendheidscheck",
        details=summary[:200],
        reden="bekendheidscheck in de triage",
        context=context,
        now=now,
    )
    return answers


def _meldingen_about(session: Session, vault: Vault, person_id: str) -> set[str]:
    about = ledger.verstrekkingen_about(session, vault.log_pseudonyms(vault.open(session, person_id).normalised()))
    return {str(e["melding_id"]) for e in about if e.get("melding_id")}


TOELICHTING = (
    "Het Zorg- en Veiligheidshuis bespreekt in de triage een casus over een persoon die u als bekend hebt gemeld "
    "(zie uw signalen). Neem contact op met de procesregisseur als u kunt bijdragen."
)
