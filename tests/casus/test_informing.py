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


def _casus(
    partnership: Partnership, regie: HubClient, bsn: str, *, doel: str = "triage-zvh", soort: str = "pga"
) -> tuple[int, str]:
    """A casus about the person of an aanmelding of the politie (sent under `doel`)."""
    inhoud = sample_melding("aanmelding")
    inhoud["personen"][0]["bsn"] = bsn
    body = {"berichttype": "aanmelding", "doel": doel, "inhoud": inhoud}
    assert partnership.client(POLITIE).send("POST", "/api/v1/meldingen", json_body=body).status_code == 201
    casus = regie.post("/api/v1/casussen", {"type": soort, "reden": "Aanmelding politie"})["id"]
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


CONFIDENTIAL_BSN = invented_bsns(1, 310_000_000)[0]
TRACES = ("radicalisering", "vertrouwelijk", "niet getoond", "achtergehouden", "beperk", "artikel 23")
"""What a letter about a confidential or restricted casus must never say (issue 23, finding 2)."""


def _radicalisering(partnership: Partnership, regie: HubClient, bsn: str) -> tuple[int, str]:
    """A casus radicalisering about the person of an aanmelding the politie shared under the confidential doel
    `radicalisering-casusoverleg`."""
    return _casus(partnership, regie, bsn, doel="radicalisering-casusoverleg", soort="radicalisering")


def assert_no_trace(letter: str, casus: int) -> None:
    """The letter names neither the casus nor its kind, and says nothing about what it leaves out."""
    lowered = letter.lower()
    assert f"casus {casus}" not in lowered, letter
    for trace in TRACES:
        assert trace not in lowered, f"{trace!r} in the letter: {letter}"


class TestTheLetterRevealsNothingWithheld:
    def test_a_confidential_casus_before_and_after_an_art_23_decision(
        self, partnership: Partnership, regie: HubClient, actors_for_partnership: dict[str, HubClient]
    ) -> None:
        officer = actors_for_partnership["asker"]
        casus, path = _radicalisering(partnership, regie, CONFIDENTIAL_BSN)

        # The finding, first part: no informing decision yet (the normal case early in a casus).
        early = _inzage(officer, CONFIDENTIAL_BSN)
        letter = " ".join([str(early["samenvatting"]), *map(str, early["casussen"])])  # type: ignore[call-overload]
        letter += " ".join(str(v["tekst"]) for v in early["verwerkingen"])  # type: ignore[attr-defined]
        assert_no_trace(letter, casus)
        assert early["casussen"] == []
        assert early["vertrouwelijk"] == [{"casusId": casus, "soort": "radicalisering", "aantal": 1}]
        assert early["achtergehouden"] == [{"doel": "radicalisering-casusoverleg", "aantal": 1}]

        # The second part: after an art. 23 decision the casus is gone, and the summary says nothing either.
        review = dutch_date(utcnow()) + timedelta(days=30)
        regie.post(
            f"{path}/informering",
            {"besluit": "niet-geinformeerd", "grond": "d", "herbeoordeling": str(review), "reden": "Onderzoek"},
        )
        restricted = _inzage(officer, CONFIDENTIAL_BSN)
        letter = str(restricted["samenvatting"]) + " ".join(str(v["tekst"]) for v in restricted["verwerkingen"])  # type: ignore[attr-defined]
        assert_no_trace(letter, casus)
        assert restricted["casussen"] == [] and restricted["vertrouwelijk"] == []
        assert restricted["beperkt"] == [{"casusId": casus, "grond": "d", "herbeoordeling": str(review), "aantal": 1}]

    def test_once_informed_a_confidential_casus_is_named(
        self, partnership: Partnership, regie: HubClient, actors_for_partnership: dict[str, HubClient]
    ) -> None:
        casus, path = _radicalisering(partnership, regie, CONFIDENTIAL_BSN)
        today = dutch_date(utcnow())
        regie.post(
            f"{path}/informering",
            {"besluit": "geinformeerd", "artikel": "14", "datum": str(today), "reden": "Gesprek gevoerd"},
        )
        informed = _inzage(actors_for_partnership["asker"], CONFIDENTIAL_BSN)
        assert informed["casussen"] == [
            f"Casus {casus} (radicalisering): u bent op {day_in_words(today)} hierover geïnformeerd (AVG artikel 14)."
        ]
        assert informed["vertrouwelijk"] == []
        assert informed["achtergehouden"] == [{"doel": "radicalisering-casusoverleg", "aantal": 1}], (
            "the confidential doel's disclosure stays held back until the mark is lifted"
        )

    def test_a_casus_is_confidential_once_data_was_shared_in_it_under_a_confidential_doel(
        self, partnership: Partnership, regie: HubClient, actors_for_partnership: dict[str, HubClient]
    ) -> None:
        casus, path = _casus(partnership, regie, CONFIDENTIAL_BSN)  # a pga casus: not confidential by its kind
        regie.post(f"{path}/deelnemers", {"partner": POLITIE, "reden": "Politie kent de situatie"})
        inhoud = sample_melding("aanmelding")
        inhoud["personen"][0]["bsn"] = CONFIDENTIAL_BSN
        body = {"berichttype": "aanmelding", "doel": "radicalisering-casusoverleg", "casus": casus, "inhoud": inhoud}
        sent = partnership.client(POLITIE).send("POST", "/api/v1/meldingen", json_body=body)
        assert sent.status_code == 201, sent.text
        answer = _inzage(actors_for_partnership["asker"], CONFIDENTIAL_BSN)
        letter = str(answer["samenvatting"]) + " ".join(str(v["tekst"]) for v in answer["verwerkingen"])  # type: ignore[attr-defined]
        assert_no_trace(letter, casus)
        assert answer["casussen"] == []
        assert [(v["casusId"], v["soort"]) for v in answer["vertrouwelijk"]] == [(casus, "pga")]  # type: ignore[attr-defined]
