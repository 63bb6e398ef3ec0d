"""Request and response models of re-identification and erasure."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from hub.kit.api import ApiModel, Day
from hub.kit.paging import Pagina
from hub.pseudonym.vault import OpgegevenIdentiteit


class HeridentificatieIn(ApiModel):
    pseudoniem: str = Field(
        max_length=128, description="The pseudonym as a recipient holds it (ps1.k1.<domein>.<waarde>)."
    )
    doel: str = Field(min_length=1, max_length=64, description="The doel this re-identification serves.")
    motivering: str = Field(min_length=10, max_length=1000, description="Why it is necessary; no personal data.")


class IdentiteitIn(ApiModel):
    """A person named in a request: by BSN, or by name and date of birth (normalised by the vault)."""

    bsn: str | None = Field(default=None, max_length=16)
    voornamen: str | None = Field(default=None, max_length=200)
    tussenvoegsel: str | None = Field(default=None, max_length=50)
    achternaam: str | None = Field(default=None, max_length=200)
    geboortedatum: Day | None = None

    def gegeven(self) -> OpgegevenIdentiteit:
        return OpgegevenIdentiteit(
            bsn=self.bsn,
            voornamen=self.voornamen,
            tussenvoegsel=self.tussenvoegsel,
            achternaam=self.achternaam,
            geboortedatum=self.geboortedatum,
        )


class VergetelheidIn(IdentiteitIn):
    motivering: str = Field(min_length=10, max_length=1000, description="The basis of the erasure; no personal data.")


class PrivacyRequestOut(ApiModel):
    id: int
    soort: str
    doel: str | None
    motivering: str
    requested_by: str
    requested_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    executed_at: datetime | None
    status: str


class IdentiteitOut(ApiModel):
    bsn: str | None
    voornamen: str | None
    tussenvoegsel: str | None
    achternaam: str | None
    geboortedatum: date | None


class PrivacyRequestPage(Pagina[PrivacyRequestOut, int]):
    """Requests, oldest first; the cursor is a request id."""
