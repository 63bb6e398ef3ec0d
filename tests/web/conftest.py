"""Browser tests: the real pages in headless Chromium (Debian's package), driven by Playwright, with Chromium's
virtual WebAuthn authenticator standing in for a person's passkey (over the DevTools protocol).

On a machine without Chromium these tests skip and say why; `.ci/run` installs it."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from hub.config import Settings
from hub.db import Database
from hub.kit.cli import cli_actor
from hub.kit.clock import utcnow
from hub.main import create_app
from hub.partners import demo
from hub.web import service as web
from tests.server import free_socket, serving

CHROMIUM_ENV = "SCHAKEL_TEST_CHROMIUM"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _chromium() -> str | None:
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - optional: skipped without it
    except ImportError:  # pragma: no cover - the dev extra installs it
        return None
    return sync_playwright


@dataclass
class WebHub:
    """A real hub with the demo partnership and the sample convenant, served on http://localhost:<port>."""

    url: str
    settings: Settings
    database: Database

    def enrolment_link(self, principal_id: str) -> str:
        with self.database.unit_of_work() as session:
            token = web.create_enrolment(session, cli_actor(), principal_id, self.settings, utcnow())
        return web.enrolment_url(self.settings, token)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        pytest.skip(
            "no Chromium found: browser tests skipped (install Debian's `chromium`, as `.ci/run` does, "
            f"or set {CHROMIUM_ENV})"
        )
    sync_playwright = _playwright()
    if sync_playwright is None:
        pytest.skip("the playwright package is missing: run scripts/bootstrap")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def web_hub(tmp_path: Path) -> Iterator[WebHub]:
    listener = free_socket()
    url = f"http://localhost:{listener.getsockname()[1]}"
    keys = tmp_path / "keys"
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'schakel.db'}", keys_dir=keys, public_url=url)
    from hub.keys.keyring import HubKeyring  # noqa: PLC0415
    from hub.pseudonym.secrets import PrivacySecrets  # noqa: PLC0415

    HubKeyring(keys).init(demo=True)
    PrivacySecrets(keys).init()
    database = Database(settings.effective_database_url)
    database.upgrade()
    with database.unit_of_work() as session:
        demo.seed(session, cli_actor(), keys)
        demo.seed_convenant(session)
    app: FastAPI = create_app(settings, configure_logs=False)
    try:
        with serving(app, listener):
            yield WebHub(url, settings, database)
    finally:
        database.dispose()


def new_context(browser: Any) -> Any:
    """A fresh browser profile (no cookies), in Dutch; waits give up after 10 s, so a failure shows soon."""
    created = browser.new_context(locale="nl-NL")
    created.set_default_timeout(10_000)
    return created


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile; tests attach a virtual passkey authenticator to its pages."""
    created = new_context(browser)
    try:
        yield created
    finally:
        created.close()


def with_authenticator(context: Any, page: Any) -> str:
    """Attach a virtual platform authenticator (resident keys, user verification) to `page`; its id."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.__dict__["_schakel_cdp"] = cdp
    return str(result["authenticatorId"])


def screenshot(page: Any, name: str) -> None:
    """Keep a picture of the page for the CI artefacts (build/screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


__all__ = ["WebHub", "screenshot", "socket", "with_authenticator"]
