"""HTTP route of retention: what expires in the coming days, for privacy officers and DPIA reviewers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hub.auth.dependencies import require_roles
from hub.auth.service import Caller
from hub.bewaren import service
from hub.bewaren.schemas import PerDag, VooruitblikOut
from hub.casus.endpoints import AfsprakenDep
from hub.db import SessionDep
from hub.kit.clock import utcnow
from hub.kit.openapi import API_PREFIX
from hub.partners.models import Role
from hub.pseudonym.endpoints import VaultDep

router = APIRouter(prefix=f"{API_PREFIX}/rapportages", tags=["rapportages"])

Reader = Annotated[Caller, Depends(require_roles(Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER))]


def _days(counts: dict[date, int]) -> list[PerDag]:
    return [PerDag.model_validate({"datum": day, "aantal": n}) for day, n in counts.items()]


@router.get(
    "/bewaartermijnen",
    summary="What expires in the coming days",
    description=(
        "Per day: persons the hub will forget (every disclosure's bewaartermijn, casus and bekend signal ended), "
        "bekend signals that end, closed casussen whose references go, Top X requalifications and monitoring ends. "
        "Counts only."
    ),
)
def outlook(
    _: Reader,
    session: SessionDep,
    vault: VaultDep,
    afspraken: AfsprakenDep,
    dagen: Annotated[int, Query(ge=1, le=366, description="How many days ahead.")] = 31,
) -> VooruitblikOut:
    found = service.outlook(session, vault, afspraken, now=utcnow(), days=dagen)
    return VooruitblikOut(
        van=found.van,
        tot=found.tot,
        personen=_days(found.personen),
        signalen=_days(found.signalen),
        casusreferenties=_days(found.casusreferenties),
        top_x_herkwalificaties=_days(found.top_x_herkwalificaties),
        monitoring_einden=_days(found.monitoring_einden),
    )
