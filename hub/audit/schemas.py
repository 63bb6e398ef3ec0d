"""Response models of the admin audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.kit.api import ApiModel
from hub.kit.paging import Pagina


class AuditEventOut(ApiModel):
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]


class AuditPage(Pagina[AuditEventOut, int]):
    """Events, oldest first; the cursor is an event id."""
