"""`schakel ledger ...`: sign a checkpoint, export a bundle, verify a bundle offline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hub.config import get_settings
from hub.keys.keyring import HubKeyring
from hub.kit.cli import open_database
from hub.kit.clock import utcnow
from hub.ledger import service
from hub.ledger.verify import TrustError, load_trust, load_witness_keys, verify_bundle

ledger_app = typer.Typer(help="The verstrekkingenlog: checkpoints, export, offline verification.", no_args_is_help=True)


@ledger_app.command("checkpoint")
def checkpoint_command() -> None:
    """Sign a checkpoint over the log as it stands (size and Merkle root), with the hub's active key."""
    settings = get_settings()
    key = HubKeyring(settings.keys_dir).ed25519_key()
    with open_database() as database, database.unit_of_work() as session:
        origin = service.log_origin(session, settings.log_origin, settings.public_url)
        checkpoint = service.sign_checkpoint(session, origin, key, utcnow())
    sys.stdout.write(checkpoint.note)


@ledger_app.command("export")
def export_command(out: Annotated[Path, typer.Option(help="A new directory for the bundle.")]) -> None:
    """Sign a checkpoint, then write the bundle: entries with their exact bytes, checkpoints, the hub's keys."""
    settings = get_settings()
    if out.exists():
        print(
            f"fout: {out} bestaat al; kies een nieuwe map voor de bundel (er wordt niets overschreven)", file=sys.stderr
        )
        raise typer.Exit(2)
    keyring = HubKeyring(settings.keys_dir)
    with open_database() as database, database.unit_of_work() as session:
        origin = service.log_origin(session, settings.log_origin, settings.public_url)
        service.sign_checkpoint(session, origin, keyring.ed25519_key(), utcnow())
        size = service.export(session, out, keyring.load().published())
    print(
        f"{size} entries exported to {out}; verify with "
        f"`schakel ledger verify {out} --sleutels <the hub's verifier key, obtained out of band>`"
    )


NO_KEY = """\
Geef de publieke sleutel van de hub mee, die u buiten deze bundel om hebt gekregen:
  --sleutels FILE   de verifier key van het verstrekkingenlog (https://<hub>/.well-known/schakel/verstrekkingenlog.vkey)
                    of de JWKS van de hub (https://<hub>/.well-known/jwks.json, dan ook --origin),
                    bij voorkeur rechtstreeks van de beheerder van de hub, en bewaard voor de volgende keer.
De sleutels in de bundel zelf bewijzen niets: wie de bundel vervalst, kan ook die sleutels vervangen."""


@ledger_app.command("verify")
def verify_command(
    bundle: Annotated[Path, typer.Argument(help="The bundle directory.")],
    sleutels: Annotated[
        Path | None,
        typer.Option(help="The hub's public key(s) you pinned: its verifier key (.vkey) or its JWKS (then --origin)."),
    ] = None,
    origin: Annotated[
        str | None, typer.Option(help="The log's name you pinned, e.g. schakel.example/verstrekkingenlog.")
    ] = None,
    vorige: Annotated[Path | None, typer.Option(help="A checkpoint note you kept from last time.")] = None,
    streng: Annotated[bool, typer.Option(help="Also check that every entry is canonical JSON (slower).")] = False,
    getuigen: Annotated[
        Path | None, typer.Option(help="A file with the verifier keys of witnesses you trust, one per line.")
    ] = None,
    minimaal: Annotated[
        int, typer.Option(help="How many of those witnesses must have cosigned the newest checkpoint.", min=0)
    ] = 1,
) -> None:
    """Verify a bundle offline against the key you pinned: every signature, the roots, the checkpoints' order, and
    that the log only grew since the checkpoint you kept. Exit 0: it verifies; 1: it does not (FOUT lines say why);
    2: the key, origin or kept checkpoint you gave cannot be used."""
    if sleutels is None:
        print(NO_KEY, file=sys.stderr)
        raise typer.Exit(2)
    try:
        trust = load_trust(sleutels.read_text(encoding="utf-8"), origin)
        kept = vorige.read_text(encoding="utf-8") if vorige else None
        witnesses = load_witness_keys(getuigen.read_text(encoding="utf-8"), minimaal) if getuigen else None
    except (OSError, UnicodeDecodeError) as exc:
        print(f"fout: {exc.filename if isinstance(exc, OSError) else 'een bestand'} kan niet worden gelezen "
              f"({exc.strerror if isinstance(exc, OSError) else 'geen UTF-8'})", file=sys.stderr)  # fmt: skip
        raise typer.Exit(2) from None
    except TrustError as exc:
        print(f"fout: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    verdict = verify_bundle(bundle, trust, kept=kept, strict=streng, witnesses=witnesses)
    for note in verdict.notes:
        print(f"let op: {note}")
    for problem in verdict.problems:
        print(f"FOUT: {problem}")
    if not verdict.ok:
        raise typer.Exit(1)
    summary = f"OK: {verdict.size} entries, root {verdict.root.hex()}, every signature and proof verifies"
    print(f"{summary} (origin {trust.origin})")
