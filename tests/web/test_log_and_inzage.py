"""A reviewer reads the verstrekkingenlog with filters, charts and proofs; a privacy officer answers an
inzageverzoek as a printable letter; an operator re-drives a dead letter. All in a real browser."""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from pypdf import PdfReader

from connectors import HubClient, SigningKey
from connectors.tlog import leaf_hash, verify_inclusion
from hub.bewaren.keeper import one_round
from hub.delivery import service as delivery
from hub.kit.clock import utcnow
from hub.pseudonym.secrets import PrivacySecrets
from hub.pseudonym.vault import Vault
from tests.casus.test_informing import assert_no_trace
from tests.web.conftest import WebHub, screenshot
from tests.web.test_sign_in import enrol

BSN = "762621606"  # Teun van Verzonnen of the E33 sample: invented, passes the 11-proef


class TestTheLog:
    def test_filter_open_an_entry_check_its_proof_and_see_the_charts(
        self, context: Any, busy_hub: WebHub, tmp_path: Path
    ) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-dpia")
        page.get_by_role("link", name="Verstrekkingenlog").first.click()
        page.get_by_label("Verstrekker").fill("politie-limburg")
        page.get_by_label("Ontvanger").fill("via-zuid-limburg")
        page.get_by_role("button", name="Filteren").click()
        # The filtered page, not the one before it: its address carries the filter.
        expect(page).to_have_url(re.compile(r"verstrekker=politie-limburg"))
        rows = page.locator("tbody tr")
        expect(rows.first).to_be_visible()
        assert all("politie-limburg aan via-zuid-limburg" in text for text in rows.all_inner_texts())
        screenshot(page, "verstrekkingenlog")

        rows.first.get_by_role("link").click()
        expect(page.get_by_text("Het bewijs klopt")).to_be_visible()
        screenshot(page, "vastlegging")
        with page.expect_download() as download:
            page.get_by_role("link", name="Bewijs downloaden (JSON)").click()
        saved = tmp_path / "bewijs.json"
        download.value.save_as(saved)
        proof = json.loads(saved.read_text())
        entry = base64.b64decode(proof["entry"])
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        verify_inclusion(leaf_hash(entry), proof["positie"], proof["grootte"], hashes, base64.b64decode(proof["root"]))

        page.get_by_role("link", name="Verstrekkingenlog").first.click()
        page.get_by_role("link", name="Grafieken").click()
        chart = page.get_by_role("img", name="Verstrekkingen per maand per stroom")
        expect(chart).to_be_visible()
        expect(page.get_by_role("table", name="Verstrekkingen per maand per stroom: de getallen")).to_be_visible()
        expect(page.get_by_role("img", name="Achtergehouden categorieën naar reden")).to_be_visible()
        screenshot(page, "grafieken")

        page.get_by_role("link", name="DPIA-rapport").click()
        expect(page.get_by_role("cell", name="via-zuid-limburg").first).to_be_visible()
        with page.expect_download() as csv:
            page.get_by_role("link", name="De tellingen per gegevenscategorie downloaden (CSV)").click()
        assert Path(csv.value.path()).read_text().startswith("maand,gemeente,verstrekker,")
        screenshot(page, "dpia-rapport")

        page.get_by_role("link", name="Controlepunt en zelf controleren").click()
        assert "verstrekkingenlog" in page.locator("pre").first.inner_text()
        screenshot(page, "controlepunt")

    def test_every_read_is_itself_in_the_log(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-dpia")
        page.goto(busy_hub.url + "/verstrekkingenlog?soort=raadpleging")
        page.goto(busy_hub.url + "/verstrekkingenlog")
        texts = page.locator("tbody").inner_text()
        assert "zvh-zuid-limburg-dpia las" in texts, "the first page view is recorded as a raadpleging"


class TestInzage:
    def test_answer_an_inzageverzoek_as_a_letter_and_print_it(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-fg")
        page.get_by_role("link", name="Inzageverzoek").first.click()
        page.get_by_label("BSN").fill(BSN)
        page.get_by_label("Kenmerk van het verzoek (geen persoonsgegevens)").fill("INZ-2026-0001")
        page.get_by_role("button", name="Brief opstellen").click()
        expect(page.get_by_role("heading", name="Antwoord op uw verzoek om inzage")).to_be_visible()
        letter = page.locator("article").inner_text()
        assert "gegevens over u verstrekt aan" in letter
        assert "Kenmerk: INZ-2026-0001" in letter
        assert BSN not in page.content(), "the letter does not repeat the BSN"
        screenshot(page, "inzagebrief")
        page.emulate_media(media="print")
        expect(page.get_by_role("button", name="Afmelden"), "print shows the letter only").not_to_be_visible()
        expect(page.get_by_role("heading", name="Antwoord op uw verzoek om inzage")).to_be_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")

    def test_the_printed_letter_reveals_no_confidential_casus(self, context: Any, busy_hub: WebHub) -> None:
        """Issue 23, finding 2: a casus radicalisering without an informing decision is neither named in the letter
        nor said to be left out, on the page or in the PDF; the officer alone is told, beside the letter."""
        key = SigningKey.load(busy_hub.settings.keys_dir / "demo" / "zvh-zuid-limburg-regie.private.jwk")
        with HubClient(
            busy_hub.url, partner_id="zvh-zuid-limburg", principal_id="zvh-zuid-limburg-regie", key=key
        ) as regie:
            casus = regie.post("/api/v1/casussen", {"type": "radicalisering", "reden": "Signaal radicalisering"})["id"]
            regie.post(f"/api/v1/casussen/{casus}/personen", {"bsn": BSN, "reden": "De betrokkene van de E33"})
        page = enrol(context, busy_hub, "zvh-zuid-limburg-fg")
        page.goto(busy_hub.url + "/inzage")
        page.get_by_label("BSN").fill(BSN)
        page.get_by_label("Kenmerk van het verzoek (geen persoonsgegevens)").fill("INZ-2026-0003")
        page.get_by_role("button", name="Brief opstellen").click()
        expect(page.get_by_text(f"casus {casus} (radicalisering) is vertrouwelijk", exact=False)).to_be_visible()
        letter = page.locator("article").inner_text()
        assert "gegevens over u verstrekt aan" in letter, "the rest of the letter is there"
        assert_no_trace(letter, casus)
        screenshot(page, "inzagebrief-vertrouwelijk")
        page.emulate_media(media="print")
        printed = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages)
        assert "Antwoord op uw verzoek om inzage" in printed
        assert_no_trace(printed, casus)
        assert "Alleen voor u" not in printed, "what is for the officer is never printed"

    def test_an_invalid_bsn_is_refused_without_echoing_it(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-fg")
        page.goto(busy_hub.url + "/inzage")
        page.get_by_label("BSN").fill("123456789")
        page.get_by_label("Kenmerk van het verzoek (geen persoonsgegevens)").fill("INZ-2026-0002")
        page.get_by_role("button", name="Brief opstellen").click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert "123456789" not in page.content()


class TestOperators:
    def test_redrive_a_dead_letter(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-beheer")
        page.get_by_role("link", name="Beheer").first.click()
        expect(page.get_by_text("Schakel is gereed")).to_be_visible()
        page.get_by_role("link", name="Onbestelbare leveringen").click()
        screenshot(page, "onbestelbaar")
        with busy_hub.database.unit_of_work(immediate=False) as session:
            dead = delivery.dead_letters(session, after=None, limit=10)
            assert dead
            levering_id = dead[0].id
        page.get_by_role("button", name=f"Levering {levering_id} opnieuw aanbieden").click()
        expect(page.get_by_text("De levering staat weer klaar om te bezorgen.")).to_be_visible()
        page.get_by_role("link", name="Audittrail").click()
        expect(page.get_by_role("cell", name="delivery.redriven")).to_be_visible()
        expect(page.get_by_role("cell", name="sessie.aangemeld").first).to_be_visible()

    def test_a_dead_letter_nobody_collected_in_time_is_not_offered_again(self, context: Any, busy_hub: WebHub) -> None:
        """Issue 23, finding 3: past the collection term a delivery's content is destroyed; the operator sees why."""
        secrets = PrivacySecrets(busy_hub.settings.keys_dir)
        ronde = one_round(
            busy_hub.database, Vault(secrets.pseudonyms(), secrets.kek()), now=utcnow() + timedelta(days=15)
        )
        assert ronde.leveringen_niet_opgehaald > 0
        page = enrol(context, busy_hub, "zvh-zuid-limburg-beheer")
        page.goto(busy_hub.url + "/beheer/onbestelbaar")
        expect(page.get_by_text("Inhoud vernietigd na de ophaaltermijn").first).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("opnieuw aanbieden"))).to_have_count(0)
        screenshot(page, "onbestelbaar-vernietigd")

    def test_make_an_enrolment_link_and_suspend_a_partner(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-beheer")
        page.goto(busy_hub.url + "/beheer/accounts")
        page.get_by_label("Principal van de persoon").fill("zvh-zuid-limburg-dpia")
        page.get_by_role("button", name="Link maken").click()
        assert "/inschrijven/" in page.locator("code").first.inner_text()
        page.get_by_label("Principal van de persoon").fill("politie-limburg-systeem")
        page.get_by_role("button", name="Link maken").click()
        expect(page.get_by_text("is een systeem, geen persoon")).to_be_visible()
        page.goto(busy_hub.url + "/beheer/partners/woningcorporatie-maasdal")
        page.get_by_role("button", name="Partner schorsen").click()
        expect(page.get_by_text("Status: geschorst")).to_be_visible()
        screenshot(page, "partner")
