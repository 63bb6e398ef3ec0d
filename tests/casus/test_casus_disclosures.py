"""Disclosures bound to a casus, end to end on a live hub with real receivers, on SQLite and PostgreSQL: a rule
bound to a stage permits only within a casus in that stage and only to partners at its table; Top X only while a
weegtafel decision holds; huisverbod monitoring only within its term; nothing after afschaling. Every refusal is
in the receipt and on the verstrekkingenlog with the casus and its stage."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors import HubClient, HubError
from hub.bewaren.keeper import one_round
from hub.db import Database
from hub.kit.clock import dutch_date, utcnow
from hub.ledger import repository as ledger
from hub.partners.models import Role
from hub.policy.convenant.format import add_duration
from hub.pseudonym.vault import Vault
from tests.partnership import (
    Partnership,
    dead_letter,
    levering_status,
    person_client,
    sample_melding,
    unreachable,
    wait_for,
)

ZVH = "zvh-zuid-limburg"
VT = "veilig-thuis-zuid-limburg"
AMW = "amw-zuid-limburg"
POLITIE = "politie-limburg"


def _send(partnership: Partnership, sender: str, doel: str, casus: int | None = None) -> httpx.Response:
    body: dict[str, Any] = {"berichttype": "verrijking", "doel": doel, "inhoud": sample_melding("verrijking")}
    if casus is not None:
        body["casus"] = casus
    return partnership.client(sender).send("POST", "/api/v1/meldingen", json_body=body)


def _open(regie: HubClient, soort: str, *, table: list[str], fase: str = "plan-van-aanpak", **extra: Any) -> int:
    casus = regie.post("/api/v1/casussen", {"type": soort, "reden": "Besproken in de triage", **extra})
    path = f"/api/v1/casussen/{casus['id']}"
    regie.post(f"{path}/fase", {"naar": "triage", "reden": "Naar de wekelijkse triage"})
    for partner in table:
        regie.post(f"{path}/deelnemers", {"partner": partner, "reden": "Kent de situatie"})
    if fase == "plan-van-aanpak":
        regie.post(f"{path}/fase", {"naar": "plan-van-aanpak", "reden": "Geselecteerd voor een plan van aanpak"})
    return int(casus["id"])


def _top_x(regie: HubClient) -> int:
    """A Top X casus with the police at the table, its status decided at today's weegtafel."""
    casus = _open(regie, "top-x", table=[POLITIE])
    regie.post(
        f"/api/v1/casussen/{casus}/weegtafel",
        {"datum": dutch_date(utcnow()).isoformat(), "aanwezig": [POLITIE], "reden": "Weegtafel van december"},
    )
    return casus


def _outcomes(response: httpx.Response) -> dict[str, tuple[str, set[str]]]:
    receipt = response.json()
    return {o["partner"]: (o["besluit"], {a["reden"] for a in o["achtergehouden"]}) for o in receipt["ontvangers"]}


def _acknowledged(database: Database, levering_id: str) -> bool:
    with database.engine.connect() as connection:
        found = connection.execute(sa.text("SELECT status FROM levering WHERE id = :id"), {"id": levering_id})
        return bool(found.scalar_one() == "bevestigd")


def _refusal_reasons(response: httpx.Response) -> str:
    assert response.status_code == 403, response.text
    problem = response.json()
    assert problem["code"] == "melding-geweigerd"
    return str(problem["detail"])


