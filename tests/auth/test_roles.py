"""Every endpoint x every role -> the expected status, all exercised against a running hub."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from connectors import SigningKey
from tests.support import Actor

ROLES = ("operator", "privacy_officer", "dpia_reviewer", "politie")
OK, CREATED, FORBIDDEN = 200, 201, 403


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
    }


def _new_principal(role: str) -> dict[str, Any]:
    return {"id": f"nieuw-{ROLES.index(role)}", "partnerId": "via-test", "soort": "systeem", "roles": ["partner"]}


def endpoints(actors: dict[str, Actor], extra_key: dict[str, SigningKey]) -> list[Endpoint]:
    via = actors["via"].principal_id
    return [
        Endpoint("GET", "/api/v1/aanroeper", "/api/v1/aanroeper", None, _everyone()),
        Endpoint("GET", "/api/v1/partners", "/api/v1/partners", None, _readers()),
        Endpoint("POST", "/api/v1/partners", "/api/v1/partners", _new_partner, _operator_only(CREATED)),
        Endpoint("GET", "/api/v1/partners/{partner_id}", "/api/v1/partners/via-test", None, _readers()),
        Endpoint(
            "PATCH", "/api/v1/partners/{partner_id}", "/api/v1/partners/via-test", {"naam": "VIA"}, _operator_only(OK)
        ),
        Endpoint("GET", "/api/v1/principals", "/api/v1/principals", None, _readers()),
        Endpoint("POST", "/api/v1/principals", "/api/v1/principals", _new_principal, _operator_only(CREATED)),
        Endpoint("GET", "/api/v1/principals/{principal_id}", f"/api/v1/principals/{via}", None, _readers()),
        Endpoint(
            "PATCH",
            "/api/v1/principals/{principal_id}",
            f"/api/v1/principals/{via}",
            {"roles": ["partner"]},
            _operator_only(OK),
        ),
        Endpoint(
            "GET", "/api/v1/principals/{principal_id}/sleutels", f"/api/v1/principals/{via}/sleutels", None, _readers()
        ),
        Endpoint(
            "POST",
            "/api/v1/principals/{principal_id}/sleutels",
            f"/api/v1/principals/{via}/sleutels",
            lambda role: {"jwk": extra_key[role].public_jwk()},
            _operator_only(CREATED),
        ),
        Endpoint(
            "DELETE",
            "/api/v1/principals/{principal_id}/sleutels/{kid}",
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


PUBLIC = {("GET", "/api/v1/health")}


class TestRoleTable:
    def test_every_endpoint_is_in_the_table(self, app: FastAPI, actors: dict[str, Actor]) -> None:
        table = {(e.method, e.template) for e in endpoints(actors, {})}
        operations = {
            (method.upper(), "/api/v1" + path) for path, item in app.openapi()["paths"].items() for method in item
        }
        assert operations - PUBLIC == table

    def test_each_role_gets_what_the_table_says(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        extra = {role: SigningKey.generate() for role in ROLES}
        seen: list[tuple[str, str, str, int]] = []
        # The key revocation runs last per role, so earlier calls by `via` are not affected.
        for endpoint in endpoints(actors, extra):
            for role in ROLES:
                body = endpoint.body(role) if callable(endpoint.body) else endpoint.body
                response = actors[role].client(http).send(endpoint.method, endpoint.path, json_body=body)
                seen.append((endpoint.method, endpoint.template, role, response.status_code))
                if response.status_code >= 400:
                    assert response.headers["content-type"] == "application/problem+json"
        expected = [(e.method, e.template, role, e.expected[role]) for e in endpoints(actors, extra) for role in ROLES]
        assert seen == expected

    @pytest.mark.parametrize("role", ["privacy_officer", "dpia_reviewer", "politie"])
    def test_a_refusal_names_the_missing_role(self, role: str, http: httpx.Client, actors: dict[str, Actor]) -> None:
        response = actors[role].client(http).send("POST", "/api/v1/partners", json_body=_new_partner(role))
        assert response.status_code == 403
        assert response.json()["code"] == "role-missing"
        assert "operator" in response.json()["detail"]
