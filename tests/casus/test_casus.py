"""A casus through its stages, with participants and persons, on SQLite and PostgreSQL, through the API: every
step in its history and on the verstrekkingenlog (the reason only as a hash); only its own ZVH runs it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors import HubError
from hub.db import Database
from hub.kit.clock import utcnow
from hub.ledger import repository as ledger
from hub.pseudonym.secrets import PrivacySecrets
from hub.pseudonym.vault import OpgegevenIdentiteit, Vault
from tests.support import Actor

BSN = "762621606"  # invented, passes the 11-proef


def _open(client: Any, reden: str = "Aanmelding netwerkpartners, week 48") -> dict[str, Any]:
    found: dict[str, Any] = client.post("/api/v1/casussen", {"type": "pga", "reden": reden})
    return found


class TestLifecycle:
    def test_a_casus_moves_forward_with_participants_and_every_step_is_on_the_ledger(
        self, http: httpx.Client, actors: dict[str, Actor], database: Database
    ) -> None:
        regie = actors["regisseur"].client(http)
        casus = _open(regie)
        assert (casus["fase"], casus["zvh"]) == ("aanmelding", "zvh-test")
        path = f"/api/v1/casussen/{casus['id']}"
        regie.post(f"{path}/fase", {"naar": "triage", "reden": "Besproken in de triage van dinsdag"})
        regie.post(f"{path}/deelnemers", {"partner": "politie-test", "reden": "Politie kent de situatie"})
        regie.post(f"{path}/deelnemers", {"partner": "via-test", "reden": "VIA screende de E33"})
        regie.post(f"{path}/deelnemers/via-test/verwijdering", {"reden": "Geen rol meer na de screening"})
        regie.post(f"{path}/fase", {"naar": "plan-van-aanpak", "reden": "Geselecteerd voor PGA"})
        regie.post(f"{path}/fase", {"naar": "afschaling", "reden": "Doelen van het plan bereikt"})
        closed = regie.post(f"{path}/fase", {"naar": "gesloten", "reden": "Afgesloten na afschaling"})
        assert closed["fase"] == "gesloten" and closed["geslotenOp"]
        assert all(d["tot"] for d in closed["deelnemers"]), "closing ends every seat at the table"
        soorten = [e["soort"] for e in closed["geschiedenis"]]
        assert soorten == ["geopend", "fase", "deelnemer-toegevoegd", "deelnemer-toegevoegd", "deelnemer-verwijderd",
                           "fase", "fase", "fase"]  # fmt: skip
        with database.engine.connect() as connection:
            entries = ledger.entries_at(connection, [e["positie"] for e in closed["geschiedenis"]])
        for event in closed["geschiedenis"]:
            entry = json.loads(entries[event["positie"]])
            assert entry["soort"] == "casus" and entry["casus_id"] == casus["id"]
            assert entry["handeling"] == event["soort"] and entry["door"] == actors["regisseur"].principal_id
            assert entry["reden_digest"] == "sha256:" + hashlib.sha256(event["reden"].encode()).hexdigest()
            assert event["reden"] not in entries[event["positie"]].decode(), "no free text on the ledger"

    def test_stages_never_go_back_and_a_closed_casus_takes_no_changes(
        self, http: httpx.Client, actors: dict[str, Actor]
    ) -> None:
        regie = actors["regisseur"].client(http)
        path = f"/api/v1/casussen/{_open(regie)['id']}"
        regie.post(f"{path}/fase", {"naar": "triage", "reden": "In de triage"})
        with pytest.raises(HubError) as back:
            regie.post(f"{path}/fase", {"naar": "aanmelding", "reden": "Terug naar af"})
        assert back.value.status == 409 and back.value.problem["code"] == "fase-niet-toegestaan"
        regie.post(f"{path}/fase", {"naar": "gesloten", "reden": "Niet opgepakt na triage"})
        with pytest.raises(HubError) as late:
            regie.post(f"{path}/deelnemers", {"partner": "politie-test", "reden": "Te laat aangeschoven"})
        assert late.value.problem["code"] == "casus-gesloten"

    def test_a_reason_is_required(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        with pytest.raises(HubError) as refused:
            actors["regisseur"].client(http).post("/api/v1/casussen", {"type": "pga", "reden": ""})
        assert refused.value.status == 422


class TestWhoRunsACasus:
    def test_only_a_procesregisseur_of_a_zvh_opens_one(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        with pytest.raises(HubError) as elsewhere:
            _open(actors["regisseur_elders"].client(http))
        assert elsewhere.value.status == 403 and elsewhere.value.problem["code"] == "geen-zvh"
        with pytest.raises(HubError) as officer:
            _open(actors["privacy_officer"].client(http))
        assert officer.value.status == 403

    def test_officers_and_reviewers_read_but_do_not_run(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        casus = _open(actors["regisseur"].client(http))
        for reader in ("privacy_officer", "dpia_reviewer"):
            client = actors[reader].client(http)
            assert client.get(f"/api/v1/casussen/{casus['id']}")["id"] == casus["id"]
            with pytest.raises(HubError) as refused:
                client.post(f"/api/v1/casussen/{casus['id']}/fase", {"naar": "triage", "reden": "Mag dit wel?"})
            assert refused.value.status == 403
        with pytest.raises(HubError):
            actors["politie"].client(http).get(f"/api/v1/casussen/{casus['id']}")


class TestPersons:
    def test_a_person_is_linked_by_bsn_or_pseudonym_and_never_shown(
        self, http: httpx.Client, actors: dict[str, Actor], database: Database, keys_dir: Path
    ) -> None:
        secrets = PrivacySecrets(keys_dir)
        vault = Vault(secrets.pseudonyms(), secrets.kek())
        with database.unit_of_work() as session:
            person = vault.seal(session, OpgegevenIdentiteit(bsn=BSN), utcnow())
            other = vault.seal(session, OpgegevenIdentiteit(bsn="118784481"), utcnow())
            pseudonym = vault.pseudonym_for(session, other, "zvh-test", utcnow())
            foreign = vault.pseudonym_for(session, other, "via-test", utcnow())
        regie = actors["regisseur"].client(http)
        path = f"/api/v1/casussen/{_open(regie)['id']}"
        regie.post(f"{path}/personen", {"bsn": BSN, "reden": "Betrokkene van de aanmelding"})
        linked = regie.post(f"{path}/personen", {"pseudoniem": pseudonym, "reden": "Partner van de betrokkene"})
        assert linked["personen"] == 2
        assert BSN not in json.dumps(linked) and pseudonym not in json.dumps(linked)
        with pytest.raises(HubError) as theirs:
            regie.post(f"{path}/personen", {"pseudoniem": foreign, "reden": "Pseudoniem van een ander"})
        assert theirs.value.status == 404, "only pseudonyms the hub gave the regisseur's own organisation"
        with pytest.raises(HubError) as twice:
            regie.post(f"{path}/personen", {"bsn": BSN, "reden": "Nog een keer"})
        assert twice.value.status == 409
        with database.unit_of_work(immediate=False) as session:
            rows = ledger.subject_rows(session.connection(), [vault.log_pseudonym(session, person)])
            entries = ledger.entries_at(session.connection(), [seq for seq, _, _ in rows])
        assert [json.loads(e)["handeling"] for e in entries.values()] == ["persoon-gekoppeld"], (
            "the person's inzage will show the casus step about them"
        )
