"""The partner adapters end to end: export files in, meldingen through the hub, what each recipient got out."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from connectors import HubClient
from connectors.adapters import AdapterError, bkr_adressen, dji_detentie, politie_e33
from hub.db import Database
from tests.partnership import Partnership, wait_for

EXAMPLES = Path(__file__).resolve().parents[2] / "connectors" / "voorbeelden"


class TestAdapters:
    def test_the_police_e33_export_becomes_one_melding_per_incident(self, partnership: Partnership) -> None:
        meldingen = politie_e33(EXAMPLES / "politie-e33.csv")
        assert [len(m["inhoud"]["personen"]) for m in meldingen] == [1, 2]
        client = partnership.client("politie-limburg")
        receipts = [client.submit_melding(m) for m in meldingen]
        assert all(r["ontvangers"][0]["partner"] == "via-zuid-limburg" for r in receipts)
        via = partnership.receivers["via-zuid-limburg"]
        wait_for(lambda: len(via.received) == 2)
        assert {p["rol"] for e in via.received for p in e["inhoud"]["personen"]} == {"betrokkene", "huisgenoot"}

    def test_dji_detentiemeldingen_go_to_the_zvh_and_the_gemeente_of_inschrijving_without_the_informatieblad(
        self, partnership: Partnership
    ) -> None:
        (einde, begin) = dji_detentie(EXAMPLES / "dji-detentie.jsonl")
        assert einde["inhoud"]["inschrijving"] == {"gemeentecode": "GM0917"}, "the adapter fills the gemeente"
        receipt = partnership.client("dji-pi-limburg").submit_melding(einde)
        outcomes = {o["partner"]: o for o in receipt["ontvangers"]}
        assert set(outcomes) == {"zvh-zuid-limburg", "gemeente-heerlen"}, "a Heerlen resident: not Maastricht"
        zvh = outcomes["zvh-zuid-limburg"]
        assert {"categorie": "basisvoorwaarden", "reden": "toestemming-ontbreekt", "verwijzing": "R-DJI-003"} in zvh[
            "achtergehouden"
        ]
        (item,) = partnership.client("zvh-zuid-limburg").get("/api/v1/inbox")["items"]
        assert "informatieblad" not in item["inhoud"], "no consent on record: the informatieblad stays with DJI"
        assert item["inhoud"]["detentie"]["soort_melding"] == "einde"
        assert begin["inhoud"]["detentie"]["soort_melding"] == "begin"

    def test_the_bkr_list_goes_by_address_only_to_the_vroegsignaleringsteam_of_each_gemeente(
        self, partnership: Partnership
    ) -> None:
        heerlen, maastricht = bkr_adressen(EXAMPLES / "bkr-achterstanden.csv")
        assert [len(a["achterstanden"]) for a in maastricht["inhoud"]["adressen"]] == [2]
        assert "bsn" not in str(maastricht) and "bewoners" not in str(maastricht), "the BKR holds no residents"
        receipt = partnership.client("bkr").submit_melding(maastricht)
        assert [o["partner"] for o in receipt["ontvangers"]] == ["kredietbank-limburg", "trajekt"]
        assert len(receipt["posities"]) == 2, "about nobody in particular: one entry per recipient"
        receipt = partnership.client("bkr").submit_melding(heerlen)
        assert [o["partner"] for o in receipt["ontvangers"]] == ["kredietbank-limburg"], "Trajekt serves Maastricht"

    def test_an_adapter_that_derives_the_gemeente_from_the_address_says_so(self, tmp_path: Path) -> None:
        export = tmp_path / "bkr.csv"
        lines = (EXAMPLES / "bkr-achterstanden.csv").read_text(encoding="utf-8").splitlines()
        header, first = lines[0], lines[1].replace(";GM0935;", ";;")  # no code: the adapter looks up the woonplaats
        export.write_text(f"{header}\n{first}\n", encoding="utf-8")
        notes: list[str] = []
        (melding,) = bkr_adressen(export, notes)
        assert melding["inhoud"]["gemeentecode"] == "GM0935"
        assert notes == ["line 2: gemeentecode GM0935 derived from column woonplaats, not given"]
        given: list[str] = []
        bkr_adressen(EXAMPLES / "bkr-achterstanden.csv", given)
        assert given == [], "a code the export gives is not derived"

    def test_a_broken_export_names_the_line_not_the_value(self, tmp_path: Path) -> None:
        broken = tmp_path / "e33.csv"
        broken.write_text("registratienummer;datum;bsn\n;2026-11-15;271828195\n", encoding="utf-8")
        with pytest.raises(AdapterError, match="line 2: column registratienummer is empty") as caught:
            politie_e33(broken)
        assert "271828195" not in str(caught.value)


class TestClientRetries:
    def test_a_lost_answer_is_retried_with_the_same_key_and_makes_one_melding(
        self, partnership: Partnership, database: Database
    ) -> None:
        real = partnership.http
        seen: list[str | None] = []

        def flaky(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers.get("idempotency-key"))
            answer = real.send(
                real.build_request(request.method, request.url, headers=request.headers, content=request.content)
            )
            if len(seen) == 1:
                return httpx.Response(503)  # the hub stored it, but the answer was lost on the way
            return answer

        with httpx.Client(transport=httpx.MockTransport(flaky)) as http:
            client = HubClient(
                str(real.base_url),
                partner_id="politie-limburg",
                principal_id="politie-limburg-systeem",
                key=partnership.keys["politie-limburg"],
                http=http,
            )
            receipt = client.submit_melding(politie_e33(EXAMPLES / "politie-e33.csv")[0])
        assert len(seen) == 2 and seen[0] == seen[1] and seen[0]
        with database.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM melding")).scalar() == 1
            assert connection.execute(sa.text("SELECT id FROM melding")).scalar() == receipt["meldingId"]
