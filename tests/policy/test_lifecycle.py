"""The convenant's lifecycle through the API: draft -> four eyes -> active, diff, simulation, emergency prohibitions."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors import HubClient, SigningKey
from hub.db import Database
from hub.partners import repository as partners_repository
from hub.partners import service as partners
from hub.partners.models import DeliveryMode, PartnerSoort, PrincipalSoort, Role
from hub.partners.schemas import KeyCreate, PartnerCreate, PrincipalCreate
from hub.policy import service
from hub.policy.convenant.format import PolicySource, source_to_data
from hub.policy.models import EmergencyProhibition
from hub.policy.runtime import PolicyRuntime
from tests.support import Actor

OFFICERS = {
    "fg-zvh": ("zvh-zuid-limburg", PartnerSoort.ZVH, Role.PRIVACY_OFFICER),
    "fg-politie": ("politie-limburg", PartnerSoort.POLITIE, Role.PRIVACY_OFFICER),
    "fg-gemeente": ("gemeente-maastricht", PartnerSoort.GEMEENTE, Role.PRIVACY_OFFICER),
    "reviewer": ("zvh-zuid-limburg", PartnerSoort.ZVH, Role.DPIA_REVIEWER),
}


@pytest.fixture
def officers(database: Database) -> dict[str, Actor]:
    """Privacy officers of partners that take part in the sample convenant, with real keys."""
    actors = {}
    with database.unit_of_work() as session:
        for n, (name, (partner_id, soort, role)) in enumerate(OFFICERS.items()):
            if partners_repository.get_partner(session, partner_id) is None:
                partners.create_partner(
                    session,
                    "test",
                    PartnerCreate(
                        id=partner_id,
                        naam=partner_id,
                        soort=soort,
                        oin=f"000000990000000007{n:02d}",
                        delivery_mode=DeliveryMode.INBOX,
                        werkgebied=["GM0935"],
                    ),
                )
            key = SigningKey.generate()
            partners.create_principal(
                session,
                "test",
                PrincipalCreate(id=name, partner_id=partner_id, soort=PrincipalSoort.PERSOON, roles=[role]),
            )
            partners.add_key(session, "test", name, KeyCreate(jwk=key.public_jwk()))
            actors[name] = Actor(partner_id, name, key, (role,))
    return actors


def _client(http: httpx.Client, actor: Actor) -> HubClient:
    return actor.client(http)


def _changed(source: PolicySource) -> dict[str, Any]:
    data = copy.deepcopy(source_to_data(source))
    data["convenant"]["versie"] = "2026.2"
    for regel in data["regels"]["politie-limburg.yaml"]["regels"]:
        if regel["id"] == "R-POL-001":
            regel["bewaartermijn"] = "P1Y"
            regel["categorieen"].append("strafrechtelijk")
    return data


E33_TO_VIA = {
    "verstrekker": "politie-limburg", "ontvanger": "via-zuid-limburg", "doel": "screening-verward-gedrag",
    "berichttype": "e33-verward-gedrag", "categorieen": ["identificatie", "adres", "strafrechtelijk"],
}  # fmt: skip


SEEN = {"waarschuwingenGezien": True}


class TestVersions:
    def test_draft_four_eyes_active_diff_simulation(
        self, http: httpx.Client, officers: dict[str, Actor], sample_source: PolicySource
    ) -> None:
        zvh, politie, gemeente = (_client(http, officers[n]) for n in ("fg-zvh", "fg-politie", "fg-gemeente"))
        reviewer = _client(http, officers["reviewer"])

        proposal = zvh.post(
            "/api/v1/beleid/versies", {"bron": source_to_data(sample_source), "toelichting": "Eerste versie"}
        )
        first = proposal["versie"]
        assert first["status"] == "concept"
        assert proposal["waarschuwingen"] and all("te_bevestigen" in w for w in proposal["waarschuwingen"]), (
            "the proposer is shown every grondslag a lawyer has not confirmed yet"
        )
        assert first["contentHash"].startswith("sha256:")
        refused = zvh.send("POST", f"/api/v1/beleid/versies/{first['id']}/goedkeuring", json_body=SEEN)
        assert (refused.status_code, refused.json()["code"]) == (403, "four-eyes-required")
        refused = reviewer.send("POST", f"/api/v1/beleid/versies/{first['id']}/goedkeuring", json_body=SEEN)
        assert (refused.status_code, refused.json()["code"]) == (403, "role-missing")
        unseen = gemeente.send("POST", f"/api/v1/beleid/versies/{first['id']}/goedkeuring", json_body={})
        assert (unseen.status_code, unseen.json()["code"]) == (409, "waarschuwingen-niet-bevestigd")
        assert gemeente.post(f"/api/v1/beleid/versies/{first['id']}/goedkeuring", SEEN)["status"] == "actief"
        assert reviewer.get("/api/v1/beleid/actief")["id"] == first["id"]

        decision = reviewer.post("/api/v1/beleid/besluiten", E33_TO_VIA)
        assert decision["uitkomst"] == "partial"
        elsewhere = reviewer.post("/api/v1/beleid/besluiten", {**E33_TO_VIA, "gemeente": "GM0344"})
        assert elsewhere["uitkomst"] == "deny", "Utrecht lies outside VIA Zuid-Limburg's werkgebied"
        assert {a["reden"] for a in elsewhere["achtergehouden"].values()} == {"buiten-werkgebied"}
        assert decision["achtergehouden"]["strafrechtelijk"]["reden"] == "geen-regel"
        assert any(line.startswith("+ adres: regel R-POL-001") for line in decision["uitleg"])

        second = zvh.post(
            "/api/v1/beleid/versies", {"bron": _changed(sample_source), "toelichting": "Ook antecedenten naar VIA"}
        )["versie"]
        diff = reviewer.get("/api/v1/beleid/verschillen", params={"naar": str(second["id"]), "op": "2026-11-22"})
        assert diff["van"] == first["id"]
        assert (
            "politie-limburg -> via-zuid-limburg, doel screening-verward-gedrag: + strafrechtelijk (regel R-POL-001)"
            in diff["regels"]
        )
        assert any("~ adres: bewaartermijn P6M -> P1Y" in line for line in diff["regels"])

        simulation = reviewer.post(
            "/api/v1/beleid/simulaties",
            {"versie": second["id"], "verkeer": [{**E33_TO_VIA, "datum": "2026-11-02"}] * 3},
        )
        assert (simulation["totaal"], simulation["gewijzigd"]) == (3, 3)
        assert simulation["nuVerstrekt"] == {"strafrechtelijk": 3}
        assert simulation["uitkomsten"] == {"partial -> permit": 3}

        not_affected = gemeente.send("POST", f"/api/v1/beleid/versies/{second['id']}/goedkeuring", json_body=SEEN)
        assert (not_affected.status_code, not_affected.json()["code"]) == (403, "approver-not-affected")
        assert "politie-limburg" in not_affected.json()["detail"]

        later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
        approved = politie.post(f"/api/v1/beleid/versies/{second['id']}/goedkeuring", {**SEEN, "actiefVanaf": later})
        assert approved["status"] == "gepland"
        assert reviewer.get("/api/v1/beleid/actief")["id"] == first["id"]
        past = politie.send(
            "POST",
            f"/api/v1/beleid/versies/{second['id']}/activering",
            json_body={"actiefVanaf": "2026-01-01T00:00:00Z"},
        )
        assert (past.status_code, past.json()["code"]) == (422, "policy-date-past")
        now = datetime.now(UTC).isoformat()
        assert (
            politie.post(f"/api/v1/beleid/versies/{second['id']}/activering", {"actiefVanaf": now})["status"]
            == "actief"
        )
        assert reviewer.post("/api/v1/beleid/besluiten", E33_TO_VIA)["uitkomst"] == "permit"
        statuses = [v["status"] for v in reviewer.get("/api/v1/beleid/versies")["items"]]
        assert statuses == ["vervangen", "actief"]

        again = zvh.send(
            "POST", "/api/v1/beleid/versies", json_body={"bron": source_to_data(sample_source), "toelichting": "x"}
        )
        assert (again.status_code, again.json()["code"]) == (409, "policy-exists")
        trail = reviewer.get("/api/v1/beheerlog", params={"limit": "500"})["items"]
        actions = [(e["action"], e["actor"]) for e in trail if e["targetType"] == "policy_version"]
        assert actions == [
            ("policy.proposed", "fg-zvh"),
            ("policy.approved", "fg-gemeente"),
            ("policy.proposed", "fg-zvh"),
            ("policy.approved", "fg-politie"),
            ("policy.scheduled", "fg-politie"),
        ]
        approval = next(e for e in trail if e["action"] == "policy.approved" and e["actor"] == "fg-gemeente")
        assert approval["details"]["waarschuwingenGezienDoor"] == ["fg-zvh", "fg-gemeente"]
        assert approval["details"]["waarschuwingen"] == proposal["waarschuwingen"]

    def test_an_invalid_convenant_is_refused_naming_file_rule_and_fix(
        self, http: httpx.Client, officers: dict[str, Actor], sample_source: PolicySource
    ) -> None:
        data = copy.deepcopy(source_to_data(sample_source))
        data["regels"]["bkr.yaml"]["regels"][0]["doel"] = "schulden"
        response = _client(http, officers["fg-zvh"]).send(
            "POST", "/api/v1/beleid/versies", json_body={"bron": data, "toelichting": "x"}
        )
        assert response.status_code == 422
        problem = response.json()
        assert problem["code"] == "policy-invalid"
        assert "regels/bkr.yaml, R-BKR-001: unknown doel 'schulden'; use one of" in problem["detail"]

    def test_no_active_version_yet_is_a_clear_404(self, http: httpx.Client, officers: dict[str, Actor]) -> None:
        response = _client(http, officers["reviewer"]).send("POST", "/api/v1/beleid/besluiten", json_body=E33_TO_VIA)
        assert (response.status_code, response.json()["code"]) == (404, "no-active-policy")

    def test_a_version_cannot_be_altered_or_deleted_in_the_database(
        self, database: Database, sample_source: PolicySource
    ) -> None:
        with database.unit_of_work() as session:
            version, _ = service.propose(
                session,
                service.Officer("fg-a", "zvh-zuid-limburg"),
                source_to_data(sample_source),
                "t",
                datetime.now(UTC),
            )
        for statement in ("UPDATE policy_version SET toelichting = 'anders'", "DELETE FROM policy_version"):
            with pytest.raises(sa.exc.DatabaseError), database.engine.begin() as connection:
                connection.execute(sa.text(statement))
        assert version.id is not None


class TestEmergencyProhibitions:
    def test_at_once_then_four_eyes_to_confirm_and_to_lift(
        self, http: httpx.Client, officers: dict[str, Actor], database: Database, sample_source: PolicySource
    ) -> None:
        now = datetime.now(UTC)
        with database.unit_of_work() as session:
            version, _ = service.propose(
                session, service.Officer("fg-x", "zvh-zuid-limburg"), source_to_data(sample_source), "t", now
            )
            service.approve(
                session,
                PolicyRuntime(),
                service.Officer("fg-y", "politie-limburg"),
                version.id or 0,
                active_from=now,
                now=now,
                warnings_seen=True,
            )
        zvh, politie, gemeente = (_client(http, officers[n]) for n in ("fg-zvh", "fg-politie", "fg-gemeente"))
        reviewer = _client(http, officers["reviewer"])

        issued = zvh.post(
            "/api/v1/beleid/noodverboden",
            {"categorieen": ["adres"], "ontvangers": ["via"], "reden": "Datalek bij ontvanger"},
        )
        assert (issued["code"], issued["status"]) == ("NV-1", "onbevestigd")
        withheld = reviewer.post("/api/v1/beleid/besluiten", E33_TO_VIA)["achtergehouden"]["adres"]
        assert (withheld["reden"], withheld["verwijzing"]) == ("verbod", "NV-1")

        own = zvh.send("POST", f"/api/v1/beleid/noodverboden/{issued['id']}/bevestiging")
        assert (own.status_code, own.json()["code"]) == (403, "four-eyes-required")
        assert politie.post(f"/api/v1/beleid/noodverboden/{issued['id']}/bevestiging", {})["status"] == "bevestigd"
        own_lift = zvh.send("POST", f"/api/v1/beleid/noodverboden/{issued['id']}/opheffing")
        assert (own_lift.status_code, own_lift.json()["code"]) == (403, "four-eyes-required")
        assert gemeente.post(f"/api/v1/beleid/noodverboden/{issued['id']}/opheffing", {})["status"] == "opgeheven"
        assert "adres" in reviewer.post("/api/v1/beleid/besluiten", E33_TO_VIA)["verstrekt"]

        unknown = zvh.send(
            "POST",
            "/api/v1/beleid/noodverboden",
            json_body={"categorieen": ["iban"], "ontvangers": ["via"], "reden": "x"},
        )
        assert (unknown.status_code, unknown.json()["code"]) == (422, "emergency-codes-unknown")

    def test_unconfirmed_after_a_day_is_reported(self) -> None:
        issued = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        prohibition = EmergencyProhibition(
            id=7, categorieen=["adres"], ontvangers=["via"], reden="t", issued_by="a", issued_at=issued
        )
        assert service.emergency_status(prohibition, issued + timedelta(hours=23)) == "onbevestigd"
        assert service.emergency_status(prohibition, issued + timedelta(hours=25)) == "onbevestigd-te-laat"
