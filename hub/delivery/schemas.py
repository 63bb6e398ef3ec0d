"""Request and response models of delivery: the inbox, acknowledgements, dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hub.kit.api import ApiModel


class Bericht(ApiModel):
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


class InboxPage(ApiModel):
    items: list[Bericht]
    volgende: int | None = Field(description="Pass as `na` for the next page; null on the last page.")


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


class LeveringPage(ApiModel):
    items: list[LeveringOut]
    volgende: int | None
