"""The annual figures on a replayed year: a year of meldingen and casussen sent through the hub (the hub's clock set
to the moments of next year, with the convenant in force), and the figures must match what was sent, per gemeente,
quarter and theme, with every person counted once, the year's edges in Dutch time, and no notice counted."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors import HubClient, HubError
from hub.casus import endpoints as casus_endpoints
from hub.kit.clock import NL, utcnow
from hub.meldingen import intake
from tests.casus.test_zvh_process import POLITIE, VIA, invented_bsns
from tests.partnership import Partnership, sample_melding

YEAR = utcnow().astimezone(NL).year + 1
A, B, C, D, E = invented_bsns(5, 400_000_000)
GEMEENTE_PATH = {"e33-verward-gedrag": "incident", "aanmelding": "aanmelding"}
DOEL = {"e33-verward-gedrag": None, "aanmelding": "triage-zvh"}

Key = tuple[str | None, int | None, str | None]


@dataclass
class Clock:
    moment: datetime


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The hub's clock where meldingen come in and casussen are run; tokens still go by the real time."""
    found = Clock(utcnow())
    monkeypatch.setattr(intake, "utcnow", lambda: found.moment)
    monkeypatch.setattr(casus_endpoints, "utcnow", lambda: found.moment)
    return found


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = YEAR) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NL).astimezone(UTC)


def _send(partnership: Partnership, berichttype: str, gemeente: str, bsn: str) -> dict[str, Any]:
    inhoud = sample_melding(berichttype)
    inhoud[GEMEENTE_PATH[berichttype]]["gemeentecode"] = gemeente
    inhoud["personen"][0]["bsn"] = bsn
    body: dict[str, Any] = {"berichttype": berichttype, "inhoud": inhoud}
    if DOEL[berichttype]:
        body["doel"] = DOEL[berichttype]
    response = partnership.client(POLITIE).send("POST", "/api/v1/meldingen", json_body=body)
    assert response.status_code == 201, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


def expected(items: list[tuple[str, int, str, frozenset[str]]]) -> list[dict[str, Any]]:
    """What the figures must say of these (gemeente, quarter, theme, persons): per row a count and unique persons."""
    groups: dict[Key, tuple[int, set[str]]] = defaultdict(lambda: (0, set()))
    for gemeente, kwartaal, thema, persons in items:
        keys: list[Key] = [
            (gemeente, kwartaal, thema), (gemeente, None, thema), (gemeente, None, None), (None, None, thema),
            (None, None, None),
        ]  # fmt: skip
        for key in keys:
            count, seen = groups[key]
            groups[key] = (count + 1, seen | persons)
    rows = [
        {"gemeente": g, "kwartaal": k, "thema": t, "aantal": n, "personen": len(p)}
        for (g, k, t), (n, p) in groups.items()
    ]
    return sorted(rows, key=_order)


def _order(row: dict[str, Any]) -> tuple[str, str, str]:
    return (str(row["gemeente"]), str(row["kwartaal"]), str(row["thema"]))


