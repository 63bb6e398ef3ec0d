"""Guards against fishing and bulk lists (issue 23, finding 5), on a live hub with the sample partnership, on SQLite
and PostgreSQL.

Seen on a live demo hub: the woningcorporatie registered `bekend` signals for 60 of 60 invented people: no cap, no
link to any relationship with them. The procesregisseur could open a casus holding only BSNs, no melding, and run the
bekendheidscheck on it (6 persons a casus, unlimited casussen). BKR lists: 500 addresses a list, unlimited lists.
Now a signal needs a melding about the person (or, for the partners the convenant names, a reference to their own
file); signals, checks and lists are capped; every refusal at a cap is on the ledger and in a metric.
"""

from __future__ import annotations

import json
from typing import Any

from connectors import HubClient
from hub.db import Database
from hub.kit.clock import dutch_date, utcnow
from hub.ledger import repository as ledger
from hub.policy.convenant.format import add_duration
from tests.casus.test_zvh_process import invented_bsns
from tests.partnership import Partnership, sample_melding

WONING, POLITIE, BKR = "woningcorporatie-maasdal", "politie-limburg", "bkr"


def _bekend(partnership: Partnership, partner: str, bsn: str, **extra: Any) -> Any:
    tot = add_duration(dutch_date(utcnow()), "P3M")
    body = {"bsn": bsn, "tot": str(tot), **extra}
    return partnership.client(partner).send("POST", "/api/v1/bekendheid", json_body=body)


def _at_cap(database: Database) -> list[dict[str, Any]]:
    with database.engine.connect() as connection:
        everything = [json.loads(e) for _, e in ledger.entries(connection, ledger.size(connection))]
    return [e for e in everything if e["soort"] == "limiet"]


def _metric(partnership: Partnership, limiet: str) -> float:
    for line in partnership.http.get("/metrics").text.splitlines():
        if line.startswith(f'schakel_limiet_geweigerd{{limiet="{limiet}"}}'):
            return float(line.rpartition(" ")[2])
    raise AssertionError(f"no metric for {limiet}")


def _refused(response: Any, status: int, code: str) -> None:
    assert (response.status_code, response.headers["content-type"]) == (status, "application/problem+json")
    assert response.json()["code"] == code, response.text


class TestBekendSignals:
    def test_no_signal_about_a_stranger_however_many(self, partnership: Partnership) -> None:
        for bsn in invented_bsns(60, 320_000_000):
            _refused(_bekend(partnership, WONING, bsn), 403, "bekend-zonder-relatie")
        _refused(
            _bekend(partnership, WONING, invented_bsns(1, 330_000_000)[0], referentie="huurdossier 7"),
            403,
            "bekend-zonder-relatie",
        )  # fmt: skip  (the convenant accepts no reference from a woningcorporatie)
        huurder = sample_melding("huurachterstand")["huurders"][0]
        partnership.client(WONING).post(
            "/api/v1/meldingen", {"berichttype": "huurachterstand", "inhoud": sample_melding("huurachterstand")}
        )
        known = partnership.client(WONING).send(
            "POST",
            "/api/v1/bekendheid",
            json_body={
                "voornamen": huurder["voornamen"],
                "achternaam": huurder["achternaam"],
                "geboortedatum": huurder["geboortedatum"],
                "tot": str(add_duration(dutch_date(utcnow()), "P3M")),
            },
        )
        assert known.status_code == 201, "about a person it sent a melding about: yes"

    def test_new_signals_are_capped_and_the_refusal_is_on_the_ledger_and_in_a_metric(
        self, partnership: Partnership, database: Database
    ) -> None:
        people = invented_bsns(51, 340_000_000)
        for bsn in people[:50]:
            assert _bekend(partnership, POLITIE, bsn, referentie="BVH-dossier").status_code == 201
        assert _bekend(partnership, POLITIE, people[0], referentie="BVH-dossier").status_code == 201, "a renewal"
        _refused(_bekend(partnership, POLITIE, people[50], referentie="BVH-dossier"), 429, "limiet-bereikt")
        (entry,) = _at_cap(database)
        assert (entry["partner"], entry["limiet"], entry["grens"]) == (POLITIE, "bekend-signalen", "50 per P1M")
        assert "betrokkene_id" not in entry, "a refusal at a cap names nobody it would have been about"
        assert _metric(partnership, "bekend-signalen") == 1


