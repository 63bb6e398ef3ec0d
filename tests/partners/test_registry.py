"""The partner registry through the API: partners, principals, keys, and the audit trail of every change."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors import SigningKey
from hub.db import Database
from tests.support import Actor


def _partner(**overrides: Any) -> dict[str, Any]:
    body = {
        "id": "ggz-zuid",
        "naam": "GGZ Zuid",
        "soort": "ggz",
        "oin": "00000099000000000401",
        "werkgebied": ["GM0935", "GM0917"],
        "deliveryMode": "inbox",
    }
    body.update(overrides)
    return body


def _audit(http: httpx.Client, actors: dict[str, Actor], target: str) -> list[dict[str, Any]]:
    page = actors["dpia_reviewer"].client(http).get("/api/v1/beheerlog", params={"doel": target})
    items: list[dict[str, Any]] = page["items"]
    return items


class TestPartners:
    def test_register_read_and_audit(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        operator = actors["operator"].client(http)
        created = operator.post("/api/v1/partners", _partner())
        assert created["status"] == "active"
        assert operator.get("/api/v1/partners/ggz-zuid")["oin"] == "00000099000000000401"
        [event] = _audit(http, actors, "ggz-zuid")
        assert event["action"] == "partner.created"
        assert event["actor"] == actors["operator"].principal_id

    @pytest.mark.parametrize(
        ("overrides", "code"),
        [({"id": "politie-test"}, "partner-exists"), ({"oin": "00000099000000000102"}, "oin-in-use")],
    )
    def test_duplicates_are_409(
        self, overrides: dict[str, Any], code: str, http: httpx.Client, actors: dict[str, Actor]
    ) -> None:
        response = actors["operator"].client(http).send("POST", "/api/v1/partners", json_body=_partner(**overrides))
        assert response.status_code == 409
        assert response.json()["code"] == code

    @pytest.mark.parametrize(
        ("overrides", "code"),
        [
            ({"deliveryMode": "webhook"}, "webhook-url-missing"),
            ({"deliveryMode": "webhook", "webhookUrl": "http://ggz.example/hook"}, "webhook-url-invalid"),
            ({"deliveryMode": "webhook", "webhookUrl": "https://user:pw@ggz.example/hook"}, "webhook-url-invalid"),
            ({"deliveryMode": "inbox", "webhookUrl": "https://ggz.example/hook"}, "webhook-url-unexpected"),
            ({"oin": "123"}, "validation-failed"),
            ({"id": "Not A Slug"}, "validation-failed"),
            ({"soort": "bakkerij"}, "validation-failed"),
            ({"onbekendVeld": 1}, "validation-failed"),
        ],
    )
    def test_bad_input_is_422_problem(
        self, overrides: dict[str, Any], code: str, http: httpx.Client, actors: dict[str, Actor]
    ) -> None:
        response = actors["operator"].client(http).send("POST", "/api/v1/partners", json_body=_partner(**overrides))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code

    def test_validation_errors_name_the_field_but_never_echo_the_value(
        self, http: httpx.Client, actors: dict[str, Actor]
    ) -> None:
        planted = "Jan de Vries 123456782"
        response = (
            actors["operator"]
            .client(http)
            .send("POST", "/api/v1/partners", json_body=_partner(id=planted, soort=planted))
        )
        assert response.status_code == 422
        assert "id" in response.json()["detail"]
        assert planted not in response.text

    def test_webhook_on_https_or_loopback(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        operator = actors["operator"].client(http)
        body = _partner(deliveryMode="webhook", webhookUrl="https://ggz.example/schakel")
        assert operator.post("/api/v1/partners", body)["webhookUrl"] == "https://ggz.example/schakel"
        local = _partner(id="ggz-lokaal", oin="00000099000000000402", deliveryMode="webhook")
        local["webhookUrl"] = "http://127.0.0.1:9000/hook"
        assert operator.post("/api/v1/partners", local)["deliveryMode"] == "webhook"
        switched = operator.patch("/api/v1/partners/ggz-lokaal", {"deliveryMode": "inbox"})
        assert switched["webhookUrl"] is None

    def test_suspension_is_audited_and_refuses_tokens(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        operator = actors["operator"].client(http)
        operator.patch("/api/v1/partners/politie-test", {"status": "suspended"})
        assert actors["politie"].client(http).send("GET", "/api/v1/aanroeper").json()["code"] == "partner-suspended"
        operator.patch("/api/v1/partners/politie-test", {"status": "active"})
        assert actors["politie"].client(http).get("/api/v1/aanroeper")["partnerId"] == "politie-test"
        actions = [e["action"] for e in _audit(http, actors, "politie-test")]
        assert actions == ["partner.created", "partner.suspended", "partner.activated"]

    def test_unknown_partner_is_404_problem(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        response = actors["operator"].client(http).send("GET", "/api/v1/partners/bestaat-niet")
        assert response.status_code == 404
        assert response.json()["code"] == "partner-not-found"


class TestPrincipals:
    def test_roles_change_is_audited_with_before_and_after(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        operator = actors["operator"].client(http)
        via = actors["via"].principal_id
        operator.patch(f"/api/v1/principals/{via}", {"roles": ["partner", "privacy_officer"]})
        assert set(actors["via"].client(http).get("/api/v1/aanroeper")["roles"]) == {"partner", "privacy_officer"}
        event = _audit(http, actors, via)[-1]
        assert event["action"] == "principal.roles_changed"
        assert event["details"] == {"before": ["partner"], "after": ["partner", "privacy_officer"]}

    def test_disabled_principal_is_refused(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        actors["operator"].client(http).patch(
            f"/api/v1/principals/{actors['via'].principal_id}", {"status": "disabled"}
        )
        assert actors["via"].client(http).send("GET", "/api/v1/aanroeper").json()["code"] == "principal-disabled"

    def test_principal_of_unknown_partner_is_404(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        body = {"id": "wees", "partnerId": "bestaat-niet", "soort": "systeem", "roles": ["partner"]}
        assert actors["operator"].client(http).send("POST", "/api/v1/principals", json_body=body).status_code == 404

    def test_principal_needs_a_role(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        body = {"id": "rolloos", "partnerId": "via-test", "soort": "systeem", "roles": []}
        assert actors["operator"].client(http).send("POST", "/api/v1/principals", json_body=body).status_code == 422


class TestKeys:
    def test_register_list_and_revoke(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        operator = actors["operator"].client(http)
        via = actors["via"].principal_id
        key = SigningKey.generate("ES256")
        added = operator.post(f"/api/v1/principals/{via}/sleutels", {"jwk": key.public_jwk()})
        assert added["kid"] == key.kid
        assert added["algorithm"] == "ES256"
        assert "d" not in added["publicJwk"]
        revoked = operator.delete(f"/api/v1/principals/{via}/sleutels/{key.kid}?reden=compromised")
        assert revoked["revocationReason"] == "compromised"
        listed = operator.get(f"/api/v1/principals/{via}/sleutels")["items"]
        assert [k["kid"] for k in listed] == sorted(k["kid"] for k in listed), "ordered by kid, the cursor"
        assert {k["kid"]: k["revokedAt"] is not None for k in listed} == {actors["via"].key.kid: False, key.kid: True}
        actions = [e["action"] for e in _audit(http, actors, key.kid)]
        assert actions == ["key.added", "key.revoked"]

    @pytest.mark.parametrize(
        ("jwk", "code"),
        [
            ({"kty": "oct", "k": "c2VjcmV0"}, "jwk-invalid"),
            ({"kty": "OKP", "crv": "Ed25519", "x": "not-a-key"}, "jwk-invalid"),
            ({"kty": "RSA", "n": "abc", "e": "AQAB"}, "jwk-invalid"),
        ],
    )
    def test_unusable_keys_are_refused(
        self, jwk: dict[str, Any], code: str, http: httpx.Client, actors: dict[str, Actor]
    ) -> None:
        response = (
            actors["operator"]
            .client(http)
            .send("POST", f"/api/v1/principals/{actors['via'].principal_id}/sleutels", json_body={"jwk": jwk})
        )
        assert response.status_code == 422
        assert response.json()["code"] == code

    def test_a_private_key_is_never_stored(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        private = SigningKey.generate().private_jwk()
        response = (
            actors["operator"]
            .client(http)
            .send("POST", f"/api/v1/principals/{actors['via'].principal_id}/sleutels", json_body={"jwk": private})
        )
        assert response.status_code == 422
        assert private["d"] not in response.text

    def test_the_same_key_cannot_serve_two_principals(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        response = (
            actors["operator"]
            .client(http)
            .send(
                "POST",
                f"/api/v1/principals/{actors['via'].principal_id}/sleutels",
                json_body={"jwk": actors["politie"].key.public_jwk()},
            )
        )
        assert response.status_code == 409


class TestAuditTrail:
    def test_is_paged_oldest_first(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        reviewer = actors["dpia_reviewer"].client(http)
        first = reviewer.get("/api/v1/beheerlog", params={"limit": "4"})
        second = reviewer.get("/api/v1/beheerlog", params={"limit": "4", "na": str(first["volgende"])})
        ids = [e["id"] for e in first["items"] + second["items"]]
        assert ids == sorted(ids)
        assert len(set(ids)) == 8

    def test_rows_cannot_be_changed_or_deleted(self, database: Database, actors: dict[str, Actor]) -> None:
        for statement in ("UPDATE admin_audit_event SET actor = 'x'", "DELETE FROM admin_audit_event"):
            with pytest.raises(sa.exc.DatabaseError), database.engine.begin() as connection:
                connection.execute(sa.text(statement))
