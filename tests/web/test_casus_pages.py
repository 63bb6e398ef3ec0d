"""The procesregisseur runs a casus in the browser; the pages pass axe-core and the keyboard check."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from hub.kit.clock import dutch_date, utcnow
from tests.web.conftest import WebHub, demo_client, new_context, sample, screenshot
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
        expect(page.get_by_text("Fase: triage")).to_be_visible()
        page.get_by_label("Partner", exact=True).select_option("veilig-thuis-zuid-limburg")
        page.locator("#deelnemer-reden").fill("Veilig Thuis kent het gezin")
        page.get_by_role("button", name="Toevoegen").click()
        page.get_by_label("Of: BSN").fill(BSN)
        page.locator("#persoon-reden").fill("Betrokkene van de aanmelding")
        page.get_by_role("button", name="Persoon koppelen").click()
        expect(page.get_by_text("Over 1 persoon")).to_be_visible()
        assert BSN not in page.content()
        expect(page.get_by_role("cell", name="deelnemer-toegevoegd (veilig-thuis-zuid-limburg)")).to_be_visible()
        check_page(page, "casus")
        screenshot(page, "casus-detail")

    def test_a_bekendheidscheck_at_triage_shows_only_known_or_not(self, context: Any, busy_hub: WebHub) -> None:
        tot = dutch_date(utcnow()) + timedelta(days=90)
        with demo_client(busy_hub, "politie-limburg") as politie:
            politie.post("/api/v1/bekendheid", {"bsn": BSN, "tot": str(tot)})  # the E33 about him came from it
            e33 = politie.submit_melding({"berichttype": "e33-verward-gedrag", "inhoud": sample("e33-verward-gedrag")})
        page = enrol(context, busy_hub, "zvh-zuid-limburg-regie")
        page.goto(busy_hub.url + "/casussen")
        page.get_by_label("Reden (zonder persoonsgegevens)").fill("Aanmelding uit het netwerk")
        page.get_by_role("button", name="Casus openen").click()
        page.get_by_label("Of: BSN").fill(BSN)
        page.locator("#persoon-reden").fill("Betrokkene van de aanmelding")
        page.get_by_role("button", name="Persoon koppelen").click()
        # The check asks only about persons a melding linked to the casus is about (#23, finding 5).
        page.get_by_label("Melding (kenmerk uit de ontvangstbevestiging of de levering)").fill(e33["meldingId"])
        page.locator("#melding-reden").fill("De E33 van de politie")
        page.get_by_role("button", name="Melding koppelen").click()
        page.get_by_label("Nieuwe fase").select_option("triage")
        page.locator("#fase-reden").fill("Besproken in de triage")
        page.get_by_role("button", name="Fase wijzigen").click()
        for partner in ("politie-limburg", "veilig-thuis-zuid-limburg"):
            page.get_by_label("Partner", exact=True).select_option(partner)
            page.locator("#deelnemer-reden").fill("Aan tafel bij de triage")
            page.get_by_role("button", name="Toevoegen").click()
        page.get_by_role("button", name="Bekendheidscheck uitvoeren").click()
        answers = page.get_by_role("heading", name="Uitkomst van de bekendheidscheck")
        expect(answers).to_be_visible()
        expect(page.get_by_text("Politie eenheid Limburg (demo): bekend", exact=True)).to_be_visible()
        expect(page.get_by_text("Veilig Thuis Zuid-Limburg (demo): niet bekend", exact=True)).to_be_visible()
        assert BSN not in page.content()
        check_page(page, "casus-bekendheidscheck")

    def test_top_x_at_the_weegtafel_informing_and_what_falls_due(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-regie")
        page.goto(busy_hub.url + "/casussen")
        page.get_by_label("Type").select_option("huisverbod-monitoring")
        page.get_by_label("Reden (zonder persoonsgegevens)").fill("Huisverbod opgelegd")
        page.get_by_role("button", name="Casus openen").click()
        expect(page.get_by_text("Vul bij monitoring na een huisverbod de laatste dag")).to_be_visible()
        check_page(page, "casussen-fout")

        page.get_by_label("Type").select_option("top-x")
        page.get_by_label("Reden (zonder persoonsgegevens)").fill("Voorgedragen voor Top X")
        page.get_by_role("button", name="Casus openen").click()
        page.get_by_label("Nieuwe fase").select_option("triage")
        page.locator("#fase-reden").fill("Besproken in de triage")
        page.get_by_role("button", name="Fase wijzigen").click()
        expect(page.get_by_text("Top X-status: nog geen weegtafelbesluit")).to_be_visible()
        today = dutch_date(utcnow())
        page.get_by_label("Datum van de weegtafel").fill(str(today))
        page.get_by_label("Gemeente Maastricht (demo)").check()
        page.locator("#weegtafel-reden").fill("Weegtafel december")
        page.get_by_role("button", name="Besluit vastleggen").first.click()
        expect(page.get_by_text("ten minste één justitiepartner aanwezig"), "no justitiepartner").to_be_visible()
        page.get_by_label("Datum van de weegtafel").fill(str(today))
        page.get_by_label("Politie eenheid Limburg (demo)").check()
        page.locator("#weegtafel-reden").fill("Weegtafel december")
        page.get_by_role("button", name="Besluit vastleggen").first.click()
        expect(page.get_by_text("Top X-status: geldig tot en met")).to_be_visible()
        check_page(page, "casus-top-x")

        review = today + timedelta(days=20)
        page.get_by_label("Nog niet informeren (AVG artikel 23)").check()
        page.get_by_label("Bij niet informeren: grond (AVG artikel 23 lid 1)").select_option("d")
        page.get_by_label("Bij niet informeren: opnieuw beoordelen uiterlijk op").fill(str(review))
        page.locator("#informeer-reden").fill("Lopend onderzoek")
        page.get_by_role("button", name="Besluit vastleggen").last.click()
        expect(page.get_by_text("niet geïnformeerd op grond van AVG artikel 23 lid 1 sub d")).to_be_visible()
        expect(page.get_by_role("cell", name="informeren-uitgesteld", exact=False)).to_be_visible()

        page.goto(busy_hub.url + "/casussen")
        page.get_by_role("link", name="Wat binnenkort afloopt").click()
        rows = page.get_by_role("row")
        expect(rows.filter(has_text="Besluit om de betrokkenen niet te informeren opnieuw beoordelen")).to_have_count(1)
        check_page(page, "casus-termijnen")

    def test_the_annual_figures_of_this_year(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-regie")
        page.goto(busy_hub.url + "/casussen")
        page.get_by_role("link", name="Jaarcijfers").click()
        expect(page.get_by_role("heading", name=f"Jaarcijfers {dutch_date(utcnow()).year - 1}")).to_be_visible()
        page.get_by_label("Jaar").select_option(str(dutch_date(utcnow()).year))
        page.get_by_role("button", name="Tonen").click()
        table = page.get_by_role("table", name="Meldingen per gemeente, kwartaal en thema")
        total = table.get_by_role("row").filter(has_text="alle gemeenten").filter(has_text="alle thema")
        assert total.get_by_role("cell").nth(3).inner_text() == "4", "the four meldingen of the busy hub"
        check_page(page, "jaarcijfers")
        with page.expect_download() as download:
            page.get_by_role("link", name="Als CSV downloaden").click()
        assert download.value.suggested_filename == f"jaarcijfers-{dutch_date(utcnow()).year}.csv"

    def test_the_inzage_letter_names_informed_casussen_and_keeps_a_restricted_one_for_the_officer(
        self, browser: Any, busy_hub: WebHub
    ) -> None:
        first, second = new_context(browser), new_context(browser)
        try:
            regie = enrol(first, busy_hub, "zvh-zuid-limburg-regie")
            today = dutch_date(utcnow())
            for besluit in ("geinformeerd", "niet"):
                regie.goto(busy_hub.url + "/casussen")
                regie.get_by_label("Reden (zonder persoonsgegevens)").fill("Aanmelding uit het netwerk")
                regie.get_by_role("button", name="Casus openen").click()
                regie.get_by_label("Of: BSN").fill(BSN)
                regie.locator("#persoon-reden").fill("Betrokkene van de aanmelding")
                regie.get_by_role("button", name="Persoon koppelen").click()
                if besluit == "geinformeerd":
                    regie.get_by_label("Bij geïnformeerd: datum").fill(str(today))
                else:
                    regie.get_by_label("Nog niet informeren (AVG artikel 23)").check()
                    regie.get_by_label("Bij niet informeren: grond (AVG artikel 23 lid 1)").select_option("i")
                    regie.get_by_label("Bij niet informeren: opnieuw beoordelen uiterlijk op").fill(
                        str(today + timedelta(days=30))
                    )
                regie.locator("#informeer-reden").fill("Besluit in het casusoverleg")
                regie.get_by_role("button", name="Besluit vastleggen").last.click()
            officer = enrol(second, busy_hub, "zvh-zuid-limburg-fg")
            officer.goto(busy_hub.url + "/inzage")
            officer.get_by_label("BSN").fill(BSN)
            officer.get_by_label("Kenmerk van het verzoek (geen persoonsgegevens)").fill("INZ-2026-0042")
            officer.get_by_role("button", name="Brief opstellen").click()
            letter = officer.locator("article")
            expect(letter.get_by_text("Casus 1 (persoonsgerichte aanpak): u bent op")).to_be_visible()
            expect(letter.get_by_text("Casus 2"), "the restricted casus is not in the letter").to_have_count(0)
            note = officer.get_by_text("in casus 2 worden de betrokkenen niet geïnformeerd op grond van AVG artikel 23")
            expect(note, "the officer is told, outside the letter").to_be_visible()
            check_page(officer, "inzagebrief-met-casussen")
        finally:
            first.close()
            second.close()

    def test_a_stage_that_may_not_follow_is_refused_in_plain_dutch(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-regie")
        page.goto(busy_hub.url + "/casussen")
        page.get_by_label("Reden (zonder persoonsgegevens)").fill("Aanmelding uit het netwerk")
        page.get_by_role("button", name="Casus openen").click()
        page.get_by_label("Nieuwe fase").select_option("gesloten")
        page.locator("#fase-reden").fill("Niet opgepakt")
        page.get_by_role("button", name="Fase wijzigen").click()
        expect(page.get_by_text("Fase: gesloten")).to_be_visible()
        expect(page.get_by_role("button", name="Fase wijzigen"), "a closed casus offers no changes").to_have_count(0)

    def test_a_reviewer_reads_a_casus_but_cannot_change_it(self, browser: Any, busy_hub: WebHub) -> None:
        first, second = new_context(browser), new_context(browser)
        try:
            regie = enrol(first, busy_hub, "zvh-zuid-limburg-regie")
            regie.goto(busy_hub.url + "/casussen")
            regie.get_by_label("Reden (zonder persoonsgegevens)").fill("Aanmelding uit het netwerk")
            regie.get_by_role("button", name="Casus openen").click()
            reviewer = enrol(second, busy_hub, "zvh-zuid-limburg-dpia")
            reviewer.goto(busy_hub.url + "/casussen/1")
            expect(reviewer.get_by_role("heading", name="Geschiedenis")).to_be_visible()
            expect(reviewer.get_by_role("button", name="Fase wijzigen")).to_have_count(0)
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
