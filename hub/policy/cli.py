"""`schakel policy ...`: check, compare and simulate convenants; propose, approve and activate them.

`validate`, `schema`, `show`, `diff` and `simulate` work on a directory (or a stored version number).
`propose`, `approve` and `activate` are acts of a privacy officer: they go through the API, signed with the
officer's own key (the same options as `schakel-connector call`), so four eyes hold from the command line too.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from hub.kit.canonical import content_hash
from hub.kit.cli import HubOption, KeyOption, PartnerOption, PrincipalOption, officer_client, open_database
from hub.kit.clock import dutch_date, utcnow
from hub.kit.progress import counted
from hub.policy import repository, service
from hub.policy.analysis.diff import diff
from hub.policy.analysis.simulate import TrafficError, read_traffic, simulate
from hub.policy.analysis.validate import Niveau, findings_from_format_error, has_errors, validate
from hub.policy.convenant.format import (
    FORMAAT,
    FormatError,
    json_schemas,
    load_directory,
    source_to_data,
    write_directory,
)
from hub.policy.convenant.migreren import migreer
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.runtime import PolicyRuntime, emergency_code

policy_app = typer.Typer(
    rich_markup_mode=None,
    help="Het convenant: valideren, vergelijken, simuleren, voorstellen, goedkeuren, activeren.",
    no_args_is_help=True,
)

DEFAULT_DIR = Path("policies/zuid-limburg")  # relative to where an officer works on their convenant


def _load(reference: str) -> CompiledPolicy:
    """A directory, or the number of a stored version."""
    if reference.isdigit():
        with open_database() as database, database.unit_of_work() as session:
            return PolicyRuntime().compile(service.get_version(session, int(reference)))
    directory = Path(reference)
    try:
        source = load_directory(directory)
    except FormatError as exc:
        for finding in findings_from_format_error(exc):
            print(finding, file=sys.stderr)
        raise typer.Exit(1) from None
    digest = content_hash(service.HASH_DOMAIN, source_to_data(source))
    return CompiledPolicy(source, content_hash=digest, label=f"{directory}")


@policy_app.command("validate")
def validate_command(directory: Annotated[Path, typer.Argument()] = DEFAULT_DIR) -> None:
    """Controleer een convenantmap: fouten (exitcode 1) en waarschuwingen, elk met bestand, regel en wat te
    veranderen."""
    try:
        findings = validate(load_directory(directory))
    except FormatError as exc:
        findings = findings_from_format_error(exc)
    for finding in findings:
        print(finding)
    errors = sum(1 for f in findings if f.niveau is Niveau.FOUT)
    print(f"{directory}: {errors} fouten, {len(findings) - errors} waarschuwingen")
    if has_errors(findings):
        raise typer.Exit(1)


@policy_app.command("schema")
def schema_command(
    out: Annotated[Path, typer.Option(help="Map voor de *.schema.json-bestanden.")] = Path("policies/schema"),
) -> None:
    """Schrijf het JSON Schema van elk soort convenantbestand, voor editors."""
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (out / f"{name}.schema.json").write_text(
            json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"geschreven: {out / f'{name}.schema.json'}")


@policy_app.command("show")
def show_command(
    reference: Annotated[str, typer.Argument(help="Een map of een versienummer.")] = str(DEFAULT_DIR),
) -> None:
    """Wat een convenant toestaat, per verstrekker: wie welke categorieën krijgt voor welk doel."""
    policy = _load(reference)
    print(f"{policy.source.convenant.naam} {policy.source.convenant.versie} ({policy.content_hash})")
    for file_name, regels in sorted(policy.source.regels.items()):
        print(f"\n{regels.verstrekker} (regels/{file_name})")
        for regel in regels.regels:
            until = f" t/m {regel.geldig_tot}" if regel.geldig_tot else ""
            consent = ", met toestemming" if regel.voorwaarden.toestemming else ""
            terms = f"{regel.grondslag}, {regel.bewaartermijn}, vanaf {regel.geldig_van}{until}{consent}"
            print(
                f"  {regel.id}: -> {regel.ontvanger}, doel {regel.doel} ({', '.join(regel.berichttypes)}): "
                f"{', '.join(regel.categorieen)}; {terms}"
            )
    for verbod in policy.source.verboden.verboden:
        print(f"\nverbod {verbod.id}: {verbod.omschrijving}")


@policy_app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="Een map of een versienummer.")],
    new: Annotated[str, typer.Argument(help="Een map of een versienummer.")],
    op: Annotated[str | None, typer.Option(help="Vergelijk op deze datum (JJJJ-MM-DD); standaard vandaag.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON in plaats van zinnen.")] = False,
) -> None:
    """Wat verandert als NIEUW in de plaats komt van OUD: de rechten die gelden, in gewone woorden."""
    day = date.fromisoformat(op) if op else dutch_date(utcnow())
    changes = diff(_load(old), _load(new), day)
    if as_json:
        print(json.dumps([c.as_json() for c in changes], indent=2, ensure_ascii=False))
        return
    for change in changes:
        print(change.zin())
    print(f"{len(changes)} wijzigingen op {day}")


@policy_app.command("simulate")
def simulate_command(
    proposed: Annotated[str, typer.Argument(help="De voorgestelde versie: een map of een versienummer.")],
    verkeer: Annotated[Path, typer.Option(help="Opgenomen besluitinvoer, één JSON-object per regel.")],
    huidig: Annotated[str, typer.Option(help="Vergelijk met: een map of een versienummer.")] = str(DEFAULT_DIR),
    as_json: Annotated[bool, typer.Option("--json", help="JSON in plaats van zinnen.")] = False,
) -> None:
    """Speel opgenomen verkeer af tegen een voorgestelde versie en toon wat zou veranderen."""
    try:
        records = read_traffic(verkeer.read_text(encoding="utf-8").splitlines())
    except TrafficError as exc:
        print(f"fout: {verkeer}: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "geen UTF-8-tekst"
        print(f"fout: --verkeer {verkeer}: {reason}", file=sys.stderr)
        raise typer.Exit(2) from None
    report = simulate(_load(huidig), _load(proposed), counted(records, "Simuleren"))
    if as_json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(report.lines()))


@policy_app.command("noodverboden")
def emergency_command() -> None:
    """Toon de noodverboden; exitcode 3 als er een langer dan 24 uur op een tweede officer wacht (voor monitoring)."""
    now = utcnow()
    overdue = 0
    with open_database() as database, database.unit_of_work() as session:
        for prohibition in service.list_emergency(session):
            state = service.emergency_status(prohibition, now)
            overdue += state == "onbevestigd-te-laat"
            issued = f"door {prohibition.issued_by}, {prohibition.issued_at:%Y-%m-%d %H:%M}"
            scope = f"{', '.join(prohibition.categorieen)} -> {', '.join(prohibition.ontvangers)}"
            print(f"{emergency_code(prohibition):6} {state:20} {scope} ({issued})")
    if overdue:
        print(f"{overdue} noodverbod(en) wachten langer dan 24 uur op bevestiging door een tweede privacy officer")
        raise typer.Exit(3)


@policy_app.command("migreer")
def migrate_command(
    uit: Annotated[Path, typer.Option(help="Nieuwe map voor de convenantbestanden in het huidige formaat.")],
    versie: Annotated[int | None, typer.Option(help="De versie om te migreren (standaard: die in werking).")] = None,
    werkgebied: Annotated[
        list[str] | None,
        typer.Option(help="PARTNER=GM0935,GM0938: het werkgebied van een deelnemer (anders dat uit het register)."),
    ] = None,
    gemeenteveld: Annotated[
        list[str] | None, typer.Option(help="BERICHTTYPE=veld: het veld met de CBS-gemeentecode van de melding.")
    ] = None,
) -> None:
    """Schrijf een versie van een ouder formaat als convenantmap in het huidige formaat, om aan te vullen, te
    controleren en voor te stellen (`policy propose`). Exitcode 1 zolang er iets aan te vullen is."""
    if uit.exists() and any(uit.iterdir()):
        print(f"fout: de map {uit} bestaat al en is niet leeg; kies een nieuwe", file=sys.stderr)
        raise typer.Exit(2)
    given = {p: _codes(c) for p, c in _pairs(werkgebied or [], "--werkgebied", "PARTNER=GM0935,GM0938")}
    velden = dict(_pairs(gemeenteveld or [], "--gemeenteveld", "BERICHTTYPE=veld"))
    with open_database() as database, database.unit_of_work(immediate=False) as session:
        if versie is None:
            active = repository.active_version(session, utcnow())
            if active is None:
                print("fout: er is geen versie in werking; noem er een met --versie", file=sys.stderr)
                raise typer.Exit(1)
            found = active
        else:
            found = service.get_version(session, versie)
        registry = {p: list(codes) for p, codes in repository.registry_werkgebieden(session) if codes}
        migratie = migreer(found.source, found.formaat, werkgebieden=registry | given, gemeentevelden=velden)
    write_directory(uit, migratie.bron)
    print(f"Versie {found.id} (formaat {found.formaat}) staat in formaat {FORMAAT} in {uit}.")
    for line in migratie.gedaan:
        print(f"  gedaan: {line}")
    for line in migratie.nog_te_doen:
        print(f"  nog te doen: {line}")
    print(f"Daarna: schakel policy validate {uit}, en schakel policy propose {uit} --toelichting '...'.")
    if migratie.nog_te_doen:
        raise typer.Exit(1)


def _pairs(values: list[str], option: str, form: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            print(f"fout: {option} {value!r} heeft niet de vorm {form}", file=sys.stderr)
            raise typer.Exit(2)
        pairs.append((key.strip(), rest.strip()))
    return pairs


def _codes(werkgebied: str) -> list[str]:
    return [code.strip().upper() for code in werkgebied.split(",") if code.strip()]


def _print(answer: Any) -> None:
    print(json.dumps(answer, indent=2, ensure_ascii=False))


@policy_app.command("propose")
def propose_command(
    directory: Annotated[Path, typer.Argument()],
    toelichting: Annotated[str, typer.Option(help="Wat verandert en waarom.")],
    hub: HubOption,
    partner: PartnerOption,
    principal: PrincipalOption,
    key: KeyOption,
) -> None:
    """Stel het convenant in MAP voor als nieuwe versie (u, als privacy officer)."""
    source = load_directory(directory)
    with officer_client(hub, partner, principal, key) as client:
        _print(client.post("/api/v1/beleid/versies", {"bron": source_to_data(source), "toelichting": toelichting}))


@policy_app.command("approve")
def approve_command(
    version: int,
    hub: HubOption,
    partner: PartnerOption,
    principal: PrincipalOption,
    key: KeyOption,
    actief_vanaf: Annotated[datetime | None, typer.Option(help="Wanneer ze actief wordt (standaard: meteen).")] = None,
    waarschuwingen_gezien: Annotated[
        bool, typer.Option("--waarschuwingen-gezien", help="Ik las de waarschuwingen (verplicht als er zijn).")
    ] = False,
) -> None:
    """Keur een voorgestelde versie goed (een andere privacy officer dan de indiener)."""
    body: dict[str, object] = {"waarschuwingenGezien": waarschuwingen_gezien}
    if actief_vanaf:
        body["actiefVanaf"] = actief_vanaf.isoformat()
    with officer_client(hub, partner, principal, key) as client:
        _print(client.post(f"/api/v1/beleid/versies/{version}/goedkeuring", body))


@policy_app.command("activate")
def activate_command(
    version: int,
    actief_vanaf: Annotated[datetime, typer.Option(help="Wanneer ze actief wordt (met tijdzone).")],
    hub: HubOption,
    partner: PartnerOption,
    principal: PrincipalOption,
    key: KeyOption,
) -> None:
    """Stel in wanneer een goedgekeurde versie actief wordt."""
    with officer_client(hub, partner, principal, key) as client:
        _print(client.post(f"/api/v1/beleid/versies/{version}/activering", {"actiefVanaf": actief_vanaf.isoformat()}))
