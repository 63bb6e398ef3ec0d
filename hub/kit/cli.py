"""What every `schakel` subcommand shares: the database, the actor for the audit trail, output."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel

from connectors import HubClient, SigningKey
from hub.config import get_settings
from hub.db import Database


@contextmanager
def open_database(*, prepare: bool = True) -> Iterator[Database]:
    """The configured database; with `prepare`, schema checked (SQLite upgraded in place, PostgreSQL at head)."""
    database = Database(get_settings().effective_database_url)
    try:
        if prepare:
            database.prepare(guard=_checked_upgrade)
        yield database
    finally:
        database.dispose()


def _checked_upgrade(database: Database) -> None:
    """Before a command brings an embedded SQLite database up to date: the dry run and the backup."""
    from hub.ops.upgrading import guarded, vault_or_none  # noqa: PLC0415 - only when an upgrade is due

    guarded(vault_or_none(get_settings().keys_dir))(database)


def cli_actor() -> str:
    """Who the audit trail names for a change made on the command line."""
    return f"cli:{getpass.getuser()}"


JsonOption = Annotated[bool, typer.Option("--json", help="JSON in plaats van zinnen, voor scripts.")]
"""`--json`: the command's result as JSON, for a script to read."""


def emit(model: BaseModel) -> None:
    print(model.model_dump_json(by_alias=True, indent=2))


# The options of a command that acts through the API as a person (a privacy officer), signed with their own key.
HubOption = Annotated[str, typer.Option("--hub", envvar="SCHAKEL_CONNECTOR_HUB", help="Basis-URL van de hub.")]
PartnerOption = Annotated[str, typer.Option("--partner", envvar="SCHAKEL_CONNECTOR_PARTNER", help="Uw partner-id.")]
PrincipalOption = Annotated[
    str, typer.Option("--principal", envvar="SCHAKEL_CONNECTOR_PRINCIPAL", help="Uw principal-id.")
]
KeyOption = Annotated[Path, typer.Option("--key", envvar="SCHAKEL_CONNECTOR_KEY", help="Uw privé-JWK-bestand.")]


def officer_client(hub: str, partner: str, principal: str, key: Path) -> HubClient:
    """A client that signs as you: four-eyes checks hold because the hub sees who acts."""
    return HubClient(hub, partner_id=partner, principal_id=principal, key=SigningKey.load(key))
