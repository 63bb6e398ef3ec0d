"""`schakel-connector`: a partner's command line. Make a key pair; make a signed call to the hub."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from connectors._client import HubClient
from connectors._keys import SigningKey
from connectors.errors import ConnectorError, HubError

app = typer.Typer(
    help="Partner-side tools for Schakel: keys and signed calls.", no_args_is_help=True, pretty_exceptions_enable=False
)


@app.command()
def keygen(
    name: Annotated[str, typer.Argument(help="A name for the key files, e.g. the principal id.")],
    out: Annotated[Path, typer.Option(help="Directory to write the key files to.")] = Path(),
    algorithm: Annotated[str, typer.Option("--alg", help="EdDSA (Ed25519) or ES256 (P-256).")] = "EdDSA",
) -> None:
    """Make a key pair: NAME.private.jwk (mode 0600, keep it) and NAME.public.jwk (give it to the hub's operator)."""
    if algorithm not in ("EdDSA", "ES256"):
        raise typer.BadParameter("use EdDSA or ES256", param_hint="--alg")
    key = SigningKey.generate(algorithm)  # type: ignore[arg-type]
    key.save(out / f"{name}.private.jwk")
    (out / f"{name}.public.jwk").write_text(json.dumps(key.public_jwk(), indent=2) + "\n", encoding="utf-8")
    print(f"kid {key.kid}: wrote {out / f'{name}.private.jwk'} (secret) and {out / f'{name}.public.jwk'}")


@app.command()
def call(  # noqa: PLR0917 - a CLI command: each parameter is a documented option
    method: Annotated[str, typer.Argument(help="GET, POST, PATCH or DELETE")],
    path: Annotated[str, typer.Argument(help="e.g. /api/v1/aanroeper")],
    hub: Annotated[str, typer.Option(envvar="SCHAKEL_CONNECTOR_HUB", help="The hub's public base URL.")],
    partner: Annotated[str, typer.Option(envvar="SCHAKEL_CONNECTOR_PARTNER", help="Your partner id (iss).")],
    principal: Annotated[str, typer.Option(envvar="SCHAKEL_CONNECTOR_PRINCIPAL", help="Your principal id (sub).")],
    key: Annotated[Path, typer.Option(envvar="SCHAKEL_CONNECTOR_KEY", help="Your private JWK file.")],
    data: Annotated[Path | None, typer.Option(help="A JSON file to send as the body.")] = None,
) -> None:
    """Make one signed request and print the answer (a problem on stderr, exit 1, if the hub refuses)."""
    body: Any = None if data is None else json.loads(data.read_text(encoding="utf-8"))
    with HubClient(hub, partner_id=partner, principal_id=principal, key=SigningKey.load(key)) as client:
        answer = client.request(method.upper(), path, json_body=body)
    if answer is not None:
        print(json.dumps(answer, indent=2, ensure_ascii=False))


def main() -> None:
    try:
        app()
    except HubError as exc:
        print(json.dumps(exc.problem, indent=2, ensure_ascii=False), file=sys.stderr)
        sys.exit(1)
    except ConnectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
