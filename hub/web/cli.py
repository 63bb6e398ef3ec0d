"""`schakel account`: web accounts for people (passkey enrolment links), and `schakel bevestiging`: check a
four-eyes act's passkey confirmation offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hub.config import get_settings
from hub.kit.cli import JsonOption, cli_actor, open_database

account_app = typer.Typer(
    rich_markup_mode=None, help="Accounts van personen voor de webpagina's (passkeys).", no_args_is_help=True
)
bevestiging_app = typer.Typer(
    rich_markup_mode=None, help="Bevestigingen met een passkey van vier-ogenbesluiten.", no_args_is_help=True
)


@account_app.command("add")
def add(
    principal: Annotated[str, typer.Argument(help="De principal van de persoon, bijv. zvh-zuid-limburg-fg.")],
) -> None:
    """Maak een eenmalige inschrijflink waarmee de persoon een passkey maakt en zich aanmeldt."""
    from hub.kit.clock import utcnow  # noqa: PLC0415 - keeps `schakel --help` fast
    from hub.web import service  # noqa: PLC0415

    settings = get_settings()
    with open_database() as database, database.unit_of_work() as session:
        token = service.create_enrolment(session, cli_actor(), principal, settings, utcnow())
    print(f"Inschrijflink voor {principal} (eenmalig, {settings.enrolment_valid_hours} uur geldig):")
    print(f"  {service.enrolment_url(settings, token)}")


@account_app.command("list")
def list_accounts(as_json: JsonOption = False) -> None:
    """Toon wie een passkey heeft, en welke inschrijflinks nog open staan."""
    from hub.kit.clock import utcnow  # noqa: PLC0415
    from hub.web import repository  # noqa: PLC0415
    from hub.web.render import dutch_datetime  # noqa: PLC0415

    with open_database() as database, database.unit_of_work(immediate=False) as session:
        keys = repository.all_passkeys(session)
        links = repository.open_enrolments(session, utcnow())
        if as_json:
            passkeys = [
                {
                    "principal": k.principal_id,
                    "naam": k.naam,
                    "ingetrokken": k.revoked_at is not None,
                    "laatstGebruikt": k.last_used_at.isoformat() if k.last_used_at else None,
                }
                for k in keys
            ]
            open_links = [{"principal": x.principal_id, "geldigTot": x.expires_at.isoformat()} for x in links]
            print(json.dumps({"passkeys": passkeys, "inschrijflinks": open_links}, indent=2, ensure_ascii=False))
            return
        for key in keys:
            state = "ingetrokken" if key.revoked_at else f"laatst gebruikt {dutch_datetime(key.last_used_at)}"
            print(f"{key.principal_id}: passkey '{key.naam}' ({state})")
        for link in links:
            print(f"{link.principal_id}: inschrijflink open tot {dutch_datetime(link.expires_at)}")
        if not keys and not links:
            print("Nog geen accounts.")


@bevestiging_app.command("controleer")
def check(
    bestand: Annotated[Path, typer.Argument(help="Een bevestiging zoals de hub die geeft (JSON).")],
    origin: Annotated[
        str | None, typer.Option(help="De website waarop u de bevestiging verwacht, bijv. https://schakel.zvh.nl.")
    ] = None,
) -> None:
    """Controleer offline wie met een passkey precies welk besluit bevestigde."""
    from hub.web.confirm import NotConfirmed, verify  # noqa: PLC0415

    try:
        record = json.loads(bestand.read_text(encoding="utf-8"))
        proven = verify(record, expected_origin=origin)
    except (OSError, ValueError) as exc:
        reason = str(exc) if isinstance(exc, NotConfirmed) else f"{bestand} is geen leesbaar JSON-bestand"
        print(f"NIET BEWEZEN: {reason}")
        raise typer.Exit(1) from None
    print(
        f"BEWEZEN: {proven.door} bevestigde '{proven.handeling}' van {proven.object_id} op {proven.origin}, "
        "met een ontgrendelde passkey."
    )