class TestStageAndTable:
    def test_the_casusoverleg_reaches_only_partners_at_the_table_and_only_in_its_stage(
        self, partnership: Partnership, regie: HubClient, database: Database
    ) -> None:
        casus = _open(regie, "pga", table=[VT], fase="triage")
        early = _send(partnership, ZVH, "casusoverleg-pga", casus)
        assert "buiten-casusfase" in _refusal_reasons(early), "the casusoverleg's rules hold in the plan van aanpak"

        regie.post(f"/api/v1/casussen/{casus}/fase", {"naar": "plan-van-aanpak", "reden": "Plan van aanpak"})
        sent = _send(partnership, ZVH, "casusoverleg-pga", casus)
        assert sent.status_code == 201, sent.text
        outcomes = _outcomes(sent)
        assert outcomes[VT][0] == "partial", "at the table: the casusoverleg's categories"
        assert outcomes[AMW][0] == "deny" and "niet-aan-tafel" in outcomes[AMW][1], "not at the table: nothing"
        receipt = sent.json()
        assert receipt["casus"] == casus
        levering = next(o["leveringId"] for o in receipt["ontvangers"] if o["partner"] == VT)
        receiver = partnership.receivers[VT]
        wait_for(lambda: any(e["leveringId"] == levering for e in receiver.received))

        with database.engine.connect() as connection:
            entries = [json.loads(e) for e in ledger.entries_at(connection, receipt["posities"]).values()]
        assert {(e["ontvanger"], e["casus_id"], e["casusfase"], e["besluit"]) for e in entries} == {
            (VT, casus, "plan-van-aanpak", "partial"), (AMW, casus, "plan-van-aanpak", "deny"),
        }  # fmt: skip
        detail = regie.get(f"/api/v1/casussen/{casus}")
        assert receipt["meldingId"] in detail["meldingen"] and len(detail["meldingen"]) == 2, (
            "a melding sent in a casus belongs to it, the refused one too"
        )

    def test_outside_a_casus_the_casusoverleg_gives_nothing(self, partnership: Partnership) -> None:
        refused = _send(partnership, ZVH, "casusoverleg-pga")
        assert "geen-casus" in _refusal_reasons(refused)

    def test_only_a_partner_at_the_table_sends_in_a_casus(self, partnership: Partnership, regie: HubClient) -> None:
        casus = _open(regie, "pga", table=[VT])
        stranger = _send(partnership, "via-zuid-limburg", "casusoverleg-pga", casus)
        missing = _send(partnership, "via-zuid-limburg", "casusoverleg-pga", 999_999)
        for answer in (stranger, missing):
            assert (answer.status_code, answer.json()["code"]) == (403, "niet-aan-tafel")
        assert stranger.json()["detail"].replace(str(casus), "N") == missing.json()["detail"].replace("999999", "N"), (
            "a casus one is not at the table of looks like one that does not exist"
        )
        regie.post(f"/api/v1/casussen/{casus}/deelnemers", {"partner": "via-zuid-limburg", "reden": "Verrijkt"})
        assert _send(partnership, "via-zuid-limburg", "casusoverleg-pga", casus).status_code == 201

    def test_after_afschaling_the_table_is_told_and_nothing_is_disclosed_in_the_casus(
        self, partnership: Partnership, regie: HubClient, database: Database
    ) -> None:
        casus = _open(regie, "pga", table=[VT])
        assert _send(partnership, ZVH, "casusoverleg-pga", casus).status_code == 201
        scaled = regie.post(f"/api/v1/casussen/{casus}/fase", {"naar": "afschaling", "reden": "Doelen bereikt"})
        assert scaled["geslotenOp"], "retention runs from the afschaling"
        receiver = partnership.receivers[VT]
        wait_for(lambda: any(e["soort"] == "afschaling" for e in receiver.received))
        notice = next(e for e in receiver.received if e["soort"] == "afschaling")
        assert notice["inhoud"]["casus"] == casus and notice["verstrekker"] == ZVH and "voorwaarden" not in notice
        sent_notice = [e for e in scaled["geschiedenis"] if e["soort"] == "fase"][-1]
        assert sent_notice["details"] == "plan-van-aanpak -> afschaling"
        wait_for(lambda: _acknowledged(database, notice["leveringId"]))
        late = _send(partnership, ZVH, "casusoverleg-pga", casus)
        assert "casus-afgeschaald" in _refusal_reasons(late)
        also_unbound = _send(partnership, "via-zuid-limburg", "casusoverleg-pga", casus)
        assert also_unbound.status_code == 403, "not at the table (and scaled down): refused either way"


