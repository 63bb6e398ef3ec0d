"""Every refusal is one class with one status and one title (#34), walked against the OpenAPI document, the table of
docs/api.md and the Dutch sentences of the pages. Seen before: `convenant-not-active` was a 503 in one place and a
404 in another; 108 codes were strings typed at about 150 raise sites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI

import hub.main  # noqa: F401 - every module, so that every refusal class is defined
from hub import refusals
from hub.errors import SchakelError, Unauthenticated
from hub.web.wording import ZINNEN

ROOT = Path(__file__).resolve().parent.parent
EVERY = refusals.every_refusal()


@pytest.mark.parametrize("kind", EVERY, ids=lambda kind: kind.code)
def test_each_refusal_has_one_code_status_and_title(kind: type[SchakelError]) -> None:
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", kind.code), kind
    assert 400 <= kind.status < 600 and kind.title and kind.__doc__, kind
    assert [k for k in EVERY if k.code == kind.code] == [kind], f"{kind.code} is one class"


def test_the_openapi_document_lists_every_code(app: FastAPI) -> None:
    schema = app.openapi()["components"]["schemas"]["SchakelProblem"]
    listed = schema["allOf"][1]["properties"]["code"]["enum"]
    assert listed == sorted(k.code for k in EVERY)


def test_docs_api_md_has_the_table_of_every_refusal() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    found = text.split("<!-- refusals -->\n", 1)[1].split("<!-- /refusals -->", 1)[0]
    assert found == refusals.markdown_table(), "run scripts/refusals and put its table in docs/api.md"


def test_the_pages_have_no_sentence_for_a_code_that_does_not_exist() -> None:
    assert sorted(set(ZINNEN) - {k.code for k in EVERY}) == []


def test_no_raise_site_names_a_code_of_its_own() -> None:
    """A refusal is raised by its class; a code string at a raise site would make a second class for it."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "hub").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bcode=\"[a-z-]+\"", line)
    ]
    assert offenders == []


def test_a_token_refusal_has_a_class_per_reason() -> None:
    assert refusals.token_refusal("token-expired").code == "token-expired"
    assert refusals.token_refusal("token-expired").status == 401
    assert refusals.token_refusal("not-a-reason") is Unauthenticated
