"""`schakel-witness`: run a witness of a Schakel verstrekkingenlog (C2SP tlog-witness), as another organisation.

    schakel-witness keygen getuige.ap.example/schakel --out sleutels/
    schakel-witness serve --naam getuige.ap.example/schakel --sleutel sleutels/getuige.private.jwk \\
        --log hub.vkey --staat staat/getuige.json --port 8400

It never imports the hub: it trusts only the log's public key (given with --log) and the public formats.
Exit codes: 0 done; 2 a key, name or file given cannot be used (the message says which).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors._keys import SigningKey
from connectors._witness import Witness, WitnessApp
from connectors.errors import KeyFileError
from connectors.tlog import COSIGNATURE_ED25519, NOTE_ED25519, TlogError, VerifierKey, parse_vkey

app = typer.Typer(
    help="A witness of a Schakel verstrekkingenlog: cosigns checkpoints after checking they extend the last one.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _fail(message: str) -> typer.Exit:
    print(f"fout: {message}", file=sys.stderr)
    return typer.Exit(2)


def _name_ok(name: str) -> bool:
    return bool(name) and " " not in name and "+" not in name and "\n" not in name


@app.command()
def keygen(
    naam: Annotated[str, typer.Argument(help="The witness's name, e.g. getuige.ap.example/schakel.")],
    out: Annotated[Path, typer.Option(help="Directory for the key files.")] = Path(),
) -> None:
    """Make the witness's Ed25519 key: getuige.private.jwk (keep it secret) and getuige.vkey (publish it: the hub's
    operator and every reviewer pin it)."""
    if not _name_ok(naam):
        raise _fail("a witness name holds no spaces or plus signs")
    key = SigningKey.generate("EdDSA")
    key.save(out / "getuige.private.jwk")
    private = key.private_key
    assert isinstance(private, Ed25519PrivateKey)  # noqa: S101 - generate("EdDSA") makes one
    vkey = VerifierKey(naam, COSIGNATURE_ED25519, private.public_key()).encode()
    (out / "getuige.vkey").write_text(vkey + "\n", encoding="utf-8")
    print(vkey)


@app.command()
def serve(
    naam: Annotated[str, typer.Option(help="The witness's name, as in its verifier key.")],
    sleutel: Annotated[Path, typer.Option(help="The witness's private key (getuige.private.jwk).")],
    log: Annotated[list[Path], typer.Option(help="A file with the verifier key of a log to witness (repeatable).")],
    staat: Annotated[Path, typer.Option(help="The file that keeps the latest cosigned checkpoint per log.")],
    host: Annotated[str, typer.Option(help="Where to listen.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Where to listen.")] = 8400,
    prefix: Annotated[str, typer.Option(help="The submission prefix, e.g. /getuige.")] = "",
) -> None:
    """Run the witness: POST <prefix>/add-checkpoint, as C2SP tlog-witness specifies."""
    try:
        signing = SigningKey.load(sleutel)
    except KeyFileError as exc:
        raise _fail(f"--sleutel: {exc}") from None
    if not isinstance(signing.private_key, Ed25519PrivateKey):
        raise _fail("--sleutel must be an Ed25519 key (schakel-witness keygen makes one)")
    logs = []
    for path in log:
        try:
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            logs += [parse_vkey(line) for line in lines]
        except OSError as exc:
            raise _fail(f"--log {path}: {exc.strerror}") from None
        except TlogError as exc:
            raise _fail(f"--log {path}: {exc}") from None
    if not logs or any(v.kind != NOTE_ED25519 for v in logs):
        raise _fail("--log needs the log's note verifier key (type 0x01), as the hub publishes it")
    witness = Witness(naam, signing.private_key, logs, staat)
    print(f"getuige {naam} luistert op http://{host}:{port}{prefix}/add-checkpoint")
    print(f"verifier key: {witness.verifier_key.encode()}")
    uvicorn.run(WitnessApp(witness, prefix), host=host, port=port, log_config=None, access_log=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
