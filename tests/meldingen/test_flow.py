"""Meldingen end to end: a running hub, real receivers on 127.0.0.1, the sample convenant, invented people."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import sqlalchemy as sa

from connectors import inhoud_digest
from hub.db import Database
from hub.meldingen.schemas import Ontvangstbewijs
from tests.partnership import Partnership, sample_melding, wait_for

TEUN_BSN = "762621606"


def _send(partnership: Partnership, sender: str, berichttype: str, **extra: Any) -> httpx.Response:
    body = {"berichttype": berichttype, "inhoud": sample_melding(berichttype), **extra}
    return partnership.client(sender).send("POST", "/api/v1/meldingen", json_body=body)


class TestSubmission:
    def test_an_e33_reaches_via_with_exactly_its_fields_and_is_acknowledged(
        self, partnership: Partnership, database: Database
    ) -> None:
        response = _send(partnership, "politie-limburg", "e33-verward-gedrag")
        assert response.status_code == 201, response.text
        receipt = response.json()
        (via,) = receipt["ontvangers"]
        assert (via["partner"], via["doel"], via["besluit"]) == (
            "via-zuid-limburg",
            "screening-verward-gedrag",
            "partial",
        )
        assert "strafrechtelijk" not in via["verstrekt"]
        assert [a["categorie"] for a in via["achtergehouden"]] == ["strafrechtelijk"]
        assert len(receipt["posities"]) == 1, "one recipient x one person"
        published = Ontvangstbewijs.model_validate(receipt).model_dump(mode="json", by_alias=True)
        assert receipt == published, "the receipt is exactly what its published schema serialises"

        receiver = partnership.receivers["via-zuid-limburg"]
        wait_for(lambda: len(receiver.received) == 1)
        envelope = receiver.received[0]
        assert envelope["leveringId"] == via["leveringId"]
        person = envelope["inhoud"]["personen"][0]
        assert person["bsn"] == TEUN_BSN, "VIA may know who it is"
        assert "antecedenten" not in person and "huisarts" not in person, "withheld and undeclared fields stay out"
        assert "interne_notitie" not in envelope["inhoud"]
        assert "pseudoniem" not in person
        assert inhoud_digest(envelope["inhoud"]) == envelope["inhoudDigest"]

        def acknowledged() -> bool:
            with database.engine.connect() as connection:
                status = connection.execute(
                    sa.text("SELECT status FROM levering WHERE id = :id"), {"id": via["leveringId"]}
                ).scalar()
            return status == "bevestigd"

        wait_for(acknowledged)


def _inbox(partnership: Partnership, partner_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = partnership.client(partner_id).get("/api/v1/inbox")["items"]
    return items


class TestRoutingAndInbox:
    def test_a_zorgmelding_goes_to_the_joint_screening_and_each_partner_sees_only_its_own(
        self, partnership: Partnership
    ) -> None:
        response = _send(partnership, "politie-limburg", "zorgmelding")
        assert response.status_code == 201, response.text
        receipt = response.json()
        assert {o["partner"] for o in receipt["ontvangers"]} == {
            "veilig-thuis-zuid-limburg", "zvh-zuid-limburg", "amw-zuid-limburg", "cjg-zuid-limburg",
        }  # fmt: skip
        assert len(receipt["posities"]) == 4 * 2, "four recipients x two persons"
        by_partner = {o["partner"]: o["leveringId"] for o in receipt["ontvangers"]}
        for partner_id in ("zvh-zuid-limburg", "amw-zuid-limburg", "cjg-zuid-limburg"):
            (item,) = _inbox(partnership, partner_id)
            assert item["leveringId"] == by_partner[partner_id]
            assert [p["rol"] for p in item["inhoud"]["personen"]] == ["ouder", "kind"]
        wait_for(lambda: len(partnership.receivers["veilig-thuis-zuid-limburg"].received) == 1)

    def test_one_partner_can_never_read_or_acknowledge_another_partners_delivery(
        self, partnership: Partnership
    ) -> None:
        receipt = _send(partnership, "politie-limburg", "zorgmelding").json()
        cjg = next(o["leveringId"] for o in receipt["ontvangers"] if o["partner"] == "cjg-zuid-limburg")
        assert all(i["leveringId"] != cjg for i in _inbox(partnership, "amw-zuid-limburg"))
        assert _inbox(partnership, "politie-limburg") == []
        (item,) = _inbox(partnership, "cjg-zuid-limburg")
        stolen = partnership.client("amw-zuid-limburg").send(
            "POST", f"/api/v1/inbox/{cjg}/ontvangstbevestiging", json_body={"inhoudDigest": item["inhoudDigest"]}
        )
        assert (stolen.status_code, stolen.json()["code"]) == (404, "levering-not-found")
        wrong = partnership.client("cjg-zuid-limburg").send(
            "POST", f"/api/v1/inbox/{cjg}/ontvangstbevestiging", json_body={"inhoudDigest": "sha256:" + "0" * 64}
        )
        assert (wrong.status_code, wrong.json()["code"]) == (409, "inhoud-digest-mismatch")
        own = partnership.client("cjg-zuid-limburg").post(
            f"/api/v1/inbox/{cjg}/ontvangstbevestiging", {"inhoudDigest": item["inhoudDigest"]}
        )
        assert own["status"] == "bevestigd"
        assert _inbox(partnership, "cjg-zuid-limburg") == [], "acknowledged deliveries leave the inbox"

    def test_a_melding_nobody_may_receive_is_refused_with_reasons_and_still_logged(
        self, partnership: Partnership, database: Database
    ) -> None:
        response = _send(partnership, "politie-limburg", "e33-verward-gedrag", ontvangers=["woningcorporatie-maasdal"])
        assert response.status_code == 403
        problem = response.json()
        assert problem["code"] == "melding-geweigerd"
        assert "woningcorporatie-maasdal" in problem["detail"] and "geen-regel" in problem["detail"]
        assert TEUN_BSN not in response.text
        with database.engine.connect() as connection:
            denied = connection.execute(
                sa.text("SELECT count(*) FROM ledger_entry WHERE besluit = 'deny' AND ontvanger = :o"),
                {"o": "woningcorporatie-maasdal"},
            ).scalar()
            deliveries = connection.execute(sa.text("SELECT count(*) FROM levering")).scalar()
        assert denied == 1 and deliveries == 0


class TestIdempotency:
    def test_the_same_key_and_body_give_the_same_answer_another_body_a_conflict(
        self, partnership: Partnership, database: Database
    ) -> None:
        client = partnership.client("politie-limburg")
        body = {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")}
        first = client.send("POST", "/api/v1/meldingen", json_body=body, headers={"Idempotency-Key": "e33-0001"})
        again = client.send("POST", "/api/v1/meldingen", json_body=body, headers={"Idempotency-Key": "e33-0001"})
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        other = {**body, "spoed": True}
        conflict = client.send("POST", "/api/v1/meldingen", json_body=other, headers={"Idempotency-Key": "e33-0001"})
        assert (conflict.status_code, conflict.json()["code"]) == (409, "idempotency-key-reused")
        with database.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM melding")).scalar() == 1
            assert connection.execute(sa.text("SELECT count(*) FROM levering")).scalar() == 1

    def test_concurrent_requests_with_one_key_make_one_melding(
        self, partnership: Partnership, database: Database
    ) -> None:
        body = {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")}
        answers: list[httpx.Response] = []

        def send() -> None:
            client = partnership.client("politie-limburg")
            answers.append(
                client.send("POST", "/api/v1/meldingen", json_body=body, headers={"Idempotency-Key": "e33-race"})
            )

        threads = [threading.Thread(target=send) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [a.status_code for a in answers] == [201] * 6
        assert len({a.json()["meldingId"] for a in answers}) == 1
        with database.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM melding")).scalar() == 1


class TestBadInput:
    def test_a_field_of_the_wrong_type_is_named_without_its_value(self, partnership: Partnership) -> None:
        inhoud = sample_melding("e33-verward-gedrag")
        inhoud["incident"]["datum"] = "gisteren-762621606"
        inhoud["personen"][0]["wapenbezit"] = "nee"
        response = partnership.client("politie-limburg").send(
            "POST", "/api/v1/meldingen", json_body={"berichttype": "e33-verward-gedrag", "inhoud": inhoud}
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        detail = response.json()["detail"]
        assert "inhoud.incident.datum" in detail and "inhoud.personen[0].wapenbezit" in detail
        assert "762621606" not in response.text and "gisteren" not in response.text

    def test_a_person_with_an_invalid_bsn_is_refused_and_the_bsn_not_echoed(self, partnership: Partnership) -> None:
        inhoud = sample_melding("e33-verward-gedrag")
        inhoud["personen"][0]["bsn"] = "123456789"
        response = partnership.client("politie-limburg").send(
            "POST", "/api/v1/meldingen", json_body={"berichttype": "e33-verward-gedrag", "inhoud": inhoud}
        )
        assert (response.status_code, response.json()["code"]) == (422, "bsn-invalid")
        assert "inhoud.personen[0]" in response.json()["detail"]
        assert "123456789" not in response.text

    def test_an_unknown_berichttype_and_an_unknown_envelope_field(self, partnership: Partnership) -> None:
        client = partnership.client("politie-limburg")
        unknown = client.send("POST", "/api/v1/meldingen", json_body={"berichttype": "roddel", "inhoud": {}})
        assert (unknown.status_code, unknown.json()["code"]) == (422, "berichttype-unknown")
        extra = client.send(
            "POST", "/api/v1/meldingen", json_body={"berichttype": "zorgmelding", "inhoud": {}, "prioriteit": 9}
        )
        assert extra.status_code == 422

    def test_the_schema_of_a_berichttype_is_published(self, partnership: Partnership) -> None:
        client = partnership.client("via-zuid-limburg")
        listed = {b["code"] for b in client.get("/api/v1/berichttypen")["items"]}
        assert {"e33-verward-gedrag", "zorgmelding", "detentiemelding", "zrm-meting"} <= listed
        schema = client.get("/api/v1/berichttypen/e33-verward-gedrag")
        person = schema["properties"]["personen"]["items"]["properties"]
        assert person["bsn"]["x-categorie"] == "identificatie"
        assert person["geboortedatum"]["format"] == "date"
