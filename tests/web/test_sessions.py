"""Sessions and the headers that protect the pages: cookie attributes, time-outs, logout, the CSP, and pages that
hold no inline script or style (so the CSP can forbid them)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from hub.config import Environment, Settings
from hub.kit.clock import utcnow
from hub.partners import service as partners
from hub.partners.models import PrincipalStatus
from hub.partners.schemas import PrincipalUpdate
from hub.web.models import WebSession
from hub.web.pages import safe_return
from hub.web.security import CONTENT_SECURITY_POLICY, SESSION_COOKIE
from hub.web.service import start_session
from tests.web.conftest import WebHub
from tests.web.test_sign_in import enrol


def _age_sessions(hub: WebHub, **delta: float) -> None:
    """Move every session's clock back, as if that much time had passed."""
    with hub.database.unit_of_work() as session:
        for row in session.exec(select(WebSession)).all():
            row.last_seen_at -= timedelta(**delta)
            row.created_at -= timedelta(**delta)
            row.expires_at -= timedelta(**delta)
            session.add(row)


class TestSessions:
    def test_the_session_cookie_is_http_only_and_strict(self, context: Any, web_hub: WebHub) -> None:
        enrol(context, web_hub, "zvh-zuid-limburg-fg")
        cookie = next(c for c in context.cookies() if c["name"] == "schakel_sessie")
        assert cookie["httpOnly"] is True
        assert cookie["sameSite"] == "Strict"
        assert cookie["secure"] is False, "plain http on localhost in development"
        assert Settings(public_url="https://schakel.example").secure_cookies
        assert Settings(environment=Environment.PRODUCTION, public_url="http://x.example").secure_cookies

    def test_an_idle_session_goes_back_to_sign_in(self, context: Any, web_hub: WebHub) -> None:
        page = enrol(context, web_hub, "zvh-zuid-limburg-fg")
        _age_sessions(web_hub, minutes=web_hub.settings.session_idle_minutes + 1)
        page.goto(web_hub.url + "/convenant")
        assert "/aanmelden?terug=%2Fconvenant" in page.url
        expect(page.get_by_role("heading", name="Aanmelden bij Schakel")).to_be_visible()

    def test_a_session_ends_at_its_absolute_time_out_however_busy(self, context: Any, web_hub: WebHub) -> None:
        page = enrol(context, web_hub, "zvh-zuid-limburg-fg")
        with web_hub.database.unit_of_work() as session:
            for row in session.exec(select(WebSession)).all():
                row.expires_at = utcnow() - timedelta(seconds=1)
                session.add(row)
        page.goto(web_hub.url + "/convenant")
        assert "/aanmelden" in page.url

    def test_logout_ends_the_session_on_the_server(self, context: Any, web_hub: WebHub) -> None:
        page = enrol(context, web_hub, "zvh-zuid-limburg-fg")
        stolen = next(c for c in context.cookies() if c["name"] == "schakel_sessie")["value"]
        page.get_by_role("button", name="Afmelden").click()
        page.wait_for_url("**/aanmelden?afgemeld=1")
        replay = httpx.get(web_hub.url + "/convenant", cookies={"schakel_sessie": stolen}, follow_redirects=False)
        assert replay.status_code == 401, "a copied cookie is worthless after logout"

    def test_a_disabled_principal_loses_its_session_at_once(self, context: Any, web_hub: WebHub) -> None:
        page = enrol(context, web_hub, "zvh-zuid-limburg-fg")
        with web_hub.database.unit_of_work() as session:
            partners.update_principal(
                session, "test", "zvh-zuid-limburg-fg", PrincipalUpdate(status=PrincipalStatus.DISABLED)
            )
        page.goto(web_hub.url + "/convenant")
        assert "/aanmelden" in page.url

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
    def test_sign_in_never_sends_you_to_another_site(self, web_hub: WebHub, target: str) -> None:
        assert safe_return(target) == "/"


class TestHeaders:
    PAGES = ("/aanmelden", "/static/schakel.css")

    def test_pages_carry_the_csp_and_are_not_cached(self, web_hub: WebHub) -> None:
        answer = httpx.get(web_hub.url + "/aanmelden")
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["cache-control"] == "no-store"
        assert httpx.get(web_hub.url + "/static/schakel.css").headers["cache-control"].startswith("public")
        api = httpx.get(web_hub.url + "/api/v1/health")
        assert "content-security-policy" not in api.headers, "the API keeps its own headers"

    def test_no_page_holds_inline_script_or_style(self, context: Any, web_hub: WebHub) -> None:
        page = enrol(context, web_hub, "zvh-zuid-limburg-fg")
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        for path in (
            "/",
            "/convenant",
            "/convenant/versies/1",
            "/convenant/noodverboden",
            "/verstrekkingenlog",
            "/verstrekkingenlog/grafieken",
            "/inzage",
        ):
            page.goto(web_hub.url + path)
            html = page.content()
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"{path}: inline script"
            assert not re.search(r"\sstyle=", html), f"{path}: inline style attribute"
            assert not re.search(r"\son[a-z]+=", html), f"{path}: inline event handler"
        assert not violations, violations


class TestOneUnitOfWork:
    def test_a_reader_signed_in_past_the_touch_interval_reads_the_log_page_after_page(self, busy_hub: WebHub) -> None:
        """Seen on a live hub: once a minute the sign-in check touched the session in one transaction while the log
        page recorded its read in a second; on SQLite the second waited out the busy timeout and gave a 503, and the
        rollback undid the touch, so the next page failed too."""
        with busy_hub.database.unit_of_work() as session:
            cookie = start_session(session, "zvh-zuid-limburg-dpia", "passkey", busy_hub.settings, utcnow())
        with httpx.Client(base_url=busy_hub.url, cookies={SESSION_COOKIE: cookie}, timeout=60) as browser:
            for _ in range(2):
                _age_sessions(busy_hub, minutes=2)  # past the touch interval, well within the idle time-out
                for path in ("/verstrekkingenlog", "/verstrekkingenlog/0", "/verstrekkingenlog/controlepunt"):
                    answer = browser.get(path)
                    assert answer.status_code == 200, (path, answer.status_code)
        with busy_hub.database.unit_of_work(immediate=False) as session:
            (row,) = session.exec(select(WebSession)).all()
        assert utcnow() - row.last_seen_at < timedelta(seconds=60), "the touch was kept"
