"""The consent register: rules with a consent condition read it; a withdrawal withholds what was not delivered."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hub.db import Database
from tests.meldingen.conftest import Partnership, sample_melding

BRAM = "402015447"  # the detainee of the sample detentiemelding


def _detentie(partnership: Partnership) -> dict[str, Any]:
    melding = {"berichttype": "detentiemelding", "inhoud": sample_melding("detentiemelding")}
    receipt: dict[str, Any] = partnership.client("dji-pi-limburg").post("/api/v1/meldingen", melding)
    return receipt


def _zvh_inbox(partnership: Partnership) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = partnership.client("zvh-zuid-limburg").get("/api/v1/inbox")["items"]
    return items


class TestConsent:
    def test_the_informatieblad_goes_only_with_consent_and_only_the_items_consented_to(
        self, partnership: Partnership
    ) -> None:
        without = _detentie(partnership)
        zvh = next(o for o in without["ontvangers"] if o["partner"] == "zvh-zuid-limburg")
        assert {"categorie": "basisvoorwaarden", "reden": "toestemming-ontbreekt", "verwijzing": "R-DJI-003"} in zvh[
            "achtergehouden"
        ]
        dji = partnership.client("dji-pi-limburg")
        for item in ("basisvoorwaarden/huisvesting", "basisvoorwaarden/schulden"):
            assert dji.post("/api/v1/toestemmingen", {"bsn": BRAM, "item": item})["item"] == item
        _detentie(partnership)
        first, second = _zvh_inbox(partnership)
        assert "informatieblad" not in first["inhoud"]
        assert second["inhoud"]["informatieblad"] == {"huisvesting": "Dakloos na ontslag", "schulden": "Onbekend"}
        recorded = dji.get("/api/v1/toestemmingen")
        assert [t["item"] for t in recorded] == ["basisvoorwaarden/huisvesting", "basisvoorwaarden/schulden"]
        assert BRAM not in str(recorded)
        assert partnership.client("gemeente-heerlen").get("/api/v1/toestemmingen") == [], "only your own"

    def test_a_withdrawal_withholds_the_deliveries_not_yet_made_and_says_so_on_the_ledger(
        self, partnership: Partnership, database: Database
    ) -> None:
        dji = partnership.client("dji-pi-limburg")
        consent = dji.post("/api/v1/toestemmingen", {"bsn": BRAM, "item": "basisvoorwaarden"})
        receipt = _detentie(partnership)
        relying = {o["partner"] for o in receipt["ontvangers"] if "basisvoorwaarden" in o["verstrekt"]}
        assert {"zvh-zuid-limburg", "gemeente-maastricht", "gemeente-heerlen"} <= relying
        assert len(_zvh_inbox(partnership)) == 1
        withdrawn = dji.post(f"/api/v1/toestemmingen/{consent['id']}/intrekking", {})
        assert withdrawn["ingetrokkenOp"] is not None
        assert withdrawn["ingehoudenLeveringen"] >= 2, "the inbox deliveries were not collected yet"
        assert _zvh_inbox(partnership) == [], "withheld: it will not be delivered"
        with database.engine.connect() as connection:
            withheld = connection.execute(
                sa.text("SELECT count(*) FROM ledger_entry WHERE soort = 'intrekking'")
            ).scalar()
            gone = connection.execute(
                sa.text("SELECT count(*) FROM levering WHERE status = 'ingetrokken' AND payload IS NULL")
            ).scalar()
        assert withheld == gone == withdrawn["ingehoudenLeveringen"]
        again = dji.send("POST", f"/api/v1/toestemmingen/{consent['id']}/intrekking", json_body={})
        assert (again.status_code, again.json()["code"]) == (409, "toestemming-ingetrokken")
        other = partnership.client("zvh-zuid-limburg").send(
            "POST", f"/api/v1/toestemmingen/{consent['id']}/intrekking", json_body={}
        )
        assert other.status_code == 404

    def test_an_item_the_convenant_does_not_know_is_refused(self, partnership: Partnership) -> None:
        answer = partnership.client("dji-pi-limburg").send(
            "POST", "/api/v1/toestemmingen", json_body={"bsn": BRAM, "item": "basisvoorwaarden/hobby"}
        )
        assert (answer.status_code, answer.json()["code"]) == (422, "toestemming-item-unknown")
