"""The meldingen path keeps keys and the convenant in memory; nothing it keeps may outlive a change.

Every change below is made straight in the database (as another process, or an operator's tool, would make it),
after the hub has used and kept what changes. The next melding must see it: refused, or decided anew.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from connectors import sign_request_token
from hub.casus.models import Casus, CasusDeelnemer, CasusType, Fase
from hub.db import Database
from hub.kit import generation
from hub.meldingen.schemas import Ontvangstbewijs
from hub.partners import service as partners
from hub.partners.models import Partner, PartnerStatus, PrincipalStatus, Role
from hub.partners.schemas import PartnerUpdate, PrincipalUpdate
from hub.policy import service as policy
from hub.policy.runtime import PolicyRuntime
from hub.policy.service import Officer
from hub.toestemming.models import Toestemming
from tests.partnership import Partnership, sample_melding

POLITIE = "politie-limburg"
MELDINGEN = "/api/v1/meldingen"


def _e33() -> dict[str, object]:
    return {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")}


def _send(partnership: Partnership, body: dict[str, object] | None = None) -> httpx.Response:
    return partnership.client(POLITIE).send("POST", MELDINGEN, json_body=body or _e33())


def _stored(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM melding")).scalar_one())


def _signed(partnership: Partnership, body: bytes) -> dict[str, str]:
    """One request's headers, signed once: to send the very same token twice."""
    base = str(partnership.http.base_url)
    _, headers = sign_request_token(
        partnership.keys[POLITIE],
        issuer=POLITIE,
        subject=f"{POLITIE}-systeem",
        audience=base,
        method="POST",
        url=f"{base}{MELDINGEN}",
        body=body,
    )
    return {**headers, "Content-Type": "application/json"}


def _revoke(database: Database, partnership: Partnership) -> None:
    with database.unit_of_work() as session:
        kid = partnership.keys[POLITIE].kid
        partners.revoke_key(session, "test", f"{POLITIE}-systeem", kid, "gecompromitteerd")


def _suspend(database: Database, _: Partnership) -> None:
    with database.unit_of_work() as session:
        partners.update_partner(session, "test", POLITIE, PartnerUpdate(status=PartnerStatus.SUSPENDED))


def _disable(database: Database, _: Partnership) -> None:
    with database.unit_of_work() as session:
        update = PrincipalUpdate(status=PrincipalStatus.DISABLED)
        partners.update_principal(session, "test", f"{POLITIE}-systeem", update)


class TestKeysKeptInMemory:
    @pytest.mark.parametrize(
        ("change", "reason"),
        [(_revoke, "key-revoked"), (_suspend, "partner-suspended"), (_disable, "principal-disabled")],
        ids=["key-revoked", "partner-suspended", "principal-disabled"],
    )
    def test_a_change_after_the_key_was_kept_refuses_the_next_melding_and_stores_nothing(
        self, partnership: Partnership, database: Database, change: Callable[[Database, Partnership], None], reason: str
    ) -> None:
        assert _send(partnership).status_code == 201  # the key is now kept in memory
        before = _stored(database)
        change(database, partnership)
        response = _send(partnership)
        assert response.status_code == 401, response.text
        assert response.json()["code"] == reason
        assert _stored(database) == before

    def test_a_role_taken_away_and_given_back_is_seen_both_ways(
        self, partnership: Partnership, database: Database
    ) -> None:
        assert _send(partnership).status_code == 201

        def roles(granted: list[Role]) -> None:
            with database.unit_of_work() as session:
                partners.update_principal(session, "test", f"{POLITIE}-systeem", PrincipalUpdate(roles=granted))

        roles([Role.OPERATOR])
        refused = _send(partnership)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "role-missing"
        roles([Role.PARTNER])  # the 403 above was answered on what was kept then: this must not stick
        assert _send(partnership).status_code == 201

    def test_a_replayed_token_is_refused_and_stores_nothing(self, partnership: Partnership, database: Database) -> None:
        body = json.dumps(_e33()).encode()
        headers = _signed(partnership, body)
        assert partnership.http.post(MELDINGEN, content=body, headers=headers).status_code == 201
        before = _stored(database)
        again = partnership.http.post(MELDINGEN, content=body, headers=headers)
        assert again.status_code == 401
        assert again.json()["code"] == "token-replayed"
        assert _stored(database) == before

    def test_a_refused_melding_spends_its_token_too(self, partnership: Partnership) -> None:
        melding = _e33()
        melding["inhoud"]["personen"][0]["bsn"] = "123456789"  # type: ignore[index]  # fails the 11-proef
        body = json.dumps(melding).encode()
        headers = _signed(partnership, body)
        first = partnership.http.post(MELDINGEN, content=body, headers=headers)
        assert first.status_code == 422, first.text
        again = partnership.http.post(MELDINGEN, content=body, headers=headers)
        assert again.status_code == 401
        assert again.json()["code"] == "token-replayed"


