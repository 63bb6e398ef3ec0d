"""Response models of the admin audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hub.kit.api import ApiModel


class AuditEventOut(ApiModel):
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]


class AuditPage(ApiModel):
    items: list[AuditEventOut]
    volgende: int | None = Field(description="Pass as `na` for the next page; null on the last page.")