class TestLeavingTheTable:
    def test_what_a_partner_got_for_its_seat_ends_when_it_leaves_the_table(
        self, partnership: Partnership, regie: HubClient, database: Database
    ) -> None:
        casus = _open(regie, "pga", table=[AMW, VT])
        amw = partnership.client(AMW)  # collects from its inbox
        made = _send(partnership, ZVH, "casusoverleg-pga", casus)
        made_id = next(o["leveringId"] for o in made.json()["ontvangers"] if o["partner"] == AMW)
        (item,) = [i for i in amw.get("/api/v1/inbox")["items"] if i["leveringId"] == made_id]
        amw.post(f"/api/v1/inbox/{made_id}/ontvangstbevestiging", {"inhoudDigest": item["inhoudDigest"]})
        pending = _send(partnership, ZVH, "casusoverleg-pga", casus)
        pending_id = next(o["leveringId"] for o in pending.json()["ontvangers"] if o["partner"] == AMW)
        still_at_table = next(o["leveringId"] for o in pending.json()["ontvangers"] if o["partner"] == VT)

        regie.post(f"/api/v1/casussen/{casus}/deelnemers/{AMW}/verwijdering", {"reden": "Geen rol meer"})
        assert levering_status(database, made_id) == "bevestigd"
        assert levering_status(database, pending_id) == "ingetrokken", "what was not made yet is withheld"
        assert levering_status(database, still_at_table) != "ingetrokken", "the partner still at the table keeps it"
        with database.engine.connect() as connection:
            everything = [json.loads(e) for _, e in ledger.entries(connection, ledger.size(connection))]
        ended = {e["levering_id"]: e for e in everything if e.get("reden") == "niet-meer-aan-tafel"}
        assert {k: e["gevolg"] for k, e in ended.items()} == {pending_id: "ingehouden", made_id: "verwerking-stoppen"}
        assert all(e["casus_id"] == casus and e["soort"] == "intrekking" for e in ended.values())
        inbox = amw.get("/api/v1/inbox")["items"]
        assert [i["soort"] for i in inbox] == ["stopbericht"], "the withheld one is gone; a stopbericht came"
        assert inbox[0]["inhoud"]["betreftLevering"] == made_id and inbox[0]["inhoud"]["casus"] == casus

    def test_a_dead_letter_of_a_partner_that_left_the_table_is_never_re_driven(
        self, partnership: Partnership, regie: HubClient, database: Database
    ) -> None:
        casus = _open(regie, "pga", table=[VT])
        with unreachable(database, VT):
            sent = _send(partnership, ZVH, "casusoverleg-pga", casus)
            dead = next(o["leveringId"] for o in sent.json()["ontvangers"] if o["partner"] == VT)
            dead_letter(database, dead)

        regie.post(f"/api/v1/casussen/{casus}/deelnemers/{VT}/verwijdering", {"reden": "Geen rol meer"})
        assert levering_status(database, dead) == "ingetrokken"
        operator = person_client(partnership, ZVH, "zvh-beheer-test", Role.OPERATOR)
        redrive = operator.send("POST", f"/api/v1/leveringen/{dead}/herstart")
        assert (redrive.status_code, redrive.json()["code"]) == (409, "levering-ingetrokken-herstart")
        assert levering_status(database, dead) == "ingetrokken", "nothing goes out after the partner left"


