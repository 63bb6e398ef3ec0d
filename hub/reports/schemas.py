"""Request and response models of the DPIA report and inzage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from hub.kit.api import ApiModel
from hub.ledger.schemas import CheckpointOut
from hub.pseudonym.schemas import IdentiteitIn


class CategorieTelling(ApiModel):
    maand: str = Field(description="YYYY-MM, Dutch calendar.")
    gemeente: str = Field(description="The CBS gemeentecode the meldingen concerned, or `onbekend`.")
    verstrekker: str
    ontvanger: str
    doel: str
    categorie: str
    uitkomst: str = Field(description="`verstrekt`, or the reason it was withheld (e.g. `verbod`, `geen-regel`).")
    aantal: int = Field(description="How many times, counted per person.")


class BesluitTelling(ApiModel):
    maand: str
    gemeente: str
    verstrekker: str
    ontvanger: str
    doel: str
    permit: int
    partial: int
    deny: int


class RapportageOut(ApiModel):
    van: datetime
    tot: datetime
    categorieen: list[CategorieTelling]
    besluiten: list[BesluitTelling]


class InzageverzoekIn(IdentiteitIn):
    motivering: str = Field(min_length=10, max_length=1000, description="The request's reference; no personal data.")


class Opening(ApiModel):
    salt: str = Field(description="Base64 of the salt in the entry's betrokkene commitment.")
    log_pseudoniem: str = Field(description="The hub's log-domain pseudonym of the person, which is committed to.")


class InzageRegel(ApiModel):
    positie: int
    tekst: str = Field(description="What happened, in plain Dutch.")
    entry: dict[str, Any]
    bytes: str = Field(description="Base64 of the entry's exact bytes (the Merkle leaf).")
    opening: Opening = Field(description="Shows that `betrokkeneId` in the entry is this person.")
    bewijs: list[str] = Field(description="The inclusion proof in `checkpoint`, base64.")


class Achtergehouden(ApiModel):
    doel: str
    aantal: int


class Beperkt(ApiModel):
    casus_id: int
    grond: str = Field(description="The letter of AVG art. 23 lid 1 on which the persons are not informed (yet).")
    herbeoordeling: date | None
    aantal: int = Field(description="How many entries about the person in this casus are held back.")


class Vertrouwelijk(ApiModel):
    casus_id: int
    soort: str = Field(description="The kind of casus (`radicalisering`, ...).")
    aantal: int = Field(description="How many entries about the person in this casus are held back.")


class InzageOut(ApiModel):
    opgesteld_op: datetime
    samenvatting: str
    verwerkingen: list[InzageRegel]
    achtergehouden: list[Achtergehouden] = Field(
        description="For the privacy officer only: entries held back because their doel is marked confidential."
    )
    casussen: list[str] = Field(
        description="Per casus the person belongs to: whether and when they were informed (AVG art. 13/14), in words."
    )
    beperkt: list[Beperkt] = Field(
        description=(
            "For the privacy officer only: casussen whose persons are not informed (yet) on a ground of AVG art. 23; "
            "their entries are held back. Decide whether the restriction also applies to this inzage."
        )
    )
    vertrouwelijk: list[Vertrouwelijk] = Field(
        description=(
            "For the privacy officer only: confidential casussen (their kind, or data shared in them under a "
            "confidential doel) held back because no decision to inform their persons is recorded yet. Record one "
            "(AVG art. 13/14, or art. 23) before answering, or answer without them."
        )
    )
    checkpoint: CheckpointOut


class JaarcijferRij(ApiModel):
    gemeente: str | None = Field(description="CBS gemeentecode, `onbekend`, or null: every gemeente together.")
    kwartaal: int | None = Field(description="1 to 4, or null: the whole year.")
    thema: str | None = Field(description="The doel (meldingen) or casus type (casussen), or null: every theme.")
    aantal: int | None = Field(description="How many; null: suppressed (see `afgeschermd`).")
    personen: int | None = Field(
        description="Unique persons in this row, counted by pseudonym (not summed over rows); null: suppressed."
    )


class JaarcijfersOut(ApiModel):
    jaar: int
    meldingen: list[JaarcijferRij] = Field(description="Meldingen the hub accepted, by the quarter it received them.")
    casussen: list[JaarcijferRij] = Field(description="Casussen by the quarter they were opened.")
    afgeschermd: bool = Field(
        description=(
            "True when the figures are the whole hub's rather than your own ZVH's: every figure below 5 (and above "
            "0) is suppressed, and as many more as it takes that none can be worked out from the totals."
        )
    )
