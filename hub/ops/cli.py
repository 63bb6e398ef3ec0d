"""The commands that run and maintain the hub itself: serve, the delivery worker, retention, the database schema
and the OpenAPI document. Imported only when one of them runs (see `hub.cli`)."""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn

from connectors import ConnectorError
from hub.config import Settings, get_settings
from hub.errors import ConfigurationError
from hub.keys.keyring import HubKeyring
from hub.kit.cli import cli_actor, open_database
from hub.kit.clock import NL, utcnow
from hub.pseudonym.secrets import PrivacySecrets

if TYPE_CHECKING:
    from hub.db import Database

app = typer.Typer(rich_markup_mode=None, no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(
    rich_markup_mode=None, help="Het databaseschema.", no_args_is_help=True, pretty_exceptions_enable=False
)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Standaard: SCHAKEL_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Standaard: SCHAKEL_PORT.")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Zoveel hubprocessen op deze poort (alleen op PostgreSQL), elk met een eigen socket; elk bezorgt "
            "ook, en houdt de log bij.",
        ),
    ] = 1,
    demo: Annotated[
        bool, typer.Option(help="Ontwikkeling: maak eerst sleutels en registreer de demopartners (idempotent).")
    ] = False,
    voorbeeldverkeer: Annotated[
        bool,
        typer.Option(
            "--voorbeeldverkeer/--geen-voorbeeldverkeer",
            help="Met --demo: stuur de voorbeeldmeldingen zodra de hub draait, als de log nog leeg is.",
        ),
    ] = True,
) -> None:
    """Draai de hub. Op SQLite wordt de database eerst bijgewerkt."""
    from hub.main import SERVER_OPTIONS, create_app  # noqa: PLC0415 - keeps `schakel --help` fast

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    if "public_url" not in settings.model_fields_set:
        # Not configured: the URL this process serves is the one partners' tokens must name. On the loopback
        # address it is named `localhost`: passkeys need a host name, and browsers refuse an IP address.
        named = "localhost" if host == "127.0.0.1" else host
        settings = settings.model_copy(update={"public_url": f"http://{named}:{port}"})
    if demo:
        if settings.is_production:
            raise ConfigurationError("--demo is refused when SCHAKEL_ENVIRONMENT=production")
        from hub.partners import demo as demo_partners  # noqa: PLC0415 - development only

        HubKeyring(settings.keys_dir).init(demo=True)
        PrivacySecrets(settings.keys_dir).init()
        with open_database() as database, database.unit_of_work() as session:
            demo_partners.seed(session, cli_actor(), settings.keys_dir)
            print(demo_partners.seed_convenant(session), flush=True)
            links = demo_partners.enrolment_links(session, cli_actor(), settings)
        print("Aanmelden in de browser: open als eerste een van deze eenmalige inschrijflinks en maak een passkey.")
        for principal_id, link in links:
            print(f"  {principal_id}: {link}", flush=True)
        demo_key = settings.keys_dir / "demo" / "politie-limburg-systeem.private.jwk"
        print(
            f"Demo partners and keys are ready (keys in {settings.keys_dir / 'demo'}). Try, in another terminal:\n"
            f"  .venv/bin/schakel-connector call GET /api/v1/aanroeper --hub {settings.public_url} \\\n"
            f"      --partner politie-limburg --principal politie-limburg-systeem --key {demo_key}\n",
            flush=True,
        )
    if workers > 1:
        _serve_processes(settings, host, port, workers)
        return
    hub = create_app(settings)
    if demo and voorbeeldverkeer:
        _send_demo_traffic_when_up(settings)
    uvicorn.run(hub, host=host, port=port, **SERVER_OPTIONS)


