"""The consent register: who may record a consent, its scope, and what a withdrawal does, on a live hub."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from connectors import Voorwaarden, is_stopbericht
from hub.db import Database
from hub.kit.clock import dutch_date, utcnow
from hub.partners.models import Role
from hub.policy.convenant.format import add_duration
from tests.partnership import Partnership, dead_letter, levering_status, person_client, sample_melding, unreachable

BRAM = "402015447"  # the detainee of the sample detentiemelding (inschrijving: Heerlen)
NAZORG = "nazorg-ex-gedetineerden"


def consent(item: str, ontvangers: list[str], doel: str = NAZORG, **extra: Any) -> dict[str, Any]:
    return {"bsn": BRAM, "item": item, "referentie": "TV-2026-0042", "ontvangers": ontvangers, "doel": doel, **extra}


def _detentie(partnership: Partnership) -> dict[str, Any]:
    melding = {"berichttype": "detentiemelding", "inhoud": sample_melding("detentiemelding")}
    receipt: dict[str, Any] = partnership.client("dji-pi-limburg").post("/api/v1/meldingen", melding)
    return receipt


def _inbox(partnership: Partnership, partner_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = partnership.client(partner_id).get("/api/v1/inbox")["items"]
    return items


def _outcome(receipt: dict[str, Any], partner_id: str) -> dict[str, Any]:
    return next(o for o in receipt["ontvangers"] if o["partner"] == partner_id)


class TestConsent:
    def test_the_informatieblad_goes_only_with_consent_and_only_the_items_consented_to(
        self, partnership: Partnership
    ) -> None:
        without = _detentie(partnership)
        assert {"categorie": "basisvoorwaarden", "reden": "toestemming-ontbreekt", "verwijzing": "R-DJI-003"} in (
            _outcome(without, "zvh-zuid-limburg")["achtergehouden"]
        )
        dji = partnership.client("dji-pi-limburg")
        for item in ("basisvoorwaarden/huisvesting", "basisvoorwaarden/schulden"):
            recorded = dji.post("/api/v1/toestemmingen", consent(item, ["zvh"]))
            assert (recorded["item"], recorded["referentie"], recorded["doel"]) == (item, "TV-2026-0042", NAZORG)
        _detentie(partnership)
        first, second = _inbox(partnership, "zvh-zuid-limburg")
        assert "informatieblad" not in first["inhoud"]
        assert second["inhoud"]["informatieblad"] == {"huisvesting": "Dakloos na ontslag", "schulden": "Onbekend"}
        terms = Voorwaarden.of(second)
        assert terms is not None and terms.doel == NAZORG
        basis = next(c for c in terms.categorieen if c["categorie"] == "basisvoorwaarden")
        assert (basis["regel"], basis["grondslag"], basis["opToestemming"]) == ("R-DJI-003", "toestemming", True)
        recorded_list = dji.get("/api/v1/toestemmingen")["items"]
        assert [t["item"] for t in recorded_list] == ["basisvoorwaarden/huisvesting", "basisvoorwaarden/schulden"]
        assert BRAM not in str(recorded_list)
        assert partnership.client("gemeente-heerlen").get("/api/v1/toestemmingen")["items"] == [], "only your own"

    def test_a_consent_for_the_zvh_releases_nothing_to_the_gemeente(self, partnership: Partnership) -> None:
        partnership.client("dji-pi-limburg").post("/api/v1/toestemmingen", consent("basisvoorwaarden", ["zvh"]))
        receipt = _detentie(partnership)
        assert "basisvoorwaarden" in _outcome(receipt, "zvh-zuid-limburg")["verstrekt"]
        heerlen = _outcome(receipt, "gemeente-heerlen")
        assert "basisvoorwaarden" not in heerlen["verstrekt"], "the consent names the ZVH only"
        (item,) = _inbox(partnership, "gemeente-heerlen")
        assert "informatieblad" not in item["inhoud"]

    def test_a_consent_for_another_doel_or_out_of_its_period_counts_for_nothing(self, partnership: Partnership) -> None:
        dji = partnership.client("dji-pi-limburg")
        other = dji.send(
            "POST", "/api/v1/toestemmingen", json_body=consent("basisvoorwaarden", ["zvh"], doel="triage-zvh")
        )
        assert (other.status_code, other.json()["code"]) == (422, "toestemming-zonder-regel")
        dji.post("/api/v1/toestemmingen", consent("basisvoorwaarden", ["zvh"], geldigTot="2026-01-31"))
        dji.post("/api/v1/toestemmingen", consent("basisvoorwaarden", ["zvh"], geldigVan="2099-01-01"))
        receipt = _detentie(partnership)
        assert "basisvoorwaarden" not in _outcome(receipt, "zvh-zuid-limburg")["verstrekt"]

    def test_only_the_partner_the_convenant_entitles_may_record_a_consent(self, partnership: Partnership) -> None:
        # Finding 3: the woningcorporatie recorded a basisvoorwaarden consent (201) and released the informatieblad.
        answer = partnership.client("woningcorporatie-maasdal").send(
            "POST", "/api/v1/toestemmingen", json_body=consent("basisvoorwaarden/schulden", ["zvh", "gemeente"])
        )
        assert (answer.status_code, answer.json()["code"]) == (403, "toestemming-niet-bevoegd")
        assert answer.headers["content-type"] == "application/problem+json"
        assert BRAM not in answer.text
        receipt = _detentie(partnership)
        for partner_id in ("zvh-zuid-limburg", "gemeente-heerlen"):
            assert "basisvoorwaarden" not in _outcome(receipt, partner_id)["verstrekt"]

    def test_an_item_the_convenant_does_not_know_is_refused(self, partnership: Partnership) -> None:
        answer = partnership.client("dji-pi-limburg").send(
            "POST", "/api/v1/toestemmingen", json_body=consent("basisvoorwaarden/hobby", ["zvh"])
        )
        assert (answer.status_code, answer.json()["code"]) == (422, "toestemming-item-unknown")
        unknown = partnership.client("dji-pi-limburg").send(
            "POST", "/api/v1/toestemmingen", json_body=consent("basisvoorwaarden", ["bakkerij"])
        )
        assert (unknown.status_code, unknown.json()["code"]) == (422, "ontvanger-onbekend")

    def test_a_withdrawal_withholds_what_was_not_delivered_and_sends_a_stopbericht_to_who_had_it(
        self, partnership: Partnership, database: Database
    ) -> None:
        dji = partnership.client("dji-pi-limburg")
        given = dji.post("/api/v1/toestemmingen", consent("basisvoorwaarden", ["zvh", "gemeente"]))
        first = _detentie(partnership)
        second = _detentie(partnership)
        relying = {o["partner"] for o in second["ontvangers"] if "basisvoorwaarden" in o["verstrekt"]}
        assert relying == {"zvh-zuid-limburg", "gemeente-heerlen"}
        # The ZVH collects and acknowledges the first melding's view: data it now holds under the consent.
        zvh = partnership.client("zvh-zuid-limburg")
        made = _outcome(first, "zvh-zuid-limburg")["leveringId"]
        item = next(i for i in _inbox(partnership, "zvh-zuid-limburg") if i["leveringId"] == made)
        zvh.post(f"/api/v1/inbox/{made}/ontvangstbevestiging", {"inhoudDigest": item["inhoudDigest"]})

        withdrawn = dji.post(f"/api/v1/toestemmingen/{given['id']}/intrekking", {})
        assert withdrawn["ingetrokkenOp"] is not None
        assert (withdrawn["ingehoudenLeveringen"], withdrawn["stopberichten"]) == (3, 1)
        inbox = _inbox(partnership, "zvh-zuid-limburg")
        assert [i["soort"] for i in inbox] == ["stopbericht"], "the unmade delivery is withheld, a notice is sent"
        notice = inbox[0]
        assert is_stopbericht(notice) and Voorwaarden.of(notice) is None
        assert notice["inhoud"]["betreftLevering"] == made
        assert notice["inhoud"]["toestemming"] == {"id": given["id"], "item": "basisvoorwaarden", "doel": NAZORG}
        assert "Verwerk de gegevens" in notice["inhoud"]["opdracht"]
        zvh.post(f"/api/v1/inbox/{notice['leveringId']}/ontvangstbevestiging", {"inhoudDigest": notice["inhoudDigest"]})
        with database.engine.connect() as connection:
            effects = connection.execute(
                sa.text("SELECT entry FROM ledger_entry WHERE soort = 'intrekking' ORDER BY seq")
            ).all()
        gevolgen = sorted(json.loads(bytes(row[0]))["gevolg"] for row in effects)
        assert gevolgen == ["ingehouden"] * 3 + ["verwerking-stoppen"], "both kinds of effect are on the ledger"
        again = dji.send("POST", f"/api/v1/toestemmingen/{given['id']}/intrekking", json_body={})
        assert (again.status_code, again.json()["code"]) == (409, "toestemming-ingetrokken")
        other = zvh.send("POST", f"/api/v1/toestemmingen/{given['id']}/intrekking", json_body={})
        assert other.status_code == 404

    def test_a_dead_letter_that_relied_on_a_withdrawn_consent_is_withheld_and_never_re_driven(
        self, partnership: Partnership, database: Database
    ) -> None:
        """Seen on a live hub: a dead letter kept its status when the consent it relied on was withdrawn, and an
        operator's re-drive then delivered it after the withdrawal."""
        dji = partnership.client("dji-pi-limburg")
        given = dji.post("/api/v1/toestemmingen", consent("basisvoorwaarden", ["zvh", "gemeente"]))
        with unreachable(database, "gemeente-heerlen"):
            dead = _outcome(_detentie(partnership), "gemeente-heerlen")["leveringId"]
            dead_letter(database, dead)
        withdrawn = dji.post(f"/api/v1/toestemmingen/{given['id']}/intrekking", {})
        assert withdrawn["ingehoudenLeveringen"] == 2, "the ZVH's waiting delivery and the dead letter"
        assert levering_status(database, dead) == "ingetrokken"
        operator = person_client(partnership, "zvh-zuid-limburg", "zvh-beheer-test", Role.OPERATOR)
        assert dead not in [d["id"] for d in operator.get("/api/v1/leveringen/dood")["items"]]
        redrive = operator.send("POST", f"/api/v1/leveringen/{dead}/herstart")
        assert redrive.headers["content-type"].startswith("application/problem+json")
        assert (redrive.status_code, redrive.json()["code"]) == (409, "levering-ingetrokken-herstart")
        assert "withdrawn" in redrive.json()["detail"]
        assert levering_status(database, dead) == "ingetrokken", "nothing goes out after the withdrawal"
        with database.engine.connect() as connection:
            entries = [json.loads(bytes(row[0])) for row in connection.execute(
                sa.text("SELECT entry FROM ledger_entry WHERE soort = 'intrekking'")
            )]  # fmt: skip
        ended = {e["levering_id"]: e for e in entries}
        assert ended[dead]["gevolg"] == "ingehouden" and ended[dead]["reden"] == "toestemming-ingetrokken"

    def test_a_consent_is_never_dated_before_its_statement_nor_longer_than_the_convenant_allows(
        self, partnership: Partnership
    ) -> None:
        # #23, finding 6: a DJI consent valid from 2020 to 2099 was recorded and relied on.
        dji = partnership.client("dji-pi-limburg")
        item = consent("basisvoorwaarden", ["zvh"], geldigVan="2020-01-01", geldigTot="2099-12-31")
        before = dji.send("POST", "/api/v1/toestemmingen", json_body=item)
        assert (before.status_code, before.json()["code"]) == (422, "toestemming-voor-verklaring")
        assert "2020-01-01" in before.json()["detail"]
        signed_then = dji.send("POST", "/api/v1/toestemmingen", json_body={**item, "verklaardOp": "2020-01-01"})
        assert (signed_then.status_code, signed_then.json()["code"]) == (422, "toestemming-te-lang")
        assert "at most P1Y" in signed_then.json()["detail"] and "2020-12-31" in signed_then.json()["detail"]
        today = dutch_date(utcnow())
        future = dji.send(
            "POST",
            "/api/v1/toestemmingen",
            json_body=consent("basisvoorwaarden", ["zvh"], verklaardOp=str(today + timedelta(days=1))),
        )
        assert (future.status_code, future.json()["code"]) == (422, "datum-in-toekomst")
        receipt = _detentie(partnership)
        assert "basisvoorwaarden" not in _outcome(receipt, "zvh-zuid-limburg")["verstrekt"], "nothing was relied on"
        held = dji.post("/api/v1/toestemmingen", consent("basisvoorwaarden", ["zvh"]))
        assert (held["verklaardOp"], held["geldigVan"]) == (str(today), str(today))
        assert held["geldigTot"] == str(add_duration(today, "P1Y") - timedelta(days=1)), "without an end: the longest"

    def test_a_consent_never_adds_a_recipient(self, partnership: Partnership) -> None:
        # #23, finding 6: a consent for recipients no rule can serve was recorded, and never usable. Now it is
        # refused, naming those it can serve; and still no consent adds a recipient.
        dji = partnership.client("dji-pi-limburg")
        refused = dji.send("POST", "/api/v1/toestemmingen", json_body=consent("basisvoorwaarden", ["veilig_thuis"]))
        assert (refused.status_code, refused.json()["code"]) == (422, "toestemming-zonder-regel")
        assert "recipients it can serve: gemeente-heerlen, gemeente-maastricht, zvh-zuid-limburg" in refused.text
        for unusable in (["woningcorporatie"], ["politie"]):
            answer = dji.send("POST", "/api/v1/toestemmingen", json_body=consent("basisvoorwaarden", unusable))
            assert (answer.status_code, answer.json()["code"]) == (422, "toestemming-zonder-regel")
        receipt = _detentie(partnership)
        assert "veilig-thuis-zuid-limburg" not in {o["partner"] for o in receipt["ontvangers"]}, (
            "no rule gives Veilig Thuis a detentiemelding: a consent never adds a recipient"
        )