class TestOffTheTableToldToStop:
    """Issue 23, finding 7: AMW had received casus data, was removed, and was never told to stop processing (nor at
    afschaling)."""

    def _amw_received_in_the_casus(self, partnership: Partnership, regie: HubClient, casus: int) -> str:
        """A zorgmelding of the politie that AMW received and acknowledged (under its own rule, not bound to the
        table), linked to the casus: data AMW holds from the casus. Its delivery id."""
        body = {"berichttype": "zorgmelding", "inhoud": sample_melding("zorgmelding")}
        receipt = partnership.client(POLITIE).post("/api/v1/meldingen", body)
        levering = next(o["leveringId"] for o in receipt["ontvangers"] if o["partner"] == AMW)
        amw = partnership.client(AMW)
        (item,) = [i for i in amw.get("/api/v1/inbox")["items"] if i["leveringId"] == levering]
        amw.post(f"/api/v1/inbox/{levering}/ontvangstbevestiging", {"inhoudDigest": item["inhoudDigest"]})
        regie.post(f"/api/v1/casussen/{casus}/meldingen", {"meldingId": receipt["meldingId"], "reden": "Hoort erbij"})
        return str(levering)

    def _stop_notices(self, partnership: Partnership) -> list[dict[str, Any]]:
        items = partnership.client(AMW).get("/api/v1/inbox")["items"]
        return [i for i in items if i["soort"] in ("stopbericht", "afschaling")]

    def test_removed_from_the_table_it_is_told_to_stop(
        self, partnership: Partnership, regie: HubClient, database: Database
    ) -> None:
        casus = _open(regie, "pga", table=[AMW, VT])
        levering = self._amw_received_in_the_casus(partnership, regie, casus)
        regie.post(f"/api/v1/casussen/{casus}/deelnemers/{AMW}/verwijdering", {"reden": "Geen rol meer"})
        (notice,) = self._stop_notices(partnership)
        assert (notice["soort"], notice["inhoud"]["betreftLevering"], notice["inhoud"]["casus"]) == (
            "stopbericht", levering, casus,
        )  # fmt: skip
        partnership.client(AMW).post(
            f"/api/v1/inbox/{notice['leveringId']}/ontvangstbevestiging", {"inhoudDigest": notice["inhoudDigest"]}
        )
        assert levering_status(database, notice["leveringId"]) == "bevestigd", "delivered and acknowledged"
        with database.engine.connect() as connection:
            everything = [json.loads(e) for _, e in ledger.entries(connection, ledger.size(connection))]
        (entry,) = [e for e in everything if e.get("reden") == "niet-meer-aan-tafel"]
        assert (entry["levering_id"], entry["gevolg"], entry["stopbericht_levering_id"]) == (
            levering, "verwerking-stoppen", notice["leveringId"],
        )  # fmt: skip

    def test_at_afschaling_a_partner_that_received_without_a_seat_is_told_too(
        self, partnership: Partnership, regie: HubClient, database: Database
    ) -> None:
        casus = _open(regie, "pga", table=[VT])
        self._amw_received_in_the_casus(partnership, regie, casus)
        regie.post(f"/api/v1/casussen/{casus}/fase", {"naar": "afschaling", "reden": "Doelen bereikt"})
        (notice,) = self._stop_notices(partnership)
        assert (notice["soort"], notice["inhoud"]["casus"]) == ("afschaling", casus)
        with database.engine.connect() as connection:
            everything = [json.loads(e) for _, e in ledger.entries(connection, ledger.size(connection))]
        told = {e["ontvanger"] for e in everything if e.get("handeling") == "afschalingsbericht"}
        assert told == {VT, AMW}


