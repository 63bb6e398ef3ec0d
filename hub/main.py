"""The app factory. Resources (engine, keys, metrics) are made in `create_app`/lifespan, never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hub.audit.endpoints import router as audit_router
from hub.audit.pages import router as audit_pages
from hub.auth.endpoints import router as auth_router
from hub.auth.service import Authenticator
from hub.bekendheid.endpoints import router as bekendheid_router
from hub.bewaren.endpoints import router as bewaren_router
from hub.bewaren.keeper import RetentionKeeper
from hub.casus.endpoints import router as casus_router
from hub.casus.pages import router as casus_pages
from hub.config import API_VERSION, Settings, get_settings
from hub.db import Database
from hub.delivery import worker
from hub.delivery.endpoints import router as delivery_router
from hub.delivery.pages import router as delivery_pages
from hub.errors import ConfigurationError, install_error_handlers
from hub.keys.endpoints import router as keys_router
from hub.keys.keyring import HubKeyring
from hub.keys.service import PublishedKeys
from hub.kit.openapi import API_PREFIX, conform, operation_id
from hub.ledger import service as ledger_service
from hub.ledger.endpoints import router as ledger_router
from hub.ledger.pages import router as ledger_pages
from hub.ledger.sequencer import Sequencer
from hub.ledger.witnesses import keeper_for
from hub.logging import configure_logging
from hub.meldingen.endpoints import router as meldingen_router
from hub.meldingen.postcodes import Postcodes
from hub.meldingen.service import Schemas
from hub.ops import upgrading
from hub.ops.endpoints import metrics_router
from hub.ops.endpoints import router as ops_router
from hub.ops.metrics import Metrics
from hub.ops.middleware import RequestContextMiddleware
from hub.ops.pages import router as ops_pages
from hub.partners.endpoints import router as partners_router
from hub.partners.pages import router as partners_pages
from hub.policy.endpoints import router as policy_router
from hub.policy.pages import router as policy_pages
from hub.policy.runtime import PolicyRuntime
from hub.pseudonym.endpoints import router as pseudonym_router
from hub.pseudonym.pages import router as pseudonym_pages
from hub.pseudonym.secrets import PrivacySecrets, SecretsMissing
from hub.pseudonym.vault import Vault
from hub.reports.endpoints import router as reports_router
from hub.reports.pages import router as reports_pages
from hub.state import HubState
from hub.toestemming.endpoints import router as toestemming_router
from hub.web import errors as page_errors
from hub.web.oidc import Provider
from hub.web.pages import router as web_router
from hub.web.render import STATIC
from hub.web.security import PageSecurityHeaders

log = structlog.get_logger("hub.main")

PUBLIC_PATHS = frozenset({f"{API_PREFIX}/health", f"{API_PREFIX}/health/live", f"{API_PREFIX}/health/ready"})

DESCRIPTION = """\
Schakel is the information-exchange hub of the Zorg- en Veiligheidshuizen. Partners send meldingen; the hub
enforces the convenant per recipient, pseudonymises, delivers and logs every disclosure.

