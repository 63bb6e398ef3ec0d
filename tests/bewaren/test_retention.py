"""Retention, enforced, on a live hub's data (SQLite and PostgreSQL): a person whose terms all ended is crypto-shredded
(identity, ledger openings, pseudonyms handed out), a person in an open casus stays, bekend signals expire, a closed
casus's references go after their term, a lapsed Top X ends; every removal on the ledger; a second round changes
nothing; two processes at once shred each person once."""

from __future__ import annotations

import json
import multiprocessing
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select
from typer.testing import CliRunner

from connectors import HubClient
from hub.bewaren import service
from hub.bewaren.keeper import full_pass, one_round
from hub.cli import app
from hub.db import Database
from hub.delivery.models import Levering, Status
from hub.kit.clock import dutch_date, utcnow
from hub.ledger import repository as ledger
from hub.partners.models import Role
from hub.policy.convenant.format import Procesafspraken, add_duration
from hub.pseudonym.models import IssuedPseudonym, VaultPerson
from hub.pseudonym.secrets import PrivacySecrets
from hub.pseudonym.vault import OpgegevenIdentiteit, Vault
from tests.partnership import Partnership, person_client, sample_melding

ZVH, VIA, POLITIE = "zvh-zuid-limburg", "via-zuid-limburg", "politie-limburg"
E33_BSNS = [
    str(sample_melding("e33-verward-gedrag")["personen"][0]["bsn"]),
    str(sample_melding("aanmelding")["personen"][0]["bsn"]),
]
"""Two invented persons, in an E33 to VIA and in an aanmelding at the ZVH."""
SIGNALLED = "100000009"  # invented, passes the 11-proef: known to the police only, by a bekend signal


def _person(database: Database, vault: Vault, bsn: str) -> VaultPerson | None:
    with database.unit_of_work(immediate=False) as session:
        found = vault.find(session, OpgegevenIdentiteit(bsn=bsn))
        return session.get(VaultPerson, found) if found else None


def _forgotten(database: Database) -> list[dict[str, Any]]:
    with database.engine.connect() as connection:
        everything = [json.loads(e) for _, e in ledger.entries(connection, ledger.size(connection))]
    return [e for e in everything if e["soort"] == "vergetelheid" and e.get("reden") == "bewaartermijn-verstreken"]


