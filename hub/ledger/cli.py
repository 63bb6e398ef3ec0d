"""`schakel ledger ...`: sign a checkpoint, export a bundle, verify a bundle offline."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

# The hub's modules are imported inside each command: `schakel ledger ... --help` starts at once.

ledger_app = typer.Typer(
    rich_markup_mode=None, help="De verstrekkingenlog: controlepunten, export, offline controle.", no_args_is_help=True
)


@ledger_app.command("checkpoint")
def checkpoint_command() -> None:
    """Onderteken een controlepunt over de log zoals die nu is (grootte en Merkle-wortel), met de actieve sleutel
    van de hub."""
    from hub.config import get_settings  # noqa: PLC0415
    from hub.keys.keyring import HubKeyring  # noqa: PLC0415
    from hub.kit.cli import open_database  # noqa: PLC0415
    from hub.kit.clock import utcnow  # noqa: PLC0415
    from hub.ledger import service  # noqa: PLC0415

    settings = get_settings()
    key = HubKeyring(settings.keys_dir).ed25519_key()
    with open_database() as database, database.unit_of_work() as session:
        origin = service.log_origin(session, settings.log_origin, settings.public_url)
        checkpoint = service.sign_checkpoint(session, origin, key, utcnow())
    sys.stdout.write(checkpoint.note)


@ledger_app.command("export")
def export_command(out: Annotated[Path, typer.Option(help="Een nieuwe map voor de bundel.")]) -> None:
    """Onderteken een controlepunt en schrijf dan de bundel: vastleggingen met hun exacte bytes, controlepunten, de
    sleutels van de hub."""
    from hub.config import get_settings  # noqa: PLC0415
    from hub.keys.keyring import HubKeyring  # noqa: PLC0415
    from hub.kit.cli import open_database  # noqa: PLC0415
    from hub.kit.clock import utcnow  # noqa: PLC0415
    from hub.ledger import service  # noqa: PLC0415

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
        f"{size} vastleggingen geëxporteerd naar {out}; controleer met "
        f"`schakel ledger verify {out} --sleutels <de verifier key van de hub, buiten de bundel om verkregen>`"
    )


NO_KEY = """\
Geef de publieke sleutel van de hub mee, die u buiten deze bundel om hebt gekregen:
  --sleutels FILE   de verifier key van het verstrekkingenlog (https://<hub>/.well-known/schakel/verstrekkingenlog.vkey)
                    of de JWKS van de hub (https://<hub>/.well-known/jwks.json, dan ook --origin),
                    bij voorkeur rechtstreeks van de beheerder van de hub, en bewaard voor de volgende keer.
De sleutels in de bundel zelf bewijzen niets: wie de bundel vervalst, kan ook die sleutels vervangen."""


@ledger_app.command("verify")
def verify_command(
    bundle: Annotated[Path, typer.Argument(help="De map van de bundel.")],
    sleutels: Annotated[
        Path | None,
        typer.Option(
            help="De publieke sleutel(s) van de hub die u vastlegde: de verifier key (.vkey) of de JWKS "
            "(dan ook --origin)."
        ),
    ] = None,
    origin: Annotated[
        str | None, typer.Option(help="De naam van de log die u vastlegde, bijv. schakel.example/verstrekkingenlog.")
    ] = None,
    vorige: Annotated[Path | None, typer.Option(help="Een controlepunt dat u de vorige keer bewaarde.")] = None,
    streng: Annotated[bool, typer.Option(help="Ook controleren of elke vastlegging canonieke JSON is.")] = False,
    getuigen: Annotated[
        Path | None, typer.Option(help="Een bestand met de verifier keys van getuigen die u vertrouwt, één per regel.")
    ] = None,
    minimaal: Annotated[
        int, typer.Option(help="Hoeveel van die getuigen het nieuwste controlepunt moeten medeondertekenen.", min=0)
    ] = 1,
    as_json: Annotated[
        bool, typer.Option("--json", help="Het oordeel als JSON, voor scripts (de exitcode blijft).")
    ] = False,
) -> None:
    """Controleer een bundel offline tegen de sleutel die u vastlegde: elke handtekening, de wortels, de volgorde
    van de controlepunten, en dat de log sinds uw bewaarde controlepunt alleen groeide. Exitcode 0: klopt;
    1: klopt niet (de FOUT-regels zeggen waarom); 2: de sleutel, oorsprong of het bewaarde controlepunt is
    onbruikbaar."""
    from hub.kit.progress import meter  # noqa: PLC0415
    from hub.ledger.verify import STAGES, TrustError, load_trust, load_witness_keys, verify_bundle  # noqa: PLC0415

    if sleutels is None:
        print(NO_KEY, file=sys.stderr)
        raise typer.Exit(2)
    try:
        trust = load_trust(sleutels.read_text(encoding="utf-8"), origin)
        kept = vorige.read_text(encoding="utf-8") if vorige else None
        witnesses = load_witness_keys(getuigen.read_text(encoding="utf-8"), minimaal) if getuigen else None
    except (OSError, UnicodeDecodeError) as exc:
        print(
            f"fout: {exc.filename if isinstance(exc, OSError) else 'een bestand'} kan niet worden gelezen "
            f"({exc.strerror if isinstance(exc, OSError) else 'geen UTF-8'})",
            file=sys.stderr,
        )
        raise typer.Exit(2) from None
    except TrustError as exc:
        print(f"fout: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    with meter(STAGES) as progress:
        verdict = verify_bundle(bundle, trust, kept=kept, strict=streng, witnesses=witnesses, meter=progress)
    if as_json:
        print(
            json.dumps(
                {
                    "klopt": verdict.ok,
                    "oorsprong": trust.origin,
                    "vastleggingen": verdict.size,
                    "wortel": verdict.root.hex() if verdict.ok else None,
                    "fouten": verdict.problems,
                    "opmerkingen": verdict.notes,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        raise typer.Exit(0 if verdict.ok else 1)
    for note in verdict.notes:
        print(f"let op: {note}")
    for problem in verdict.problems:
        print(f"FOUT: {problem}")
    if not verdict.ok:
        raise typer.Exit(1)
    summary = f"OK: {verdict.size} vastleggingen, wortel {verdict.root.hex()}, elke handtekening en elk bewijs klopt"
    print(f"{summary} (oorsprong {trust.origin})")
