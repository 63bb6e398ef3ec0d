"""The ZVH's process end to end with real receivers, on SQLite and PostgreSQL: E33 -> VIA screening -> verrijking ->
aanmelding -> triage with a bekendheidscheck (two partners with a hit, one without, each told correctly) -> plan
van aanpak with participants -> afschaling; each disclosure permitted only in its stage and to the table, all on
the verstrekkingenlog. And the bekendheidscheck's limits: a casus at triage, one casus, at most so many persons."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from connectors import HubClient, HubError
from hub.db import Database
from hub.kit.clock import dutch_date, utcnow
from hub.ledger import repository as ledger
from hub.policy.convenant.format import add_duration
from tests.partnership import Partnership, sample_melding, wait_for

ZVH, VT, AMW, POLITIE, VIA = (
    "zvh-zuid-limburg",
    "veilig-thuis-zuid-limburg",
    "amw-zuid-limburg",
    "politie-limburg",
    "via-zuid-limburg",
)
BSN = str(sample_melding("aanmelding")["personen"][0]["bsn"])


def invented_bsns(count: int, start: int = 100_000_000) -> list[str]:
    """Nine-digit numbers that pass the 11-proef, for invented people."""
    found: list[str] = []
    number = start
    while len(found) < count:
        digits = [int(d) for d in f"{number:09d}"]
        if (sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]) % 11 == 0:
            found.append(f"{number:09d}")
        number += 1
    return found


def _send(partnership: Partnership, sender: str, berichttype: str, doel: str | None, **extra: Any) -> httpx.Response:
    body: dict[str, Any] = {"berichttype": berichttype, "inhoud": sample_melding(berichttype), **extra}
    if doel is not None:
        body["doel"] = doel
    return partnership.client(sender).send("POST", "/api/v1/meldingen", json_body=body)


def _bekend(partnership: Partnership, partner: str, bsn: str) -> int:
    """A bekend signal of `partner` for the person, for half a year; its id."""
    tot = add_duration(dutch_date(utcnow()), "P6M")
    body = {"bsn": bsn, "tot": str(tot), "referentie": "eigen dossier 2026-118"}  # the sample lets them by reference
    return int(partnership.client(partner).post("/api/v1/bekendheid", body)["id"])


def _inbox(partnership: Partnership, partner: str, soort: str) -> list[dict[str, Any]]:
    if partner in partnership.receivers:
        return [e for e in partnership.receivers[partner].received if e["soort"] == soort]
    items = partnership.client(partner).get("/api/v1/inbox")["items"]
    return [i for i in items if i["soort"] == soort]


class TestTheProcess:
    def test_e33_to_afschaling_with_a_bekendheidscheck(
        self, partnership: Partnership, regie: HubClient, database: Database
    ) -> None:
        # Before the casus: E33 to VIA, VIA's verrijking to the ZVH, the aanmelding at the ZVH's triage.
        assert _send(partnership, POLITIE, "e33-verward-gedrag", None).status_code == 201
        assert _send(partnership, VIA, "verrijking", "casusoverleg-pga").status_code == 201
        aanmelding = _send(partnership, POLITIE, "aanmelding", "triage-zvh")
        assert aanmelding.status_code == 201
        # Two partners know the person; one does not (and knows somebody else).
        signals = {POLITIE: _bekend(partnership, POLITIE, BSN), VT: _bekend(partnership, VT, BSN)}
        _bekend(partnership, AMW, invented_bsns(1, 111_222_000)[0])

        casus = regie.post("/api/v1/casussen", {"type": "pga", "reden": "Aanmelding politie, week 49"})["id"]
        path = f"/api/v1/casussen/{casus}"
        regie.post(f"{path}/meldingen", {"meldingId": aanmelding.json()["meldingId"], "reden": "De aanmelding"})
        regie.post(f"{path}/personen", {"bsn": BSN, "reden": "De betrokkene van de aanmelding"})
        with pytest.raises(HubError) as too_early:
            regie.post(f"{path}/bekendheidscheck", {})
        assert too_early.value.problem["code"] == "bekendheidscheck-buiten-triage"
        regie.post(f"{path}/fase", {"naar": "triage", "reden": "Wekelijkse triage"})
        for partner in (POLITIE, VT, AMW):
            regie.post(f"{path}/deelnemers", {"partner": partner, "reden": "Aan tafel bij de triage"})

        answered = regie.post(f"{path}/bekendheidscheck", {})
        assert {a["partner"]: a["bekend"] for a in answered["antwoorden"]} == {POLITIE: True, VT: True, AMW: False}
        for partner, signal in signals.items():
            wait_for(lambda p=partner: bool(_inbox(partnership, p, "bekendheidsvraag")))
            (told,) = _inbox(partnership, partner, "bekendheidsvraag")
            assert told["inhoud"]["casus"] == casus and told["inhoud"]["signalen"] == [signal]
            assert BSN not in json.dumps(told), "the notice names the partner's own signal, not the person"
        assert _inbox(partnership, AMW, "bekendheidsvraag") == [], "no hit: not told"

        # In triage the casusoverleg's rules do not apply yet; in the plan van aanpak, to the table only.
        assert _send(partnership, ZVH, "verrijking", "casusoverleg-pga", casus=casus).status_code == 403
        regie.post(f"{path}/deelnemers/{POLITIE}/verwijdering", {"reden": "Geen rol in het plan"})
        regie.post(f"{path}/fase", {"naar": "plan-van-aanpak", "reden": "Plan van aanpak vastgesteld"})
        overleg = _send(partnership, ZVH, "verrijking", "casusoverleg-pga", casus=casus)
        assert {o["partner"]: o["besluit"] for o in overleg.json()["ontvangers"]} == {VT: "partial", AMW: "partial"}

        closed = regie.post(f"{path}/fase", {"naar": "afschaling", "reden": "Doelen van het plan bereikt"})
        for partner in (VT, AMW):
            wait_for(lambda p=partner: bool(_inbox(partnership, p, "afschaling")))
        assert _inbox(partnership, POLITIE, "afschaling") == [], "who left the table is not told"
        assert _send(partnership, ZVH, "verrijking", "casusoverleg-pga", casus=casus).status_code == 403

        soorten = [e["soort"] for e in closed["geschiedenis"]]
        assert "bekendheidscheck" in soorten and soorten.count("fase") == 3
        with database.engine.connect() as connection:
            positions = [e["positie"] for e in closed["geschiedenis"]]
            entries = [json.loads(e) for e in ledger.entries_at(connection, positions).values()]
            assert all(e["casus_id"] == casus for e in entries)
            everything = [json.loads(e) for _, e in ledger.entries(connection, ledger.size(connection))]
        asked = [e for e in everything if e["soort"] == "bekendheid" and e.get("casus_id") == casus]
        assert sorted((e["handeling"], e["partner"], e.get("uitkomst")) for e in asked) == [
            ("bekend-bij-vraag", POLITIE, None), ("bekend-bij-vraag", VT, None),
            ("vraag", AMW, "niet-bekend"), ("vraag", POLITIE, "bekend"), ("vraag", VT, "bekend"),
        ]  # fmt: skip
        assert all("betrokkene_id" in e for e in asked if e["handeling"] == "bekend-bij-vraag")


class TestTheBekendheidschecksLimits:
    def test_no_more_persons_than_the_convenant_allows(self, partnership: Partnership, regie: HubClient) -> None:
        many = invented_bsns(7, 200_000_000)
        for bsn in many:
            _bekend(partnership, POLITIE, bsn)
        casus = regie.post("/api/v1/casussen", {"type": "pga", "reden": "Een grote familie"})["id"]
        path = f"/api/v1/casussen/{casus}"
        for bsn in many:
            regie.post(f"{path}/personen", {"bsn": bsn, "reden": "Lid van het huishouden"})
        regie.post(f"{path}/fase", {"naar": "triage", "reden": "Wekelijkse triage"})
        regie.post(f"{path}/deelnemers", {"partner": POLITIE, "reden": "Aan tafel"})
        with pytest.raises(HubError) as refused:
            regie.post(f"{path}/bekendheidscheck", {})
        assert (refused.value.status, refused.value.problem["code"]) == (422, "te-veel-personen")

    def test_no_question_without_a_casus_of_ones_own(self, partnership: Partnership, regie: HubClient) -> None:
        with pytest.raises(HubError) as missing:
            regie.post("/api/v1/casussen/424242/bekendheidscheck", {})
        assert missing.value.status == 404
        with pytest.raises(HubError) as partner:
            partnership.client(POLITIE).post("/api/v1/casussen/1/bekendheidscheck", {})
        assert partner.value.status == 403, "only a procesregisseur asks"

    def test_a_signal_holds_at_most_the_agreed_term_and_can_be_withdrawn(self, partnership: Partnership) -> None:
        politie = partnership.client(POLITIE)
        today = dutch_date(utcnow())
        with pytest.raises(HubError) as too_long:
            politie.post("/api/v1/bekendheid", {"bsn": BSN, "tot": str(today.replace(year=today.year + 2))})
        assert too_long.value.problem["code"] == "bekend-te-lang"
        signal = _bekend(partnership, POLITIE, BSN)
        assert _bekend(partnership, POLITIE, BSN) == signal, "registering again renews the same signal"
        assert [s["id"] for s in politie.get("/api/v1/bekendheid")["items"]] == [signal]
        politie.post(f"/api/v1/bekendheid/{signal}/intrekking", {})
        assert politie.get("/api/v1/bekendheid")["items"] == []
        with pytest.raises(HubError) as foreign:
            partnership.client(VT).post(f"/api/v1/bekendheid/{signal}/intrekking", {})
        assert foreign.value.status == 404, "another partner's signal is as absent as none"
