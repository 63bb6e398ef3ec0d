"""A privacy officer proposes a new convenant version in the browser, a second one approves it with a passkey,
and an auditor checks that approval offline; reviewers cannot reach the write actions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from hub.kit.clock import utcnow
from hub.policy import repository
from hub.web import confirm
from hub.web import repository as web_repository
from hub.web.confirm import NotConfirmed, verify
from tests.conftest import SAMPLE_CONVENANT
from tests.web.conftest import WebHub, new_context, screenshot
from tests.web.test_sign_in import enrol

BIN = Path(sys.executable).parent


def convenant_files(label: str) -> list[dict[str, Any]]:
    """The sample convenant's files as a browser uploads them, with another version label."""
    files = []
    for path in sorted(SAMPLE_CONVENANT.rglob("*.yaml")):
        content = path.read_bytes()
        if path.name == "convenant.yaml":
            content = content.replace(b'versie: "2026.1"', f'versie: "{label}"'.encode())
            assert f'versie: "{label}"'.encode() in content
        files.append({"name": path.name, "mimeType": "application/yaml", "buffer": content})
    return files


def propose(page: Any, hub: WebHub, label: str) -> int:
    page.goto(hub.url + "/convenant")
    page.get_by_role("link", name="Nieuwe versie voorstellen").click()
    page.get_by_label("Bestanden of archief").set_input_files(convenant_files(label))
    page.get_by_label("Toelichting: wat verandert er en waarom?").fill("Nieuw versielabel voor de test.")
    with page.expect_navigation():
        page.get_by_role("button", name="Voorstel indienen").click()
    assert "voorgesteld=1" in page.url, page.text_content("main")
    return int(page.url.split("/versies/")[1].split("?")[0])


