"""`schakel keys ...`: the hub's signing keys (init, rotate, retire, list). Changes go to the audit trail."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from hub.audit import service as audit
from hub.config import get_settings
from hub.keys.keyring import HubKeyring, KeyEntry
from hub.kit.cli import JsonOption, cli_actor, open_database
from hub.pseudonym.secrets import PrivacySecrets

keys_app = typer.Typer(rich_markup_mode=None, help="De eigen sleutels van de hub.", no_args_is_help=True)


def _record(action: str, entry: KeyEntry, details: dict[str, str]) -> None:
    with open_database() as database, database.unit_of_work() as session:
        audit.record(
            session, actor=cli_actor(), action=action, target_type="hub_key", target_id=entry.kid, details=details
        )


@keys_app.command("init")
def keys_init(
    demo: Annotated[bool, typer.Option(help="Ontwikkeling: maak ook sleutelparen voor de demopartners.")] = False,
) -> None:
    """Maak de Ed25519-ondertekensleutel van de hub in SCHAKEL_KEYS_DIR (doet niets als die er al is)."""
    settings = get_settings()
    if demo and settings.is_production:
        raise typer.BadParameter("--demo is refused when SCHAKEL_ENVIRONMENT=production")
    keyring = HubKeyring(settings.keys_dir)
    keyset, created = keyring.init(demo=demo)
    if PrivacySecrets(settings.keys_dir).init():
        print(f"het pseudoniemgeheim en de sleutel van de kluis zijn gemaakt in {settings.keys_dir / 'privacy'}")
    active = keyset.active
    if created:
        _record("hub_key.created", active, {"algorithm": active.algorithm, "demo": str(demo).lower()})
        print(f"ondertekensleutel {active.kid} van de hub gemaakt in {keyring.directory}")
    else:
        print(f"ondertekensleutel {active.kid} van de hub bestaat al in {keyring.directory}; niets te doen")
    if demo:
        from hub.partners import demo as demo_partners  # noqa: PLC0415 - development only

        with open_database() as database, database.unit_of_work() as session:
            added = demo_partners.seed(session, cli_actor(), settings.keys_dir)
        print(
            f"demopartners klaar ({added} registraties toegevoegd); hun sleutels staan in {settings.keys_dir / 'demo'}"
        )


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Maak een nieuwe actieve ondertekensleutel. De oude blijft gepubliceerd, zodat wat ermee ondertekend is
    controleerbaar blijft."""
    old, new = HubKeyring(get_settings().keys_dir).rotate()
    _record("hub_key.rotated", new, {"previous": old.kid})
    print(
        f"de actieve sleutel van de hub is nu {new.kid}; {old.kid} blijft gepubliceerd "
        f"tot `schakel keys retire {old.kid}`"
    )


@keys_app.command("retire")
def keys_retire(kid: str) -> None:
    """Publiceer een uitgefaseerde sleutel niet langer."""
    entry = HubKeyring(get_settings().keys_dir).retire(kid)
    _record("hub_key.retired", entry, {})
    print(f"{kid} is nu {entry.status}")


@keys_app.command("list")
def keys_list(as_json: JsonOption = False) -> None:
    """Toon de sleutels van de hub: welke actief is en welke nog gepubliceerd worden."""
    entries = HubKeyring(get_settings().keys_dir).load().keys
    if as_json:
        fields = ("kid", "algorithm", "status", "created_at")
        print(json.dumps([{f: str(getattr(e, f)) for f in fields} for e in entries], indent=2))
        return
    for entry in entries:
        print(f"{entry.kid:48} {entry.algorithm:6} {entry.status:8} gemaakt {entry.created_at}")