class TestTopX:
    def test_top_x_disclosures_hold_only_while_the_weegtafel_decision_does(
        self, partnership: Partnership, regie: HubClient, database: Database
    ) -> None:
        casus = _open(regie, "top-x", table=[POLITIE])
        assert "geen-top-x" in _refusal_reasons(_send(partnership, ZVH, "top-x-aanpak", casus))
        today = dutch_date(utcnow())
        with pytest.raises(HubError) as no_justice:
            regie.post(
                f"/api/v1/casussen/{casus}/weegtafel",
                {"datum": today.isoformat(), "aanwezig": [VT], "reden": "Weegtafel van december"},
            )
        assert no_justice.value.problem["code"] == "weegtafel-zonder-justitie"
        decided = regie.post(
            f"/api/v1/casussen/{casus}/weegtafel",
            {"datum": today.isoformat(), "aanwezig": [POLITIE, VT], "reden": "Weegtafel van december"},
        )
        assert decided["topXTot"] > today.isoformat()
        granted = _send(partnership, ZVH, "top-x-aanpak", casus)
        assert granted.status_code == 201 and _outcomes(granted)[POLITIE][0] == "partial"
        history = [e["soort"] for e in decided["geschiedenis"]]
        assert history[-1] == "top-x-besluit"

        # The requalification lapses: the day after the decision's last day, the status no longer holds.
        with database.engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE casus SET top_x_tot = :day WHERE id = :id"),
                {"day": today - timedelta(days=1), "id": casus},
            )
        assert "geen-top-x" in _refusal_reasons(_send(partnership, ZVH, "top-x-aanpak", casus))
        requalified = regie.post(
            f"/api/v1/casussen/{casus}/weegtafel",
            {"datum": today.isoformat(), "aanwezig": [POLITIE], "reden": "Herkwalificatie"},
        )
        assert requalified["geschiedenis"][-1]["soort"] == "top-x-herkwalificatie"
        assert _send(partnership, ZVH, "top-x-aanpak", casus).status_code == 201

    def test_a_weegtafel_long_past_gives_no_status(self, regie: HubClient) -> None:
        """Seen on a live hub (#23, finding 6): a weegtafel dated eight years ago was accepted and moved the Top X
        status back to 2019."""
        casus = _open(regie, "top-x", table=[POLITIE])
        today = dutch_date(utcnow())
        long_ago = today - timedelta(days=8 * 365)
        with pytest.raises(HubError) as refused:
            regie.post(
                f"/api/v1/casussen/{casus}/weegtafel",
                {"datum": long_ago.isoformat(), "aanwezig": [POLITIE], "reden": "Weegtafel van lang geleden"},
            )
        assert (refused.value.status, refused.value.problem["code"]) == (422, "weegtafel-verlopen")
        assert "requalification term is P6M" in refused.value.problem["detail"]
        assert regie.get(f"/api/v1/casussen/{casus}")["topXTot"] is None

    def test_a_lapsed_status_ends_the_disclosures_that_relied_on_it(
        self, partnership: Partnership, regie: HubClient, database: Database, vault: Vault
    ) -> None:
        casus = _top_x(regie)
        politie = partnership.client(POLITIE)  # collects from its inbox
        made = _send(partnership, ZVH, "top-x-aanpak", casus).json()["ontvangers"][0]["leveringId"]
        (item,) = [i for i in politie.get("/api/v1/inbox")["items"] if i["leveringId"] == made]
        politie.post(f"/api/v1/inbox/{made}/ontvangstbevestiging", {"inhoudDigest": item["inhoudDigest"]})
        pending = _send(partnership, ZVH, "top-x-aanpak", casus).json()["ontvangers"][0]["leveringId"]

        ronde = one_round(database, vault, now=utcnow() + timedelta(days=200))
        assert ronde.top_x_vervallen == 1
        with database.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT id, status FROM levering WHERE id IN (:a, :b)"), {"a": made, "b": pending}
            ).all()
            everything = [json.loads(e) for _, e in ledger.entries(connection, ledger.size(connection))]
        statuses = {str(k): str(v) for k, v in rows}
        assert statuses == {made: "bevestigd", pending: "ingetrokken"}, "what was not made yet is withheld"
        ended = {e["levering_id"]: e for e in everything if e.get("reden") == "top-x-vervallen"}
        assert {k: e["gevolg"] for k, e in ended.items()} == {pending: "ingehouden", made: "verwerking-stoppen"}
        assert all(e["casus_id"] == casus for e in ended.values())

        inbox = politie.get("/api/v1/inbox")["items"]
        assert [i["soort"] for i in inbox] == ["stopbericht"], "the withheld one is gone; a stopbericht came"
        assert inbox[0]["leveringId"] == ended[made]["stopbericht_levering_id"]
        assert inbox[0]["inhoud"]["betreftLevering"] == made and inbox[0]["inhoud"]["casus"] == casus
        again = one_round(database, vault, now=utcnow() + timedelta(days=200))
        assert again.top_x_vervallen == 0, "once"

    def test_a_dead_letter_that_relied_on_a_lapsed_status_is_withheld_and_never_re_driven(
        self, partnership: Partnership, regie: HubClient, database: Database, vault: Vault
    ) -> None:
        casus = _top_x(regie)
        with unreachable(database, POLITIE):
            dead = _send(partnership, ZVH, "top-x-aanpak", casus).json()["ontvangers"][0]["leveringId"]
            dead_letter(database, dead)

        assert one_round(database, vault, now=utcnow() + timedelta(days=200)).top_x_vervallen == 1
        assert levering_status(database, dead) == "ingetrokken"
        operator = person_client(partnership, ZVH, "zvh-beheer-test", Role.OPERATOR)
        redrive = operator.send("POST", f"/api/v1/leveringen/{dead}/herstart")
        assert (redrive.status_code, redrive.json()["code"]) == (409, "levering-ingetrokken-herstart")
        assert levering_status(database, dead) == "ingetrokken", "nothing goes out after the lapse"


