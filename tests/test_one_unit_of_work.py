"""One unit of work per request, on every page and every endpoint, on SQLite and PostgreSQL (#34).

Seen on a live hub: the sign-in check and a log page each opened a session; once a minute the check touched the web
session (SQLite's write lock) and the page's own session waited out the busy timeout: 503, and the rollback undid
the touch, so the next page failed too. Here a person signed in long enough for every request to touch the session
reads every page while another writer commits all the time, and a principal with every role calls every endpoint
(a non-GET with its OpenAPI example): none may fail with a 5xx, and every page that knows the person keeps the touch
(CI found /beheer's readiness probe refused as "database is locked" beside the delivery worker)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from starlette.routing import Route

from connectors import HubClient, SigningKey
from hub import refusals
from hub.config import Settings
from hub.db import Database
from hub.kit.clock import utcnow
from hub.kit.openapi import API_PREFIX
from hub.main import PAGE_ROUTERS
from hub.partners import service as partners
from hub.partners.models import PrincipalSoort, Role
from hub.partners.schemas import KeyCreate, PrincipalCreate
from hub.policy.convenant.format import PolicySource
from hub.web.security import SESSION_COOKIE
from hub.web.service import start_session
from tests.support import PARTNERS, Actor, activate_sample

PERSON = "zvh-test-iedereen"
STATUS_OF = {kind.code: kind.status for kind in refusals.every_refusal()}
PAGES = sorted(
    route.path
    for router in PAGE_ROUTERS
    for route in router.routes
    if isinstance(route, Route) and "GET" in (route.methods or set())
)


def _everyone(database: Database) -> SigningKey:
    """A person of the test ZVH with every role, and a key to sign API calls with."""
    key = SigningKey.generate()
    with database.unit_of_work() as session:
        partners.create_principal(
            session,
            "test",
            PrincipalCreate(id=PERSON, partner_id="zvh-test", soort=PrincipalSoort.PERSOON, roles=list(Role)),
        )
        partners.add_key(session, "test", PERSON, KeyCreate(jwk=key.public_jwk()))
    return key


def _last_seen(database: Database) -> datetime:
    with database.engine.connect() as connection:
        found = connection.execute(
            sa.text("SELECT last_seen_at FROM web_session WHERE principal_id = :p"), {"p": PERSON}
        )
        value = found.scalar_one()
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _age(database: Database) -> None:
    """Two minutes pass for the session: past the touch interval, well within the idle time-out."""
    with database.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE web_session SET last_seen_at = :t WHERE principal_id = :p"),
            {"t": utcnow() - timedelta(minutes=2), "p": PERSON},
        )


@contextmanager
def _busy(database: Database) -> Iterator[None]:
    """Another writer commits every few milliseconds meanwhile, as the sequencer and the delivery worker of a busy
    hub do: on SQLite a reading transaction that writes later finds its snapshot stale and is refused at once."""
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            with database.engine.begin() as connection:
                connection.execute(sa.text("UPDATE generatie SET waarde = waarde WHERE id = 1"))
            time.sleep(0.002)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield
    finally:
        stop.set()
        writer.join(timeout=10)


def _concrete(path: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2) or ""
        return values.get(name, "1" if kind == ":int" else "x")

    return re.sub(r"\{([A-Za-z_]+)(:[a-z]+)?\}", value, path)


def test_every_page_keeps_a_person_signed_in_past_the_touch_interval(
    http: httpx.Client, actors: dict[str, Actor], database: Database, settings: Settings, sample_source: PolicySource
) -> None:
    activate_sample(database, sample_source, utcnow(), also=PARTNERS)
    _everyone(database)
    casus = actors["regisseur"].client(http).post("/api/v1/casussen", {"type": "pga", "reden": "Voor elke pagina"})
    values = {"casus_id": str(casus["id"]), "partner_id": "zvh-test", "principal_id": PERSON, "positie": "0"}
    with database.unit_of_work() as session:
        cookie = start_session(session, PERSON, "passkey", settings, utcnow())
    with httpx.Client(base_url=str(http.base_url), cookies={SESSION_COOKIE: cookie}, timeout=20) as browser:
        with _busy(database):
            for path in PAGES:
                _age(database)
                answer = browser.get(_concrete(path, values))
                assert answer.status_code < 500, ("beside a busy writer", path, answer.status_code, answer.text[:300])
        kept = 0
        for path in PAGES:
            _age(database)
            answer = browser.get(_concrete(path, values))
            assert answer.status_code < 500, (path, answer.status_code, answer.text[:300])
            kept += utcnow() - _last_seen(database) < timedelta(seconds=30)
        assert browser.get("/").status_code == 200, "still signed in after every page"
    assert kept >= len(PAGES) - 6, "every page that knows the person touched its session (only sign-in pages do not)"


def test_every_endpoint_answers_a_principal_without_a_server_error(
    app: FastAPI, http: httpx.Client, actors: dict[str, Actor], database: Database, sample_source: PolicySource
) -> None:
    activate_sample(database, sample_source, utcnow(), also=PARTNERS)
    client = HubClient(
        str(http.base_url), partner_id="zvh-test", principal_id=PERSON, key=_everyone(database), http=http
    )
    casus = actors["regisseur"].client(http).post("/api/v1/casussen", {"type": "pga", "reden": "Voor elk endpoint"})
    values = {"casusId": str(casus["id"]), "partnerId": "zvh-test", "principalId": PERSON, "positie": "0"}
    operations = list(_operations(app.openapi()))
    order = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}
    with _busy(database):
        answered = _walk_endpoints(client, sorted(operations, key=lambda o: (order.get(o[0], 3), o[1])), values)
    assert sum(status < 300 for status, _, _ in answered) >= len(operations) // 2, "most calls did their work"


def _walk_endpoints(
    client: HubClient, operations: list[tuple[str, str, Any]], values: dict[str, str]
) -> list[tuple[int, str, str]]:
    """Each operation once, beside a busy writer: no 5xx, and each refusal's code with its class's status."""
    answered = []
    for method, path, example in operations:
        answer = client.send(method.upper(), _concrete(path, values), json_body=example)
        assert answer.status_code < 500, (method, path, answer.status_code, answer.text[:300])
        if answer.status_code >= 400:  # one class per code: a code always comes with its status
            code = answer.json()["code"]
            assert STATUS_OF.get(code) == answer.status_code, (method, path, code, answer.status_code)
        answered.append((answer.status_code, method, path))
    return answered


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """Each operation of the API: its method, its full path and (for one with a body) the first example of its
    body's schema."""
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            content: dict[str, Any] = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema: dict[str, Any] = content.get("schema", {})
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            example = (schema.get("examples") or [{}])[0] if content else None
            yield method, API_PREFIX + path, example
