"""The reports' pages: charts of the verstrekkingenlog, the DPIA report (with CSV), and the inzage as a letter to
the betrokkene. The same `service` and `inzage` calls as the API; the inzage is recorded in the log as there."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from hub.db import SessionDep
from hub.errors import SchakelError
from hub.kit.clock import dutch_date, utcnow
from hub.ledger.endpoints import LogOriginDep, day_start
from hub.ledger.pages import page_context
from hub.ledger.wording import reden
from hub.policy import service as policy_service
from hub.policy.convenant.sentences import CASUSTYPEN
from hub.pseudonym.endpoints import VaultDep
from hub.reports import inzage, jaarcijfers, service
from hub.reports.schemas import InzageverzoekIn
from hub.state import state_of
from hub.web.charts import SERIES_CLASSES, BarChart, grouped_bars
from hub.web.dependencies import CasusPage, OfficerForm, OfficerPage, ReviewerPage
from hub.web.render import page
from hub.web.service import Person
from hub.web.wording import zin

router = APIRouter(include_in_schema=False)

OVERIG = "overige"


def _period(van: str, tot: str) -> tuple[date, date]:
    """[start, end] as Dutch days, from the form (default: the last twelve months up to today)."""
    today = dutch_date(utcnow())
    try:
        end = date.fromisoformat(tot) if tot else today
        start = date.fromisoformat(van) if van else end - timedelta(days=365)
    except ValueError:
        end, start = today, today - timedelta(days=365)
    return (start, end) if start <= end else (end, start)


def _report(session: SessionDep, start: date, end: date) -> service.Report:
    return service.verstrekkingen(session, day_start(start), day_start(end + timedelta(days=1)))  # type: ignore[arg-type]


def _top(counts: Counter[str], keep: int) -> list[str]:
    return [name for name, _ in counts.most_common(keep)]


_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def maand(value: str) -> str:
    """`2026-12` -> `dec 2026`."""
    year, month = value.split("-")
    return f"{_MONTHS[int(month) - 1]} {year}"


def _table(first: str, groups: list[str], series: dict[str, list[int]]) -> dict[str, Any]:
    """A chart's numbers as a table: a row per group, a column per series."""
    return {"kop": [first, *series], "rijen": [[g, *(series[n][i] for n in series)] for i, g in enumerate(groups)]}


def charts(report: service.Report) -> list[tuple[BarChart, dict[str, Any]]]:
    """The three charts, each with the table of its numbers."""
    keys = sorted({row["maand"] for row in report.besluiten})
    months = [maand(m) for m in keys]
    flows: Counter[str] = Counter()
    for row in report.besluiten:
        flows[f"{row['verstrekker']} → {row['ontvanger']}"] += row["permit"] + row["partial"]
    shown = _top(flows, SERIES_CLASSES - 1)
    per_flow: dict[str, list[int]] = {name: [0] * len(months) for name in [*shown, OVERIG]}
    allowed = {"verstrekt (geheel of deels)": [0] * len(months), "geweigerd": [0] * len(months)}
    for row in report.besluiten:
        m = keys.index(row["maand"])
        name = f"{row['verstrekker']} → {row['ontvanger']}"
        per_flow[name if name in shown else OVERIG][m] += row["permit"] + row["partial"]
        allowed["verstrekt (geheel of deels)"][m] += row["permit"] + row["partial"]
        allowed["geweigerd"][m] += row["deny"]
    if not any(per_flow[OVERIG]):
        del per_flow[OVERIG]
    withheld: Counter[tuple[str, str]] = Counter()
    for row in report.categorieen:
        if row["uitkomst"] != service.VERSTREKT:
            withheld[(row["categorie"], reden(row["uitkomst"]))] += row["aantal"]
    per_category: Counter[str] = Counter()
    per_reason: Counter[str] = Counter()
    for (categorie, why), count in withheld.items():
        per_category[categorie] += count
        per_reason[why] += count
    categories = _top(per_category, 8)
    reasons = _top(per_reason, SERIES_CLASSES)
    by_reason = {r: [withheld[(c, r)] for c in categories] for r in reasons}
    return [
        (
            grouped_bars(
                "per-stroom",
                "Verstrekkingen per maand per stroom",
                "Aantal verstrekkingen (per betrokkene) per maand, per verstrekker en ontvanger.",
                months,
                per_flow,
            ),
            _table("Maand", months, per_flow),
        ),
        (
            grouped_bars(
                "toegestaan-geweigerd",
                "Toegestaan tegenover geweigerd per maand",
                "Aantal besluiten per maand: verstrekt (geheel of deels) en geweigerd.",
                months,
                allowed,
            ),
            _table("Maand", months, allowed),
        ),
        (
            grouped_bars(
                "achtergehouden",
                "Achtergehouden categorieën naar reden",
                "Hoe vaak elke gegevenscategorie werd achtergehouden, per reden.",
                categories,
                by_reason,
            ),
            _table("Categorie", categories, by_reason),
        ),
    ]


