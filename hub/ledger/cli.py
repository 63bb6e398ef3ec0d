"""`schakel ledger ...`: sign a checkpoint, export a bundle, verify a bundle offline."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from hub.config import get_settings
from hub.keys.keyring import HubKeyring
from hub.kit.cli import open_database
from hub.kit.clock import utcnow
from hub.ledger import service
from hub.ledger.verify import public_keys, verify_bundle

ledger_app = typer.Typer(help="The verstrekkingenlog: checkpoints, export, offline verification.", no_args_is_help=True)


@ledger_app.command("checkpoint")
def checkpoint_command() -> None:
    """Sign a checkpoint over the log as it stands (size and Merkle root), with the hub's active key."""
    settings = get_settings()
    key = HubKeyring(settings.keys_dir).ed25519_key()
    with open_database() as database, database.unit_of_work() as session:
        checkpoint = service.sign_checkpoint(session, service.origin_for(settings.public_url), key, utcnow())
    sys.stdout.write(checkpoint.note)


@ledger_app.command("export")
def export_command(out: Annotated[Path, typer.Option(help="A new directory for the bundle.")]) -> None:
    """Sign a checkpoint, then write the bundle: entries with their exact bytes, checkpoints, the hub's keys."""
    settings = get_settings()
    keyring = HubKeyring(settings.keys_dir)
    with open_database() as database, database.unit_of_work() as session:
        service.sign_checkpoint(session, service.origin_for(settings.public_url), keyring.ed25519_key(), utcnow())
        size = service.export(session, out, keyring.load().published())
    print(f"{size} entries exported to {out}; verify with `schakel ledger verify {out}`")


@ledger_app.command("verify")
def verify_command(
    bundle: Annotated[Path, typer.Argument(help="The bundle directory.")],
    sleutels: Annotated[Path | None, typer.Option(help="The hub's JWKS you trust (default: the bundle's own).")] = None,
    vorige: Annotated[Path | None, typer.Option(help="A checkpoint note you kept from last time.")] = None,
    streng: Annotated[bool, typer.Option(help="Also check that every entry is canonical JSON (slower).")] = False,
) -> None:
    """Verify a bundle offline: every signature, the root, and that the log only grew since the checkpoint you kept."""
    keys = public_keys(json.loads(sleutels.read_text(encoding="utf-8"))) if sleutels else None
    if keys is None:
        print("note: using the keys inside the bundle; pass --sleutels with the published JWKS to trust nothing in it")
    verdict = verify_bundle(
        bundle, keys=keys, kept=vorige.read_text(encoding="utf-8") if vorige else None, strict=streng
    )
    for problem in verdict.problems:
        print(f"FOUT: {problem}")
    if not verdict.ok:
        raise typer.Exit(1)
    print(f"OK: {verdict.size} entries, root {verdict.root.hex()}, every signature and proof verifies")
