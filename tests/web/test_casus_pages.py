"""The procesregisseur runs a casus in the browser; the pages pass axe-core and the keyboard check."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import WebHub, new_context, screenshot
from tests.web.test_accessibility import check_page
from tests.web.test_log_and_inzage import BSN
from tests.web.test_sign_in import enrol


class TestCasusPages:
    def test_open_a_casus_take_it_through_triage_with_partners_and_a_person(
        self, context: Any, busy_hub: WebHub
    ) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-regie")
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Casussen").click()
        check_page(page, "casussen")
        page.get_by_label("Type").select_option("pga")
        page.get_by_label("Reden (zonder persoonsgegevens)").fill("Aanmelding uit het netwerk")
        page.get_by_role("button", name="Casus openen").click()
        page.wait_for_url("**/casussen/1")
        page.get_by_label("Nieuwe fase").select_option("triage")
        page.locator("#fase-reden").fill("Besproken in de triage")
        page.get_by_role("button", name="Fase wijzigen").click()
        assert page.get_by_text("Fase: triage").is_visible()
        page.get_by_label("Partner", exact=True).select_option("veilig-thuis-zuid-limburg")
        page.locator("#deelnemer-reden").fill("Veilig Thuis kent het gezin")
        page.get_by_role("button", name="Toevoegen").click()
        page.get_by_label("Of: BSN").fill(BSN)
        page.locator("#persoon-reden").fill("Betrokkene van de aanmelding")
        page.get_by_role("button", name="Persoon koppelen").click()
        assert page.get_by_text("Over 1 persoon").is_visible()
        assert BSN not in page.content()
        assert page.get_by_role("cell", name="deelnemer-toegevoegd (veilig-thuis-zuid-limburg)").is_visible()
        check_page(page, "casus")
        screenshot(page, "casus-detail")

    def test_a_stage_that_may_not_follow_is_refused_in_plain_dutch(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-regie")
        page.goto(busy_hub.url + "/casussen")
        page.get_by_label("Reden (zonder persoonsgegevens)").fill("Aanmelding uit het netwerk")
        page.get_by_role("button", name="Casus openen").click()
        page.get_by_label("Nieuwe fase").select_option("gesloten")
        page.locator("#fase-reden").fill("Niet opgepakt")
        page.get_by_role("button", name="Fase wijzigen").click()
        assert page.get_by_text("Fase: gesloten").is_visible()
        assert page.get_by_role("button", name="Fase wijzigen").count() == 0, "a closed casus offers no changes"

    def test_a_reviewer_reads_a_casus_but_cannot_change_it(self, browser: Any, busy_hub: WebHub) -> None:
        first, second = new_context(browser), new_context(browser)
        try:
            regie = enrol(first, busy_hub, "zvh-zuid-limburg-regie")
            regie.goto(busy_hub.url + "/casussen")
            regie.get_by_label("Reden (zonder persoonsgegevens)").fill("Aanmelding uit het netwerk")
            regie.get_by_role("button", name="Casus openen").click()
            reviewer = enrol(second, busy_hub, "zvh-zuid-limburg-dpia")
            reviewer.goto(busy_hub.url + "/casussen/1")
            assert reviewer.get_by_role("heading", name="Geschiedenis").is_visible()
            assert reviewer.get_by_role("button", name="Fase wijzigen").count() == 0
            csrf = reviewer.locator("input[name=csrf]").first.get_attribute("value")
            answer = reviewer.request.post(
                busy_hub.url + "/casussen/1/fase",
                form={"csrf": csrf or "", "naar": "triage", "reden": "Mag ik dit?"},
                headers={"Origin": busy_hub.url},
            )
            assert answer.status == 403
        finally:
            first.close()
            second.close()
