"""Request and response models of meldingen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from hub.kit.api import MAX_ID, ApiModel
from hub.kit.canonical import canonical_problem
from hub.kit.ids import SLUG_PATTERN
from hub.kit.paging import Pagina

CODE = r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$"


class MeldingIn(ApiModel):
    berichttype: str = Field(pattern=CODE, description="The berichttype, e.g. `e33-verward-gedrag`.")
    doel: str | None = Field(
        default=None,
        pattern=CODE,
        description=(
            "The doel. Required when the convenant has several doelen for this berichttype from you (a 422 lists "
            "them); by default the only one it has. Never guessed."
        ),
    )
    ontvangers: list[str] | None = Field(
        default=None,
        max_length=20,
        description=(
            "Partner ids to send to; by default every recipient the convenant names for this berichttype and doel "
            "whose werkgebied covers the melding's gemeente."
        ),
    )
    spoed: bool = Field(default=False, description="Deliver before other meldingen (never a policy bypass).")
    casus: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description=(
            "The casus this melding is sent in (you must be at its table). Rules bound to a casus apply only "
            "through it, in its stage and to partners at its table; in a casus that was scaled down nothing goes."
        ),
    )
    inhoud: dict[str, Any] = Field(description="The melding itself, as its berichttype's schema describes.")

    @field_validator("inhoud")
    @classmethod
    def _canonical(cls, inhoud: dict[str, Any]) -> dict[str, Any]:
        problem = canonical_problem(inhoud, "inhoud")
        if problem is not None:
            raise ValueError(problem)
        return inhoud

    def ontvanger_ids(self) -> tuple[str, ...] | None:
        return None if self.ontvangers is None else tuple(self.ontvangers)


class Achterhouding(ApiModel):
    categorie: str
    reden: str = Field(
        description=(
            "`verbod`, `geen-regel`, `toestemming-ontbreekt`, `regel-verlopen`, `buiten-werkgebied`, "
            "`gemeente-onbekend`, `geen-casus`, `buiten-casusfase`, `niet-aan-tafel`, `geen-top-x`, "
            "`casus-afgeschaald`, `monitoring-verlopen`, ..."
        )
    )
    verwijzing: str | None = Field(default=None, description="The prohibition or rule the reason refers to.")


class Uitkomst(ApiModel):
    partner: str = Field(pattern=SLUG_PATTERN)
    doel: str
    besluit: str = Field(description="`permit`, `partial` or `deny`.")
    verstrekt: list[str] = Field(description="The categories this recipient receives.")
    achtergehouden: list[Achterhouding]
    levering_id: str | None = Field(description="The delivery's stable id; null when nothing goes to this recipient.")


class Ontvangstbewijs(ApiModel):
    melding_id: str
    ontvangen_op: datetime
    berichttype: str
    doel: str | None = Field(
        description=(
            "The doel every recipient was decided under; null only for a melding received before schema 0008 whose "
            "recipients had doelen of their own (each `ontvangers[].doel` says which)."
        )
    )
    gemeente: str | None = Field(description="The CBS gemeentecode the melding concerns; null when it does not say.")
    casus: int | None = Field(description="The casus it was sent in; null for none.")
    spoed: bool
    ontvangers: list[Uitkomst]
    posities: list[int] = Field(description="The positions of this melding's entries in the verstrekkingenlog.")

    @classmethod
    def stored(cls, receipt: dict[str, Any]) -> Ontvangstbewijs:
        """A receipt as the hub stored it, from any schema. One stored up to schema 0007 named no doel or gemeente
        of the melding, and up to 0012 no casus: there was none (a recipient's doel was its own; no melding was bound
        to a gemeente or a casus), so they read as null, or the doel as the one all its recipients shared."""
        if "doel" not in receipt:
            doelen = {o.get("doel") for o in receipt.get("ontvangers", [])}
            receipt = {**receipt, "doel": doelen.pop() if len(doelen) == 1 else None}
        return cls.model_validate({"gemeente": None, "casus": None, **receipt})


class BerichttypeOut(ApiModel):
    code: str
    versie: int
    omschrijving: str
    schema_url: str = Field(description="Where its JSON Schema is published.")


class BerichttypePage(Pagina[BerichttypeOut, str]):
    """Berichttypes ordered by code; the cursor is a code."""
