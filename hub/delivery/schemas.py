"""Request and response models of delivery: the inbox, acknowledgements, dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hub.kit.api import ApiModel
from hub.kit.paging import Pagina


class Grondslag(ApiModel):
    code: str
    omschrijving: str
    wet: str
    artikelen: list[str]
    te_bevestigen: bool = Field(
        description="The convenant marks the article references as not confirmed by a lawyer yet."
    )


class Categorievoorwaarde(ApiModel):
    categorie: str
    regel: str = Field(description="The id of the convenant's rule that permits this category.")
    grondslag: str
    bewaartermijn: str = Field(description="ISO 8601 duration, e.g. `P1Y`: how long you may keep it.")
    op_toestemming: bool = Field(description="Permitted only because the betrokkene consented.")


class Voorwaarden(ApiModel):
    """The terms under which you received this view: honour them (purpose limitation, retention)."""

    doel: str
    verwerkingsactiviteit: str | None
    convenant: str = Field(description="The convenant version that decided, e.g. `zuid-limburg 2026.1 (versie 3)`.")
    convenant_hash: str
    gemeente: str | None = Field(description="The CBS gemeentecode the melding concerns.")
    regels: list[str]
    grondslagen: list[Grondslag]
    bewaartermijnen: list[str]
    categorieen: list[Categorievoorwaarde]


class Bericht(ApiModel):
    soort: str = Field(
        description=(
            "`melding`; `stopbericht`: stop processing what came under a withdrawn consent; `afschaling`: a "
            "casus you sat at was scaled down; `bekendheidsvraag`: the ZVH asked whether a person you registered as "
            "known is known to you (`inhoud.signalen` names your signals); `niet-opgehaald`: a recipient did not "
            "collect a delivery of your melding within its collection term, and the hub destroyed its content "
            "(`inhoud.betreftLevering`, `inhoud.ontvanger`; `verstrekker` is `schakel`)."
        )
    )
    levering_id: str = Field(description="Stable across retries: de-duplicate on it.")
    melding_id: str
    verstrekker: str
    berichttype: str
    doel: str
    besluit: str
    spoed: bool
    inhoud_digest: str = Field(
        description="`sha256:<hex>` of the canonical JSON of `inhoud`; name it when you acknowledge."
    )
    inhoud: dict[str, Any] = Field(description="Your view of the melding: only the fields the convenant gives you.")
    voorwaarden: Voorwaarden | None = Field(
        default=None, description="The terms of this disclosure (absent on a stopbericht)."
    )


class InboxPage(Pagina[Bericht, int]):
    """Berichten waiting for you, oldest first; the cursor is a delivery number."""


class OntvangstbevestigingIn(ApiModel):
    inhoud_digest: str = Field(max_length=80, description="The `inhoudDigest` of what you received.")


class LeveringOut(ApiModel):
    nr: int
    id: str
    melding_id: str
    ontvanger: str
    doel: str
    status: str
    prioriteit: int
    pogingen: int
    laatste_fout: str | None
    volgende_poging: datetime
    aangemaakt_op: datetime
    afgeleverd_op: datetime | None
    bevestigd_op: datetime | None
    dood_op: datetime | None


class LeveringPage(Pagina[LeveringOut, int]):
    """Deliveries, oldest first; the cursor is a delivery number (`nr`)."""
