"""Response models of authentication."""

from __future__ import annotations

from hub.kit.api import ApiModel
from hub.partners.models import Role


class CallerOut(ApiModel):
    partner_id: str
    principal_id: str
    roles: list[Role]
    kid: str
