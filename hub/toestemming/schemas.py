"""Request and response models of the consent register."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from hub.kit.api import ApiModel


class ToestemmingIn(ApiModel):
    bsn: str | None = Field(default=None, max_length=16)
    voornamen: str | None = Field(default=None, max_length=200)
    tussenvoegsel: str | None = Field(default=None, max_length=50)
    achternaam: str | None = Field(default=None, max_length=200)
    geboortedatum: date | None = None
    item: str = Field(
        pattern=r"^[a-z0-9-]+(/[a-z0-9_-]+)?$",
        max_length=130,
        description="A category (`basisvoorwaarden`) or one item of it (`basisvoorwaarden/huisvesting`).",
    )


class ToestemmingOut(ApiModel):
    id: int
    item: str
    vastgelegd_door: str
    vastgelegd_op: datetime
    ingetrokken_op: datetime | None
    ingehouden_leveringen: int | None = Field(
        default=None, description="On withdrawal: deliveries not yet made that are withheld because of it."
    )
