"""`schakel betrokkene ...` (erasure, four eyes, through the API) and `schakel pseudoniem ...` (key rotation)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from hub.audit import service as audit
from hub.config import get_settings
from hub.kit.cli import HubOption, KeyOption, PartnerOption, PrincipalOption, cli_actor, officer_client, open_database
from hub.kit.clock import utcnow
from hub.pseudonym.secrets import PrivacySecrets
from hub.pseudonym.vault import Vault

betrokkene_app = typer.Typer(
    rich_markup_mode=None, help="Betrokkenen: een persoon vergeten (vier ogen, via de API).", no_args_is_help=True
)
pseudoniem_app = typer.Typer(
    rich_markup_mode=None,
    help="Pseudoniemsleutels: roteren, en oude pseudoniemen vertalen voor een ontvanger.",
    no_args_is_help=True,
)


@betrokkene_app.command("vergeten")
def forget_command(
    motivering: Annotated[str, typer.Option(help="De grond voor het vergeten (zonder persoonsgegevens).")],
    hub: HubOption,
    partner: PartnerOption,
    principal: PrincipalOption,
    key: KeyOption,
    bsn: Annotated[str | None, typer.Option(help="Het BSN van de persoon.")] = None,
    voornamen: Annotated[str | None, typer.Option()] = None,
    tussenvoegsel: Annotated[str | None, typer.Option()] = None,
    achternaam: Annotated[str | None, typer.Option()] = None,
    geboortedatum: Annotated[str | None, typer.Option(help="JJJJ-MM-DD")] = None,
) -> None:
    """Vraag om een betrokkene te vergeten (u, als privacy officer); een tweede officer keurt goed met `goedkeuren`."""
    body = {
        "bsn": bsn,
        "voornamen": voornamen,
        "tussenvoegsel": tussenvoegsel,
        "achternaam": achternaam,
        "geboortedatum": date.fromisoformat(geboortedatum).isoformat() if geboortedatum else None,
        "motivering": motivering,
    }
    with officer_client(hub, partner, principal, key) as client:
        answer = client.post("/api/v1/vergetelheidsverzoeken", {k: v for k, v in body.items() if v is not None})
    print(json.dumps(answer, indent=2, ensure_ascii=False))


@betrokkene_app.command("goedkeuren")
def approve_command(
    verzoek: int, hub: HubOption, partner: PartnerOption, principal: PrincipalOption, key: KeyOption
) -> None:
    """Keur een vergetelheidsverzoek goed (een andere privacy officer): de sleutel van de persoon wordt meteen
    vernietigd."""
    with officer_client(hub, partner, principal, key) as client:
        answer = client.post(f"/api/v1/vergetelheidsverzoeken/{verzoek}/goedkeuring", {})
    print(json.dumps(answer, indent=2, ensure_ascii=False))


@pseudoniem_app.command("roteer")
def rotate_command() -> None:
    """Voeg een nieuwe versie van de pseudoniemsleutel toe; nieuwe pseudoniemen gebruiken haar, oude blijven te
    vertalen."""
    version = PrivacySecrets(get_settings().keys_dir).rotate_pseudonyms()
    with open_database() as database, database.unit_of_work() as session:
        audit.record(
            session,
            actor=cli_actor(),
            action="pseudonym_key.rotated",
            target_type="pseudonym_key",
            target_id=f"k{version}",
            details={},
        )
    print(
        f"pseudoniemsleutel k{version} is actief; herstart de hub en voer dan per ontvanger "
        "`schakel pseudoniem vertaal` uit"
    )


@pseudoniem_app.command("vertaal")
def translate_command(
    domein: Annotated[str, typer.Option(help="Het partner-id van de ontvanger (zijn pseudoniemdomein).")],
    out: Annotated[Path, typer.Option(help="Schrijf de paren oud -> nieuw hierheen, één JSON-object per regel.")],
) -> None:
    """De migratie die koppelbaarheid behoudt: voor één ontvanger zijn oude pseudoniemen en de nieuwe."""
    secrets = PrivacySecrets(get_settings().keys_dir)
    vault = Vault(secrets.pseudonyms(), secrets.kek())
    count = 0
    with open_database() as database, database.unit_of_work() as session, out.open("x", encoding="utf-8") as file:
        for old, new in vault.translations(session, domein, utcnow()):
            file.write(json.dumps({"oud": old, "nieuw": new}) + "\n")
            count += 1
        audit.record(
            session,
            actor=cli_actor(),
            action="pseudonym.translated",
            target_type="pseudonym_domain",
            target_id=domein,
            details={"count": str(count)},
        )
    out.chmod(0o600)
    print(
        f"{count} pseudoniemen van {domein} vertaald naar {out}; "
        "geef het bestand via een beveiligd kanaal aan de partner"
    )
