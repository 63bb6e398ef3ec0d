"""Rendering pages: one Jinja2 environment (autoescaped), the layout's context, and the navigation per role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from hub.kit.clock import day_in_words, moment_in_words
from hub.kit.clock import dutch_date as dutch_day
from hub.partners.models import Role
from hub.web.service import Person

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: str
    roles: frozenset[Role]


_READERS = frozenset({Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER, Role.OPERATOR})
NAVIGATION = (
    NavItem("/", "Overzicht", _READERS | {Role.PROCESREGISSEUR}),
    NavItem("/casussen", "Casussen", frozenset({Role.PROCESREGISSEUR, Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER})),
    NavItem("/convenant", "Convenant", _READERS),
    NavItem("/verstrekkingenlog", "Verstrekkingenlog", frozenset({Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER})),
    NavItem("/inzage", "Inzageverzoek", frozenset({Role.PRIVACY_OFFICER})),
    NavItem("/betrokkenen", "Heridentificatie en vergetelheid", frozenset({Role.PRIVACY_OFFICER})),
    NavItem("/beheer", "Beheer", frozenset({Role.OPERATOR})),
)


def dutch_datetime(value: datetime | None) -> str:
    """`1 december 2026 om 11:20`, in Dutch time."""
    if value is None:
        return "—"
    return moment_in_words(value)


def dutch_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    return day_in_words(dutch_day(value) if isinstance(value, datetime) else value)


def thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@cache
def templates() -> Jinja2Templates:
    found = Jinja2Templates(directory=TEMPLATES)
    found.env.filters["datumtijd"] = dutch_datetime
    found.env.filters["datum"] = dutch_date
    found.env.filters["duizendtallen"] = thousands
    found.env.trim_blocks = True
    found.env.lstrip_blocks = True
    return found


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    person: Person | None = None,
) -> Response:
    """Render template `name` in the layout, for the signed-in `person` (or whoever this request established)."""
    person = person or getattr(request.state, "person", None)
    navigation = [item for item in NAVIGATION if person is not None and person.has_any(item.roles)]
    return templates().TemplateResponse(
        request,
        name,
        {
            "person": person,
            "csrf": person.csrf_token if person else "",
            "navigation": navigation,
            "current": request.url.path,
            **(context or {}),
        },
        status_code=status_code,
    )
