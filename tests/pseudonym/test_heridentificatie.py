"""Re-identification belongs to the holder (issue 23, finding 1), on a live hub with the sample partnership.

With a noodverbod on `identificatie` for VIA, VIA received a pseudonym for the betrokkene of a police E33. Only
VIA's privacy officer may ask who it is, only under a doel the convenant allows it for and under which VIA received
data about the person; an officer the convenant names (the verstrekker's or the ZVH's) approves, never one of VIA;
only the asker sees the identity. Every step, refused or not, is on the verstrekkingenlog and in the inzage.
"""

from __future__ import annotations

from typing import Any

import pytest

from connectors import HubClient
from hub.db import Database
from hub.partners.models import Role
from tests.partnership import Partnership, forbid_identity, person_client, sample_melding, wait_for

BSN = "762621606"  # Teun van Verzonnen of the sample E33 (invented)


@pytest.fixture
def via_pseudonym(partnership: Partnership, database: Database) -> str:
    """The pseudonym VIA got for the betrokkene of a police E33 sent under a noodverbod on identificatie for VIA."""
    forbid_identity(database, ["via"])
    partnership.client("politie-limburg").post(
        "/api/v1/meldingen", {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")}
    )
    received = partnership.receivers["via-zuid-limburg"].received
    wait_for(lambda: len(received) == 1)
    person: dict[str, Any] = received[0]["inhoud"]["personen"][0]
    assert "bsn" not in person
    pseudonym: str = person["pseudoniem"]
    return pseudonym


def _officer(partnership: Partnership, partner_id: str, name: str) -> HubClient:
    return person_client(partnership, partner_id, name, Role.PRIVACY_OFFICER)


def _ask(officer: HubClient, pseudonym: str, doel: str) -> Any:
    return officer.send(
        "POST",
        "/api/v1/heridentificaties",
        json_body={"pseudoniem": pseudonym, "doel": doel, "motivering": "Acute zorg: behandelaar zoekt contact."},
    )


def _refused(response: Any, code: str) -> str:
    assert (response.status_code, response.headers["content-type"]) == (403, "application/problem+json")
    assert response.json()["code"] == code, response.text
    assert BSN not in response.text and "Verzonnen" not in response.text
    detail: str = response.json()["detail"]
    return detail


class TestOnlyTheHolder:
    def test_another_organisations_officer_is_refused_and_the_holders_succeeds(
        self, partnership: Partnership, via_pseudonym: str
    ) -> None:
        gemeente = _officer(partnership, "gemeente-maastricht", "gemeente-fg")
        via, via_tweede = (_officer(partnership, "via-zuid-limburg", n) for n in ("via-fg", "via-fg-twee"))
        zvh = _officer(partnership, "zvh-zuid-limburg", "zvh-fg")

        # The finding: the gemeente's officer asked for VIA's pseudonym, under a doel of VIA's and an unrelated one.
        for doel in ("screening-verward-gedrag", "vroegsignalering-schulden"):
            _refused(_ask(gemeente, via_pseudonym, doel), "heridentificatie-niet-houder")
        # VIA's own officer: not under a doel the convenant allows no re-identification for, nor under an allowed
        # doel under which VIA received nothing about him.
        assert "vroegsignalering-schulden" in _refused(
            _ask(via, via_pseudonym, "vroegsignalering-schulden"), "heridentificatie-niet-toegestaan"
        )
        _refused(_ask(via, via_pseudonym, "screening-zorgmeldingen"), "heridentificatie-zonder-verstrekking")

        asked = _ask(via, via_pseudonym, "screening-verward-gedrag")
        assert asked.status_code == 201, asked.text
        path = f"/api/v1/heridentificaties/{asked.json()['id']}"
        # Approval: never by the gemeente (not named) nor by another officer of VIA (the holder); the ZVH may.
        for approver in (gemeente, via_tweede):
            _refused(approver.send("POST", f"{path}/goedkeuring"), "goedkeurder-niet-aangewezen")
        _refused(via.send("POST", f"{path}/goedkeuring"), "four-eyes-required")
        assert zvh.post(f"{path}/goedkeuring", {})["status"] == "goedgekeurd"
        # Only the asker sees the identity.
        for other in (gemeente, zvh, via_tweede):
            _refused(other.send("POST", f"{path}/onthulling"), "not-the-requester")
        shown = via.post(f"{path}/onthulling", {})
        assert (shown["bsn"], shown["achternaam"]) == (BSN, "Verzonnen")

        # Every step, refused or not, is on the ledger about him, and in his inzage.
        inzage = zvh.post("/api/v1/inzageverzoeken", {"bsn": BSN, "motivering": "Inzageverzoek van betrokkene"})
        steps = [
            (v["entry"].get("stap"), v["entry"].get("reden"), v["entry"].get("organisatie"))
            for v in inzage["verwerkingen"]
            if v["entry"]["soort"] == "heridentificatie"
        ]
        assert steps == [
            ("geweigerd", "heridentificatie-niet-houder", "gemeente-maastricht"),
            ("geweigerd", "heridentificatie-niet-houder", "gemeente-maastricht"),
            ("geweigerd", "heridentificatie-niet-toegestaan", "via-zuid-limburg"),
            ("geweigerd", "heridentificatie-zonder-verstrekking", "via-zuid-limburg"),
            ("aangevraagd", None, None),
            ("geweigerd", "goedkeurder-niet-aangewezen", "gemeente-maastricht"),
            ("geweigerd", "goedkeurder-niet-aangewezen", "via-zuid-limburg"),
            ("geweigerd", "four-eyes-required", "via-zuid-limburg"),
            ("goedgekeurd", None, None),
            ("geweigerd", "not-the-requester", "gemeente-maastricht"),
            ("geweigerd", "not-the-requester", "zvh-zuid-limburg"),
            ("geweigerd", "not-the-requester", "via-zuid-limburg"),
            ("getoond", None, None),
        ]
        operator = person_client(partnership, "zvh-zuid-limburg", "zvh-beheer", Role.OPERATOR)
        trail = operator.get("/api/v1/beheerlog", params={"doel": str(asked.json()["id"])})["items"]
        assert [e["action"] for e in trail if e["action"].startswith("reidentification")] == [
            "reidentification.requested", "reidentification.approved", "reidentification.revealed",
        ]  # fmt: skip
        assert BSN not in str(trail) and "Verzonnen" not in str(trail)
        texts = [v["tekst"] for v in inzage["verwerkingen"] if v["entry"]["soort"] == "heridentificatie"]
        assert "geweigerd" in texts[0] and "Gemeente Maastricht" in texts[0]
        assert "gevraagd wie u bent" in texts[4] and "goedgekeurd" in texts[8] and "vastgesteld wie u bent" in texts[12]

    def test_the_verstrekker_may_approve(self, partnership: Partnership, via_pseudonym: str) -> None:
        via = _officer(partnership, "via-zuid-limburg", "via-fg")
        politie = _officer(partnership, "politie-limburg", "politie-fg")
        asked = via.post(
            "/api/v1/heridentificaties",
            {"pseudoniem": via_pseudonym, "doel": "screening-verward-gedrag", "motivering": "Acute zorg nodig."},
        )
        approved = politie.post(f"/api/v1/heridentificaties/{asked['id']}/goedkeuring", {})
        assert approved["status"] == "goedgekeurd"
