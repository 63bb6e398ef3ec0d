"""The registry for operators: partners, their principals and keys. Register, suspend, revoke and roll over
through the same `service` calls as the API; every change lands in the admin audit trail there."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from hub.db import SessionDep
from hub.errors import SchakelError
from hub.partners import service
from hub.partners.models import DeliveryMode, PartnerSoort, PartnerStatus, PrincipalSoort, PrincipalStatus, Role
from hub.partners.schemas import KeyCreate, PartnerCreate, PartnerUpdate, PrincipalCreate, PrincipalUpdate
from hub.web.dependencies import OperatorForm, OperatorPage
from hub.web.render import page
from hub.web.wording import zin

router = APIRouter(prefix="/beheer/partners", include_in_schema=False)


def _fields(exc: ValidationError) -> str:
    return "Controleer: " + ", ".join(sorted({str(e["loc"][-1]) for e in exc.errors()})) + "."


@router.get("")
def partners(request: Request, _: OperatorPage, session: SessionDep) -> Response:
    return _partners(request, session, "")


def _partners(request: Request, session: SessionDep, fout: str) -> Response:
    context = {
        "partners": service.list_partners(session),
        "soorten": list(PartnerSoort),
        "bezorgwijzen": list(DeliveryMode),
        "fout": fout[:300],
    }
    return page(request, "partners/partners.html", context, status_code=422 if fout else 200)


@router.post("")
def register(
    request: Request,
    person: OperatorForm,
    session: SessionDep,
    partner_id: Annotated[str, Form(alias="id", max_length=64)],
    naam: Annotated[str, Form(max_length=200)],
    soort: Annotated[str, Form(max_length=40)],
    oin: Annotated[str, Form(max_length=20)],
    werkgebied: Annotated[str, Form(max_length=4000)],
    bezorging: Annotated[str, Form(max_length=16)] = "inbox",
    webhook: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        data = PartnerCreate.model_validate(
            {
                "id": partner_id.strip(),
                "naam": naam.strip(),
                "soort": soort,
                "oin": oin.strip(),
                "delivery_mode": bezorging,
                "webhook_url": webhook.strip() or None,
                "werkgebied": [code for code in werkgebied.replace(",", " ").split() if code],
            }
        )
        service.create_partner(session, person.principal_id, data)
    except ValidationError as exc:
        return _partners(request, session, _fields(exc))
    except SchakelError as exc:
        if exc.status >= 500:
            raise
        return _partners(request, session, zin(exc))
    return RedirectResponse(f"/beheer/partners/{data.id}", status_code=303)


@router.get("/{partner_id}")
def partner(request: Request, partner_id: str, _: OperatorPage, session: SessionDep) -> Response:
    return _partner(request, session, partner_id, "")


def _partner(request: Request, session: SessionDep, partner_id: str, fout: str) -> Response:
    found = service.get_partner(session, partner_id[:64])
    principals = service.list_principals(session, found.id)
    context = {
        "partner": found,
        "principals": [(p, service.list_keys(session, p.id)) for p in principals],
        "rollen": list(Role),
        "fout": fout[:300],
    }
    return page(request, "partners/partner.html", context, status_code=422 if fout else 200)


@router.post("/{partner_id}/status")
def partner_status(
    partner_id: str, person: OperatorForm, session: SessionDep, status: Annotated[PartnerStatus, Form()]
) -> Response:
    service.update_partner(session, person.principal_id, partner_id[:64], PartnerUpdate(status=status))
    return RedirectResponse(f"/beheer/partners/{partner_id}", status_code=303)


@router.post("/{partner_id}/principals")
def add_principal(
    request: Request,
    partner_id: str,
    person: OperatorForm,
    session: SessionDep,
    principal_id: Annotated[str, Form(alias="id", max_length=64)],
    soort: Annotated[PrincipalSoort, Form()],
    rollen: Annotated[list[str], Form(max_length=4)],
) -> Response:
    try:
        data = PrincipalCreate.model_validate(
            {"id": principal_id.strip(), "partner_id": partner_id[:64], "soort": soort, "roles": rollen}
        )
        service.create_principal(session, person.principal_id, data)
    except ValidationError as exc:
        return _partner(request, session, partner_id, _fields(exc))
    except SchakelError as exc:
        if exc.status >= 500:
            raise
        return _partner(request, session, partner_id, zin(exc))
    return RedirectResponse(f"/beheer/partners/{partner_id}", status_code=303)


@router.post("/{partner_id}/principals/{principal_id}/status")
def principal_status(
    partner_id: str,
    principal_id: str,
    person: OperatorForm,
    session: SessionDep,
    status: Annotated[PrincipalStatus, Form()],
) -> Response:
    service.update_principal(session, person.principal_id, principal_id[:64], PrincipalUpdate(status=status))
    return RedirectResponse(f"/beheer/partners/{partner_id}", status_code=303)


@router.post("/{partner_id}/principals/{principal_id}/sleutels")
def add_key(
    request: Request,
    partner_id: str,
    principal_id: str,
    person: OperatorForm,
    session: SessionDep,
    jwk: Annotated[str, Form(max_length=8000)],
) -> Response:
    """Register a new public key (a roll-over: the old one stays valid until it is revoked)."""
    try:
        service.add_key(session, person.principal_id, principal_id[:64], KeyCreate(jwk=json.loads(jwk)))
    except (ValueError, ValidationError):
        return _partner(request, session, partner_id, "De sleutel is geen geldige publieke JWK (JSON).")
    except SchakelError as exc:
        if exc.status >= 500:
            raise
        return _partner(request, session, partner_id, zin(exc))
    return RedirectResponse(f"/beheer/partners/{partner_id}", status_code=303)


@router.post("/{partner_id}/principals/{principal_id}/sleutels/{kid}/intrekking")
def revoke_key(
    partner_id: str,
    principal_id: str,
    kid: str,
    person: OperatorForm,
    session: SessionDep,
    reden: Annotated[str, Form(pattern=r"^(superseded|compromised|retired)$")] = "superseded",
) -> Response:
    service.revoke_key(session, person.principal_id, principal_id[:64], kid[:128], reden)
    return RedirectResponse(f"/beheer/partners/{partner_id}", status_code=303)
