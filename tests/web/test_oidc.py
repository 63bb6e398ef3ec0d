"""Signing in through an OpenID provider: a real provider (oidc-provider-mock, on authlib) started by the test, a
real authorization-code flow with PKCE and a nonce, in a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import expect

from hub.audit import service as audit
from tests.web.conftest import WebHub, screenshot, serve_hub


@pytest.fixture
def provider() -> Iterator[str]:
    users = [
        User(sub="a1b2", claims={"preferred_username": "zvh-zuid-limburg-dpia"}),
        User(sub="c3d4", claims={"preferred_username": "onbekend-persoon"}),
        User(sub="e5f6", claims={"preferred_username": "politie-limburg-systeem"}),
    ]
    with run_server_in_thread(require_nonce=True, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def oidc_hub(tmp_path: Path, demo_template: Path, provider: str) -> Iterator[WebHub]:
    with serve_hub(
        tmp_path,
        demo_template,
        oidc_issuer=provider,
        oidc_client_id="schakel-test",
        oidc_client_secret="geheim-voor-de-test",
        oidc_display_name="de testprovider",
    ) as hub:
        yield hub


def sign_in_as(context: Any, hub: WebHub, username: str) -> Any:
    page = context.new_page()
    page.goto(hub.url + "/verstrekkingenlog")
    assert "/aanmelden" in page.url
    page.get_by_role("link", name="Aanmelden via de testprovider").click()
    page.get_by_role("button", name=username).click()
    page.wait_for_load_state()
    return page


class TestOpenIdConnect:
    def test_a_registered_person_is_signed_in_and_lands_where_they_were_going(
        self, context: Any, oidc_hub: WebHub
    ) -> None:
        page = sign_in_as(context, oidc_hub, "a1b2")
        page.wait_for_url(oidc_hub.url + "/verstrekkingenlog")
        expect(page.get_by_role("heading", name="Verstrekkingenlog")).to_be_visible()
        assert "zvh-zuid-limburg-dpia" in page.text_content("header")
        page.goto(oidc_hub.url + "/beheer/audittrail")
        expect(page.get_by_text("deze pagina is alleen voor beheerders"), "roles as in the registry").to_be_visible()

    def test_a_person_the_registry_does_not_know_gets_a_clear_page(self, context: Any, oidc_hub: WebHub) -> None:
        page = sign_in_as(context, oidc_hub, "c3d4")
        expect(page.get_by_text("Schakel kent u niet als privacy officer")).to_be_visible()
        screenshot(page, "oidc-onbekend")
        page.goto(oidc_hub.url + "/")
        assert "/aanmelden" in page.url, "no session was made"
        with oidc_hub.database.unit_of_work(immediate=False) as session:
            failed = [e for e in audit.newest(session, before=None, limit=20) if e.action == "sessie.aanmelden_mislukt"]
        assert failed and failed[0].target_id == "onbekend-persoon", "the failed sign-in is in the audit trail"

    def test_a_system_principal_cannot_sign_in_as_a_person(self, context: Any, oidc_hub: WebHub) -> None:
        page = sign_in_as(context, oidc_hub, "e5f6")
        expect(page.get_by_text("Schakel kent u niet als privacy officer")).to_be_visible()

    def test_a_return_without_the_browser_that_started_is_refused(self, context: Any, oidc_hub: WebHub) -> None:
        page = context.new_page()
        answer = page.goto(oidc_hub.url + "/aanmelden/oidc/terug?code=gestolen&state=geraden")
        assert answer is not None and answer.status == 400
        expect(page.get_by_text("onbekend of verlopen")).to_be_visible()