class TestBekendheidscheck:
    def _casus_at_triage(self, partnership: Partnership, regie: HubClient, *, melding: bool) -> str:
        bsn = invented_bsns(1, 350_000_000)[0]
        assert _bekend(partnership, POLITIE, bsn, referentie="BVH-dossier").status_code == 201
        casus = regie.post("/api/v1/casussen", {"type": "pga", "reden": "Alleen een BSN"})["id"]
        path = f"/api/v1/casussen/{casus}"
        regie.post(f"{path}/personen", {"bsn": bsn, "reden": "Iemand om naar te vragen"})
        if melding:
            inhoud = sample_melding("aanmelding")
            inhoud["personen"][0]["bsn"] = bsn
            sent = partnership.client(POLITIE).post(
                "/api/v1/meldingen", {"berichttype": "aanmelding", "doel": "triage-zvh", "inhoud": inhoud}
            )
            regie.post(f"{path}/meldingen", {"meldingId": sent["meldingId"], "reden": "De aanmelding"})
        regie.post(f"{path}/fase", {"naar": "triage", "reden": "Wekelijkse triage"})
        regie.post(f"{path}/deelnemers", {"partner": POLITIE, "reden": "Aan tafel"})
        return path

    def test_no_check_on_a_casus_holding_only_bsns(self, partnership: Partnership, regie: HubClient) -> None:
        path = self._casus_at_triage(partnership, regie, melding=False)
        _refused(regie.send("POST", f"{path}/bekendheidscheck"), 409, "persoon-zonder-melding")

    def test_checks_per_procesregisseur_per_day_are_capped(
        self, partnership: Partnership, regie: HubClient, database: Database
    ) -> None:
        path = self._casus_at_triage(partnership, regie, melding=True)
        for _ in range(20):
            assert regie.send("POST", f"{path}/bekendheidscheck").status_code == 200
        _refused(regie.send("POST", f"{path}/bekendheidscheck"), 429, "limiet-bereikt")
        (entry,) = _at_cap(database)
        assert (entry["limiet"], entry["grens"], entry["door"]) == ("bekendheidschecks", "20 per P1D", "zvh-regie")
        assert _metric(partnership, "bekendheidschecks") == 1


class TestBulkLists:
    def _lijst(self, addresses: int) -> dict[str, Any]:
        return {
            "berichttype": "betalingsachterstand",
            "inhoud": {
                "gemeentecode": "GM0935",
                "peildatum": "2026-11-01",
                "adressen": [
                    {
                        "straat": "Proefstraat",
                        "huisnummer": str(n + 1),
                        "postcode": "6211AB",
                        "woonplaats": "Maastricht",
                    }
                    for n in range(addresses)
                ],
            },
        }

    def test_a_list_has_a_longest_length(self, partnership: Partnership, database: Database) -> None:
        _refused(partnership.client(BKR).send("POST", "/api/v1/meldingen", json_body=self._lijst(251)), 422,
                 "lijst-te-lang")  # fmt: skip
        assert [(e["limiet"], e["grens"]) for e in _at_cap(database)] == [("lijst-adressen", "250 per lijst")]
        assert _metric(partnership, "lijst-adressen") == 1

    def test_lists_per_sender_per_period_are_capped(self, partnership: Partnership, database: Database) -> None:
        for _ in range(4):
            assert (
                partnership.client(BKR).send("POST", "/api/v1/meldingen", json_body=self._lijst(3)).status_code == 201
            )
        _refused(partnership.client(BKR).send("POST", "/api/v1/meldingen", json_body=self._lijst(3)), 429,
                 "limiet-bereikt")  # fmt: skip
        (entry,) = _at_cap(database)
        assert (entry["partner"], entry["limiet"], entry["grens"]) == (BKR, "lijsten", "4 per P1M")
        assert _metric(partnership, "lijsten") == 1