def _serve_processes(settings: Settings, host: str, port: int, workers: int) -> None:
    """Several hub processes on one port (`hub.ops.processes`), each with the whole hub: they share the work
    through PostgreSQL (ledger appends serialised by its head row, deliveries leased with SKIP LOCKED, retention
    under an advisory lock, keys and convenant checked by generation on every request)."""
    import os  # noqa: PLC0415

    from hub.main import SERVER_OPTIONS  # noqa: PLC0415
    from hub.ops import processes  # noqa: PLC0415

    if not settings.effective_database_url.startswith("postgresql"):
        raise ConfigurationError(
            "--workers boven 1 vraagt PostgreSQL (SCHAKEL_DATABASE_URL); de ingebouwde SQLite heeft één proces"
        )
    os.environ["SCHAKEL_PUBLIC_URL"] = settings.public_url  # the processes read their settings afresh
    if not processes.balanced():  # no SO_REUSEPORT: uvicorn's processes, sharing one socket
        uvicorn.run("hub.main:create_app", factory=True, host=host, port=port, workers=workers, **SERVER_OPTIONS)
        return
    try:
        processes.serve(host, port, workers, SERVER_OPTIONS)
    except OSError as exc:
        raise ConfigurationError(f"poort {port} op {host} is niet te gebruiken: {exc.strerror or exc}") from None


