"""The partner registry's logic. Every change is written to the admin audit trail in the same transaction."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session

from connectors import KeyFileError, jwk_thumbprint, public_key_from_jwk
from hub import refusals
from hub.audit import service as audit
from hub.kit.clock import utcnow
from hub.kit.ids import KID_PATTERN
from hub.partners import repository
from hub.partners.models import DeliveryMode, Partner, PartnerStatus, Principal, PrincipalKey, PrincipalStatus
from hub.partners.schemas import KeyCreate, PartnerCreate, PartnerUpdate, PrincipalCreate, PrincipalUpdate

_LOOPBACK_NAMES = {"localhost"}


def check_webhook_url(url: str) -> str:
    """A webhook must be https; plain http is accepted for loopback addresses only (development and tests)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise refusals.WebhookUrlInvalid("webhookUrl must be an absolute https URL")
    if parts.username or parts.password or parts.fragment:
        raise refusals.WebhookUrlInvalid("webhookUrl must not contain credentials or a fragment")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise refusals.WebhookUrlInvalid("webhookUrl must use https (http only for loopback)")
    return url


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _delivery(mode: DeliveryMode, webhook_url: str | None) -> str | None:
    if mode == DeliveryMode.WEBHOOK:
        if not webhook_url:
            raise refusals.WebhookUrlMissing("delivery mode webhook needs a webhookUrl")
        return check_webhook_url(webhook_url)
    if webhook_url:
        raise refusals.WebhookUrlUnexpected("delivery mode inbox takes no webhookUrl")
    return None


# Partners


def get_partner(session: Session, partner_id: str) -> Partner:
    partner = repository.get_partner(session, partner_id)
    if partner is None:
        raise refusals.PartnerNotFound(f"there is no partner {partner_id!r}")
    return partner


def list_partners(session: Session, *, after: str | None = None, limit: int | None = None) -> Sequence[Partner]:
    return repository.list_partners(session, after=after, limit=limit)


def create_partner(session: Session, actor: str, data: PartnerCreate) -> Partner:
    if repository.get_partner(session, data.id) is not None:
        raise refusals.PartnerExists(f"partner {data.id!r} exists already")
    if repository.partner_by_oin(session, data.oin) is not None:
        raise refusals.OinInUse("another partner has this OIN")
    now = utcnow()
    partner = Partner(
        id=data.id,
        naam=data.naam,
        soort=data.soort,
        oin=data.oin,
        delivery_mode=data.delivery_mode,
        webhook_url=_delivery(data.delivery_mode, data.webhook_url),
        werkgebied=sorted(set(data.werkgebied)),
        status=PartnerStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, partner)
    audit.record(
        session,
        actor=actor,
        action="partner.created",
        target_type="partner",
        target_id=partner.id,
        details={
            "soort": partner.soort,
            "oin": partner.oin,
            "deliveryMode": partner.delivery_mode,
            "werkgebied": partner.werkgebied,
        },
    )
    return partner


def update_partner(session: Session, actor: str, partner_id: str, data: PartnerUpdate) -> Partner:
    partner = get_partner(session, partner_id)
    changes = data.model_dump(exclude_unset=True)
    before = {field: getattr(partner, field) for field in changes}
    if "naam" in changes and data.naam is not None:
        partner.naam = data.naam
    if "delivery_mode" in changes or "webhook_url" in changes:
        mode = data.delivery_mode or partner.delivery_mode
        url = data.webhook_url if "webhook_url" in changes else partner.webhook_url
        if mode == DeliveryMode.INBOX and "webhook_url" not in changes:
            url = None
        partner.webhook_url = _delivery(mode, url)
        partner.delivery_mode = mode
    if data.werkgebied is not None:
        partner.werkgebied = sorted(set(data.werkgebied))
    if data.status is not None:
        partner.status = data.status
    partner.updated_at = utcnow()
    repository.add(session, partner)
    action = "partner.updated"
    if set(changes) == {"status"}:
        action = "partner.suspended" if data.status == PartnerStatus.SUSPENDED else "partner.activated"
    audit.record(
        session,
        actor=actor,
        action=action,
        target_type="partner",
        target_id=partner.id,
        details={"changed": sorted(changes), "before": _jsonable(before)},
    )
    return partner


# Principals


def get_principal(session: Session, principal_id: str) -> Principal:
    principal = repository.get_principal(session, principal_id)
    if principal is None:
        raise refusals.PrincipalNotFound(f"there is no principal {principal_id!r}")
    return principal


