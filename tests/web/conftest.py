"""Browser tests: the real pages in headless Chromium (Debian's package), driven by Playwright, with Chromium's
virtual WebAuthn authenticator standing in for a person's passkey (over the DevTools protocol).

On a machine without Chromium these tests skip and say why; `.ci/run` installs it."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from connectors import HubClient, SigningKey
from hub.config import Settings
from hub.db import Database
from hub.delivery import service as delivery
from hub.keys.keyring import HubKeyring
from hub.kit.cli import cli_actor
from hub.kit.clock import utcnow
from hub.ledger import service as ledger
from hub.main import create_app
from hub.partners import demo
from hub.partners import service as partners
from hub.partners.models import DeliveryMode
from hub.partners.schemas import PartnerUpdate
from hub.pseudonym.secrets import PrivacySecrets
from hub.web import service as web
from tests.server import free_socket, serving

CHROMIUM_ENV = "SCHAKEL_TEST_CHROMIUM"
REQUIRE_ENV = "SCHAKEL_TEST_REQUIRE_BROWSER"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
MELDINGEN = Path(__file__).resolve().parents[2] / "hub" / "partners" / "voorbeeldmeldingen"


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
    if executable is None and os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{REQUIRE_ENV} is set but no Chromium was found: install Debian's `chromium`")
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
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo partnership's keys and a database with it and the sample convenant, made once per test process
    (keys for every demo principal, the migrations, the four-eyes lifecycle); each hub starts from a copy."""
    directory = tmp_path_factory.mktemp("demo-hub")
    keys = directory / "keys"
    HubKeyring(keys).init(demo=True)
    PrivacySecrets(keys).init()
    database = Database(f"sqlite:///{directory / 'schakel.db'}")
    database.upgrade()
    with database.unit_of_work() as session:
        demo.seed(session, cli_actor(), keys)
        demo.seed_convenant(session)
    database.dispose()  # the last connection checkpoints the WAL: the file alone is the whole database
    return directory


@contextmanager
def serve_hub(tmp_path: Path, template: Path, **overrides: Any) -> Iterator[WebHub]:
    """A hub with the demo partnership and the sample convenant, on http://localhost:<port> (passkeys need a host
    name), with a copy of `template`'s keys and database in `tmp_path`."""
    listener = free_socket()
    url = f"http://localhost:{listener.getsockname()[1]}"
    keys = tmp_path / "keys"
    shutil.copytree(template / "keys", keys)
    shutil.copyfile(template / "schakel.db", tmp_path / "schakel.db")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'schakel.db'}",
        keys_dir=keys,
        public_url=url,
        checkpoint_interval_seconds=0,
        **overrides,
    )
    database = Database(settings.effective_database_url)
    app: FastAPI = create_app(settings, configure_logs=False)
    try:
        with serving(app, listener):
            yield WebHub(url, settings, database)
    finally:
        database.dispose()


@pytest.fixture
def web_hub(tmp_path: Path, demo_template: Path) -> Iterator[WebHub]:
    with serve_hub(tmp_path, demo_template) as hub:
        yield hub


def demo_client(hub: WebHub, partner_id: str) -> HubClient:
    key = SigningKey.load(hub.settings.keys_dir / "demo" / f"{partner_id}-systeem.private.jwk")
    return HubClient(hub.url, partner_id=partner_id, principal_id=f"{partner_id}-systeem", key=key)


def sample(berichttype: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((MELDINGEN / f"{berichttype}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
def busy_hub(tmp_path: Path, demo_template: Path) -> Iterator[WebHub]:
    """A hub that has worked: meldingen of three flows in the log, a signed checkpoint, and one delivery that
    became a dead letter (VIA's webhook points at a port nobody listens on)."""
    # A port that is bound but never listens, held for the whole test: a connection to it is refused, and no other
    # test running in parallel can take the port meanwhile.
    closed = free_socket()
    dead_end = f"http://127.0.0.1:{closed.getsockname()[1]}/webhook"
    with (
        closed,
        serve_hub(tmp_path, demo_template, delivery_max_age_seconds=1, delivery_backoff_base_seconds=0.05) as hub,
    ):
        with hub.database.unit_of_work() as session:
            partners.update_partner(
                session,
                "test",
                "via-zuid-limburg",
                PartnerUpdate(delivery_mode=DeliveryMode.WEBHOOK, webhook_url=dead_end),
            )
        for sender, berichttype in (
            ("politie-limburg", "e33-verward-gedrag"),
            ("politie-limburg", "zorgmelding"),
            ("gemeente-maastricht", "huisverbod"),
            ("dji-pi-limburg", "detentiemelding"),
        ):
            with demo_client(hub, sender) as client:
                client.submit_melding({"berichttype": berichttype, "inhoud": sample(berichttype)})
        deadline = time.monotonic() + 30
        while True:
            with hub.database.unit_of_work(immediate=False) as session:
                if delivery.dead_letters(session, after=None, limit=1):
                    break
            assert time.monotonic() < deadline, "no dead letter appeared"
            time.sleep(0.2)
        with hub.database.unit_of_work() as session:
            origin = ledger.log_origin(session, None, hub.url)
            ledger.sign_checkpoint(session, origin, HubKeyring(hub.settings.keys_dir).ed25519_key(), utcnow())
        yield hub


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
