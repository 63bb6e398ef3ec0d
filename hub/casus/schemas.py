"""Request and response models of /api/v1/casussen. No case content and no identities: ids, codes and dates."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from hub.casus.models import Beperkingsgrond, CasusType, Fase, Informeren
from hub.kit.api import ApiModel
from hub.kit.ids import SLUG_PATTERN
from hub.kit.paging import Pagina
from hub.pseudonym.schemas import IdentiteitIn

Reden = Field(min_length=5, max_length=1000, description="Why, for the casus's history; no personal data.")


class CasusIn(ApiModel):
    type: CasusType
    reden: str = Reden
    huisverbod_einde: date | None = Field(
        default=None,
        description=(
            "Only for `huisverbod-monitoring`, and required there: the last day of the huisverbod (from its "
            "melding). The casus runs until the convenant's agreed term after it; then nothing more is disclosed."
        ),
    )


class WeegtafelIn(ApiModel):
    """A weegtafel decision that gives a Top X casus its status, or requalifies it."""

    datum: date = Field(description="The day the weegtafel met (not in the future).")
    aanwezig: list[str] = Field(
        min_length=1, max_length=20, description="The partners present; at least one justitiepartner."
    )
    reden: str = Reden


class FaseIn(ApiModel):
    naar: Fase
    reden: str = Reden


class DeelnemerIn(ApiModel):
    partner: str = Field(pattern=SLUG_PATTERN, max_length=64)
    reden: str = Reden


class RedenIn(ApiModel):
    reden: str = Reden


class MeldingKoppeling(ApiModel):
    melding_id: str = Field(min_length=1, max_length=32)
    reden: str = Reden


class PersoonIn(IdentiteitIn):
    """A person of the casus: by the pseudonym the hub gave your organisation, or by BSN, or by name and date of
    birth."""

    pseudoniem: str | None = Field(default=None, max_length=128)
    reden: str = Reden


class DeelnemerOut(ApiModel):
    partner_id: str
    sinds: datetime
    tot: datetime | None


class GebeurtenisOut(ApiModel):
    soort: str
    door: str
    op: datetime
    reden: str
    details: str
    positie: int | None = Field(description="Its entry in the verstrekkingenlog.")


class InformerenIn(ApiModel):
    """A decision on informing the casus's persons: that they were informed (AVG art. 13 or 14, on a day), or that
    they are not informed yet on a ground of art. 23 lid 1, to be reviewed by a day."""

    besluit: Informeren
    artikel: str | None = Field(
        default=None, pattern=r"^1[34]$", description="`geinformeerd`: `13` (data from them) or `14` (from others)."
    )
    datum: date | None = Field(default=None, description="`geinformeerd`: the day they were informed.")
    grond: Beperkingsgrond | None = Field(
        default=None, description="`niet-geinformeerd`: the letter of AVG art. 23 lid 1 that applies."
    )
    herbeoordeling: date | None = Field(
        default=None,
        description="`niet-geinformeerd`: the day it is decided again, at most `informeren_uitstel` from today.",
    )
    reden: str = Reden


class InformeringOut(ApiModel):
    besluit: Informeren
    artikel: str
    datum: date
    grond: Beperkingsgrond | None
    herbeoordeling: date | None
    door: str
    op: datetime
    positie: int | None = Field(description="Its entry in the verstrekkingenlog.")


class TermijnOut(ApiModel):
    casus_id: int
    soort: str = Field(description="`top-x-herkwalificatie`, `monitoring-einde` or `informeren-herbeoordeling`.")
    datum: date
    verlopen: bool = Field(description="The day has passed.")


class CasusOut(ApiModel):
    id: int
    type: CasusType
    fase: Fase
    zvh: str
    geopend_door: str
    geopend_op: datetime
    gesloten_op: datetime | None = Field(description="When it was scaled down or closed, whichever came first.")
    top_x_tot: date | None = Field(description="A Top X casus: the last day its weegtafel decision holds.")
    monitoring_tot: date | None = Field(description="A huisverbod-monitoring casus: the last day it may run.")


class CasusDetail(CasusOut):
    deelnemers: list[DeelnemerOut]
    meldingen: list[str]
    personen: int = Field(description="How many persons the casus is about (never who).")
    informering: InformeringOut | None = Field(
        description="The decision on informing its persons that holds (the newest); null while none was recorded."
    )
    geschiedenis: list[GebeurtenisOut]


class CasusPage(Pagina[CasusOut, int]):
    """Casussen, newest first; the cursor is a casus id."""


class TermijnPage(Pagina[TermijnOut, str]):
    """What falls due, soonest first; the cursor is opaque: pass it back unchanged."""
