"""A sender speaks only for its own werkgebied, and the gemeente must fit the address (issue 23, finding 4), on a
live hub with the sample partnership, on SQLite and PostgreSQL.

Seen on a live demo hub: gemeente Maastricht sent a huisverbod with gemeentecode GM0917 (Heerlen): 201, delivered.
The woningcorporatie sent a huurachterstand for a gemeente outside its werkgebied: gemeente Heerlen received it. A
Heerlen address (6411, Heerlen) labelled GM0935 went to gemeente Maastricht. The recipients' werkgebied gate rested
entirely on a code the sender chose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.errors import ConfigurationError
from hub.meldingen.postcodes import Postcodes, sample_postcodes
from tests.partnership import Partnership, sample_melding

WONING, MAASTRICHT, HEERLEN = "woningcorporatie-maasdal", "gemeente-maastricht", "gemeente-heerlen"


def _send(partnership: Partnership, sender: str, berichttype: str, inhoud: dict[str, Any]) -> Any:
    return partnership.client(sender).send(
        "POST", "/api/v1/meldingen", json_body={"berichttype": berichttype, "inhoud": inhoud}
    )


def _refused(response: Any, status: int, code: str) -> str:
    assert (response.status_code, response.headers["content-type"]) == (status, "application/problem+json")
    assert response.json()["code"] == code, response.text
    detail: str = response.json()["detail"]
    return detail


def _heerlen(inhoud: dict[str, Any], gemeentecode: str) -> dict[str, Any]:
    """The sample huurachterstand, at an address in Heerlen, labelled `gemeentecode`."""
    inhoud["adres"].update(postcode="6411CD", woonplaats="Heerlen", gemeentecode=gemeentecode)
    return inhoud


class TestTheSendersOwnWerkgebied:
    def test_a_gemeente_sends_a_huisverbod_only_for_itself(self, partnership: Partnership) -> None:
        huisverbod = sample_melding("huisverbod")
        huisverbod["besluit"]["gemeentecode"] = "GM0917"
        detail = _refused(_send(partnership, MAASTRICHT, "huisverbod", huisverbod), 403, "buiten-eigen-werkgebied")
        assert "GM0917" in detail and MAASTRICHT in detail
        assert partnership.client(HEERLEN).get("/api/v1/inbox")["items"] == [], "nothing reached Heerlen"
        assert _send(partnership, MAASTRICHT, "huisverbod", sample_melding("huisverbod")).status_code == 201

    def test_a_woningcorporatie_reports_only_its_own_gemeenten(self, partnership: Partnership) -> None:
        outside = _heerlen(sample_melding("huurachterstand"), "GM0917")
        _refused(_send(partnership, WONING, "huurachterstand", outside), 403, "buiten-eigen-werkgebied")
        assert partnership.client(HEERLEN).get("/api/v1/inbox")["items"] == [], "gemeente Heerlen received nothing"


class TestTheGemeenteFitsTheAddress:
    def test_a_heerlen_address_labelled_maastricht_is_refused_naming_both(self, partnership: Partnership) -> None:
        mislabelled = _heerlen(sample_melding("huurachterstand"), "GM0935")
        detail = _refused(
            _send(partnership, WONING, "huurachterstand", mislabelled), 422, "gemeente-past-niet-bij-adres"
        )
        assert "GM0935" in detail and "GM0917" in detail and "6411" in detail
        assert "6411CD" not in detail, "the area, never the full postcode"
        assert partnership.client(MAASTRICHT).get("/api/v1/inbox")["items"] == [], "nothing reached Maastricht"

    def test_an_area_the_table_does_not_know_is_refused(self, partnership: Partnership) -> None:
        elsewhere = sample_melding("huurachterstand")
        elsewhere["adres"].update(postcode="1011AB", woonplaats="Amsterdam")
        detail = _refused(_send(partnership, WONING, "huurachterstand", elsewhere), 422, "postcode-onbekend")
        assert "1011" in detail

    def test_every_address_of_a_bkr_list_must_lie_in_its_gemeente(self, partnership: Partnership) -> None:
        lijst: dict[str, Any] = {
            "gemeentecode": "GM0935",
            "peildatum": "2026-11-01",
            "adressen": [
                {"straat": "Voorbeeldstraat", "huisnummer": "1", "postcode": "6211AB", "woonplaats": "Maastricht"},
                {"straat": "Proefweg", "huisnummer": "2", "postcode": "6411CD", "woonplaats": "Heerlen"},
            ],
        }
        detail = _refused(_send(partnership, "bkr", "betalingsachterstand", lijst), 422, "gemeente-past-niet-bij-adres")
        assert "GM0917" in detail
        lijst["adressen"].pop()
        assert _send(partnership, "bkr", "betalingsachterstand", lijst).status_code == 201


class TestThePostcodeTable:
    def test_the_sample_table_places_the_sample_regions_towns(self) -> None:
        table = sample_postcodes()
        places = {"6211AB": "GM0935", "6411 CD": "GM0917", "6131": "GM1883", "6461XY": "GM0928", "6291AA": "GM0981"}
        assert {postcode: table.gemeente(postcode) for postcode in places} == places
        assert table.gemeente("1011AB") is None

    def test_a_table_the_operator_wrote_wrongly_is_refused_naming_the_line(self, tmp_path: Path) -> None:
        wrong = tmp_path / "postcodes.csv"
        wrong.write_text("# kop\n6211;GM0935\n6211;GM0917\n", encoding="utf-8")
        with pytest.raises(ConfigurationError, match="line 3: 6211 is listed for GM0935 and for GM0917"):
            Postcodes.load(wrong)
        wrong.write_text("6211 GM0935\n", encoding="utf-8")
        with pytest.raises(ConfigurationError, match="line 1: expected `pc4;gemeentecode`"):
            Postcodes.load(wrong)