Every call carries a request-bound signed token (`Authorization: Bearer`, `typ` `schakel+jwt`): see docs/api.md.
Errors are `application/problem+json` (RFC 9457) with a stable reason code in `type`.
"""


OPENAPI_TAGS = [
    {"name": "meldingen", "description": "Submit meldingen; the berichttypes and their JSON Schemas."},
    {"name": "toestemmingen", "description": "The consent register: recorded by partners, revocable."},
    {"name": "levering", "description": "Your inbox and acknowledgements; dead letters for operators."},
    {"name": "authenticatie", "description": "Check how the hub sees your signed requests."},
    {"name": "partners", "description": "The registry of partners, principals, roles and public keys."},
    {"name": "beleid", "description": "The convenant: versions, four-eyes approval, diff, simulation, decisions."},
    {"name": "betrokkenen", "description": "Re-identification and erasure of betrokkenen, with four eyes."},
    {
        "name": "verstrekkingenlog",
        "description": "The tamper-evident log of every disclosure: entries, checkpoints, proofs.",
    },
    {"name": "casussen", "description": "The ZVH's casussen: stages, participants, persons and meldingen."},
    {"name": "bekendheid", "description": "Partners register whom they know, for the ZVH's bekendheidscheck."},
    {"name": "rapportages", "description": "DPIA reports and inzage (AVG art. 15), answered from the log."},
    {"name": "beheer", "description": "Operations: health and the admin audit trail."},
]


PAGE_ROUTERS = (
    web_router,
    policy_pages,
    ledger_pages,
    reports_pages,
    pseudonym_pages,
    casus_pages,
    ops_pages,
    partners_pages,
    delivery_pages,
    audit_pages,
)
"""The pages for people (not in the OpenAPI document): the shell's own, then each domain's `pages.py`."""


SERVER_OPTIONS: dict[str, Any] = {
    "access_log": False,
    "log_config": None,
    "proxy_headers": False,
    "server_header": False,
    # Headers up to 1 MiB reach the hub, so that an oversized token gets its 401 problem instead of a dropped
    # connection or the HTTP parser's plain-text 400.
    "h11_max_incomplete_event_size": 1024 * 1024,
}
"""How the hub is served by uvicorn, in `schakel serve` and in the tests alike."""


def check_startup(settings: Settings, keyring: HubKeyring, privacy: PrivacySecrets) -> None:
    """Refuse to start in production with missing or demo keys or an insecure setting, and say which."""
    if not settings.is_production:
        return
    problems = settings.insecure_settings() + keyring.production_problems() + privacy.production_problems()
    if problems:
        raise ConfigurationError("refusing to start in production:\n- " + "\n- ".join(problems))


def _start_background(state: HubState, database: Database, settings: Settings) -> None:
    """The delivery worker, retention and the checkpoint keeper (signing, witnesses) of `schakel serve`."""
    running: list[Any] = []
    if state.vault is None:
        log.warning("vault.keys_missing", reason="run schakel keys init")
    elif settings.delivery_in_process:
        state.delivery_worker = worker.for_hub(database, state.vault, settings, state.metrics)
        running.append(state.delivery_worker)
    if state.vault is not None and settings.retention_interval_seconds > 0:
        running.append(RetentionKeeper(database, state.vault, settings.retention_interval_seconds))
    if settings.checkpoint_interval_seconds > 0 and state.keyring.manifest.exists():
        running.append(keeper_for(database, state.keyring.ed25519_key(), settings))
    state.background = running
    for part in running:
        part.start()


def _stop_background(state: HubState) -> None:
    running, state.background, state.delivery_worker = state.background or [], None, None
    for part in running:
        part.stop()


def create_app(settings: Settings | None = None, *, configure_logs: bool = True) -> FastAPI:
    settings = settings or get_settings()
    if configure_logs:
        configure_logging(settings.effective_log_format, settings.log_level)
    keyring = HubKeyring(settings.keys_dir)
    privacy = PrivacySecrets(settings.keys_dir)
    check_startup(settings, keyring, privacy)
    metrics = Metrics()
    state = HubState(
        settings=settings,
        metrics=metrics,
        keyring=keyring,
        published_keys=PublishedKeys(keyring),
        policy_runtime=PolicyRuntime(),
        vault=_vault(privacy),
        schemas=Schemas(),
        postcodes=Postcodes.load(settings.postcodes_file),
        oidc=Provider(settings) if settings.oidc_enabled else None,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        database = Database(settings.effective_database_url)
        sequencer = state.started_sequencer = Sequencer(database)
        try:
            database.prepare(guard=upgrading.guarded(state.vault))
            state.started_database = database
            metrics.watch(database, state.policy_runtime)
            with database.unit_of_work(immediate=False) as session:  # a renamed log refuses to start, and says why
                ledger_service.log_origin(session, settings.log_origin, settings.public_url)
            state.started_authenticator = Authenticator(
                database, settings.public_url, settings.token_leeway_seconds, sequencer
            )
            sequencer.start()
            _start_background(state, database, settings)
            log.info("hub.started", environment=settings.environment, database=database.backend)
            yield
        finally:
            _stop_background(state)
            metrics.watch(None)
            sequencer.stop()
            database.dispose()

    app = FastAPI(
        title="Schakel",
        version=API_VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        contact={"name": settings.contact_name, "email": settings.contact_email, "url": settings.contact_url},
        license_info={"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/nl/"},
        openapi_tags=OPENAPI_TAGS,
        generate_unique_id_function=operation_id,
    )
    app.state.hub = state  # the one attribute: everything else reads it through `hub.state.StateDep`
    install_error_handlers(app)
    page_errors.install(app)
    app.add_middleware(PageSecurityHeaders)
    app.add_middleware(RequestContextMiddleware, metrics=metrics, max_body_bytes=settings.max_body_bytes)
    for router in (
        meldingen_router,  # first: routes are matched in order, and submitting meldingen is the hottest path
        ops_router,
        auth_router,
        partners_router,
        policy_router,
        pseudonym_router,
        ledger_router,
        reports_router,
        delivery_router,
        toestemming_router,
        casus_router,
        bekendheid_router,
        bewaren_router,
        audit_router,
    ):
        app.include_router(router)
    app.include_router(keys_router)
    app.include_router(metrics_router)
    for pages in PAGE_ROUTERS:
        app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_openapi(app, settings)
    return app


def _vault(privacy: PrivacySecrets) -> Vault | None:
    # In development a hub without privacy secrets still serves everything else; the vault's endpoints say
    # what to run. In production check_startup has refused to start already.
    try:
        return Vault(privacy.pseudonyms(), privacy.kek())
    except SecretsMissing:
        return None


def _install_openapi(app: FastAPI, settings: Settings) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = conform(original(), server_url=settings.public_url, public_paths=PUBLIC_PATHS)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
