"""`schakel partner ...` and `schakel principal ...`: manage the registry from the command line (audited)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hub.kit.cli import cli_actor, emit, open_database
from hub.partners import service
from hub.partners.models import (
    DeliveryMode,
    PartnerSoort,
    PartnerStatus,
    PrincipalSoort,
    PrincipalStatus,
    Role,
)
from hub.partners.schemas import (
    KeyCreate,
    KeyOut,
    PartnerCreate,
    PartnerOut,
    PartnerUpdate,
    PrincipalCreate,
    PrincipalOut,
    PrincipalUpdate,
)

partner_app = typer.Typer(help="Register and change partners.", no_args_is_help=True)
principal_app = typer.Typer(help="Register principals, their roles and their keys.", no_args_is_help=True)
key_app = typer.Typer(help="A principal's public keys.", no_args_is_help=True)
principal_app.add_typer(key_app, name="key")


@partner_app.command("add")
def partner_add(
    partner_id: Annotated[str, typer.Argument(help="e.g. politie-limburg")],
    naam: Annotated[str, typer.Option(help="The organisation's name.")],
    soort: Annotated[PartnerSoort, typer.Option(help="The kind of organisation.")],
    oin: Annotated[str, typer.Option(help="Organisatie-identificatienummer, 20 digits.")],
    werkgebied: Annotated[
        str, typer.Option(help="The CBS gemeentecodes it serves, comma-separated, e.g. GM0935,GM0917.")
    ],
    webhook: Annotated[str | None, typer.Option(help="Deliver by webhook to this https URL.")] = None,
) -> None:
    """Register a partner. Without --webhook it collects its deliveries from its inbox."""
    mode = DeliveryMode.WEBHOOK if webhook else DeliveryMode.INBOX
    data = PartnerCreate(
        id=partner_id, naam=naam, soort=soort, oin=oin, delivery_mode=mode, webhook_url=webhook,
        werkgebied=_codes(werkgebied),
    )  # fmt: skip
    with open_database() as database, database.unit_of_work() as session:
        emit(PartnerOut.model_validate(service.create_partner(session, cli_actor(), data)))


def _codes(werkgebied: str) -> list[str]:
    return [code.strip().upper() for code in werkgebied.split(",") if code.strip()]


@partner_app.command("werkgebied")
def partner_werkgebied(
    partner_id: str,
    werkgebied: Annotated[str, typer.Argument(help="The CBS gemeentecodes it serves, comma-separated.")],
) -> None:
    """Set the gemeenten a partner serves (it receives meldingen only about these)."""
    with open_database() as database, database.unit_of_work() as session:
        update = PartnerUpdate(werkgebied=_codes(werkgebied))
        emit(PartnerOut.model_validate(service.update_partner(session, cli_actor(), partner_id, update)))


@partner_app.command("list")
def partner_list() -> None:
    with open_database() as database, database.unit_of_work() as session:
        for partner in service.list_partners(session):
            print(f"{partner.id:32} {partner.soort:22} {partner.status:10} {partner.delivery_mode}")


@partner_app.command("show")
def partner_show(partner_id: str) -> None:
    with open_database() as database, database.unit_of_work() as session:
        emit(PartnerOut.model_validate(service.get_partner(session, partner_id)))


def _set_partner_status(partner_id: str, status: PartnerStatus) -> None:
    with open_database() as database, database.unit_of_work() as session:
        partner = service.update_partner(session, cli_actor(), partner_id, PartnerUpdate(status=status))
        emit(PartnerOut.model_validate(partner))


@partner_app.command("suspend")
def partner_suspend(partner_id: str) -> None:
    """Refuse every token of this partner's principals, at once."""
    _set_partner_status(partner_id, PartnerStatus.SUSPENDED)


@partner_app.command("activate")
def partner_activate(partner_id: str) -> None:
    _set_partner_status(partner_id, PartnerStatus.ACTIVE)


@principal_app.command("add")
def principal_add(
    principal_id: Annotated[str, typer.Argument(help="e.g. politie-limburg-systeem")],
    partner: Annotated[str, typer.Option(help="The partner it belongs to.")],
    role: Annotated[list[Role], typer.Option(help="A role; repeat for several.")],
    soort: Annotated[PrincipalSoort, typer.Option(help="A system or a person.")] = PrincipalSoort.SYSTEEM,
) -> None:
    data = PrincipalCreate(id=principal_id, partner_id=partner, soort=soort, roles=role)
    with open_database() as database, database.unit_of_work() as session:
        emit(PrincipalOut.model_validate(service.create_principal(session, cli_actor(), data)))


@principal_app.command("list")
def principal_list(partner: Annotated[str | None, typer.Option(help="Only this partner's.")] = None) -> None:
    with open_database() as database, database.unit_of_work() as session:
        for principal in service.list_principals(session, partner):
            roles = ",".join(principal.roles)
            print(f"{principal.id:36} {principal.partner_id:28} {principal.status:9} {roles}")


@principal_app.command("roles")
def principal_roles(
    principal_id: str, role: Annotated[list[Role], typer.Option(help="The new set of roles; repeat.")]
) -> None:
    """Replace a principal's roles."""
    with open_database() as database, database.unit_of_work() as session:
        principal = service.update_principal(session, cli_actor(), principal_id, PrincipalUpdate(roles=role))
        emit(PrincipalOut.model_validate(principal))


@principal_app.command("disable")
def principal_disable(principal_id: str) -> None:
    with open_database() as database, database.unit_of_work() as session:
        update = PrincipalUpdate(status=PrincipalStatus.DISABLED)
        emit(PrincipalOut.model_validate(service.update_principal(session, cli_actor(), principal_id, update)))


@principal_app.command("enable")
def principal_enable(principal_id: str) -> None:
    with open_database() as database, database.unit_of_work() as session:
        update = PrincipalUpdate(status=PrincipalStatus.ACTIVE)
        emit(PrincipalOut.model_validate(service.update_principal(session, cli_actor(), principal_id, update)))


@key_app.command("add")
def key_add(
    principal_id: str,
    jwk: Annotated[Path, typer.Option(help="File with the public JWK (schakel-connector keygen writes one).")],
) -> None:
    data = KeyCreate(jwk=json.loads(jwk.read_text(encoding="utf-8")))
    with open_database() as database, database.unit_of_work() as session:
        emit(KeyOut.model_validate(service.add_key(session, cli_actor(), principal_id, data)))


@key_app.command("list")
def key_list(principal_id: str) -> None:
    with open_database() as database, database.unit_of_work() as session:
        for key in service.list_keys(session, principal_id):
            state = f"revoked {key.revoked_at:%Y-%m-%d} ({key.revocation_reason})" if key.revoked_at else "valid"
            print(f"{key.kid:48} {key.algorithm:6} {state}")


@key_app.command("revoke")
def key_revoke(
    principal_id: str,
    kid: str,
    reason: Annotated[str, typer.Option(help="superseded, compromised or retired")] = "superseded",
) -> None:
    """Revoke a key: tokens signed with it are refused at once."""
    with open_database() as database, database.unit_of_work() as session:
        emit(KeyOut.model_validate(service.revoke_key(session, cli_actor(), principal_id, kid, reason)))