def _send_demo_traffic_when_up(settings: Settings) -> None:
    """Development: once the hub answers, and only while its log is empty, send the demo's sample meldingen, so a
    newcomer's log has entries, charts and someone to look up in an inzage."""
    import httpx  # noqa: PLC0415 - development only

    from hub.ledger import repository as ledger  # noqa: PLC0415
    from hub.partners import demo as demo_partners  # noqa: PLC0415

    with open_database() as database, database.engine.connect() as connection:
        if ledger.size(connection) > 0:
            return

    def send() -> None:
        for _ in range(100):
            try:
                if httpx.get(f"{settings.public_url}/api/v1/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        try:
            sent = demo_partners.send_traffic(settings.public_url, settings.keys_dir)
        except (ConnectorError, OSError) as exc:
            print(f"De voorbeeldmeldingen konden niet worden verstuurd: {exc}", flush=True)
            return
        print(
            f"{sent} voorbeeldmeldingen verstuurd. Zoek in het inzageverzoek op BSN {demo_partners.DEMO_BSN} "
            "(een verzonnen persoon uit de voorbeeldmeldingen).",
            flush=True,
        )

    threading.Thread(target=send, name="demo-verkeer", daemon=True).start()


@app.command()
def worker() -> None:
    """Draai een bezorgproces (en de bewaarronde) tot het stopt (SIGTERM of Ctrl-C). Op PostgreSQL kunnen er
    meerdere naast elkaar draaien."""
    import signal  # noqa: PLC0415 - only this command needs it

    from prometheus_client import start_http_server  # noqa: PLC0415

    from hub.bewaren.keeper import RetentionKeeper  # noqa: PLC0415
    from hub.delivery import worker as delivery  # noqa: PLC0415 - keeps `schakel --help` fast
    from hub.ops.metrics import Metrics  # noqa: PLC0415
    from hub.pseudonym.vault import Vault  # noqa: PLC0415

    settings = get_settings()
    privacy = PrivacySecrets(settings.keys_dir)
    with open_database() as database:
        vault = Vault(privacy.pseudonyms(), privacy.kek())
        metrics = Metrics()
        metrics.watch(database)
        if settings.worker_metrics_port:
            # Its /metrics is also its health check: `schakel_bezorgronde_timestamp_seconds` must stay recent.
            start_http_server(settings.worker_metrics_port, settings.worker_metrics_host, registry=metrics.registry)
        running = delivery.for_hub(database, vault, settings, metrics)
        retention = (
            RetentionKeeper(database, vault, settings.retention_interval_seconds)
            if settings.retention_interval_seconds > 0
            else None
        )
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        running.start()
        if retention is not None:
            retention.start()
        where = f", metrics on :{settings.worker_metrics_port}/metrics" if settings.worker_metrics_port else ""
        print(f"bezorgproces draait tegen {database.backend}{where}; stop met Ctrl-C of SIGTERM", flush=True)
        try:
            stopped.wait()
        except KeyboardInterrupt:
            pass
        finally:
            running.stop()
            if retention is not None:
                retention.stop()


@db_app.command("upgrade")
def db_upgrade(
    droog: Annotated[bool, typer.Option("--droog", help="Zeg alleen wat er zou gebeuren; verander niets.")] = False,
    backup_gemaakt: Annotated[
        bool, typer.Option("--backup-gemaakt", help="PostgreSQL: ik maakte zelf een backup (zonder backupopdracht).")
    ] = False,
) -> None:
    """Voer elke migratie uit die nog niet is gedraaid: eerst zegt het wat, probeert het op een kopie of de hub
    daarna alles kan lezen, en maakt het een backup. Exitcode 1 als het niet doorgaat (er is niets veranderd)."""
    from hub.ops import upgrading  # noqa: PLC0415 - keeps `schakel --help` fast

    settings = get_settings()
    with open_database(prepare=False) as database:
        plan = upgrading.plan(database)
        if not plan.needed:
            print(f"database op revisie {plan.head}: er is niets te doen")
            return
        print(f"database op revisie {plan.current or 'leeg'}; deze versie van Schakel brengt haar naar {plan.head}:")
        print("\n".join(plan.lines()))
        if plan.current is not None:
            problems = upgrading.dry_run(database, upgrading.vault_or_none(settings.keys_dir))
            if problems:
                print(f"fout: {upgrading.NotServable(problems)}", file=sys.stderr)
                for problem in problems[1:20]:
                    print(f"  ook: {problem}", file=sys.stderr)
                raise typer.Exit(1)
            print("proef op een kopie: na de upgrade kan de hub alles lezen")
        if droog:
            print("--droog: er is niets veranderd")
            return
        if plan.current is not None:
            _backup_before_upgrade(database, settings.db_backup_command, backup_gemaakt)
        database.upgrade()
        print(f"database op revisie {database.current_revision()}")


def _backup_before_upgrade(database: Database, backup_command: str | None, confirmed: bool) -> None:
    from hub.ops import upgrading  # noqa: PLC0415

    if database.backend == "sqlite":
        path = upgrading.backup_sqlite(
            database, upgrading.sqlite_backup_path(database, database.current_revision(), utcnow())
        )
        print(f"backup gemaakt: {path}")
    elif backup_command:
        try:
            upgrading.run_backup_command(backup_command)
        except upgrading.BackupFailed as exc:
            print(f"fout: de backup is mislukt, dus de upgrade is niet uitgevoerd: {exc}", file=sys.stderr)
            raise typer.Exit(1) from None
        print("backup gemaakt met SCHAKEL_DB_BACKUP_COMMAND")
    elif not confirmed:
        print(
            "fout: maak eerst een backup, bijvoorbeeld met\n  "
            f"{upgrading.pg_dump_advice(database)}\n"
            "en draai dan `schakel db upgrade --backup-gemaakt` (of zet SCHAKEL_DB_BACKUP_COMMAND)",
            file=sys.stderr,
        )
        raise typer.Exit(1)


@db_app.command("check")
def db_check() -> None:
    """Faal als de modellen en de migraties uit elkaar zijn gelopen (alembic check)."""
    with open_database(prepare=False) as database:
        database.upgrade()
        database.check()
        print("modellen en migraties komen overeen")


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Argument(help="Wat de migratie verandert, in woorden.")]) -> None:
    """Voor ontwikkelaars: maak de volgende migratie uit de modellen (tegen een database op de laatste versie)."""
    with open_database(prepare=False) as database:
        database.upgrade()
        current = database.current_revision() or "0000"
        database.revision(message, revision_id=f"{int(current) + 1:04d}")


@db_app.command("current")
def db_current() -> None:
    """Toon de versie van het databaseschema."""
    with open_database(prepare=False) as database:
        print(database.current_revision() or "leeg")


