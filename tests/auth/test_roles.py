"""Every endpoint x every role -> the expected status, all exercised against a running hub."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from connectors import SigningKey
from hub.casus import service as casus
from hub.casus.models import CasusType
from hub.db import Database
from hub.ledger import service as ledger
from hub.ledger.entries import Betrokkene, Context
from hub.meldingen.entries import verstrekking
from hub.policy import service
from hub.policy.convenant.format import PolicySource, source_to_data
from hub.policy.deciding.decision import Besluit, Uitkomst, Verstrekt
from hub.policy.runtime import PolicyRuntime
from hub.policy.service import Officer
from hub.pseudonym import service as privacy
from hub.pseudonym.vault import OpgegevenIdentiteit, Vault
from hub.state import state_of
from tests.support import PARTNERS, Actor

ROLES = ("operator", "privacy_officer", "dpia_reviewer", "politie")
OK, CREATED, FORBIDDEN = 200, 201, 403
NO_TRACE = Context(trace_id=None, span_id=None)
DOEL = "screening-verward-gedrag"


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str
    path: str
    body: Any
    expected: dict[str, int]


def _readers(status: int = OK) -> dict[str, int]:
    return {"operator": status, "privacy_officer": status, "dpia_reviewer": status, "politie": FORBIDDEN}


def _operator_only(status: int) -> dict[str, int]:
    return {"operator": status, "privacy_officer": FORBIDDEN, "dpia_reviewer": FORBIDDEN, "politie": FORBIDDEN}


def _everyone(status: int = OK) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _new_partner(role: str) -> dict[str, Any]:
    n = ROLES.index(role)
    return {
        "id": f"nieuw-{n}",
        "naam": "Nieuw",
        "soort": "ggz",
        "oin": f"000000990000000099{n:02d}",
        "deliveryMode": "inbox",
        "werkgebied": ["GM0935"],
    }


def _new_principal(role: str) -> dict[str, Any]:
    return {"id": f"nieuw-{ROLES.index(role)}", "partnerId": "via-test", "soort": "systeem", "roles": ["partner"]}


@dataclass(frozen=True)
class PolicyState:
    """Ids of what the policy endpoints act on, made by other officers than the ones in the table."""

    active: int
    proposal: int
    scheduled: int
    emergency: int
    bron: dict[str, Any]


@pytest.fixture
def policy_state(database: Database, sample_source: PolicySource) -> PolicyState:
    data = copy.deepcopy(source_to_data(sample_source))
    data["convenant"]["goedkeuring"]["fg_van_betrokken_verstrekker"] = False  # the table's officer changes no rule
    # The table's partners take part, so that what is tested here is roles; membership is tested in
    # tests/meldingen/test_seed_flows.py.
    data["convenant"]["deelnemers"] += [
        {"partner": p.id, "soort": str(p.soort), "werkgebied": ["GM0935"]} for p in PARTNERS
    ]
    now = datetime.now(UTC)
    other, third, runtime = Officer("fg-ander", "elders"), Officer("fg-derde", "elders"), PolicyRuntime()

    def version(label: str) -> int:
        variant = copy.deepcopy(data)
        variant["convenant"]["versie"] = label
        created, _ = service.propose(session, other, variant, "role table", now)
        return created.id or 0

    with database.unit_of_work() as session:
        active = version("A")
        service.approve(session, runtime, third, active, active_from=now, now=now, warnings_seen=True)
        proposal = version("B")
        scheduled = version("C")
        service.approve(
            session, runtime, third, scheduled, active_from=now + timedelta(days=30), now=now, warnings_seen=True
        )
        prohibition = service.issue_emergency(
            session, runtime, other, categorieen=["adres"], ontvangers=["via"], reden="role table", now=now
        )
    bron = copy.deepcopy(data)
    bron["convenant"]["versie"] = "D"
    return PolicyState(active, proposal, scheduled, prohibition.id or 0, bron)


@dataclass(frozen=True)
class PrivacyState:
    pseudonym: str
    approve_reidentification: int
    reveal: int
    approve_erasure: int
    erase_bsn: str


def _received(session: Session, vault: Vault, person: str, *, verstrekker: str, ontvanger: str, now: datetime) -> None:
    """The ledger's record that `ontvanger` received an address about `person` from `verstrekker` (a
    re-identification needs one)."""
    granted = {"adres": Verstrekt(regel="R-TEST-001", grondslag="avg-6-1-e", bewaartermijn="P1Y")}
    besluit = Besluit(Uitkomst.PERMIT, granted, {}, DOEL, None, "sha256:" + "0" * 64, "rollentabel")
    entry = verstrekking(
        context=NO_TRACE,
        betrokkene=Betrokkene(vault.log_pseudonym(session, person)),
        rol="betrokkene",
        verstrekker=verstrekker,
        ontvanger=ontvanger,
        berichttype="e33-verward-gedrag",
        melding_id=f"rollentabel-{person}",
        besluit=besluit,
        levering_id=None,
        inhoud_digest=None,
    )
    ledger.append(session, [entry], now)


@pytest.fixture
def privacy_state(
    app: FastAPI, database: Database, actors: dict[str, Actor], policy_state: PolicyState
) -> PrivacyState:
    """Requests made by other officers than the table's, under the active sample convenant (policy_state), which
    allows re-identification under DOEL with approval by the verstrekker or a ZVH. The table's privacy officer is
    of zvh-test, a ZVH: it may ask about zvh-test's pseudonyms and approve a politie-test officer's request."""
    vault: Vault = state_of(app).require_vault()
    now = datetime.now(UTC)
    table = Officer(actors["privacy_officer"].principal_id, actors["privacy_officer"].partner_id)
    politie = Officer("fg-politie", "politie-test")
    with database.unit_of_work() as session:
        # Five people: three with pseudonyms (two at zvh-test, one at politie-test), one to forget, one the table's
        # officer asks to forget.
        p1, p2, p3, _, _ = (
            vault.seal(session, OpgegevenIdentiteit(bsn=bsn), now)
            for bsn in ("762621606", "118784481", "111222333", "247603260", "929468843")
        )
        one, two = (vault.pseudonym_for(session, p, table.partner_id, now) for p in (p1, p2))
        three = vault.pseudonym_for(session, p3, politie.partner_id, now)
        for person, giver, taker in ((p1, "politie-test", table.partner_id), (p2, "politie-test", table.partner_id),
                                     (p3, "via-test", politie.partner_id)):  # fmt: skip
            _received(session, vault, person, verstrekker=giver, ontvanger=taker, now=now)
        runtime, motivering = PolicyRuntime(), "role table"
        policy = runtime.active(session, now)
        asked = privacy.request_reidentification(
            session, vault, policy, politie, pseudonym=three, doel=DOEL, motivering=motivering, context=NO_TRACE,
            now=now,
        )  # fmt: skip
        mine = privacy.request_reidentification(
            session, vault, policy, table, pseudonym=two, doel=DOEL, motivering=motivering, context=NO_TRACE, now=now
        )
        privacy.approve_reidentification(session, vault, policy, politie, mine.id or 0, context=NO_TRACE, now=now)
        erase = privacy.request_erasure(
            session, vault, "fg-ander", given=OpgegevenIdentiteit(bsn="247603260"), motivering="role table", now=now
        )
        ledger.append(session, [{"soort": "test"}], now)  # something at position 0 for the log's endpoints
        regisseur = casus.Regisseur(actors["regisseur"].principal_id, actors["regisseur"].partner_id)
        casus.open_casus(session, regisseur, soort=CasusType.PGA, reden="role table", context=NO_TRACE, now=now)
    return PrivacyState(one, asked.id or 0, mine.id or 0, erase.id or 0, "929468843")


def _privacy_endpoints(state: PrivacyState) -> list[Endpoint]:
    reviewers = _reviewers()
    return [
        Endpoint("GET", "/api/v1/heridentificaties", "/api/v1/heridentificaties", None, reviewers),
        Endpoint(
            "POST",
            "/api/v1/heridentificaties",
            "/api/v1/heridentificaties",
            {"pseudoniem": state.pseudonym, "doel": DOEL, "motivering": "role table check"},
            _officer_only(CREATED),
        ),
        Endpoint(
            "POST",
            "/api/v1/heridentificaties/{verzoekId}/goedkeuring",
            f"/api/v1/heridentificaties/{state.approve_reidentification}/goedkeuring",
            {},
            _officer_only(OK),
        ),
        Endpoint(
            "POST",
            "/api/v1/heridentificaties/{verzoekId}/onthulling",
            f"/api/v1/heridentificaties/{state.reveal}/onthulling",
            {},
            _officer_only(OK),
        ),
        Endpoint("GET", "/api/v1/vergetelheidsverzoeken", "/api/v1/vergetelheidsverzoeken", None, reviewers),
        Endpoint(
            "POST",
            "/api/v1/vergetelheidsverzoeken",
            "/api/v1/vergetelheidsverzoeken",
            {"bsn": state.erase_bsn, "motivering": "role table check"},
            _officer_only(CREATED),
        ),
        Endpoint(
            "POST",
            "/api/v1/vergetelheidsverzoeken/{verzoekId}/goedkeuring",
            f"/api/v1/vergetelheidsverzoeken/{state.approve_erasure}/goedkeuring",
            {},
            _officer_only(OK),
        ),
    ]


DECISION = {
    "verstrekker": "politie-limburg", "ontvanger": "via-zuid-limburg", "doel": "screening-verward-gedrag",
    "berichttype": "e33-verward-gedrag", "categorieen": ["adres"],
}  # fmt: skip


def _policy_endpoints(state: PolicyState) -> list[Endpoint]:
    later = (datetime.now(UTC) + timedelta(days=40)).isoformat()
    readers, reviewers = _readers_with_operator(), _reviewers()
    return [
        Endpoint("GET", "/api/v1/beleid/versies", "/api/v1/beleid/versies", None, readers),
        Endpoint(
            "POST",
            "/api/v1/beleid/versies",
            "/api/v1/beleid/versies",
            {"bron": state.bron, "toelichting": "role table"},
            _officer_only(CREATED),
        ),
        Endpoint("GET", "/api/v1/beleid/versies/{versieId}", f"/api/v1/beleid/versies/{state.active}", None, readers),
        Endpoint(
            "POST",
            "/api/v1/beleid/versies/{versieId}/goedkeuring",
            f"/api/v1/beleid/versies/{state.proposal}/goedkeuring",
            {"waarschuwingenGezien": True},
            _officer_only(OK),
        ),
        Endpoint(
            "POST",
            "/api/v1/beleid/versies/{versieId}/activering",
            f"/api/v1/beleid/versies/{state.scheduled}/activering",
            {"actiefVanaf": later},
            _officer_only(OK),
        ),
        Endpoint("GET", "/api/v1/beleid/actief", "/api/v1/beleid/actief", None, readers),
        Endpoint(
            "GET", "/api/v1/beleid/verschillen", f"/api/v1/beleid/verschillen?naar={state.scheduled}", None, readers
        ),
        Endpoint(
            "POST",
            "/api/v1/beleid/simulaties",
            "/api/v1/beleid/simulaties",
            {"versie": state.scheduled, "verkeer": [{**DECISION, "datum": "2026-11-02"}]},
            reviewers,
        ),
        Endpoint("POST", "/api/v1/beleid/besluiten", "/api/v1/beleid/besluiten", DECISION, reviewers),
        Endpoint("GET", "/api/v1/beleid/noodverboden", "/api/v1/beleid/noodverboden", None, readers),
        Endpoint(
            "POST",
            "/api/v1/beleid/noodverboden",
            "/api/v1/beleid/noodverboden",
            {"categorieen": ["adres"], "ontvangers": ["via"], "reden": "role table"},
            _officer_only(CREATED),
        ),
        Endpoint(
            "POST",
            "/api/v1/beleid/noodverboden/{noodverbodId}/bevestiging",
            f"/api/v1/beleid/noodverboden/{state.emergency}/bevestiging",
            {},
            _officer_only(OK),
        ),
        Endpoint(
            "POST",
            "/api/v1/beleid/noodverboden/{noodverbodId}/opheffing",
            f"/api/v1/beleid/noodverboden/{state.emergency}/opheffing",
            {},
            _officer_only(OK),
        ),
    ]


def _ledger_endpoints() -> list[Endpoint]:
    reviewers = _reviewers()
    return [
        Endpoint("GET", "/api/v1/verstrekkingen", "/api/v1/verstrekkingen", None, reviewers),
        Endpoint("GET", "/api/v1/verstrekkingen/{positie}", "/api/v1/verstrekkingen/0", None, reviewers),
        Endpoint("GET", "/api/v1/verstrekkingenlog", "/api/v1/verstrekkingenlog", None, _everyone()),
        Endpoint(
            "POST", "/api/v1/verstrekkingenlog/checkpoints", "/api/v1/verstrekkingenlog/checkpoints", {},
            _operator_only(CREATED),
        ),
        Endpoint(
            "GET", "/api/v1/verstrekkingenlog/consistentiebewijs",
            "/api/v1/verstrekkingenlog/consistentiebewijs?van=0&tot=1", None, _everyone(),
        ),
        Endpoint("GET", "/api/v1/rapportages/verstrekkingen", "/api/v1/rapportages/verstrekkingen", None, reviewers),
        Endpoint("GET", "/api/v1/rapportages/bewaartermijnen", "/api/v1/rapportages/bewaartermijnen", None, reviewers),
        Endpoint("GET", "/api/v1/rapportages/jaarcijfers", "/api/v1/rapportages/jaarcijfers", None, reviewers),
        Endpoint(
            "POST", "/api/v1/inzageverzoeken", "/api/v1/inzageverzoeken",
            {"bsn": "762621606", "motivering": "role table check"}, _officer_only(CREATED),
        ),
    ]  # fmt: skip


def _partner_only(status: int) -> dict[str, int]:
    return {"operator": FORBIDDEN, "privacy_officer": FORBIDDEN, "dpia_reviewer": FORBIDDEN, "politie": status}


CONSENT = {
    "bsn": "762621606", "item": "basisvoorwaarden", "referentie": "TV-1", "ontvangers": ["zvh"],
    "doel": "nazorg-ex-gedetineerden",
}  # fmt: skip


def _meldingen_endpoints() -> list[Endpoint]:
    melding = {"berichttype": "e33-verward-gedrag", "inhoud": {}}
    return [
        # Past the role check, the melding's content is checked: this one lacks every required field.
        Endpoint("POST", "/api/v1/meldingen", "/api/v1/meldingen", melding, _partner_only(422)),
        Endpoint("GET", "/api/v1/meldingen/{meldingId}", "/api/v1/meldingen/onbekend", None, _partner_only(404)),
        Endpoint("GET", "/api/v1/berichttypen", "/api/v1/berichttypen", None, _everyone()),
        Endpoint(
            "GET", "/api/v1/berichttypen/{code}", "/api/v1/berichttypen/e33-verward-gedrag", None, _everyone()
        ),
        Endpoint("GET", "/api/v1/inbox", "/api/v1/inbox", None, _partner_only(OK)),
        Endpoint(
            "POST", "/api/v1/inbox/{leveringId}/ontvangstbevestiging",
            "/api/v1/inbox/onbekend/ontvangstbevestiging", {"inhoudDigest": "sha256:00"}, _partner_only(404),
        ),
        Endpoint("GET", "/api/v1/leveringen/dood", "/api/v1/leveringen/dood", None, _operator_only(OK)),
        Endpoint(
            # The police may not record a consent for basisvoorwaarden: the convenant entitles the DJI.
            "POST", "/api/v1/toestemmingen", "/api/v1/toestemmingen", CONSENT, _partner_only(FORBIDDEN),
        ),
        Endpoint("GET", "/api/v1/toestemmingen", "/api/v1/toestemmingen", None, _partner_only(OK)),
        Endpoint(
            "POST", "/api/v1/toestemmingen/{toestemmingId}/intrekking", "/api/v1/toestemmingen/999/intrekking", {},
            _partner_only(404),
        ),
        Endpoint(
            "POST", "/api/v1/leveringen/{leveringId}/herstart", "/api/v1/leveringen/onbekend/herstart", {},
            _operator_only(404),
        ),
        # Past the role check, the end date is checked: this one lies in the past.
        Endpoint(
            "POST", "/api/v1/bekendheid", "/api/v1/bekendheid", {"bsn": "762621606", "tot": "2020-01-01"},
            _partner_only(422),
        ),
        Endpoint("GET", "/api/v1/bekendheid", "/api/v1/bekendheid", None, _partner_only(OK)),
        Endpoint(
            "POST", "/api/v1/bekendheid/{signaalId}/intrekking", "/api/v1/bekendheid/999/intrekking", {},
            _partner_only(404),
        ),
    ]  # fmt: skip


def _readers_with_operator() -> dict[str, int]:
    return {"operator": OK, "privacy_officer": OK, "dpia_reviewer": OK, "politie": FORBIDDEN}


def _reviewers() -> dict[str, int]:
    return {"operator": FORBIDDEN, "privacy_officer": OK, "dpia_reviewer": OK, "politie": FORBIDDEN}


def _officer_only(status: int) -> dict[str, int]:
    return {"operator": FORBIDDEN, "privacy_officer": status, "dpia_reviewer": FORBIDDEN, "politie": FORBIDDEN}


def endpoints(
    actors: dict[str, Actor], extra_key: dict[str, SigningKey], state: PolicyState, privacy_state: PrivacyState
) -> list[Endpoint]:
    via = actors["via"].principal_id
    return [
        *_policy_endpoints(state),
        *_privacy_endpoints(privacy_state),
        *_ledger_endpoints(),
        *_meldingen_endpoints(),
        *_casus_endpoints(),
        *_registry_endpoints(actors, extra_key, via),
    ]


def _casus_endpoints() -> list[Endpoint]:
    """Only a procesregisseur runs a casus (none of the table's roles: tests/casus has theirs); privacy officers and
    DPIA reviewers read."""
    nobody = dict.fromkeys(ROLES, FORBIDDEN)
    readers = {"operator": FORBIDDEN, "privacy_officer": OK, "dpia_reviewer": OK, "politie": FORBIDDEN}
    reden = "role table check"
    return [
        Endpoint("GET", "/api/v1/casussen", "/api/v1/casussen", None, readers),
        Endpoint("POST", "/api/v1/casussen", "/api/v1/casussen", {"type": "pga", "reden": reden}, nobody),
        Endpoint("GET", "/api/v1/casussen/termijnen", "/api/v1/casussen/termijnen", None, readers),
        Endpoint("GET", "/api/v1/casussen/{casusId}", "/api/v1/casussen/1", None, readers),
        Endpoint(
            "POST", "/api/v1/casussen/{casusId}/fase", "/api/v1/casussen/1/fase", {"naar": "triage", "reden": reden},
            nobody,
        ),
        Endpoint(
            "POST", "/api/v1/casussen/{casusId}/bekendheidscheck", "/api/v1/casussen/1/bekendheidscheck", {}, nobody
        ),
        Endpoint(
            "POST", "/api/v1/casussen/{casusId}/weegtafel", "/api/v1/casussen/1/weegtafel",
            {"datum": "2026-11-30", "aanwezig": ["politie-test"], "reden": reden}, nobody,
        ),
        Endpoint(
            "POST", "/api/v1/casussen/{casusId}/deelnemers", "/api/v1/casussen/1/deelnemers",
            {"partner": "via-test", "reden": reden}, nobody,
        ),
        Endpoint(
            "POST", "/api/v1/casussen/{casusId}/deelnemers/{partnerId}/verwijdering",
            "/api/v1/casussen/1/deelnemers/via-test/verwijdering", {"reden": reden}, nobody,
        ),
        Endpoint(
            "POST", "/api/v1/casussen/{casusId}/meldingen", "/api/v1/casussen/1/meldingen",
            {"meldingId": "x", "reden": reden}, nobody,
        ),
        Endpoint(
            "POST", "/api/v1/casussen/{casusId}/personen", "/api/v1/casussen/1/personen",
            {"bsn": "762621606", "reden": reden}, nobody,
        ),
        Endpoint(
            "POST", "/api/v1/casussen/{casusId}/informering", "/api/v1/casussen/1/informering",
            {"besluit": "geinformeerd", "artikel": "14", "datum": "2026-11-30", "reden": reden}, nobody,
        ),
    ]  # fmt: skip


def _registry_endpoints(actors: dict[str, Actor], extra_key: dict[str, SigningKey], via: str) -> list[Endpoint]:
    return [
        Endpoint("GET", "/api/v1/aanroeper", "/api/v1/aanroeper", None, _everyone()),
        Endpoint("GET", "/api/v1/partners", "/api/v1/partners", None, _readers()),
        Endpoint("POST", "/api/v1/partners", "/api/v1/partners", _new_partner, _operator_only(CREATED)),
        Endpoint("GET", "/api/v1/partners/{partnerId}", "/api/v1/partners/via-test", None, _readers()),
        Endpoint(
            "PATCH", "/api/v1/partners/{partnerId}", "/api/v1/partners/via-test", {"naam": "VIA"}, _operator_only(OK)
        ),
        Endpoint("GET", "/api/v1/principals", "/api/v1/principals", None, _readers()),
        Endpoint("POST", "/api/v1/principals", "/api/v1/principals", _new_principal, _operator_only(CREATED)),
        Endpoint("GET", "/api/v1/principals/{principalId}", f"/api/v1/principals/{via}", None, _readers()),
        Endpoint(
            "PATCH",
            "/api/v1/principals/{principalId}",
            f"/api/v1/principals/{via}",
            {"roles": ["partner"]},
            _operator_only(OK),
        ),
        Endpoint(
            "GET", "/api/v1/principals/{principalId}/sleutels", f"/api/v1/principals/{via}/sleutels", None, _readers()
        ),
        Endpoint(
            "POST",
            "/api/v1/principals/{principalId}/sleutels",
            f"/api/v1/principals/{via}/sleutels",
            lambda role: {"jwk": extra_key[role].public_jwk()},
            _operator_only(CREATED),
        ),
        Endpoint(
            "DELETE",
            "/api/v1/principals/{principalId}/sleutels/{kid}",
            f"/api/v1/principals/{via}/sleutels/{actors['via'].key.kid}",
            None,
            _operator_only(OK),
        ),
        Endpoint(
            "GET",
            "/api/v1/beheerlog",
            "/api/v1/beheerlog",
            None,
            {"operator": OK, "privacy_officer": FORBIDDEN, "dpia_reviewer": OK, "politie": FORBIDDEN},
        ),
    ]


PUBLIC = {("GET", "/api/v1/health"), ("GET", "/api/v1/health/live"), ("GET", "/api/v1/health/ready")}


class TestRoleTable:
    def test_every_endpoint_is_in_the_table(
        self, app: FastAPI, actors: dict[str, Actor], policy_state: PolicyState, privacy_state: PrivacyState
    ) -> None:
        table = {(e.method, e.template) for e in endpoints(actors, {}, policy_state, privacy_state)}
        operations = {
            (method.upper(), "/api/v1" + path) for path, item in app.openapi()["paths"].items() for method in item
        }
        assert operations - PUBLIC == table

    def test_each_role_gets_what_the_table_says(
        self, http: httpx.Client, actors: dict[str, Actor], policy_state: PolicyState, privacy_state: PrivacyState
    ) -> None:
        extra = {role: SigningKey.generate() for role in ROLES}
        seen: list[tuple[str, str, str, int]] = []
        table = endpoints(actors, extra, policy_state, privacy_state)
        # The key revocation runs last, so earlier calls by `via` are not affected.
        for endpoint in table:
            for role in ROLES:
                body = endpoint.body(role) if callable(endpoint.body) else endpoint.body
                response = actors[role].client(http).send(endpoint.method, endpoint.path, json_body=body)
                seen.append((endpoint.method, endpoint.template, role, response.status_code))
                if response.status_code >= 400:
                    assert response.headers["content-type"] == "application/problem+json"
        expected = [(e.method, e.template, role, e.expected[role]) for e in table for role in ROLES]
        assert seen == expected

    @pytest.mark.parametrize("role", ["privacy_officer", "dpia_reviewer", "politie"])
    def test_a_refusal_names_the_missing_role(self, role: str, http: httpx.Client, actors: dict[str, Actor]) -> None:
        response = actors[role].client(http).send("POST", "/api/v1/partners", json_body=_new_partner(role))
        assert response.status_code == 403
        assert response.json()["code"] == "role-missing"
        assert "operator" in response.json()["detail"]
