"""HTTP routes of the partner registry. Reading: operators, privacy officers, DPIA reviewers. Changing: operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from hub.auth.dependencies import require_roles
from hub.auth.service import Caller
from hub.db import SessionDep
from hub.kit.api import name_path
from hub.kit.ids import SLUG_PATTERN
from hub.kit.openapi import API_PREFIX
from hub.kit.paging import Limit, NameCursor, cut
from hub.partners import service
from hub.partners.models import Role
from hub.partners.schemas import (
    KeyCreate,
    KeyOut,
    KeyPage,
    PartnerCreate,
    PartnerOut,
    PartnerPage,
    PartnerUpdate,
    PrincipalCreate,
    PrincipalOut,
    PrincipalPage,
    PrincipalUpdate,
)

router = APIRouter(prefix=API_PREFIX, tags=["partners"])

Reader = Annotated[Caller, Depends(require_roles(Role.OPERATOR, Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER))]
Operator = Annotated[Caller, Depends(require_roles(Role.OPERATOR))]


@router.get(
    "/partners",
    summary="List the partners",
    description="Every registered partner, active and suspended, ordered by id.",
)
def list_partners(_: Reader, session: SessionDep, na: NameCursor = None, limit: Limit = 100) -> PartnerPage:
    rows, volgende = cut(service.list_partners(session, after=na, limit=limit), limit, lambda p: p.id)
    return PartnerPage(items=[PartnerOut.model_validate(p) for p in rows], volgende=volgende)


@router.post(
    "/partners",
    status_code=status.HTTP_201_CREATED,
    summary="Register a partner",
    description="A webhook URL must be https (http only on loopback). Recorded in the admin audit trail.",
)
def create_partner(body: PartnerCreate, caller: Operator, session: SessionDep) -> PartnerOut:
    return PartnerOut.model_validate(service.create_partner(session, caller.principal_id, body))


@router.get("/partners/{partnerId}", summary="One partner", description="A partner by its id.")
def get_partner(partner_id: Annotated[str, name_path("partnerId")], _: Reader, session: SessionDep) -> PartnerOut:
    return PartnerOut.model_validate(service.get_partner(session, partner_id))


@router.patch(
    "/partners/{partnerId}",
    summary="Change a partner",
    description="Rename, change the delivery mode or webhook, or suspend (`status: suspended`) and re-activate.",
)
def update_partner(
    partner_id: Annotated[str, name_path("partnerId")], body: PartnerUpdate, caller: Operator, session: SessionDep
) -> PartnerOut:
    return PartnerOut.model_validate(service.update_partner(session, caller.principal_id, partner_id, body))


@router.get(
    "/principals",
    summary="List the principals",
    description="Every principal (system or person), optionally only those of one partner (`partnerId`).",
)
def list_principals(
    _: Reader,
    session: SessionDep,
    partner_id: Annotated[str | None, Query(alias="partnerId", pattern=SLUG_PATTERN)] = None,
    na: NameCursor = None,
    limit: Limit = 100,
) -> PrincipalPage:
    found = service.list_principals(session, partner_id, after=na, limit=limit)
    rows, volgende = cut(found, limit, lambda p: p.id)
    return PrincipalPage(items=[PrincipalOut.model_validate(p) for p in rows], volgende=volgende)


@router.post(
    "/principals",
    status_code=status.HTTP_201_CREATED,
    summary="Register a principal",
    description="A system or person of an existing partner, with one or more roles. Audited.",
)
def create_principal(body: PrincipalCreate, caller: Operator, session: SessionDep) -> PrincipalOut:
    return PrincipalOut.model_validate(service.create_principal(session, caller.principal_id, body))


@router.get("/principals/{principalId}", summary="One principal", description="A principal by its id.")
def get_principal(
    principal_id: Annotated[str, name_path("principalId")], _: Reader, session: SessionDep
) -> PrincipalOut:
    return PrincipalOut.model_validate(service.get_principal(session, principal_id))


@router.patch(
    "/principals/{principalId}",
    summary="Change a principal's roles or status",
    description="`roles` replaces the whole set; `status: disabled` refuses every token of this principal.",
)
def update_principal(
    principal_id: Annotated[str, name_path("principalId")], body: PrincipalUpdate, caller: Operator, session: SessionDep
) -> PrincipalOut:
    return PrincipalOut.model_validate(service.update_principal(session, caller.principal_id, principal_id, body))


@router.get(
    "/principals/{principalId}/sleutels",
    summary="A principal's public keys",
    description="Every key ever registered for the principal, revoked ones included (with when and why).",
)
def list_keys(
    principal_id: Annotated[str, name_path("principalId")],
    _: Reader,
    session: SessionDep,
    na: NameCursor = None,
    limit: Limit = 100,
) -> KeyPage:
    rows, volgende = cut(service.list_keys(session, principal_id, after=na, limit=limit), limit, lambda k: k.kid)
    return KeyPage(items=[KeyOut.model_validate(k) for k in rows], volgende=volgende)


@router.post(
    "/principals/{principalId}/sleutels",
    status_code=status.HTTP_201_CREATED,
    summary="Register a public key",
    description="Several keys can be valid at once, so a partner can roll over without downtime.",
)
def add_key(
    principal_id: Annotated[str, name_path("principalId")], body: KeyCreate, caller: Operator, session: SessionDep
) -> KeyOut:
    return KeyOut.model_validate(service.add_key(session, caller.principal_id, principal_id, body))


@router.delete(
    "/principals/{principalId}/sleutels/{kid}",
    summary="Revoke a key",
    description="Tokens signed with a revoked key are refused at once. The key stays listed, marked revoked.",
)
def revoke_key(
    principal_id: Annotated[str, name_path("principalId")],
    kid: str,
    caller: Operator,
    session: SessionDep,
    reden: Annotated[str, Query(pattern=r"^(superseded|compromised|retired)$")] = "superseded",
) -> KeyOut:
    return KeyOut.model_validate(service.revoke_key(session, caller.principal_id, principal_id, kid, reden))