class TestAnnualFigures:
    def test_the_figures_of_a_replayed_year_match_what_was_sent(
        self, partnership: Partnership, regie: HubClient, clock: Clock, actors_for_partnership: dict[str, HubClient]
    ) -> None:
        sent: list[tuple[str, int, str, frozenset[str]]] = []

        def melding(moment: datetime, berichttype: str, gemeente: str, bsn: str, quarter: int | None) -> str:
            clock.moment = moment
            receipt = _send(partnership, berichttype, gemeente, bsn)
            if quarter is not None:
                sent.append((gemeente, quarter, receipt["doel"], frozenset({bsn})))
            return str(receipt["meldingId"])

        melding(at(12, 31, 23, 50, year=YEAR - 1), "e33-verward-gedrag", "GM0935", E, None)  # the year before
        aanmelding_a = melding(at(2, 3), "aanmelding", "GM0935", A, 1)
        melding(at(2, 3, 11), "e33-verward-gedrag", "GM0935", A, 1)
        melding(at(4, 1, 0, 30), "e33-verward-gedrag", "GM0917", B, 2)  # Q2 in Dutch time, Q1 in UTC
        melding(at(5, 5), "e33-verward-gedrag", "GM0935", A, 2)  # the same person again
        melding(at(5, 6), "e33-verward-gedrag", "GM0935", C, 2)
        aanmelding_b = melding(at(8, 8), "aanmelding", "GM0917", B, 3)
        melding(at(12, 31, 23, 30), "e33-verward-gedrag", "GM0935", D, 4)  # 22:30 UTC: the last quarter
        melding(at(1, 1, 0, 30, year=YEAR + 1), "e33-verward-gedrag", "GM0935", E, None)  # the next year

        cases: list[tuple[str, int, str, frozenset[str]]] = []
        clock.moment = at(2, 10)
        pga = regie.post("/api/v1/casussen", {"type": "pga", "reden": "Aanmelding politie"})["id"]
        regie.post(f"/api/v1/casussen/{pga}/meldingen", {"meldingId": aanmelding_a, "reden": "De aanmelding"})
        regie.post(f"/api/v1/casussen/{pga}/personen", {"bsn": A, "reden": "De betrokkene"})
        regie.post(f"/api/v1/casussen/{pga}/deelnemers", {"partner": VIA, "reden": "Aan tafel"})
        cases.append(("GM0935", 1, "pga", frozenset({A})))
        clock.moment = at(9, 1)
        top_x = regie.post("/api/v1/casussen", {"type": "top-x", "reden": "Voorgedragen voor Top X"})["id"]
        regie.post(f"/api/v1/casussen/{top_x}/meldingen", {"meldingId": aanmelding_b, "reden": "De aanmelding"})
        regie.post(f"/api/v1/casussen/{top_x}/personen", {"bsn": B, "reden": "De betrokkene"})
        regie.post(f"/api/v1/casussen/{top_x}/personen", {"bsn": A, "reden": "Mede betrokken"})
        cases.append(("GM0917", 3, "top-x", frozenset({A, B})))
        regie.post("/api/v1/casussen", {"type": "nazorg", "reden": "Detentie eindigt"})
        cases.append(("onbekend", 3, "nazorg", frozenset()))
        clock.moment = at(11, 20)  # afschaling sends the table a notice: a melding of the hub's own, not counted
        regie.post(f"/api/v1/casussen/{pga}/fase", {"naar": "afschaling", "reden": "Doelen bereikt"})

        officer = actors_for_partnership["asker"]
        figures = officer.get(f"/api/v1/rapportages/jaarcijfers?jaar={YEAR}")
        assert figures["jaar"] == YEAR
        assert sorted(figures["meldingen"], key=_order) == expected(sent)
        assert sorted(figures["casussen"], key=_order) == expected(cases)
        total = next(r for r in figures["meldingen"] if r["gemeente"] is None and r["thema"] is None)
        assert (total["aantal"], total["personen"]) == (7, 4), "seven meldingen about four persons"

        response = officer.send("GET", "/api/v1/rapportages/jaarcijfers", params={"jaar": str(YEAR), "formaat": "csv"})
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        as_json = [
            {"tabel": tabel, "gemeente": r["gemeente"] or "alle", "kwartaal": str(r["kwartaal"] or "jaar"),
             "thema": r["thema"] or "alle", "aantal": str(r["aantal"]), "personen": str(r["personen"])}
            for tabel in ("meldingen", "casussen") for r in figures[tabel]
        ]  # fmt: skip
        assert rows == as_json
        for bsn in (A, B, C, D, E):
            assert bsn not in response.text

        assert regie.get(f"/api/v1/rapportages/jaarcijfers?jaar={YEAR}") == figures, "the ZVH's own werkgebied"
        with pytest.raises(HubError) as partner:
            partnership.client(POLITIE).get(f"/api/v1/rapportages/jaarcijfers?jaar={YEAR}")
        assert partner.value.status == 403
