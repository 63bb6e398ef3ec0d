"""The `schakel` command line.

This module imports nothing of the hub: each command's module is imported only when that command runs or its help
is asked for, so `schakel --help` starts at once (bench/cli_bench.py measures it). The table below is the list of
commands; a command's own help comes from its module. Errors a user can cause end in one line and an exit code
(docs/cli.md has the table), never a traceback."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer
from typer import _click as click  # typer vendors its click; its group and context types are these
from typer.core import TyperGroup

from hub import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("hub.ops.cli:app:serve", "De hub draaien (op SQLite wordt de database eerst bijgewerkt)."),
    "worker": ("hub.ops.cli:app:worker", "Een bezorgproces en de bewaarronde draaien tot het wordt gestopt."),
    "bewaren": ("hub.ops.cli:app:bewaren", "De bewaartermijnen nu toepassen, of een ronde oefenen (--droog)."),
    "postcodes": ("hub.ops.cli:app:postcodes", "Een postcodetabel (PC4 per gemeente) controleren."),
    "db": ("hub.ops.cli:db_app", "Het databaseschema: bijwerken, controleren, de huidige versie."),
    "backup": ("hub.ops.cli:app:backup", "Een versleutelde backup: de database met de sleutels en geheimen."),
    "herstel": ("hub.ops.cli:app:herstel", "Een backup terugzetten, en de log controleren tegen de getuigen."),
    "backupsleutel": ("hub.ops.cli:app:backupsleutel", "Een sleutel maken voor wie de backups mag openen."),
    "openapi": ("hub.ops.cli:app:openapi", "Het OpenAPI-document afdrukken (geen database nodig)."),
    "keys": ("hub.keys.cli:keys_app", "De eigen sleutels van de hub: maken, roteren, intrekken, tonen."),
    "partner": ("hub.partners.cli:partner_app", "Partners registreren en wijzigen."),
    "principal": ("hub.partners.cli:principal_app", "Principals, hun rollen en hun sleutels."),
    "policy": ("hub.policy.cli:policy_app", "Het convenant: valideren, vergelijken, simuleren, voorstellen."),
    "betrokkene": ("hub.pseudonym.cli:betrokkene_app", "Een betrokkene vergeten (vier ogen, via de API)."),
    "pseudoniem": ("hub.pseudonym.cli:pseudoniem_app", "Pseudoniemsleutels roteren; oude pseudoniemen vertalen."),
    "ledger": ("hub.ledger.cli:ledger_app", "De verstrekkingenlog: controlepunten, export, controle."),
    "account": ("hub.web.cli:account_app", "Accounts van personen voor de webpagina's (passkeys)."),
    "bevestiging": ("hub.web.cli:bevestiging_app", "Bevestigingen van vier-ogenbesluiten met een passkey."),
}
"""Every command: where it lives (`module:Typer` or `module:Typer:command`) and what it does, in one line."""

EXIT_OK, EXIT_REFUSED, EXIT_CONFIGURATION = 0, 1, 2
"""0: done. 1: the input was wrong or refused (the line says why). 2: the hub's configuration or the command line
itself is wrong. Commands that check something use 1, 2 and 3 for their own outcomes (docs/cli.md)."""


def load(name: str) -> click.Command:
    """The command `name`, importing its module now."""
    module_name, attribute, *command = COMMANDS[name][0].split(":")
    found = getattr(importlib.import_module(module_name), attribute)
    group = typer.main.get_group(found)  # a group even with one command: `schakel bevestiging controleer FILE`
    return group.commands[command[0]] if command else group


class LazyGroup(TyperGroup):
    """The top-level group: commands listed from the table, imported on use, help in plain text without
    importing them (or rich)."""

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 - click's signature
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:  # noqa: ARG002
        return load(cmd_name) if cmd_name in COMMANDS else None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if not {"--help", "-h"} & set(rest):
            _configure_logging()
        return name, command, rest

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIES] OPDRACHT [ARGUMENTEN]...", prefix="Gebruik: ")
        formatter.write_paragraph()
        formatter.write_text(self.help or "")
        with formatter.section("Opties"):
            formatter.write_dl(
                [
                    ("--version", "De versie van Schakel tonen en stoppen."),
                    ("-h, --help", "Deze hulp tonen en stoppen."),
                ]
            )
        with formatter.section("Opdrachten"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])
        formatter.write_paragraph()
        formatter.write_text("Meer over een opdracht: schakel OPDRACHT --help. Uitleg en exitcodes: docs/cli.md.")


def _configure_logging() -> None:
    """Every command logs through the same redacting pipeline as the server (not needed for help)."""
    from hub.config import get_settings  # noqa: PLC0415 - imported when a command runs, not for --help
    from hub.logging import configure_logging  # noqa: PLC0415

    settings = get_settings()
    configure_logging(settings.effective_log_format, settings.log_level)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"schakel {__version__}")
        raise typer.Exit


app = typer.Typer(
    rich_markup_mode=None,
    cls=LazyGroup,
    help="Schakel: de informatieschakel van de Zorg- en Veiligheidshuizen.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="De versie tonen en stoppen.")
    ] = False,
) -> None:
    """Schakel: de informatieschakel van de Zorg- en Veiligheidshuizen."""


def main() -> None:
    """Entry point: domain and configuration errors become one clear line and an exit code, not a traceback."""
    try:
        app()
    except Exception as exc:
        code = failure(exc)
        if code is None:
            raise  # a bug: the traceback is for whoever fixes it
        sys.exit(code)


def failure(exc: BaseException) -> int | None:
    """Print what went wrong in one line and return the exit code; None for an error that is a bug."""
    # Imported here: only a failing command pays for them.
    from pydantic import ValidationError  # noqa: PLC0415

    from connectors import ConnectorError, HubError  # noqa: PLC0415
    from hub.errors import ConfigurationError, SchakelError, UpgradeRefused  # noqa: PLC0415
    from hub.keys.keyring import KeyringError  # noqa: PLC0415
    from hub.web.wording import ZINNEN  # noqa: PLC0415

    if isinstance(exc, SchakelError | HubError):
        # The sentence a person reads for this refusal (as on the pages), with the code a script can match.
        print(f"fout: {ZINNEN.get(exc.code, str(exc))} ({exc.code})", file=sys.stderr)
        return EXIT_REFUSED
    if isinstance(exc, KeyringError | ConnectorError | UpgradeRefused):
        print(f"fout: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if isinstance(exc, ValidationError):
        # Name the field and what is wrong with it; never echo the value.
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'invoer'}: {e['msg']}" for e in exc.errors())
        print(f"fout: {problems}", file=sys.stderr)
        return EXIT_REFUSED
    if isinstance(exc, ConfigurationError):
        print(f"configuratiefout: {exc}", file=sys.stderr)
        return EXIT_CONFIGURATION
    return None
