"""`schakel-connector`: a partner's command line. Make a key pair; make a signed call to the hub."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from connectors._client import HubClient
from connectors._keys import SigningKey
from connectors._receiver import HubKeys, WebhookReceiver
from connectors.adapters import ADAPTERS
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
    """Make one signed request and print the answer (a problem on stderr, exit 1, if the hub refuses; exit 2 when
    a file you give cannot be read)."""
    body: Any = None
    if data is not None:
        try:
            body = json.loads(data.read_text(encoding="utf-8"))
        except OSError as exc:
            raise _unusable(f"--data {data}: {exc.strerror}") from None
        except ValueError:
            raise _unusable(f"--data {data}: not valid JSON (UTF-8)") from None
    with HubClient(hub, partner_id=partner, principal_id=principal, key=SigningKey.load(key)) as client:
        answer = client.request(method.upper(), path, json_body=body)
    if isinstance(answer, str):
        print(answer, end="" if answer.endswith("\n") else "\n")  # a CSV report, say: as the hub sent it
    elif answer is not None:
        print(json.dumps(answer, indent=2, ensure_ascii=False))


def _unusable(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(2)


HubOption = Annotated[str, typer.Option(envvar="SCHAKEL_CONNECTOR_HUB", help="The hub's public base URL.")]
PartnerOption = Annotated[str, typer.Option(envvar="SCHAKEL_CONNECTOR_PARTNER", help="Your partner id (iss).")]
PrincipalOption = Annotated[str, typer.Option(envvar="SCHAKEL_CONNECTOR_PRINCIPAL", help="Your principal id (sub).")]
KeyOption = Annotated[Path, typer.Option(envvar="SCHAKEL_CONNECTOR_KEY", help="Your private JWK file.")]


def _send_command(adapter: str, what: str) -> typer.Typer:
    sub = typer.Typer(help=f"{what}: read the file and send each melding to the hub.", no_args_is_help=True)

    @sub.command("send")
    def send(
        file: Annotated[Path, typer.Argument(help="The export file (see docs/connectors.md).")],
        hub: HubOption,
        partner: PartnerOption,
        principal: PrincipalOption,
        key: KeyOption,
    ) -> None:
        """Send every melding in FILE (retried safely with an Idempotency-Key) and print each receipt's outcome."""
        notes: list[str] = []
        try:
            meldingen = ADAPTERS[adapter](file, notes)
        except OSError as exc:
            raise _unusable(f"{file}: {exc.strerror}") from None
        for note in dict.fromkeys(notes):  # one line per note, in order
            print(f"note: {note}")
        with HubClient(hub, partner_id=partner, principal_id=principal, key=SigningKey.load(key)) as client:
            for melding in meldingen:
                try:
                    receipt = client.submit_melding(melding)
                except HubError as exc:
                    print(f"refused ({exc.status}): {exc.problem.get('detail')}")
                    continue
                outcomes = ", ".join(f"{o['partner']}: {o['besluit']}" for o in receipt["ontvangers"])
                print(f"melding {receipt['meldingId']}: {outcomes}")

    return sub


app.add_typer(_send_command("e33", "Politie E33 export (CSV)"), name="e33")
app.add_typer(_send_command("dji", "DJI detentiemeldingen (JSON lines)"), name="dji")
app.add_typer(_send_command("bkr", "BKR list of addresses with arrears (CSV)"), name="bkr")


@app.command()
def receive(  # noqa: PLR0917 - a CLI command: each parameter is a documented option
    directory: Annotated[Path, typer.Option("--dir", help="Where each verified melding is written as JSON.")],
    hub: HubOption,
    partner: PartnerOption,
    principal: PrincipalOption,
    key: KeyOption,
    listen: Annotated[str, typer.Option(help="host:port to listen on.")] = "127.0.0.1:9001",
    url: Annotated[str | None, typer.Option(help="Your webhook URL as registered at the hub.")] = None,
) -> None:
    """Receive the hub's deliveries: verify each, write it to DIR/<leveringId>.json, and acknowledge it."""
    import uvicorn  # noqa: PLC0415 - only this command serves

    host, _, port = listen.rpartition(":")
    directory.mkdir(parents=True, exist_ok=True)

    def store(envelope: dict[str, Any]) -> None:
        target = directory / f"{envelope['leveringId']}.json"
        target.write_text(json.dumps(envelope, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"received {envelope['berichttype']} {envelope['leveringId']} ({envelope['besluit']})", flush=True)

    client = HubClient(hub, partner_id=partner, principal_id=principal, key=SigningKey.load(key))
    receiver = WebhookReceiver(
        partner_id=partner,
        url=url or f"http://{listen}/",
        hub_issuer=hub,
        hub_keys=HubKeys(hub),
        handle=store,
        hub=client,
    )
    print(f"receiving for {partner} on http://{listen}/ into {directory}", flush=True)
    uvicorn.run(receiver, host=host, port=int(port), log_config=None, access_log=False, lifespan="off")


def main() -> None:
    try:
        app()
    except HubError as exc:
        print(json.dumps(exc.problem, indent=2, ensure_ascii=False), file=sys.stderr)
        sys.exit(1)
    except ConnectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
