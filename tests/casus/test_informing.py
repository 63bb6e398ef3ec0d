"""Informing the persons of a casus (AVG art. 13/14), or the ground for not informing them yet (art. 23): recorded
per casus on the verstrekkingenlog, shown in the inzage, a restriction holding back what concerns the casus, and
its review among what falls due."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from connectors import HubClient, HubError
from hub.db import Database
from hub.kit.clock import day_in_words, dutch_date, utcnow
from hub.ledger import repository as ledger
from hub.policy.convenant.format import add_duration
from tests.casus.test_zvh_process import BSN, POLITIE, invented_bsns
from tests.partnership import Partnership, sample_melding

RESTRICTED_BSN = invented_bsns(1, 300_000_000)[0]


def _casus(partnership: Partnership, regie: HubClient, bsn: str) -> tuple[int, str]:
    """A casus about the person of an aanmelding of the politie."""
    inhoud = sample_melding("aanmelding")
    inhoud["personen"][0]["bsn"] = bsn
    body = {"berichttype": "aanmelding", "doel": "triage-zvh", "inhoud": inhoud}
    assert partnership.client(POLITIE).send("POST", "/api/v1/meldingen", json_body=body).status_code == 201
    casus = regie.post("/api/v1/casussen", {"type": "pga", "reden": "Aanmelding politie"})["id"]
    path = f"/api/v1/casussen/{casus}"
    regie.post(f"{path}/personen", {"bsn": bsn, "reden": "De betrokkene van de aanmelding"})
    return casus, path


def _inzage(officer: HubClient, bsn: str) -> dict[str, object]:
    answer: dict[str, object] = officer.post("/api/v1/inzageverzoeken", {"bsn": bsn, "motivering": "Inzage 2026-301"})
    return answer


class TestInforming:
    def test_informed_and_restricted_casussen_in_the_inzage_and_on_the_ledger(
        self,
        partnership: Partnership,
        regie: HubClient,
        actors_for_partnership: dict[str, HubClient],
        database: Database,
    ) -> None:
        officer = actors_for_partnership["asker"]
        told, told_path = _casus(partnership, regie, BSN)
        assert regie.get(told_path)["informering"] is None
        before = _inzage(officer, BSN)
        assert before["casussen"] == [
            f"Casus {told} (persoonsgerichte aanpak): er is nog niet vastgelegd dat u hierover bent geïnformeerd."
        ]
        today = dutch_date(utcnow())
        informed = regie.post(
            f"{told_path}/informering",
            {"besluit": "geinformeerd", "artikel": "14", "datum": str(today), "reden": "Brief verstuurd"},
        )["informering"]
        assert (informed["besluit"], informed["artikel"], informed["datum"]) == ("geinformeerd", "14", str(today))

        kept, kept_path = _casus(partnership, regie, RESTRICTED_BSN)
        review = today + timedelta(days=60)
        regie.post(
            f"{kept_path}/informering",
            {
                "besluit": "niet-geinformeerd",
                "grond": "d",
                "herbeoordeling": str(review),
                "reden": "Lopend opsporingsonderzoek",
            },
        )

        after = _inzage(officer, BSN)
        on = day_in_words(today)
        told_words = f"Casus {told} (persoonsgerichte aanpak): u bent op {on} hierover geïnformeerd (AVG artikel 14)."
        assert after["casussen"] == [told_words]
        assert after["beperkt"] == []
        restricted = _inzage(officer, RESTRICTED_BSN)
        assert restricted["casussen"] == [], "a restricted casus is not in the letter"
        assert restricted["beperkt"] == [{"casusId": kept, "grond": "d", "herbeoordeling": str(review), "aantal": 1}]
        texts = " ".join(str(v["tekst"]) for v in restricted["verwerkingen"])  # type: ignore[attr-defined]
        assert f"casus {kept}" not in texts, "nor are its entries"

        history = regie.get(told_path)["geschiedenis"]
        step = next(e for e in history if e["soort"] == "betrokkenen-geinformeerd")
        assert step["details"] == f"art. 14 op {today.isoformat()}"
        with database.engine.connect() as connection:
            entry = json.loads(ledger.entries_at(connection, [step["positie"]])[step["positie"]])
        assert (entry["soort"], entry["casus_id"], entry["handeling"]) == ("casus", told, "betrokkenen-geinformeerd")

        due = regie.get("/api/v1/casussen/termijnen?dagen=90")["items"]
        assert {"casusId": kept, "soort": "informeren-herbeoordeling", "datum": str(review), "verlopen": False} in due
        assert regie.get("/api/v1/casussen/termijnen?dagen=30") == {"items": [], "volgende": None}, "beyond the horizon"

    def test_incomplete_or_too_long_decisions_are_refused(self, partnership: Partnership, regie: HubClient) -> None:
        _, path = _casus(partnership, regie, BSN)
        today = dutch_date(utcnow())
        tomorrow = str(today + timedelta(days=1))
        cases = [
            ({"besluit": "geinformeerd", "artikel": "14"}, "informering-onvolledig"),
            ({"besluit": "geinformeerd", "artikel": "14", "datum": str(today), "grond": "d"}, "informering-onvolledig"),
            ({"besluit": "geinformeerd", "artikel": "14", "datum": tomorrow}, "datum-in-toekomst"),
            ({"besluit": "niet-geinformeerd", "grond": "d"}, "informering-onvolledig"),
            ({"besluit": "niet-geinformeerd", "grond": "d", "herbeoordeling": str(today)}, "herbeoordeling-ongeldig"),
            (
                {"besluit": "niet-geinformeerd", "grond": "d",
                 "herbeoordeling": str(add_duration(today, "P6M") + timedelta(days=1))},
                "herbeoordeling-ongeldig",
            ),
        ]  # fmt: skip
        for body, code in cases:
            with pytest.raises(HubError) as refused:
                regie.post(f"{path}/informering", {**body, "reden": "Besluit over informeren"})
            assert (refused.value.status, refused.value.problem["code"]) == (422, code), body
        with pytest.raises(HubError) as unknown:
            regie.post(
                f"{path}/informering",
                {
                    "besluit": "niet-geinformeerd",
                    "grond": "z",
                    "herbeoordeling": str(today + timedelta(days=9)),
                    "reden": "Onbekende grond",
                },
            )
        assert unknown.value.status == 422
        with pytest.raises(HubError) as partner:
            partnership.client(POLITIE).post(f"{path}/informering", {"besluit": "geinformeerd"})
        assert partner.value.status == 403, "only a procesregisseur records it"