def _setup(partnership: Partnership, regie: HubClient) -> tuple[int, int]:
    """Disclosures about the E33's persons, one of them in an open casus and one in a closed one; a bekend signal."""
    e33 = {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")}
    aanmelding = {"berichttype": "aanmelding", "doel": "triage-zvh", "inhoud": sample_melding("aanmelding")}
    for body in (e33, aanmelding):
        assert partnership.client(POLITIE).send("POST", "/api/v1/meldingen", json_body=body).status_code == 201
    tot = add_duration(dutch_date(utcnow()), "P6M")
    partnership.client(POLITIE).post("/api/v1/bekendheid", {"bsn": SIGNALLED, "tot": str(tot), "referentie": "BVH-1"})
    kept = regie.post("/api/v1/casussen", {"type": "pga", "reden": "Loopt nog"})["id"]
    regie.post(f"/api/v1/casussen/{kept}/personen", {"bsn": E33_BSNS[0], "reden": "De betrokkene"})
    closed = regie.post("/api/v1/casussen", {"type": "pga", "reden": "Niet opgepakt"})["id"]
    regie.post(f"/api/v1/casussen/{closed}/personen", {"bsn": E33_BSNS[1], "reden": "De betrokkene"})
    regie.post(f"/api/v1/casussen/{closed}/fase", {"naar": "gesloten", "reden": "Niet opgepakt na aanmelding"})
    return kept, closed


class TestRetention:
    def test_terms_that_ended_shred_the_person_and_an_open_casus_keeps_them(
        self, partnership: Partnership, regie: HubClient, database: Database, vault: Vault
    ) -> None:
        kept, closed = _setup(partnership, regie)
        # Tomorrow nothing has ended: a round removes nothing.
        tomorrow = one_round(database, vault, now=utcnow() + timedelta(days=2))
        assert (tomorrow.personen, tomorrow.signalen, tomorrow.casussen) == (0, 0, 0)

        later = utcnow() + timedelta(days=3 * 366)  # every rule's term (at most two years) and the casus's ended
        ronde = one_round(database, vault, now=later)
        assert ronde.signalen == 1 and ronde.casussen == 1
        assert _person(database, vault, E33_BSNS[0]) is not None, "in an open casus: kept"
        for bsn in (E33_BSNS[1], SIGNALLED):
            assert _person(database, vault, bsn) is None, "every term ended: no longer recognised"
        assert ronde.personen == len(_forgotten(database)) >= 2
        with database.unit_of_work(immediate=False) as session:
            erased = session.exec(select(VaultPerson).where(VaultPerson.erased_at != None)).all()  # noqa: E711
            assert all(p.sealed_identity is None and p.wrapped_key is None for p in erased)
            issued = session.exec(select(IssuedPseudonym)).all()
            assert {i.person_id for i in issued} & {p.id for p in erased} == set(), "pseudonym links shredded"
        detail = regie.get(f"/api/v1/casussen/{closed}")
        assert detail["personen"] == 0 and detail["geschiedenis"][-1]["soort"] == "referenties-verwijderd"
        assert regie.get(f"/api/v1/casussen/{kept}")["personen"] == 1

        again = one_round(database, vault, now=later)
        assert (again.personen, again.signalen, again.casussen) == (0, 0, 0), "a second round changes nothing"

    def test_the_outlook_counts_what_goes_in_the_coming_month(
        self, partnership: Partnership, regie: HubClient, database: Database, vault: Vault
    ) -> None:
        _setup(partnership, regie)
        soon = utcnow() + timedelta(days=170)  # the bekend signal (six months) ends within a month from here
        with database.unit_of_work(immediate=False) as session:
            outlook = service.outlook(session, vault, Procesafspraken(), now=soon, days=31)
        assert sum(outlook.signalen.values()) == 1
        assert all(outlook.van <= day <= outlook.tot + timedelta(days=1) for day in outlook.signalen)

    def test_a_lapsed_top_x_ends_on_the_ledger(
        self, partnership: Partnership, regie: HubClient, database: Database, vault: Vault
    ) -> None:
        casus = regie.post("/api/v1/casussen", {"type": "top-x", "reden": "Veelpleger"})["id"]
        regie.post(f"/api/v1/casussen/{casus}/fase", {"naar": "triage", "reden": "Triage"})
        today = dutch_date(utcnow())
        regie.post(
            f"/api/v1/casussen/{casus}/weegtafel", {"datum": str(today), "aanwezig": [POLITIE], "reden": "Weegtafel"}
        )
        ronde = one_round(database, vault, now=utcnow() + timedelta(days=200))
        assert ronde.top_x_vervallen == 1
        detail = regie.get(f"/api/v1/casussen/{casus}")
        assert detail["topXTot"] is None and detail["geschiedenis"][-1]["soort"] == "top-x-vervallen"


def _round_in_a_process(url: str, keys: str, now: str, results: Any) -> None:
    privacy = PrivacySecrets(Path(keys))
    database = Database(url)
    try:
        ronde = one_round(database, Vault(privacy.pseudonyms(), privacy.kek()), now=datetime.fromisoformat(now))
        results.put(ronde.personen)
    finally:
        database.dispose()


@pytest.mark.postgresql
class TestSeveralProcesses:
    def test_two_processes_at_once_shred_each_person_once(
        self, partnership: Partnership, regie: HubClient, database: Database, keys_dir: Path
    ) -> None:
        if database.backend != "postgresql":
            pytest.skip("several processes is the PostgreSQL path; SQLite's write lock serialises them anyway")
        _setup(partnership, regie)
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        later = (utcnow() + timedelta(days=3 * 366)).isoformat()
        workers = [
            context.Process(target=_round_in_a_process, args=(database.url, str(keys_dir), later, results))
            for _ in range(2)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
            assert worker.exitcode == 0
        shredded = [results.get(timeout=5) for _ in workers]
        forgotten = _forgotten(database)
        assert sum(shredded) == len(forgotten) >= 2, "each person once, whichever process did it"
        with database.engine.connect() as connection:
            erased = connection.execute(sa.text("SELECT count(*) FROM vault_person WHERE erased_at IS NOT NULL"))
            assert erased.scalar_one() == len(forgotten)


WONING = "woningcorporatie-maasdal"
HUURDER = sample_melding("huurachterstand")["huurders"][0]
"""Noor Verdicht, the invented tenant of the sample huurachterstand."""


def _inboxes(partnership: Partnership, partners: set[str]) -> dict[str, str]:
    return {p: json.dumps(partnership.client(p).get("/api/v1/inbox")) for p in sorted(partners)}


def _withdrawn(database: Database, reden: str) -> set[tuple[str, str]]:
    with database.engine.connect() as connection:
        everything = [json.loads(e) for _, e in ledger.entries(connection, ledger.size(connection))]
    return {(e["levering_id"], e["gevolg"]) for e in everything if e["soort"] == "intrekking" and e["reden"] == reden}


def _send_huurachterstand(partnership: Partnership) -> dict[str, str]:
    """The sample huurachterstand; {recipient: delivery id}, none of them collected yet."""
    body = {"berichttype": "huurachterstand", "inhoud": sample_melding("huurachterstand")}
    receipt = partnership.client(WONING).post("/api/v1/meldingen", body)
    leveringen = {o["partner"]: o["leveringId"] for o in receipt["ontvangers"] if o["leveringId"]}
    assert set(leveringen) == {"gemeente-maastricht", "kredietbank-limburg", "zvh-zuid-limburg"}
    for partner, inbox in _inboxes(partnership, set(leveringen)).items():
        assert HUURDER["achternaam"] in inbox, f"{partner} holds her name before"
    return leveringen


def _nothing_about_her(partnership: Partnership, database: Database, vault: Vault, leveringen: dict[str, str]) -> None:
    """No inbox hands out anything about her, no sealed content is left for a retry or a re-drive, and the vault
    no longer knows her (so the inzage is true)."""
    for partner, inbox in _inboxes(partnership, set(leveringen)).items():
        for needle in (HUURDER["achternaam"], HUURDER["geboortedatum"], HUURDER["telefoon"]):
            assert needle not in inbox, f"{partner}'s inbox still hands out {needle}"
    with database.unit_of_work(immediate=False) as session:
        rows = session.exec(select(Levering).where(col(Levering.id).in_(list(leveringen.values())))).all()
        assert [r.payload for r in rows] == [None] * 3, "no sealed content is left for a retry or a re-drive"
        given = OpgegevenIdentiteit(
            voornamen=HUURDER["voornamen"],
            achternaam=HUURDER["achternaam"],
            geboortedatum=date.fromisoformat(HUURDER["geboortedatum"]),
        )
        assert vault.find(session, given) is None, "the inzage is true: nothing is recorded about her"
    late = partnership.client("gemeente-maastricht").send(
        "POST",
        f"/api/v1/inbox/{leveringen['gemeente-maastricht']}/ontvangstbevestiging",
        json_body={"inhoudDigest": "sha256:" + "0" * 64},
    )
    assert late.status_code == 410, late.text


class TestRetentionClosesEveryPath:
    """Issue 23, finding 3: a huurachterstand (bewaartermijn P6M) to the gemeente, the Kredietbank and the ZVH, left
    unacknowledged. A retention round as if 200 days later forgot her, and all three inboxes still handed out her
    name, date of birth and phone number."""

    def test_a_round_200_days_later_leaves_nothing_about_her_in_any_inbox(
        self, partnership: Partnership, database: Database, vault: Vault, cli_env: None
    ) -> None:
        leveringen = _send_huurachterstand(partnership)
        # Rehearsed first: the dry run says what a round on that day would do, and does none of it.
        day = dutch_date(utcnow() + timedelta(days=200))
        rehearsed = CliRunner().invoke(app, ["bewaren", "--per", day.isoformat(), "--droog"])
        assert rehearsed.exit_code == 0, rehearsed.output
        assert f"een ronde op {day.isoformat()} zou dit doen: 1 personen vergeten" in rehearsed.output
        assert "3 leveringen niet opgehaald binnen de ophaaltermijn" in rehearsed.output
        assert all(HUURDER["achternaam"] in inbox for inbox in _inboxes(partnership, set(leveringen)).values())
        refused = CliRunner().invoke(app, ["bewaren", "--per", day.isoformat()])
        assert refused.exit_code == 2 and "--per kan alleen met --droog" in refused.output

        ronde = full_pass(database, vault, now=utcnow() + timedelta(days=200))
        assert (ronde.personen, ronde.leveringen_niet_opgehaald) == (1, 3)
        _nothing_about_her(partnership, database, vault, leveringen)
        assert _withdrawn(database, "ophaaltermijn-verstreken") == {(i, "vernietigd") for i in leveringen.values()}
        # The verstrekker is told, per delivery, with ids and codes only.
        told = partnership.client(WONING).get("/api/v1/inbox")["items"]
        assert sorted((t["soort"], t["inhoud"]["ontvanger"]) for t in told) == [
            ("niet-opgehaald", p) for p in sorted(leveringen)
        ]
        assert all(t["verstrekker"] == "schakel" and t["inhoud"]["ophaaltermijn"] == "P14D" for t in told)
        assert HUURDER["achternaam"] not in json.dumps(told)

    def test_an_approved_erasure_withdraws_what_she_never_collected(
        self, partnership: Partnership, database: Database, vault: Vault, actors_for_partnership: dict[str, HubClient]
    ) -> None:
        leveringen = _send_huurachterstand(partnership)
        asker, approver = actors_for_partnership["asker"], actors_for_partnership["approver"]
        body = {
            "voornamen": HUURDER["voornamen"],
            "achternaam": HUURDER["achternaam"],
            "geboortedatum": HUURDER["geboortedatum"],
            "motivering": "Verzoek van betrokkene (AVG art. 17), toegewezen.",
        }
        request = asker.post("/api/v1/vergetelheidsverzoeken", body)
        approver.post(f"/api/v1/vergetelheidsverzoeken/{request['id']}/goedkeuring", {})
        _nothing_about_her(partnership, database, vault, leveringen)
        assert _withdrawn(database, "betrokkene-vergeten") == {(i, "vernietigd") for i in leveringen.values()}

    def test_a_dead_letter_past_its_collection_term_cannot_be_re_driven(
        self, partnership: Partnership, database: Database, vault: Vault
    ) -> None:
        leveringen = _send_huurachterstand(partnership)
        with database.unit_of_work() as session:  # as the worker leaves a delivery that nobody could take
            found = session.exec(select(Levering).where(Levering.id == leveringen["kredietbank-limburg"])).one()
            found.status, found.dood_op = Status.DOOD, utcnow()
        ronde = one_round(database, vault, now=utcnow() + timedelta(days=15))
        assert ronde.leveringen_niet_opgehaald == 3
        operator = person_client(partnership, "zvh-zuid-limburg", "zvh-beheer", Role.OPERATOR)
        redriven = operator.send("POST", f"/api/v1/leveringen/{leveringen['kredietbank-limburg']}/herstart")
        assert (redriven.status_code, redriven.json()["code"]) == (410, "levering-verwijderd")
