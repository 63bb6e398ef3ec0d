"""Re-identification and erasure in the browser: one privacy officer asks, another approves with a passkey, the
asker sees the identity once; an erasure makes the person unfindable."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlmodel import select

from hub.kit.clock import utcnow
from hub.pseudonym.models import IssuedPseudonym
from hub.pseudonym.secrets import PrivacySecrets
from hub.pseudonym.vault import OpgegevenIdentiteit, Vault
from hub.web import repository as web_repository
from tests.web.conftest import WebHub, new_context, screenshot
from tests.web.test_log_and_inzage import BSN
from tests.web.test_sign_in import enrol


class TestFourEyesOnBetrokkenen:
    def test_reidentification_asked_approved_with_a_passkey_and_shown_once(
        self, browser: Any, busy_hub: WebHub
    ) -> None:
        secrets = PrivacySecrets(busy_hub.settings.keys_dir)
        vault = Vault(secrets.pseudonyms(), secrets.kek())
        # The pseudonym the hub gives VIA for the betrokkene of the E33 it received (under a noodverbod on
        # identificatie, say): VIA's privacy officer asks, the ZVH's approves (the sample convenant names it).
        with busy_hub.database.unit_of_work() as session:
            person_id = vault.find(session, OpgegevenIdentiteit(bsn=BSN))
            assert person_id is not None
            pseudonym = vault.pseudonym_for(session, person_id, "via-zuid-limburg", utcnow())
        with busy_hub.database.unit_of_work(immediate=False) as session:
            assert session.exec(select(IssuedPseudonym).where(IssuedPseudonym.pseudonym == pseudonym)).first()
        first, second = new_context(browser), new_context(browser)
        try:
            asker = enrol(first, busy_hub, "via-zuid-limburg-fg")
            asker.get_by_role("navigation", name="Hoofdmenu").get_by_role(
                "link", name="Heridentificatie en vergetelheid"
            ).click()
            asker.get_by_label("Pseudoniem (zoals de ontvanger het kent)").fill(pseudonym)
            asker.get_by_label("Waarom is dit nodig? (geen persoonsgegevens)").fill("Spoedoverleg casus 2026-17.")
            asker.get_by_role("button", name="Heridentificatie aanvragen").click()
            expect(asker.get_by_text("wacht op een tweede privacy officer")).to_be_visible()

            approver = enrol(second, busy_hub, "zvh-zuid-limburg-fg")
            approver.goto(busy_hub.url + "/betrokkenen")
            approver.get_by_role("button", name="Verzoek 1 goedkeuren met passkey").click()
            approver.get_by_text("goedgekeurd door zvh-zuid-limburg-fg").wait_for()
            screenshot(approver, "betrokkenen")

            asker.goto(busy_hub.url + "/betrokkenen")
            asker.get_by_role("button", name="Identiteit van verzoek 1 eenmalig tonen").click()
            expect(asker.get_by_role("heading", name="Identiteit achter verzoek 1")).to_be_visible()
            assert "Verzonnen" in asker.locator("dl").inner_text(), "the identity is shown"
            asker.goto(busy_hub.url + "/betrokkenen")
            expect(asker.get_by_role("button", name="Identiteit van verzoek 1 eenmalig tonen")).to_have_count(0)
        finally:
            first.close()
            second.close()
        with busy_hub.database.unit_of_work(immediate=False) as session:
            kept = web_repository.confirmations(session, "heridentificatie-goedkeuren", "1")
            assert [c.principal_id for c in kept] == ["zvh-zuid-limburg-fg"]

    def test_erasure_approved_with_a_passkey_forgets_the_person(self, browser: Any, busy_hub: WebHub) -> None:
        first, second = new_context(browser), new_context(browser)
        try:
            asker = enrol(first, busy_hub, "zvh-zuid-limburg-fg")
            asker.goto(busy_hub.url + "/betrokkenen")
            asker.get_by_label("BSN").fill(BSN)
            asker.get_by_label("Grondslag van het verzoek (geen persoonsgegevens)").fill("AVG art. 17, verzoek V-9.")
            asker.get_by_role("button", name="Vergetelheid aanvragen").click()
            assert BSN not in asker.content()
            approver = enrol(second, busy_hub, "gemeente-maastricht-fg")
            approver.goto(busy_hub.url + "/betrokkenen")
            approver.get_by_role("button", name="Verzoek 1 goedkeuren met passkey").click()
            approver.get_by_role("cell", name="uitgevoerd", exact=False).first.wait_for()
            asker.goto(busy_hub.url + "/inzage")
            asker.get_by_label("BSN").fill(BSN)
            asker.get_by_label("Kenmerk van het verzoek (geen persoonsgegevens)").fill("INZ-2026-0009")
            asker.get_by_role("button", name="Brief opstellen").click()
            expect(asker.get_by_text("geen verstrekkingen of andere verwerkingen")).to_be_visible()
        finally:
            first.close()
            second.close()
