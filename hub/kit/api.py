"""The base of every request and response model: camelCase on the wire, strict about unknown fields."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """Request models refuse unknown fields (a typo must not be silently ignored); responses use camelCase."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", from_attributes=True)


MAX_NUMBER = 2**63 - 1
"""The largest id, position or cursor the databases store (a signed 64-bit integer): anything larger is a 422."""
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def _day_in_range(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"a date between {FIRST_DAY} and {LAST_DAY}")
    return day


MAX_ID = 2**31 - 1
"""The largest id of a table with an INTEGER key (PostgreSQL's int4): convenant versions, requests, consents."""
PositionPath = Annotated[int, Path(ge=0, le=MAX_NUMBER)]
"""A position in the verstrekkingenlog (a 64-bit integer) in a URL path."""
Day = Annotated[date, AfterValidator(_day_in_range)]
"""A calendar day the hub can compute with (time zones included): 1900-01-01 up to 2999-12-31."""


def id_path(name: str) -> Any:
    """A whole-number id in a URL path, called `name` (camelCase, as every parameter) on the wire."""
    return Path(alias=name, ge=0, le=MAX_ID)


def name_path(name: str) -> Any:
    """A textual id (a slug, uuid or kid) in a URL path, called `name` on the wire."""
    return Path(alias=name, min_length=1, max_length=128)
