"""Free text is declared (issue 23, finding 8), on a live hub with the sample partnership, on SQLite and PostgreSQL.

Seen on a live demo hub: "veroordeeld 2023" in an E33's `incident.omschrijving` reached VIA while `strafrechtelijk`
was withheld from it. Now the berichttype declares the omschrijving as free text that may hold strafrechtelijk and
gezondheid data: it reaches only a recipient allowed both, and it has a maximum length.
"""

from __future__ import annotations

from typing import Any

from tests.partnership import Partnership, sample_melding, wait_for

VIA = "via-zuid-limburg"


def _e33(omschrijving: str) -> dict[str, Any]:
    inhoud = sample_melding("e33-verward-gedrag")
    inhoud["incident"]["omschrijving"] = omschrijving
    return {"berichttype": "e33-verward-gedrag", "inhoud": inhoud}


class TestFreeText:
    def test_a_description_that_may_hold_criminal_data_never_reaches_a_recipient_without_it(
        self, partnership: Partnership
    ) -> None:
        sent = partnership.client("politie-limburg").post(
            "/api/v1/meldingen", _e33("Man roept op de brug, veroordeeld 2023 voor bedreiging.")
        )
        via = next(o for o in sent["ontvangers"] if o["partner"] == VIA)
        assert ("strafrechtelijk", "geen-regel") in {(a["categorie"], a["reden"]) for a in via["achtergehouden"]}
        received = partnership.receivers[VIA].received
        wait_for(lambda: len(received) == 1)
        assert "veroordeeld 2023" not in str(received), "the free text went with what it may hold"
        assert "omschrijving" not in received[0]["inhoud"]["incident"]
        assert received[0]["inhoud"]["incident"]["e_code"] == "E33", "the rest of the incident still goes"

    def test_a_free_text_field_has_a_maximum_length(self, partnership: Partnership) -> None:
        response = partnership.client("politie-limburg").send("POST", "/api/v1/meldingen", json_body=_e33("x" * 1001))
        assert (response.status_code, response.json()["code"]) == (422, "melding-invalid")
        assert "inhoud.incident.omschrijving: is longer than 1000 characters" in response.json()["detail"]