class TestHuisverbodMonitoring:
    def test_monitoring_runs_until_its_term_after_the_huisverbod(
        self, partnership: Partnership, regie: HubClient
    ) -> None:
        today = dutch_date(utcnow())
        running = _open(regie, "huisverbod-monitoring", table=[VT], huisverbodEinde=str(today - timedelta(days=30)))
        assert _outcomes(_send(partnership, ZVH, "monitoring-huisverbod", running))[VT][0] == "partial"
        detail = regie.get(f"/api/v1/casussen/{running}")
        assert detail["monitoringTot"] == str(add_duration(today - timedelta(days=30), "P1Y")), "the agreed term"

        over = _open(regie, "huisverbod-monitoring", table=[VT], huisverbodEinde=str(today - timedelta(days=400)))
        assert "monitoring-verlopen" in _refusal_reasons(_send(partnership, ZVH, "monitoring-huisverbod", over))

    def test_a_huisverbod_ends_within_its_legal_maximum(self, regie: HubClient) -> None:
        """Seen on a live hub (#23, finding 6): `huisverbodEinde` 2099-12-31 was accepted, monitoring ran to 2100."""
        body = {"type": "huisverbod-monitoring", "reden": "Na het huisverbod", "huisverbodEinde": "2099-12-31"}
        with pytest.raises(HubError) as refused:
            regie.post("/api/v1/casussen", body)
        assert (refused.value.status, refused.value.problem["code"]) == (422, "huisverbod-einde-te-laat")
        latest = dutch_date(utcnow()) + timedelta(days=28)
        assert f"lies after {latest.isoformat()}" in refused.value.problem["detail"]
        assert regie.post("/api/v1/casussen", {**body, "huisverbodEinde": latest.isoformat()})["monitoringTot"]

    def test_a_monitoring_casus_needs_the_end_of_its_huisverbod(self, regie: HubClient) -> None:
        with pytest.raises(HubError) as refused:
            regie.post("/api/v1/casussen", {"type": "huisverbod-monitoring", "reden": "Na het huisverbod"})
        assert refused.value.problem["code"] == "huisverbod-einde-vereist"


def test_a_casus_number_beyond_any_id_is_a_422_not_a_500(partnership: Partnership) -> None:
    """Found by the fuzzer: the number went to the database and overflowed there."""
    answer = _send(partnership, ZVH, "casusoverleg-pga", 2**63)
    assert (answer.status_code, answer.json()["code"]) == (422, "validation-failed")
