"""The OpenAPI document follows the NL GOV API Design Rules (Spectral checks the same in `.ci/run`)."""

from __future__ import annotations

from typing import Any

import pytest

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
        allowed = {"type", "title", "status", "detail", "instance"}
        assert set(document["components"]["schemas"]["Problem"]["properties"]) <= allowed

    def test_secured_operations_say_so_and_document_401(self, document: dict[str, Any]) -> None:
        for path, method, operation in _operations(document):
            if path in ("/health", "/health/live", "/health/ready"):
                assert operation["security"] == []
            else:
                assert operation["security"] == [{"schakelToken": []}], (path, method)
                assert {"401", "403"} <= set(operation["responses"]), (path, method)
