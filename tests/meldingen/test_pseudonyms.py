"""Identity or the recipient's own pseudonym, exactly as the decision says; and no plain identifier at rest."""

from __future__ import annotations

import io
from typing import Any

from hub.db import Database
from hub.partners.models import Role
from tests.partnership import Partnership, forbid_identity, person_client, sample_melding, wait_for
from tests.pseudonym.test_vault import everything_stored, planted


def _persons(partnership: Partnership, partner_id: str) -> list[dict[str, Any]]:
    items = partnership.client(partner_id).get("/api/v1/inbox")["items"]
    return [p for item in items for p in item["inhoud"]["personen"]]


class TestIdentityOrPseudonym:
    def test_a_recipient_without_identificatie_gets_its_own_stable_unlinkable_pseudonym(
        self, partnership: Partnership, database: Database
    ) -> None:
        forbid_identity(database, ["amw", "cjg"])
        for _ in range(2):
            response = partnership.client("politie-limburg").send(
                "POST",
                "/api/v1/meldingen",
                json_body={"berichttype": "zorgmelding", "inhoud": sample_melding("zorgmelding")},
            )
            assert response.status_code == 201, response.text
        amw, cjg, zvh = (_persons(partnership, p) for p in ("amw-zuid-limburg", "cjg-zuid-limburg", "zvh-zuid-limburg"))
        for person in amw + cjg:
            assert not {"bsn", "voornamen", "achternaam", "geboortedatum"} & set(person), "no identity at all"
            assert person["pseudoniem"].startswith("ps1.k1.")
        assert [p["pseudoniem"] for p in amw[:2]] == [p["pseudoniem"] for p in amw[2:]], "stable within AMW"
        assert amw[0]["pseudoniem"].split(".")[2] == "amw-zuid-limburg"
        assert {p["pseudoniem"].split(".")[3] for p in amw}.isdisjoint(p["pseudoniem"].split(".")[3] for p in cjg)
        assert zvh[0]["bsn"] == "118784481" and "pseudoniem" not in zvh[0], "the ZVH may know who it is"

    def test_a_pseudonym_a_recipient_got_can_be_re_identified_with_four_eyes(
        self, partnership: Partnership, database: Database, actors_for_partnership: dict[str, Any]
    ) -> None:
        forbid_identity(database, ["amw"])
        partnership.client("politie-limburg").post(
            "/api/v1/meldingen", {"berichttype": "zorgmelding", "inhoud": sample_melding("zorgmelding")}
        )
        pseudonym = _persons(partnership, "amw-zuid-limburg")[1]["pseudoniem"]
        # AMW's own privacy officer asks (it holds the pseudonym); the ZVH's approves (the convenant names it).
        asker = person_client(partnership, "amw-zuid-limburg", "amw-fg", Role.PRIVACY_OFFICER)
        approver = actors_for_partnership["asker"]
        request = asker.post(
            "/api/v1/heridentificaties",
            {"pseudoniem": pseudonym, "doel": "screening-zorgmeldingen", "motivering": "Kind in acuut gevaar."},
        )
        approver.post(f"/api/v1/heridentificaties/{request['id']}/goedkeuring", {})
        shown = asker.post(f"/api/v1/heridentificaties/{request['id']}/onthulling", {})
        assert (shown["bsn"], shown["voornamen"]) == ("247603260", "Mila")


class TestNoPlainIdentifiersThroughMeldingen:
    def test_planted_bsns_and_names_sent_as_meldingen_are_nowhere_at_rest_or_in_the_logs(
        self, partnership: Partnership, database: Database, captured_logs: io.StringIO
    ) -> None:
        people = planted(24)
        client = partnership.client("politie-limburg")
        for n, person in enumerate(people):
            inhoud = sample_melding("zorgmelding" if n % 2 else "e33-verward-gedrag")
            inhoud["personen"][0].update(
                bsn=person.bsn,
                voornamen=person.voornamen,
                achternaam=person.achternaam,
                geboortedatum=str(person.geboortedatum),
            )
            berichttype = "zorgmelding" if n % 2 else "e33-verward-gedrag"
            assert (
                client.send(
                    "POST", "/api/v1/meldingen", json_body={"berichttype": berichttype, "inhoud": inhoud}
                ).status_code
                == 201
            )
        wait_for(lambda: len(partnership.receivers["via-zuid-limburg"].received) == 12)
        stored = everything_stored(database)
        logs = captured_logs.getvalue().encode()
        assert len(stored) > 20_000, "the search must have read the stored data"
        for person in people:
            for needle in (person.bsn, person.voornamen, person.achternaam):
                assert needle is not None
                assert needle.encode() not in stored, "a planted identifier is in the database"
                assert needle.encode() not in logs, "a planted identifier is in the logs"
        received = str(partnership.receivers["via-zuid-limburg"].received)
        assert str(people[0].bsn) in received, "while the recipient that may know them did receive them"
