"""Request and response models of the consent register."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, model_validator

from hub.kit.api import ApiModel, Day
from hub.kit.paging import Pagina
from hub.pseudonym.schemas import IdentiteitIn

CODE = r"^[a-z0-9][a-z0-9_-]{0,62}[a-z0-9]$"
Selector = Annotated[str, Field(pattern=CODE)]


class ToestemmingIn(IdentiteitIn):
    item: str = Field(
        pattern=r"^[a-z0-9-]+(/[a-z0-9_-]+)?$",
        max_length=130,
        description="A category (`basisvoorwaarden`) or one item of it (`basisvoorwaarden/huisvesting`).",
    )
    referentie: str = Field(
        min_length=1,
        max_length=200,
        description="Your reference of the betrokkene's signed statement (e.g. its document number); no content.",
    )
    ontvangers: list[Selector] = Field(
        min_length=1,
        max_length=20,
        description="The recipients it covers: partner ids (`zvh-zuid-limburg`) or soorten (`gemeente`).",
    )
    doel: str = Field(pattern=CODE, description="The doel it covers, e.g. `nazorg-ex-gedetineerden`.")
    verklaard_op: Day | None = Field(
        default=None, description="The day the betrokkene signed the statement; by default today. Not in the future."
    )
    geldig_van: Day | None = Field(
        default=None, description="The first day it applies; by default today. Never before `verklaardOp`."
    )
    geldig_tot: Day | None = Field(
        default=None,
        description=(
            "The last day it applies; by default, and at most, the longest term the convenant sets for the item "
            "(`max_termijn`) after `geldigVan`. Withdrawing it ends it earlier."
        ),
    )

    @model_validator(mode="after")
    def _period(self) -> ToestemmingIn:
        if self.geldig_van and self.geldig_tot and self.geldig_tot < self.geldig_van:
            raise ValueError("geldig_tot lies before geldig_van")
        return self


class ToestemmingOut(ApiModel):
    id: int
    item: str
    vastgelegd_door: str
    referentie: str | None
    ontvangers: list[str]
    doel: str | None
    verklaard_op: date | None = Field(description="The day the betrokkene signed; null for one recorded before 1.1.")
    geldig_van: date | None
    geldig_tot: date | None
    vastgelegd_op: datetime
    ingetrokken_op: datetime | None
    ingehouden_leveringen: int | None = Field(
        default=None, description="On withdrawal: deliveries not yet made that are withheld because of it."
    )
    stopberichten: int | None = Field(
        default=None,
        description=(
            "On withdrawal: recipients that already received data under it and are sent a notice to stop processing."
        ),
    )


class ToestemmingPage(Pagina[ToestemmingOut, int]):
    """Consents, oldest first; the cursor is a consent id."""
