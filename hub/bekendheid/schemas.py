"""Request and response models of /api/v1/bekendheid and the bekendheidscheck. No identities in any answer."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from hub.kit.api import ApiModel
from hub.kit.paging import Pagina
from hub.pseudonym.schemas import IdentiteitIn


class BekendIn(IdentiteitIn):
    """A person your organisation works with: by the pseudonym the hub gave you, or by BSN, or by name and date of
    birth. Registering again renews your signal for the person."""

    pseudoniem: str | None = Field(default=None, max_length=128)
    tot: date = Field(description="The last day the signal holds (at most the convenant's `bekend_max_termijn`).")
    referentie: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description=(
            "Your reference to your own file about the person (no content): where the convenant allows it "
            "(`bekend_met_referentie`), it stands in for a melding your organisation sent or received about them."
        ),
    )


class BekendOut(ApiModel):
    id: int = Field(description="Your reference to the signal: a `bekendheidsvraag` names it.")
    sinds: datetime
    tot: date
    ingetrokken_op: datetime | None


class Antwoord(ApiModel):
    partner: str
    bekend: bool = Field(description="Whether this partner knows any of the casus's persons: hit or no hit.")


class BekendheidscheckOut(ApiModel):
    casus: int
    gevraagd_op: datetime
    antwoorden: list[Antwoord]


class BekendPage(Pagina[BekendOut, int]):
    """Signals, oldest first; the cursor is a signal id."""
