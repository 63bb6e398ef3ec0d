"""Top X: the weegtafel's decision that gives a casus its status, or requalifies it, for the convenant's term; and
what relied on the status ending when it lapses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlmodel import Session

from hub import refusals
from hub.casus import repository
from hub.casus.models import Casus, CasusType, Fase
from hub.casus.service import Regisseur, check_open, own, record
from hub.delivery import repository as deliveries
from hub.delivery import withdrawal
from hub.kit.clock import dutch_date
from hub.ledger.entries import Context
from hub.partners import service as partners
from hub.partners.models import PartnerSoort
from hub.policy.convenant.format import Procesafspraken, add_duration
from hub.pseudonym.vault import Vault

JUSTITIEPARTNERS = frozenset({PartnerSoort.POLITIE, PartnerSoort.OM, PartnerSoort.RECLASSERING, PartnerSoort.DJI})
"""Who must be at a weegtafel for a Top X decision (at least one of them)."""


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
    check_open(found)
    if found.type != CasusType.TOP_X:
        raise refusals.GeenTopXCasus(f"casus {casus_id} is not a Top X casus")
    if found.fase not in (Fase.TRIAGE, Fase.PLAN_VAN_AANPAK):
        raise refusals.FaseNietToegestaan(
            f"casus {casus_id} is in stage {found.fase}: a weegtafel decides at triage or in the plan van aanpak"
        )
    present = sorted(set(aanwezig))
    soorten = {partners.get_partner(session, p).soort for p in present}
    if not soorten & JUSTITIEPARTNERS:
        raise refusals.WeegtafelZonderJustitie(
            "a weegtafel decision needs at least one justitiepartner present (politie, OM, reclassering or DJI)"
        )
    if datum > dutch_date(now):
        raise refusals.DatumInToekomst("the weegtafel's date cannot lie in the future")
    tot = add_duration(datum, afspraken.top_x_herkwalificatie) - timedelta(days=1)
    if tot < dutch_date(now):
        raise refusals.WeegtafelVerlopen(
            f"a weegtafel of {datum.isoformat()} lapsed on {tot.isoformat()} (the convenant's requalification term is "
            f"{afspraken.top_x_herkwalificatie}): record the current one"
        )
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