def list_principals(
    session: Session, partner_id: str | None = None, *, after: str | None = None, limit: int | None = None
) -> Sequence[Principal]:
    return repository.list_principals(session, partner_id, after=after, limit=limit)


def create_principal(session: Session, actor: str, data: PrincipalCreate) -> Principal:
    get_partner(session, data.partner_id)
    if repository.get_principal(session, data.id) is not None:
        raise refusals.PrincipalExists(f"principal {data.id!r} exists already")
    now = utcnow()
    principal = Principal(
        id=data.id,
        partner_id=data.partner_id,
        soort=data.soort,
        roles=[str(role) for role in data.roles],
        status=PrincipalStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, principal)
    audit.record(
        session,
        actor=actor,
        action="principal.created",
        target_type="principal",
        target_id=principal.id,
        details={"partnerId": principal.partner_id, "soort": principal.soort, "roles": principal.roles},
    )
    return principal


def update_principal(session: Session, actor: str, principal_id: str, data: PrincipalUpdate) -> Principal:
    principal = get_principal(session, principal_id)
    if data.roles is not None and [str(r) for r in data.roles] != principal.roles:
        before = principal.roles
        principal.roles = [str(role) for role in data.roles]
        audit.record(
            session,
            actor=actor,
            action="principal.roles_changed",
            target_type="principal",
            target_id=principal.id,
            details={"before": before, "after": principal.roles},
        )
    if data.status is not None and data.status != principal.status:
        principal.status = data.status
        audit.record(
            session,
            actor=actor,
            action="principal.disabled" if data.status == PrincipalStatus.DISABLED else "principal.enabled",
            target_type="principal",
            target_id=principal.id,
            details={},
        )
    principal.updated_at = utcnow()
    repository.add(session, principal)
    return principal


# Keys


def list_keys(
    session: Session, principal_id: str, *, after: str | None = None, limit: int | None = None
) -> Sequence[PrincipalKey]:
    get_principal(session, principal_id)
    return repository.list_keys(session, principal_id, after=after, limit=limit)


def add_key(session: Session, actor: str, principal_id: str, data: KeyCreate) -> PrincipalKey:
    principal = get_principal(session, principal_id)
    jwk = data.jwk
    try:
        _, algorithm = public_key_from_jwk(jwk)
        thumbprint = jwk_thumbprint(jwk)
    except KeyFileError as exc:
        raise refusals.JwkInvalid(str(exc)) from exc
    if "alg" in jwk and jwk["alg"] != algorithm:
        raise refusals.JwkInvalid(f"the JWK says alg {jwk['alg']!r} but its key type is {algorithm}")
    kid = str(jwk.get("kid") or thumbprint)
    if not _valid_kid(kid):
        raise refusals.JwkInvalid("kid must be 8-128 characters of A-Z a-z 0-9 . _ -")
    if repository.get_key(session, kid) is not None:
        raise refusals.KidInUse("a key with this kid is registered already; kids are unique hub-wide")
    if repository.key_by_thumbprint(session, thumbprint) is not None:
        raise refusals.KeyInUse("this public key is registered already")
    public: dict[str, Any] = {k: jwk[k] for k in ("kty", "crv", "x", "y") if k in jwk}
    public.update({"kid": kid, "alg": algorithm, "use": "sig"})
    key = PrincipalKey(
        kid=kid,
        principal_id=principal.id,
        thumbprint=thumbprint,
        algorithm=algorithm,
        public_jwk=public,
        created_at=utcnow(),
    )
    repository.add(session, key)
    audit.record(
        session,
        actor=actor,
        action="key.added",
        target_type="principal_key",
        target_id=kid,
        details={"principalId": principal.id, "algorithm": algorithm, "thumbprint": thumbprint},
    )
    return key


def revoke_key(session: Session, actor: str, principal_id: str, kid: str, reason: str) -> PrincipalKey:
    key = repository.get_key(session, kid)
    if key is None or key.principal_id != principal_id:
        raise refusals.KeyNotFound(f"principal {principal_id!r} has no key {kid!r}")
    if key.revoked_at is not None:
        return key
    key.revoked_at = utcnow()
    key.revocation_reason = reason
    repository.add(session, key)
    audit.record(
        session,
        actor=actor,
        action="key.revoked",
        target_type="principal_key",
        target_id=kid,
        details={"principalId": principal_id, "reason": reason},
    )
    return key


def _valid_kid(kid: str) -> bool:
    return re.fullmatch(KID_PATTERN, kid) is not None


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if v is not None else None) for k, v in values.items()}