@app.command()
def backup(
    uit: Annotated[Path, typer.Option(help="Het nieuwe backupbestand (bijv. schakel-2026-12-07.age).")],
    voor: Annotated[
        str | None, typer.Option(help="De age-ontvanger (age1...); standaard SCHAKEL_BACKUP_RECIPIENT.")
    ] = None,
) -> None:
    """Maak een backup van de database met de sleutels en geheimen van de hub, versleuteld voor de beheerder."""
    from hub.ops import backup as backups  # noqa: PLC0415 - keeps `schakel --help` fast

    settings = get_settings()
    recipient = voor or settings.backup_recipient
    if not recipient:
        print("fout: voor wie? Geef --voor age1... of zet SCHAKEL_BACKUP_RECIPIENT", file=sys.stderr)
        raise typer.Exit(2)
    with open_database() as database:
        try:
            manifest = backups.backup(database, settings.keys_dir, recipient, uit)
        except backups.BackupError as exc:
            print(f"fout: {exc}", file=sys.stderr)
            raise typer.Exit(1) from None
    print(
        f"backup gemaakt: {uit} ({manifest.database}, schema {manifest.schema}, {manifest.grootte} vastleggingen in "
        "de log, met de sleutels van de hub); openen kan alleen met de sleutel van de ontvanger"
    )


