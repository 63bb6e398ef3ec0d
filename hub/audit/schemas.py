"""Response models of the admin audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
    next_after: int | None
    """Pass as `na` to get the next page; null when this is the last page."""
