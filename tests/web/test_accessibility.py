"""Every page, as each kind of person sees it: axe-core finds no WCAG 2.1 A or AA violation, every control is
reached by the Tab key with a visible focus, and a screenshot is kept (build/screenshots, a CI artefact)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.web.conftest import WebHub, new_context, screenshot
from tests.web.test_sign_in import enrol

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

OFFICER_PAGES = [
    "/", "/convenant", "/convenant/versies/1", "/convenant/verschillen?naar=1", "/convenant/voorstel",
    "/convenant/simulatie", "/convenant/noodverboden", "/verstrekkingenlog", "/verstrekkingenlog/0",
    "/verstrekkingenlog/grafieken", "/verstrekkingenlog/rapport", "/verstrekkingenlog/controlepunt", "/inzage",
    "/betrokkenen", "/casussen", "/casussen/termijnen", "/jaarcijfers",
    "/bestaat-niet",
]  # fmt: skip
OPERATOR_PAGES = [
    "/beheer", "/beheer/partners", "/beheer/partners/politie-limburg", "/beheer/accounts", "/beheer/onbestelbaar",
    "/beheer/audittrail",
]  # fmt: skip

_MARK_FOCUSABLE = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])';
  const groups = new Set();
  const found = [...document.querySelectorAll(selector)].filter((el) => {
    if (el.disabled || el.offsetParent === null || el.getAttribute('tabindex') === '-1') return false;
    if (el.type !== 'radio') return true;
    // A radio group is one Tab stop (its checked button); the arrow keys move within it.
    const group = el.form ? el.form.querySelectorAll(`input[type=radio][name="${el.name}"]`) : [el];
    const stop = [...group].find((r) => r.checked) || group[0];
    if (stop !== el || groups.has(el.name)) return false;
    groups.add(el.name);
    return true;
  });
  found.forEach((el, i) => el.setAttribute('data-focus-ix', String(i)));
  return found.length;
}"""
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  // Inside a date field the browser moves focus between its day, month and year segments and highlights the
  // segment itself; elsewhere our focus ring must show.
  const segmented = el.tagName === 'INPUT' && el.type === 'date';
  const visible = segmented || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0);
  const what = el.tagName + ' ' + (el.textContent || el.name || '').trim().slice(0, 40);
  return [el.getAttribute('data-focus-ix'), visible, what];
}"""


def check_page(page: Any, name: str) -> None:
    results = Axe().run(page, options=WCAG_AA)
    assert results.response["passes"], f"{name}: axe-core checked nothing"
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
    screenshot(page, name)
    total = page.evaluate(_MARK_FOCUSABLE)
    page.bring_to_front()  # the document must have the window's focus, or nothing matches :focus
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    reached: set[str] = set()
    for _ in range(4 * total + 4):  # a date field takes a Tab per segment
        if len(reached) == total:
            break
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None or focused[0] is None:
            continue
        index, visible, what = focused
        assert visible, f"{name}: no visible focus on {what}"
        reached.add(index)
    assert len(reached) == total, f"{name}: Tab reaches {len(reached)} of {total} controls"


def _name(path: str) -> str:
    return "pagina" + path.replace("/", "-").replace("?", "-").replace("=", "-")


class TestAccessibility:
    def test_signed_out_pages(self, browser: Any, busy_hub: WebHub) -> None:
        context = new_context(browser)
        try:
            page = context.new_page()
            page.goto(busy_hub.url + "/aanmelden")
            check_page(page, "aanmelden-a11y")
            page.goto(busy_hub.enrolment_link("zvh-zuid-limburg-dpia"))
            check_page(page, "inschrijven")
        finally:
            context.close()

    @pytest.mark.parametrize(
        ("principal", "paths"),
        [("zvh-zuid-limburg-fg", OFFICER_PAGES), ("zvh-zuid-limburg-beheer", OPERATOR_PAGES)],
        ids=["privacy-officer", "beheerder"],
    )
    def test_every_page(self, context: Any, busy_hub: WebHub, principal: str, paths: list[str]) -> None:
        page = enrol(context, busy_hub, principal)
        for path in paths:
            page.goto(busy_hub.url + path)
            check_page(page, _name(path))

    def test_pages_after_a_form(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-fg")
        page.goto(busy_hub.url + "/convenant/simulatie")
        page.get_by_role("button", name="Simuleren").click()
        check_page(page, "simulatie-uitkomst")
        page.goto(busy_hub.url + "/inzage")
        page.get_by_label("BSN").fill("762621606")
        page.get_by_label("Kenmerk van het verzoek (geen persoonsgegevens)").fill("INZ-2026-0003")
        page.get_by_role("button", name="Brief opstellen").click()
        check_page(page, "inzagebrief-a11y")


class TestKeyboardOnly:
    def test_filter_the_log_and_sign_out_by_keyboard(self, context: Any, busy_hub: WebHub) -> None:
        page = enrol(context, busy_hub, "zvh-zuid-limburg-dpia")
        page.goto(busy_hub.url + "/verstrekkingenlog")
        page.get_by_label("Verstrekker").focus()
        page.keyboard.type("gemeente-maastricht")
        page.keyboard.press("Enter")
        page.wait_for_url("**verstrekker=gemeente-maastricht**")
        assert all("gemeente-maastricht aan" in t for t in page.locator("tbody tr").all_inner_texts())
        page.keyboard.press("Tab")  # the skip link comes first
        assert page.evaluate("document.activeElement.textContent") == "Direct naar de inhoud"
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Afmelden"
        page.keyboard.press("Enter")
        page.wait_for_url("**/aanmelden?afgemeld=1")
