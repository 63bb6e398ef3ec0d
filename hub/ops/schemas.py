"""Response models of the operational endpoints."""

from __future__ import annotations

from typing import Literal

from hub.kit.api import ApiModel


class Health(ApiModel):
    status: Literal["ok"]
    database: Literal["ok"]
    version: str


class Liveness(ApiModel):
    status: Literal["ok"]
    version: str


class Readiness(ApiModel):
    status: Literal["ok"]
    database: Literal["ok"]
    keys: Literal["ok"]
    version: str
