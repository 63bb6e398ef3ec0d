"""`schakel partner ...` and `schakel principal ...`: manage the registry from the command line (audited)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hub.partners.soorten import DeliveryMode, PartnerSoort, PartnerStatus, PrincipalSoort, PrincipalStatus, Role

# The hub's other modules are imported inside each command: `schakel partner ... --help` starts at once.

partner_app = typer.Typer(rich_markup_mode=None, help="Partners registreren en wijzigen.", no_args_is_help=True)
principal_app = typer.Typer(
    rich_markup_mode=None, help="Principals registreren, met hun rollen en sleutels.", no_args_is_help=True
)
key_app = typer.Typer(rich_markup_mode=None, help="De publieke sleutels van een principal.", no_args_is_help=True)
principal_app.add_typer(key_app, name="key")


@partner_app.command("add")
def partner_add(
    partner_id: Annotated[str, typer.Argument(help="bijv. politie-limburg")],
    naam: Annotated[str, typer.Option(help="De naam van de organisatie.")],
    soort: Annotated[PartnerSoort, typer.Option(help="De soort organisatie.")],
    oin: Annotated[str, typer.Option(help="Organisatie-identificatienummer, 20 cijfers.")],
    werkgebied: Annotated[
        str, typer.Option(help="De CBS-gemeentecodes die hij bedient, met komma's, bijv. GM0935,GM0917.")
    ],
    webhook: Annotated[str | None, typer.Option(help="Lever via een webhook op deze https-URL.")] = None,
) -> None:
    """Registreer een partner. Zonder --webhook haalt hij zijn leveringen op uit zijn inbox."""
    from hub.kit.cli import cli_actor, emit, open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415
    from hub.partners.schemas import PartnerCreate, PartnerOut  # noqa: PLC0415

    mode = DeliveryMode.WEBHOOK if webhook else DeliveryMode.INBOX
    data = PartnerCreate(
        id=partner_id,
        naam=naam,
        soort=soort,
        oin=oin,
        delivery_mode=mode,
        webhook_url=webhook,
        werkgebied=_codes(werkgebied),
    )
    with open_database() as database, database.unit_of_work() as session:
        emit(PartnerOut.model_validate(service.create_partner(session, cli_actor(), data)))


def _codes(werkgebied: str) -> list[str]:
    return [code.strip().upper() for code in werkgebied.split(",") if code.strip()]


@partner_app.command("werkgebied")
def partner_werkgebied(
    partner_id: str,
    werkgebied: Annotated[str, typer.Argument(help="De CBS-gemeentecodes die hij bedient, met komma's.")],
) -> None:
    """Stel de gemeenten in die een partner bedient (hij ontvangt alleen meldingen over deze gemeenten)."""
    from hub.kit.cli import cli_actor, emit, open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415
    from hub.partners.schemas import PartnerOut, PartnerUpdate  # noqa: PLC0415

    with open_database() as database, database.unit_of_work() as session:
        update = PartnerUpdate(werkgebied=_codes(werkgebied))
        emit(PartnerOut.model_validate(service.update_partner(session, cli_actor(), partner_id, update)))


@partner_app.command("list")
def partner_list() -> None:
    """Toon alle partners."""
    from hub.kit.cli import open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415

    with open_database() as database, database.unit_of_work() as session:
        for partner in service.list_partners(session):
            print(f"{partner.id:32} {partner.soort:22} {partner.status:10} {partner.delivery_mode}")


@partner_app.command("show")
def partner_show(partner_id: str) -> None:
    """Toon één partner."""
    from hub.kit.cli import emit, open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415
    from hub.partners.schemas import PartnerOut  # noqa: PLC0415

    with open_database() as database, database.unit_of_work() as session:
        emit(PartnerOut.model_validate(service.get_partner(session, partner_id)))


def _set_partner_status(partner_id: str, status: PartnerStatus) -> None:
    from hub.kit.cli import cli_actor, emit, open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415
    from hub.partners.schemas import PartnerOut, PartnerUpdate  # noqa: PLC0415

    with open_database() as database, database.unit_of_work() as session:
        partner = service.update_partner(session, cli_actor(), partner_id, PartnerUpdate(status=status))
        emit(PartnerOut.model_validate(partner))


@partner_app.command("suspend")
def partner_suspend(partner_id: str) -> None:
    """Weiger meteen elk token van de principals van deze partner."""
    _set_partner_status(partner_id, PartnerStatus.SUSPENDED)


@partner_app.command("activate")
def partner_activate(partner_id: str) -> None:
    """Heropen een geschorste partner."""
    _set_partner_status(partner_id, PartnerStatus.ACTIVE)


@principal_app.command("add")
def principal_add(
    principal_id: Annotated[str, typer.Argument(help="bijv. politie-limburg-systeem")],
    partner: Annotated[str, typer.Option(help="De partner waartoe hij hoort.")],
    role: Annotated[list[Role], typer.Option(help="Een rol; herhaal voor meer rollen.")],
    soort: Annotated[PrincipalSoort, typer.Option(help="Een systeem of een persoon.")] = PrincipalSoort.SYSTEEM,
) -> None:
    """Registreer een principal (een systeem of persoon van een partner) met zijn rollen."""
    from hub.kit.cli import cli_actor, emit, open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415
    from hub.partners.schemas import PrincipalCreate, PrincipalOut  # noqa: PLC0415

    data = PrincipalCreate(id=principal_id, partner_id=partner, soort=soort, roles=role)
    with open_database() as database, database.unit_of_work() as session:
        emit(PrincipalOut.model_validate(service.create_principal(session, cli_actor(), data)))


@principal_app.command("list")
def principal_list(partner: Annotated[str | None, typer.Option(help="Alleen die van deze partner.")] = None) -> None:
    """Toon de principals, eventueel van één partner."""
    from hub.kit.cli import open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415

    with open_database() as database, database.unit_of_work() as session:
        for principal in service.list_principals(session, partner):
            roles = ",".join(principal.roles)
            print(f"{principal.id:36} {principal.partner_id:28} {principal.status:9} {roles}")


@principal_app.command("roles")
def principal_roles(
    principal_id: str, role: Annotated[list[Role], typer.Option(help="De nieuwe rollen; herhaal de optie per rol.")]
) -> None:
    """Vervang de rollen van een principal."""
    from hub.kit.cli import cli_actor, emit, open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415
    from hub.partners.schemas import PrincipalOut, PrincipalUpdate  # noqa: PLC0415

    with open_database() as database, database.unit_of_work() as session:
        principal = service.update_principal(session, cli_actor(), principal_id, PrincipalUpdate(roles=role))
        emit(PrincipalOut.model_validate(principal))


@principal_app.command("disable")
def principal_disable(principal_id: str) -> None:
    """Schakel een principal uit: zijn tokens worden meteen geweigerd."""
    from hub.kit.cli import cli_actor, emit, open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415
    from hub.partners.schemas import PrincipalOut, PrincipalUpdate  # noqa: PLC0415

    with open_database() as database, database.unit_of_work() as session:
        update = PrincipalUpdate(status=PrincipalStatus.DISABLED)
        emit(PrincipalOut.model_validate(service.update_principal(session, cli_actor(), principal_id, update)))


@principal_app.command("enable")
def principal_enable(principal_id: str) -> None:
    """Schakel een uitgeschakelde principal weer in."""
    from hub.kit.cli import cli_actor, emit, open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415
    from hub.partners.schemas import PrincipalOut, PrincipalUpdate  # noqa: PLC0415

    with open_database() as database, database.unit_of_work() as session:
        update = PrincipalUpdate(status=PrincipalStatus.ACTIVE)
        emit(PrincipalOut.model_validate(service.update_principal(session, cli_actor(), principal_id, update)))


@key_app.command("add")
def key_add(
    principal_id: str,
    jwk: Annotated[Path, typer.Option(help="Bestand met de publieke JWK (schakel-connector keygen maakt er een).")],
) -> None:
    """Registreer een publieke sleutel (JWK) van een principal."""
    from hub.kit.cli import cli_actor, emit, open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415
    from hub.partners.schemas import KeyCreate, KeyOut  # noqa: PLC0415

    data = KeyCreate(jwk=json.loads(jwk.read_text(encoding="utf-8")))
    with open_database() as database, database.unit_of_work() as session:
        emit(KeyOut.model_validate(service.add_key(session, cli_actor(), principal_id, data)))


@key_app.command("list")
def key_list(principal_id: str) -> None:
    """Toon de sleutels van een principal, geldig of ingetrokken."""
    from hub.kit.cli import open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415

    with open_database() as database, database.unit_of_work() as session:
        for key in service.list_keys(session, principal_id):
            state = f"revoked {key.revoked_at:%Y-%m-%d} ({key.revocation_reason})" if key.revoked_at else "valid"
            print(f"{key.kid:48} {key.algorithm:6} {state}")


@key_app.command("revoke")
def key_revoke(
    principal_id: str,
    kid: str,
    reason: Annotated[str, typer.Option(help="superseded (vervangen), compromised (gelekt) of retired")] = "superseded",
) -> None:
    """Trek een sleutel in: tokens die ermee zijn ondertekend, worden meteen geweigerd."""
    from hub.kit.cli import cli_actor, emit, open_database  # noqa: PLC0415
    from hub.partners import service  # noqa: PLC0415
    from hub.partners.schemas import KeyOut  # noqa: PLC0415

    with open_database() as database, database.unit_of_work() as session:
        emit(KeyOut.model_validate(service.revoke_key(session, cli_actor(), principal_id, kid, reason)))
