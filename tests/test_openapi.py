"""The OpenAPI document follows the NL GOV API Design Rules (Spectral checks the same in `.ci/run`)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from hub.config import Settings
from hub.main import create_app


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    settings = Settings(public_url="https://schakel.example")
    spec: dict[str, Any] = create_app(settings, configure_logs=False).openapi()
    return spec


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]


class TestDocument:
    def test_servers_carry_the_major_version_over_https(self, document: dict[str, Any]) -> None:
        assert document["servers"] == [{"url": "https://schakel.example/api/v1", "description": "This hub"}]
        assert document["openapi"].startswith("3.")

    def test_contact_is_complete(self, document: dict[str, Any]) -> None:
        assert set(document["info"]["contact"]) == {"name", "email", "url"}

    def test_paths_are_relative_and_without_trailing_slash(self, document: dict[str, Any]) -> None:
        for path in document["paths"]:
            assert not path.startswith("/api/v1")
            assert path == "/" or not path.endswith("/")

    def test_every_success_declares_api_version(self, document: dict[str, Any]) -> None:
        for path, method, operation in _operations(document):
            for code, response in operation["responses"].items():
                if code[0] in "23":
                    assert "API-Version" in response.get("headers", {}), (path, method, code)

    def test_every_error_is_a_problem(self, document: dict[str, Any]) -> None:
        for path, method, operation in _operations(document):
            errors = {c: r for c, r in operation["responses"].items() if c[0] in "45"}
            assert "500" in errors, (path, method)
            for code, response in errors.items():
                assert list(response["content"]) == ["application/problem+json"], (path, method, code)
        problem = document["components"]["schemas"]["Problem"]
        assert set(problem["properties"]) == {"type", "title", "status", "detail", "instance"}, "the ADR's members"
        base, extension = document["components"]["schemas"]["SchakelProblem"]["allOf"]
        assert base == {"$ref": "#/components/schemas/Problem"}
        assert extension["required"] == ["code"], "the reason code every problem carries (RFC 9457 extension)"

    def test_secured_operations_say_so_and_document_401(self, document: dict[str, Any]) -> None:
        for path, method, operation in _operations(document):
            if path in ("/health", "/health/live", "/health/ready"):
                assert operation["security"] == []
            else:
                assert operation["security"] == [{"schakelToken": []}], (path, method)
                assert {"401", "403"} <= set(operation["responses"]), (path, method)


def _models() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    todo: list[type[BaseModel]] = [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.setdefault(sub.__name__, sub)
            todo.append(sub)
    return found


class TestForGeneratedClients:
    def test_operation_ids_are_readable_and_unique(self, document: dict[str, Any]) -> None:
        ids = [operation["operationId"] for _, _, operation in _operations(document)]
        assert len(ids) == len(set(ids)), "unique"
        assert all(re.fullmatch(r"[a-z][a-zA-Z]+", i) for i in ids), [i for i in ids if "_" in i]
        assert "meldingIndienen" in ids

    def test_every_list_is_a_page_with_the_same_cursor(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        pages = 0
        for path, method, operation in _operations(document):
            success = operation["responses"].get("200", {}).get("content", {}).get("application/json")
            if success is None:
                continue
            schema = success["schema"]
            assert schema.get("type") != "array", f"{method} {path} returns a bare array, not a page"
            name = schema.get("$ref", "").rsplit("/", 1)[-1]
            if "items" not in schemas.get(name, {}).get("properties", {}):
                continue
            pages += 1
            assert name.endswith("Page") and set(schemas[name]["properties"]) == {"items", "volgende"}, name
            assert set(schemas[name]["required"]) == {"items", "volgende"}, name
            query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert {"na", "limit"} <= query, f"{method} {path} pages without na and limit"
        assert pages >= 16

    def test_every_parameter_is_camel_case(self, document: dict[str, Any]) -> None:
        for path, method, operation in _operations(document):
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("path", "query"):
                    assert re.fullmatch(r"[a-z][a-zA-Z0-9]*", parameter["name"]), (method, path, parameter["name"])
            assert "_" not in path, path

    def test_every_request_body_and_the_main_responses_have_a_valid_example(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        bodies = {
            op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            for _, _, op in _operations(document)
            if "requestBody" in op
        }
        assert len(bodies) >= 25
        models = _models()
        for name in sorted(bodies | {"Ontvangstbewijs", "CasusDetail", "CallerOut"}):
            (example,) = schemas[name].get("examples", [None])
            assert example is not None, f"{name} has no example"
            models[name].model_validate(example)  # raises when the example does not fit its model
            assert set(example) <= set(schemas[name]["properties"]), name

    def test_a_problem_as_sent_matches_the_schema(self, document: dict[str, Any], http: httpx.Client) -> None:
        answer = http.get("/api/v1/partners")
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        schemas = document["components"]["schemas"]
        problem, extension = schemas["Problem"], schemas["SchakelProblem"]["allOf"][1]
        assert {*problem["required"], *extension["required"]} <= set(body)
        assert set(body) <= {*problem["properties"], *extension["properties"]}
        assert body["type"].endswith(body["code"])
