"""Enrol a passkey with a one-time link, sign in with it, sign out: as a person does, in a real browser."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import WebHub, screenshot, with_authenticator


def enrol(context: Any, hub: WebHub, principal_id: str) -> Any:
    page = context.new_page()
    with_authenticator(context, page)
    page.goto(hub.enrolment_link(principal_id))
    page.get_by_label("Naam van deze passkey").fill("laptop werk")
    page.get_by_role("button", name="Passkey maken").click()
    page.wait_for_url(hub.url + "/")
    return page


class TestPasskeySignIn:
    def test_enrol_then_sign_out_and_in_again(self, context: Any, web_hub: WebHub) -> None:
        page = enrol(context, web_hub, "zvh-zuid-limburg-fg")
        expect(page.get_by_role("heading", name="Overzicht")).to_be_visible()
        assert "zvh-zuid-limburg-fg" in page.text_content("header")
        screenshot(page, "overzicht")
        page.get_by_role("button", name="Afmelden").click()
        page.wait_for_url("**/aanmelden?afgemeld=1")
        expect(page.get_by_text("U bent afgemeld.")).to_be_visible()
        screenshot(page, "aanmelden")
        page.get_by_role("button", name="Aanmelden met passkey").click()
        page.wait_for_url(web_hub.url + "/")
        expect(page.get_by_role("heading", name="Overzicht")).to_be_visible()