class TestFourEyes:
    def test_propose_approve_with_passkey_and_verify_offline(
        self, browser: Any, web_hub: WebHub, tmp_path: Path
    ) -> None:
        first = new_context(browser)
        second = new_context(browser)
        try:
            proposer = enrol(first, web_hub, "zvh-zuid-limburg-fg")
            versie = propose(proposer, web_hub, "2026.2")
            expect(proposer.get_by_text("Een andere privacy officer moet het nu goedkeuren")).to_be_visible()
            expect(proposer.get_by_text("Vier ogen: een andere privacy officer keurt haar goed.")).to_be_visible()
            expect(proposer.get_by_role("button", name="Goedkeuren met passkey")).to_have_count(0)
            screenshot(proposer, "convenant-versie")

            approver = enrol(second, web_hub, "gemeente-maastricht-fg")
            approver.goto(f"{web_hub.url}/convenant/versies/{versie}")
            approver.get_by_label("waarschuwingen gelezen").check()
            approver.get_by_role("button", name="Goedkeuren met passkey").click()
            approver.wait_for_url(f"**/convenant/versies/{versie}?goedgekeurd=1")
            expect(approver.get_by_text("De versie is goedgekeurd en met uw passkey bevestigd.")).to_be_visible()
            with web_hub.database.unit_of_work(immediate=False) as session:
                active = repository.active_version(session, utcnow())
                assert active is not None and active.id == versie and active.approved_by == "gemeente-maastricht-fg"

            with approver.expect_download() as download:
                approver.get_by_role("link", name="bevestiging 1 downloaden").click()
            saved = tmp_path / "bevestiging.json"
            download.value.save_as(saved)
        finally:
            first.close()
            second.close()
        checked = subprocess.run(
            [str(BIN / "schakel"), "bevestiging", "controleer", str(saved), "--origin", web_hub.url],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith("BEWEZEN: gemeente-maastricht-fg bevestigde 'convenant-goedkeuren'")
        record = json.loads(saved.read_text())
        proven = verify(record, expected_origin=web_hub.url)
        assert (proven.handeling, proven.object_id, proven.door) == (
            "convenant-goedkeuren",
            str(versie),
            "gemeente-maastricht-fg",
        )
        assert record["handelingJson"]["wat"]["label"] == "2026.2"
        tampered = json.loads(saved.read_text())
        tampered["handelingJson"]["wat"]["inhoud"] = "sha256:" + "0" * 64
        with pytest.raises(NotConfirmed, match="changed after it was confirmed"):
            verify(tampered)
        tampered["handelingHash"] = record["handelingHash"].replace(record["handelingHash"][0], "f", 1)
        with pytest.raises(NotConfirmed):
            verify(tampered)
        with pytest.raises(NotConfirmed, match=r"not on https://elders\.example"):
            verify(record, expected_origin="https://elders.example")
        forged = tmp_path / "vervalst.json"
        forged.write_text(json.dumps(tampered))
        refused = subprocess.run(
            [str(BIN / "schakel"), "bevestiging", "controleer", str(forged)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert refused.returncode == 1 and refused.stdout.startswith("NIET BEWEZEN"), refused.stdout

    def test_validation_errors_are_shown_per_file_and_rule(self, context: Any, web_hub: WebHub) -> None:
        page = enrol(context, web_hub, "zvh-zuid-limburg-fg")
        files = convenant_files("2026.3")
        for upload in files:
            if upload["name"] == "politie-limburg.yaml":
                upload["buffer"] = upload["buffer"].replace(b"doel: screening-verward-gedrag", b"doel: bestaat-niet", 1)
        page.goto(web_hub.url + "/convenant/voorstel")
        page.get_by_label("Bestanden of archief").set_input_files(files)
        page.get_by_role("button", name="Voorstel indienen").click()
        expect(page.get_by_text("Het voorstel is niet opgeslagen")).to_be_visible()
        expect(page.get_by_role("heading", name="regels/politie-limburg.yaml")).to_be_visible()
        assert "bestaat-niet" in page.text_content("main")


class TestWhoMayDoWhat:
    def test_a_reviewer_reads_but_cannot_reach_a_write_action(self, context: Any, web_hub: WebHub) -> None:
        page = enrol(context, web_hub, "zvh-zuid-limburg-dpia")
        page.goto(web_hub.url + "/convenant/versies/1")
        expect(page.get_by_role("heading", name="Wat deze versie toestaat")).to_be_visible()
        expect(page.get_by_role("button", name="Goedkeuren met passkey")).to_have_count(0)
        expect(page.get_by_role("link", name="Nieuwe versie voorstellen")).to_have_count(0)
        response = page.goto(web_hub.url + "/convenant/voorstel")
        assert response is not None and response.status == 403
        expect(page.get_by_text("deze pagina is alleen voor privacy officers")).to_be_visible()
        # Even with its own valid CSRF token, the reviewer's post is refused for its role.
        csrf = page.goto(web_hub.url + "/convenant") and page.locator("input[name=csrf]").first.get_attribute("value")
        answer = page.request.post(
            web_hub.url + "/convenant/noodverboden",
            form={"csrf": csrf or "", "categorieen": "gezondheid", "ontvangers": "politie", "reden": "test"},
            headers={"Origin": web_hub.url},
        )
        assert answer.status == 403

    def test_a_forged_csrf_token_is_refused(self, context: Any, web_hub: WebHub) -> None:
        page = enrol(context, web_hub, "zvh-zuid-limburg-fg")
        page.goto(web_hub.url + "/convenant/noodverboden")
        page.locator("input[name=csrf]").last.evaluate("el => el.value = 'vervalst'")
        page.get_by_label("Gezondheid", exact=False).first.check()
        page.get_by_label("Ontvangers").fill("woningcorporatie")
        page.get_by_label("Reden").fill("test")
        page.get_by_role("button", name="Noodverbod instellen").click()
        expect(page.get_by_text("de beveiligingscode van het formulier ontbreekt of klopt niet")).to_be_visible()
        page.goto(web_hub.url + "/convenant/noodverboden")
        expect(page.get_by_text("Er zijn geen noodverboden.")).to_be_visible()

    def test_a_post_from_another_site_is_refused(self, context: Any, web_hub: WebHub) -> None:
        page = enrol(context, web_hub, "zvh-zuid-limburg-fg")
        csrf = page.locator("input[name=csrf]").first.get_attribute("value")
        answer = page.request.post(
            web_hub.url + "/afmelden", form={"csrf": csrf or ""}, headers={"Origin": "https://aanvaller.example"}
        )
        assert answer.status == 403
        page.goto(web_hub.url + "/")
        expect(page.get_by_role("heading", name="Overzicht"), "still signed in").to_be_visible()

    def test_no_session_no_page_and_no_data(self, web_hub: WebHub) -> None:
        for path in ("/", "/convenant", "/convenant/versies/1", "/convenant/bevestigingen/1"):
            answer = httpx.get(web_hub.url + path, headers={"Accept": "text/html"}, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/aanmelden")
            script = httpx.get(web_hub.url + path, follow_redirects=False)  # not a browser: a problem, no redirect
            assert script.status_code == 401 and script.headers["content-type"] == "application/problem+json"


class TestNoodverbod:
    def test_issue_confirm_and_lift_with_a_passkey(self, browser: Any, web_hub: WebHub) -> None:
        first, second = new_context(browser), new_context(browser)
        try:
            issuer = enrol(first, web_hub, "zvh-zuid-limburg-fg")
            issuer.goto(web_hub.url + "/convenant/noodverboden")
            issuer.get_by_label("Gezondheid", exact=False).first.check()
            issuer.get_by_label("Ontvangers").fill("woningcorporatie")
            issuer.get_by_label("Reden").fill("Lek gemeld bij een ontvanger")
            issuer.get_by_role("button", name="Noodverbod instellen").click()
            expect(issuer.get_by_role("cell", name="onbevestigd", exact=False)).to_be_visible()
            expect(issuer.get_by_role("button", name="Opheffen met passkey"), "not by its issuer").to_have_count(0)

            other = enrol(second, web_hub, "gemeente-maastricht-fg")
            other.goto(web_hub.url + "/convenant/noodverboden")
            other.get_by_role("button", name="Bevestigen").click()
            other.get_by_role("cell", name="bevestigd", exact=True).wait_for()
            other.get_by_role("button", name="Opheffen met passkey").click()
            other.get_by_role("cell", name="opgeheven (opheffing bevestigd met passkey)").wait_for()
        finally:
            first.close()
            second.close()
        with web_hub.database.unit_of_work(immediate=False) as session:
            kept = web_repository.confirmations(session, "noodverbod-opheffen")
            assert [(c.object_id, c.principal_id) for c in kept] == [("1", "gemeente-maastricht-fg")]
            assert verify(confirm.export(kept[0]), expected_origin=web_hub.url).handeling == "noodverbod-opheffen"


class TestOlderFormats:
    """A hub upgraded from 0.1.0 keeps its convenant in force; its pages say what today's format asks (#35)."""

    def test_a_version_in_force_of_format_1_and_one_the_hub_cannot_read(self, context: Any, web_hub: WebHub) -> None:
        from tests.policy.test_formaat import in_force  # noqa: PLC0415 - the stored 0.1.0 convenant
        from tests.web.test_accessibility import check_page  # noqa: PLC0415

        old = in_force(web_hub.database, formaat=1)
        page = enrol(context, web_hub, "zvh-zuid-limburg-fg")
        page.goto(web_hub.url + "/convenant")
        expect(page.get_by_text(f"Versie {old}, die in werking is, heeft formaat 1")).to_be_visible()
        check_page(page, "convenant-oud-formaat")
        page.get_by_role("link", name=f"{old}: zuid-limburg 2025.1").click()
        expect(page.get_by_role("heading", name="Wat het nieuwe formaat vraagt")).to_be_visible()
        expect(page.get_by_text("Formaat 1 noemde geen wet")).to_be_visible()
        check_page(page, "convenantversie-oud-formaat")

        unreadable = in_force(web_hub.database, formaat=9)
        page.goto(f"{web_hub.url}/convenant/versies/{unreadable}")
        expect(page.get_by_text("Deze hub kan deze versie niet lezen (formaat 9)")).to_be_visible()
        operator = enrol(context, web_hub, "zvh-zuid-limburg-beheer")
        operator.goto(web_hub.url + "/beheer")
        expect(operator.get_by_text(f"Deze hub kan convenantversie {unreadable} (formaat 9)")).to_be_visible()
