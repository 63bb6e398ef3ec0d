"""Request and response models of the consent register."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from hub.kit.api import ApiModel
from hub.pseudonym.schemas import IdentiteitIn


class ToestemmingIn(IdentiteitIn):
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