@router.get("/verstrekkingenlog/grafieken")
def chart_page(
    request: Request,
    _: ReviewerPage,
    session: SessionDep,
    van: Annotated[str, Query(max_length=10)] = "",
    tot: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    start, end = _period(van, tot)
    report = _report(session, start, end)
    context = {"grafieken": charts(report), "van": start.isoformat(), "tot": end.isoformat()}
    return page(request, "reports/grafieken.html", context)


@router.get("/verstrekkingenlog/rapport")
def report_page(
    request: Request,
    _: ReviewerPage,
    session: SessionDep,
    van: Annotated[str, Query(max_length=10)] = "",
    tot: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    start, end = _period(van, tot)
    report = _report(session, start, end)
    context = {"rapport": report, "van": start.isoformat(), "tot": end.isoformat()}
    return page(request, "reports/rapport.html", context)


@router.get("/verstrekkingenlog/rapport.csv")
def report_csv(
    _: ReviewerPage,
    session: SessionDep,
    van: Annotated[str, Query(max_length=10)] = "",
    tot: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    start, end = _period(van, tot)
    headers = {"Content-Disposition": f'attachment; filename="dpia-rapport-{start}-{end}.csv"'}
    return Response(service.as_csv(_report(session, start, end)), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/inzage")
def inzage_form(request: Request, _: OfficerPage) -> Response:
    return page(request, "reports/inzage.html", {})


@router.post("/inzage")
def inzage_letter(
    request: Request,
    person: OfficerForm,
    session: SessionDep,
    vault: VaultDep,
    origin: LogOriginDep,
    bsn: Annotated[str, Form(max_length=16)] = "",
    voornamen: Annotated[str, Form(max_length=200)] = "",
    tussenvoegsel: Annotated[str, Form(max_length=50)] = "",
    achternaam: Annotated[str, Form(max_length=200)] = "",
    geboortedatum: Annotated[str, Form(max_length=10)] = "",
    motivering: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    runtime, keyring = state_of(request.app).policy_runtime, state_of(request.app).keyring
    now = utcnow()
    policy_service.check_member_officer(session, runtime, person.partner_id, now)
    try:
        verzoek = InzageverzoekIn.model_validate(
            {
                "bsn": bsn.strip() or None,
                "voornamen": voornamen.strip() or None,
                "tussenvoegsel": tussenvoegsel.strip() or None,
                "achternaam": achternaam.strip() or None,
                "geboortedatum": geboortedatum or None,
                "motivering": motivering.strip(),
            }
        )
        result = inzage.inzage(
            session,
            vault,
            verzoek.gegeven(),
            officer=person.principal_id,
            policy=runtime.active(session, now),
            context=page_context(request, person),
            origin=origin,
            key=keyring.ed25519_key(),
            now=now,
        )
    except ValidationError as exc:
        fields = sorted({str(e["loc"][-1]) for e in exc.errors()})
        return _form_again(request, "Controleer deze velden: " + ", ".join(fields) + ".", motivering)
    except SchakelError as exc:
        if exc.status != 422:
            raise
        return _form_again(request, zin(exc), motivering)
    context = {"inzage": result, "motivering": motivering, "casustypen": CASUSTYPEN}
    return page(request, "reports/inzagebrief.html", context)


def _form_again(request: Request, message: str, motivering: str) -> Response:
    # The person's identity is never echoed back into the form: it is typed again.
    return page(request, "reports/inzage.html", {"fout": message, "motivering": motivering}, status_code=422)


def _jaar(person: Person, session: SessionDep, jaar: int) -> jaarcijfers.Jaarcijfers:
    return jaarcijfers.voor(session, jaar, person)


def _themes(request: Request, session: SessionDep) -> dict[str, str]:
    """Each theme in words: the doelen as the convenant in force describes them, and the kinds of casus."""
    policy = state_of(request.app).policy_runtime.active(session, utcnow())
    doelen = {d.code: d.omschrijving for d in policy.source.vocabulaires.doelen} if policy is not None else {}
    return {**doelen, **CASUSTYPEN}


def _year(jaar: int | None) -> int:
    this = dutch_date(utcnow()).year
    return jaar if jaar is not None and 2000 <= jaar <= this + 1 else this - 1


@router.get("/jaarcijfers")
def figures_page(
    request: Request, person: CasusPage, session: SessionDep, jaar: Annotated[int | None, Query()] = None
) -> Response:
    year = _year(jaar)
    this = dutch_date(utcnow()).year
    context = {
        "cijfers": _jaar(person, session, year),
        "jaren": list(range(this, this - 6, -1)),
        "themas": _themes(request, session),
    }
    return page(request, "reports/jaarcijfers.html", context)


@router.get("/jaarcijfers.csv")
def figures_csv(person: CasusPage, session: SessionDep, jaar: Annotated[int | None, Query()] = None) -> Response:
    year = _year(jaar)
    return Response(
        jaarcijfers.as_csv(_jaar(person, session, year)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="jaarcijfers-{year}.csv"'},
    )
