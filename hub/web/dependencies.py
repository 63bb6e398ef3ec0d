"""FastAPI dependencies of the pages: who is signed in (`PersonDep`), may they (`page_roles`), and is this form
really from their session (`FormPersonDep`: the CSRF check, before anything else in the form is looked at)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import Depends, Request

from hub import refusals
from hub.casus import access
from hub.config import Settings
from hub.db import SessionDep
from hub.errors import SchakelError
from hub.kit.clock import utcnow
from hub.partners.models import Role
from hub.state import state_of
from hub.web import service
from hub.web.passkeys import RelyingParty
from hub.web.security import SESSION_COOKIE, check_csrf
from hub.web.service import Person

ROLE_NAMES = {
    Role.PRIVACY_OFFICER: "privacy officers",
    Role.DPIA_REVIEWER: "DPIA-reviewers",
    Role.OPERATOR: "beheerders",
    Role.PROCESREGISSEUR: "procesregisseurs",
}


class SignInRequired(SchakelError):
    """No valid session: a page answers with the sign-in page (a redirect), never with data."""

    status = 401
    title = "Aanmelden vereist"
    code = "aanmelden-vereist"


def settings_of(request: Request) -> Settings:
    return state_of(request.app).settings


SettingsDep = Annotated[Settings, Depends(settings_of)]


def relying_party(request: Request) -> RelyingParty:
    return RelyingParty.of(settings_of(request))


RelyingPartyDep = Annotated[RelyingParty, Depends(relying_party)]


async def current_person(request: Request, session: SessionDep) -> Person:
    person = service.resolve(session, request.cookies.get(SESSION_COOKIE), settings_of(request), utcnow())
    if person is None:
        raise SignInRequired("meld u aan om deze pagina te zien")
    request.state.person = person
    structlog.contextvars.bind_contextvars(partner_id=person.partner_id, principal_id=person.principal_id)
    return person


PersonDep = Annotated[Person, Depends(current_person)]


def page_roles(*roles: Role) -> Callable[[Person], Awaitable[Person]]:
    """A dependency that lets only people with one of `roles` see the page."""
    allowed = frozenset(roles)

    async def check(person: PersonDep) -> Person:
        if not person.has_any(allowed):
            names = ", ".join(ROLE_NAMES.get(role, str(role)) for role in sorted(allowed))
            raise refusals.RoleMissing(f"deze pagina is alleen voor {names}")
        return person

    return check


async def form_person(request: Request, person: PersonDep) -> Person:
    """The signed-in person, once the posted form carries their session's CSRF token from the hub's own origin."""
    form = await request.form()
    sent = form.get("csrf")
    check_csrf(request, settings_of(request), person.csrf_token, sent if isinstance(sent, str) else None)
    return person


FormPersonDep = Annotated[Person, Depends(form_person)]


def form_roles(*roles: Role) -> Callable[[Person], Awaitable[Person]]:
    """A posted form of someone with one of `roles` (CSRF checked first)."""
    allowed = frozenset(roles)

    async def check(person: FormPersonDep) -> Person:
        if not person.has_any(allowed):
            names = ", ".join(ROLE_NAMES.get(role, str(role)) for role in sorted(allowed))
            raise refusals.RoleMissing(f"dit mag alleen door {names}")
        return person

    return check


ReaderPage = Annotated[Person, Depends(page_roles(Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER, Role.OPERATOR))]
ReviewerPage = Annotated[Person, Depends(page_roles(Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER))]
OfficerPage = Annotated[Person, Depends(page_roles(Role.PRIVACY_OFFICER))]
OperatorPage = Annotated[Person, Depends(page_roles(Role.OPERATOR))]
OfficerForm = Annotated[Person, Depends(form_roles(Role.PRIVACY_OFFICER))]
ReviewerForm = Annotated[Person, Depends(form_roles(Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER))]
OperatorForm = Annotated[Person, Depends(form_roles(Role.OPERATOR))]
CasusPage = Annotated[Person, Depends(page_roles(*access.READERS))]
"""Who reads casussen, their deadlines and the annual figures: `hub/casus/access.py` decides which."""
RegisseurForm = Annotated[Person, Depends(form_roles(Role.PROCESREGISSEUR))]
