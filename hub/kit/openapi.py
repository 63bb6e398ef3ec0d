"""Make FastAPI's OpenAPI document follow the NL GOV API Design Rules.

Paths become relative to a server URL that carries the major version (`.../api/v1`); every 2xx/3xx response
declares the `API-Version` header; every error response is `application/problem+json` (RFC 9457).
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from fastapi.routing import APIRoute
from fastapi.utils import generate_unique_id

from hub import refusals
from hub.kit.examples import EXAMPLES
from hub.kit.operations import OPERATION_IDS

API_PREFIX = "/api/v1"


class _WithoutEmailValidatorHint(logging.Filter):
    """FastAPI validates the document's contact address with email-validator when it is installed and otherwise
    tells the operator to install it. The address is ours and fixed, so the hub does without that package and
    without the hint (it reads like a fault to whoever is on call)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "email-validator not installed" not in record.getMessage()


logging.getLogger("fastapi").addFilter(_WithoutEmailValidatorHint())

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details. `type` ends in a stable reason code (`urn:schakel:problem:<code>`).",
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "example": "urn:schakel:problem:token-expired"},
        "title": {"type": "string", "example": "Niet geauthenticeerd"},
        "status": {"type": "integer", "example": 401},
        "detail": {"type": "string", "example": "the token has expired; sign a fresh token for every request"},
        "instance": {"type": "string", "format": "uri-reference"},
    },
    "required": ["type", "title", "status", "detail"],
}

SCHAKEL_PROBLEM_SCHEMA: dict[str, Any] = {
    "description": (
        "What the hub sends: the RFC 9457 problem with one extension member (RFC 9457 section 3.2), `code`, the "
        "stable reason code that `type` ends in. Composed with allOf so that `Problem` itself keeps exactly the "
        "members the NL GOV API Design Rules allow."
    ),
    "allOf": [
        {"$ref": "#/components/schemas/Problem"},
        {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": (
                        "The stable reason code (the end of `type`): what a client branches on. Each has one status; "
                        "docs/api.md says what each means."
                    ),
                    "example": "token-expired",
                }
            },
            "required": ["code"],
        },
    ],
}

_ERROR_DESCRIPTIONS = {
    "400": "Bad request",
    "401": "No valid request-bound token; the reason code says why",
    "403": "The caller may not do this",
    "404": "Not found",
    "409": "Conflict with the current state",
    "410": "Gone: no longer available",
    "413": "Request body too large",
    "422": "The body or a parameter does not match the schema",
    "500": "Unexpected error (a bug; it is logged)",
    "503": "A dependency, such as the database, is unavailable",
}


def conform(spec: dict[str, Any], *, server_url: str, public_paths: frozenset[str]) -> dict[str, Any]:
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    problem_schema = copy.deepcopy(SCHAKEL_PROBLEM_SCHEMA)
    codes = sorted({kind.code for kind in refusals.every_refusal()})
    problem_schema["allOf"][1]["properties"]["code"]["enum"] = codes  # every refusal, one class each
    schemas["SchakelProblem"] = problem_schema
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [example]
    components["headers"] = {
        "API-Version": {
            "description": "The full version of the API that answered.",
            "schema": {"type": "string", "example": spec["info"]["version"]},
        }
    }
    components["securitySchemes"] = {
        "schakelToken": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "schakel+jwt (request-bound, see docs/api.md)",
        }
    }
    paths: dict[str, Any] = {}
    for path, item in spec.get("paths", {}).items():
        relative = path.removeprefix(API_PREFIX) or "/"
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            secured = path not in public_paths
            _conform_operation(operation, has_params=bool(re.search(r"{[^}]+}", path)), secured=secured)
        paths[relative] = item
    spec["paths"] = paths
    spec["servers"] = [{"url": server_url.rstrip("/") + API_PREFIX, "description": "This hub"}]
    return spec


def _conform_operation(operation: dict[str, Any], *, has_params: bool, secured: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    codes = {"500"}
    if secured:
        codes |= {"401", "403"}
        operation["security"] = [{"schakelToken": []}]
    else:
        operation["security"] = []
        codes.add("503")
    if has_params:
        codes.add("404")
    if "requestBody" in operation:
        codes |= {"409", "413", "422"}
    if operation.get("parameters"):
        codes.add("422")
    for code in sorted(codes | {c for c in responses if c[0] in "45"}):
        responses[code] = {
            "description": _ERROR_DESCRIPTIONS.get(code, "Error"),
            "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/SchakelProblem"}}},
        }
    for code, response in responses.items():
        if code[0] in "23":
            response.setdefault("headers", {})["API-Version"] = {"$ref": "#/components/headers/API-Version"}


def operation_id(route: APIRoute) -> str:
    """The operationId of an API route, from `OPERATION_IDS`; a page route (not in the document) keeps FastAPI's."""
    if not route.include_in_schema or not route.path.startswith(API_PREFIX):
        return generate_unique_id(route)
    path = route.path.removeprefix(API_PREFIX)
    names = {OPERATION_IDS.get((method, path)) for method in route.methods or set()}
    if None in names or len(names) != 1:
        methods = sorted(route.methods or set())
        raise RuntimeError(f"no operationId for {methods} {path}: add one to hub/kit/operations.py")
    return str(names.pop())