class TestConventantKeptInMemory:
    def test_an_emergency_prohibition_applies_to_the_very_next_melding(
        self, partnership: Partnership, database: Database
    ) -> None:
        first = _send(partnership)
        assert first.status_code == 201
        (via,) = first.json()["ontvangers"]
        assert "identificatie" in via["verstrekt"]
        with database.unit_of_work() as session:
            prohibition = policy.issue_emergency(
                session,
                PolicyRuntime(),
                Officer("fg-nood", "elders"),
                categorieen=["identificatie"],
                ontvangers=["via"],
                reden="test: niet identificeren",
                now=datetime.now(UTC),
            )
        second = _send(partnership)
        assert second.status_code == 201, second.text
        (via,) = second.json()["ontvangers"]
        assert "identificatie" not in via["verstrekt"]
        withheld = {a["categorie"]: a for a in via["achtergehouden"]}
        assert withheld["identificatie"]["verwijzing"] == f"NV-{prohibition.id}"
        receipt = second.json()
        assert Ontvangstbewijs.model_validate(receipt).model_dump(mode="json", by_alias=True) == receipt

        with database.unit_of_work() as session:
            policy.lift_emergency(session, Officer("fg-twee", "elders"), prohibition.id or 0, datetime.now(UTC))
        third = _send(partnership)
        (via,) = third.json()["ontvangers"]
        assert "identificatie" in via["verstrekt"], "lifted: it applies no more, at once"


class TestGeneration:
    def test_every_change_to_what_decides_bumps_it(self, partnership: Partnership, database: Database) -> None:
        """The triggers of migrations 0007 and 0013, on each tracked table (no-op updates count: they are changes too).

        SQLite's triggers run per row, PostgreSQL's per statement: either way the generation moves on."""
        with database.unit_of_work() as session:
            policy.issue_emergency(
                session,
                PolicyRuntime(),
                Officer("fg-nood", "elders"),
                categorieen=["identificatie"],
                ontvangers=["via"],
                reden="test",
                now=datetime.now(UTC),
            )
            session.add(
                Toestemming(
                    log_pseudonym="ps1.k1.schakel-log." + "0" * 32,
                    item="basisvoorwaarden",
                    vastgelegd_door="vt",
                    principal_id="vt-systeem",
                    vastgelegd_op=datetime.now(UTC),
                )
            )
            zvh = session.exec(select(Partner)).first()
            assert zvh is not None
            casus = Casus(
                type=CasusType.PGA, fase=Fase.AANMELDING, zvh=zvh.id, geopend_door="regie", geopend_op=datetime.now(UTC)
            )
            session.add(casus)
            session.flush()
            session.add(CasusDeelnemer(casus_id=casus.id or 0, partner_id=zvh.id, sinds=datetime.now(UTC)))
        statements = {
            "partner": "UPDATE partner SET naam = naam",
            "principal": "UPDATE principal SET status = status",
            "principal_key": "UPDATE principal_key SET kid = kid",
            "policy_version": "UPDATE policy_version SET id = id",  # its content is immutable (migration 0002)
            "emergency_prohibition": "UPDATE emergency_prohibition SET id = id",
            "toestemming": "UPDATE toestemming SET id = id",
            "casus": "UPDATE casus SET fase = fase",
            "casus_deelnemer": "UPDATE casus_deelnemer SET tot = tot",
        }
        assert set(statements) == set(generation.TRACKED)
        for table, statement in statements.items():
            with database.engine.begin() as connection:
                before = generation.read(connection)
                connection.exec_driver_sql(statement)
                assert generation.read(connection) > before, f"{table}: an update bumps the generation"
