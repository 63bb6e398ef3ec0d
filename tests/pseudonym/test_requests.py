"""Re-identification and erasure through the API: four eyes, shown once, and a trail without identities."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from hub.cli import app
from hub.db import Database
from hub.pseudonym.vault import Erased, OpgegevenIdentiteit, Vault
from hub.state import state_of
from tests.support import Actor

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TEUN = OpgegevenIdentiteit(bsn="762621606", voornamen="Teun", tussenvoegsel="van", achternaam="Verzonnen")


@pytest.fixture
def issued(app: FastAPI, database: Database) -> tuple[Vault, str, str]:
    """A person in the vault, and the pseudonym the privacy officer's organisation (zvh-test) holds for them."""
    vault: Vault = state_of(app).require_vault()
    with database.unit_of_work() as session:
        person = vault.seal(session, TEUN, NOW)
        pseudonym = vault.pseudonym_for(session, person, "zvh-test", NOW)
    return vault, person, pseudonym


class TestReidentification:
    """Who may ask and approve, and what they see: tests/pseudonym/test_heridentificatie.py."""

    def test_a_pseudonym_the_hub_never_issued(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        response = (
            actors["privacy_officer"]
            .client(http)
            .send(
                "POST",
                "/api/v1/heridentificaties",
                json_body={
                    "pseudoniem": "ps1.k1.via-zuid-limburg." + "0" * 32,
                    "doel": "x",
                    "motivering": "Tien tekens of meer.",
                },
            )
        )
        assert (response.status_code, response.json()["code"]) == (404, "pseudonym-unknown")

    def test_not_a_pseudonym(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        response = (
            actors["privacy_officer"]
            .client(http)
            .send(
                "POST",
                "/api/v1/heridentificaties",
                json_body={"pseudoniem": "762621606", "doel": "x", "motivering": "Tien tekens of meer."},
            )
        )
        assert (response.status_code, response.json()["code"]) == (422, "pseudonym-invalid")
        assert "762621606" not in response.text


class TestErasure:
    def test_four_eyes_then_the_person_cannot_be_opened(
        self, http: httpx.Client, actors: dict[str, Actor], issued: tuple[Vault, str, str], database: Database
    ) -> None:
        vault, person, pseudonym = issued
        asker, approver = actors["privacy_officer"].client(http), actors["second_officer"].client(http)
        body = {"bsn": "762621606", "motivering": "Verzoek van betrokkene (AVG art. 17), toegewezen."}
        request = asker.post("/api/v1/vergetelheidsverzoeken", body)
        own = asker.send("POST", f"/api/v1/vergetelheidsverzoeken/{request['id']}/goedkeuring")
        assert (own.status_code, own.json()["code"]) == (403, "four-eyes-required")
        assert (
            approver.post(f"/api/v1/vergetelheidsverzoeken/{request['id']}/goedkeuring", {})["status"] == "uitgevoerd"
        )

        with database.unit_of_work() as session, pytest.raises(Erased):
            vault.open(session, person)
        gone = asker.send("POST", "/api/v1/vergetelheidsverzoeken", json_body=body)
        assert (gone.status_code, gone.json()["code"]) == (404, "betrokkene-unknown")
        # The holder still has the pseudonym, but the identity behind it is gone.
        erased = asker.send(
            "POST",
            "/api/v1/heridentificaties",
            json_body={"pseudoniem": pseudonym, "doel": "screening-verward-gedrag", "motivering": "Acute zorg nodig."},
        )
        assert (erased.status_code, erased.json()["code"]) == (409, "person-erased")

    def test_an_unusable_identity_is_a_422(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        response = (
            actors["privacy_officer"]
            .client(http)
            .send(
                "POST",
                "/api/v1/vergetelheidsverzoeken",
                json_body={"bsn": "762621607", "motivering": "Tien tekens of meer."},
            )
        )
        assert (response.status_code, response.json()["code"]) == (422, "bsn-invalid")
        assert "762621607" not in response.text


class TestFromTheCommandLine:
    def test_forget_and_approve_with_two_officers(
        self,
        http: httpx.Client,
        actors: dict[str, Actor],
        issued: tuple[Vault, str, str],
        tmp_path: Path,
        database: Database,
    ) -> None:
        vault, person, _ = issued
        runner = CliRunner()

        def as_officer(name: str, *args: str) -> Any:
            actor = actors[name]
            key = tmp_path / f"{name}.jwk"
            if not key.exists():
                actor.key.save(key)
            credentials = [
                "--hub",
                str(http.base_url),
                "--partner",
                actor.partner_id,
                "--principal",
                actor.principal_id,
                "--key",
                str(key),
            ]
            result = runner.invoke(app, [*args, *credentials])
            assert result.exit_code == 0, result.output
            return json.loads(result.stdout)

        request = as_officer(
            "privacy_officer",
            "betrokkene",
            "vergeten",
            "--bsn",
            "762621606",
            "--motivering",
            "Verzoek AVG art. 17 toegewezen",
        )
        assert as_officer("second_officer", "betrokkene", "goedkeuren", str(request["id"]))["status"] == "uitgevoerd"
        with database.unit_of_work() as session, pytest.raises(Erased):
            vault.open(session, person)