@app.command()
def backupsleutel(
    pad: Annotated[Path, typer.Argument(help="Waar de nieuwe geheime sleutel komt (alleen voor u leesbaar).")],
) -> None:
    """Maak een sleutel voor wie de backups mag openen; bewaar hem buiten de hub. Gelijk aan `age-keygen`."""
    from hub.ops import backup as backups  # noqa: PLC0415

    try:
        recipient = backups.make_identity(pad)
    except backups.BackupError as exc:
        print(f"fout: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    print(f"sleutel geschreven naar {pad}; de ontvanger voor SCHAKEL_BACKUP_RECIPIENT is:\n{recipient}")


@app.command()
def herstel(
    bestand: Annotated[Path, typer.Argument(help="Het backupbestand.")],
    sleutel: Annotated[Path, typer.Option(help="De geheime sleutel van de ontvanger (AGE-SECRET-KEY-1...).")],
    overschrijven: Annotated[
        bool, typer.Option("--overschrijven", help="Een bestaande database en sleutels vervangen.")
    ] = False,
    controlepunt: Annotated[
        Path | None, typer.Option(help="Een controlepunt dat u bewaarde (van de hub, na de backup).")
    ] = None,
) -> None:
    """Zet een backup terug (database en sleutels) en controleer de log: tegen de herstelde sleutel, tegen de
    getuigen (SCHAKEL_WITNESSES_FILE) en tegen een bewaard controlepunt. Ligt de log achter op wat een getuige
    medeondertekende, dan zegt het dat (exitcode 1) en ondertekent de hub geen controlepunt meer over deze log."""
    from hub.ledger.witnesses import load_witnesses  # noqa: PLC0415
    from hub.ops import backup as backups  # noqa: PLC0415

    settings = get_settings()
    kept = controlepunt.read_text(encoding="utf-8") if controlepunt is not None else None
    with open_database(prepare=False) as database:
        try:
            found = backups.restore(
                bestand, sleutel, database, settings.keys_dir, overwrite=overschrijven,
                witnesses=load_witnesses(settings.witnesses_file), kept_checkpoint=kept,
            )  # fmt: skip
        except backups.BackupError as exc:
            print(f"fout: {exc}; er is niets veranderd", file=sys.stderr)
            raise typer.Exit(1) from None
    manifest = found.manifest
    print(
        f"hersteld: de backup van {manifest.gemaakt_op} (Schakel {manifest.schakel}, schema {manifest.schema}), "
        f"{found.grootte} vastleggingen in de log, het nieuwste controlepunt over "
        f"{found.controlepunt if found.controlepunt is not None else 0}"
    )
    for line in found.gecontroleerd:
        print(f"  klopt: {line}")
    for line in found.niet_gecontroleerd:
        print(f"  niet gecontroleerd: {line}")
    if found.teruggezet:
        for achter in found.teruggezet:
            print(f"fout: {achter.zin}", file=sys.stderr)
        print(
            "fout: de log is teruggezet achter een controlepunt dat elders bekend is; de hub ondertekent geen "
            "controlepunt meer over deze log. Zet een nieuwere backup terug (docs/deployment.md).",
            file=sys.stderr,
        )
        raise typer.Exit(1)
    print("de hub kan starten; `schakel db upgrade` brengt een oudere database eerst bij")


@app.command()
def bewaren(
    per: Annotated[
        str | None,
        typer.Option("--per", metavar="DATUM", help="Doe alsof het die dag is (JJJJ-MM-DD); alleen samen met --droog."),
    ] = None,
    droog: Annotated[
        bool, typer.Option("--droog", help="Laat zien wat een ronde zou verwijderen, zonder iets te verwijderen.")
    ] = False,
) -> None:
    """Pas de bewaartermijnen nu toe (anders doen `schakel serve` en `schakel worker` het elk uur), of oefen een
    ronde op een latere dag met --per DATUM --droog."""
    from hub.bewaren.keeper import full_pass  # noqa: PLC0415 - keeps `schakel --help` fast
    from hub.pseudonym.vault import Vault  # noqa: PLC0415

    now = None
    if per is not None:
        if not droog:
            raise typer.BadParameter(
                "--per kan alleen met --droog: een echte ronde loopt altijd op vandaag", param_hint="--per"
            )
        try:
            day = date.fromisoformat(per)
        except ValueError:
            raise typer.BadParameter(
                f"{per!r} is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2027-06-25", param_hint="--per"
            ) from None
        now = datetime(day.year, day.month, day.day, 12, tzinfo=NL).astimezone(UTC)  # midday, Dutch time
    settings = get_settings()
    privacy = PrivacySecrets(settings.keys_dir)
    with open_database() as database:
        total = full_pass(database, Vault(privacy.pseudonyms(), privacy.kek()), now=now, droog=droog)
    counts = (
        f"{total.personen} personen vergeten, {total.leveringen_ingetrokken} nooit bevestigde leveringen over hen "
        f"ingetrokken, {total.leveringen_niet_opgehaald} leveringen niet opgehaald binnen de ophaaltermijn (inhoud "
        f"vernietigd), {total.signalen} bekend-signalen verwijderd, {total.casussen} casussen zonder verwijzingen, "
        f"{total.top_x_vervallen} Top X-statussen vervallen"
    )
    if droog:
        dag = per or "vandaag"
        print(f"oefening (er is niets verwijderd): een ronde op {dag} zou dit doen: {counts}")
    else:
        print(f"bewaartermijnen toegepast: {counts}")


@app.command()
def postcodes(
    bestand: Annotated[
        Path | None, typer.Argument(help="De tabel (`pc4;gemeentecode` per regel); zonder: die de hub nu gebruikt.")
    ] = None,
) -> None:
    """Controleer een postcodetabel en toon per gemeente hoeveel PC4-gebieden erin staan. Zet de tabel daarna met
    SCHAKEL_POSTCODES_FILE en herstart de hub."""
    from hub.meldingen.postcodes import Postcodes  # noqa: PLC0415 - keeps `schakel --help` fast

    table = Postcodes.load(bestand or get_settings().postcodes_file)
    per_gemeente: dict[str, int] = {}
    for gemeente in table.gemeenten.values():
        per_gemeente[gemeente] = per_gemeente.get(gemeente, 0) + 1
    print(f"{table.bron}: {len(table.gemeenten)} postcodegebieden in {len(per_gemeente)} gemeenten")
    for gemeente, count in sorted(per_gemeente.items()):
        print(f"  {gemeente}: {count}")


@app.command()
def openapi(
    output: Annotated[Path | None, typer.Option(help="Schrijf hierheen in plaats van naar stdout.")] = None,
) -> None:
    """Druk het OpenAPI-document af (geen database of server nodig)."""
    from hub.main import create_app  # noqa: PLC0415 - keeps `schakel --help` fast

    document = json.dumps(create_app(get_settings(), configure_logs=False).openapi(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(document)
    else:
        output.write_text(document, encoding="utf-8")
