"""Response models of the operational endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hub.kit.api import ApiModel


class HealthReden(ApiModel):
    code: str = Field(
        description="`convenant-onleesbaar`, `convenant-oud-formaat`, `onbestelbare-leveringen`, "
        "`levering-wacht-lang`, `controlepunt-oud`, `getuige-achter`, `log-teruggezet` or `schijf-bijna-vol`."
    )
    detail: str = Field(description="What is the matter, in Dutch, for the operator.")


class Health(ApiModel):
    status: Literal["ok", "degraded"] = Field(
        description="`degraded`: the hub answers, but something needs the operator (`redenen` says what)."
    )
    database: Literal["ok"]
    version: str
    redenen: list[HealthReden] = Field(default_factory=list)


class Liveness(ApiModel):
    status: Literal["ok"]
    version: str


class Readiness(ApiModel):
    status: Literal["ok"]
    database: Literal["ok"]
    keys: Literal["ok"]
    version: str
