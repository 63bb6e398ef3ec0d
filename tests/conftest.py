"""Fixtures: a fresh database per test through the real migrations, on SQLite and (when configured) PostgreSQL.

PostgreSQL tests run when SCHAKEL_TEST_POSTGRES_URL is set (`.ci/run` sets it); otherwise they are skipped and
say why. Each PostgreSQL test gets a database of its own on that server, dropped afterwards.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import rfc8785
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from connectors import SigningKey
from hub.config import LogFormat, Settings, get_settings
from hub.db import Database
from hub.keys.keyring import HubKeyring
from hub.kit.canonical import canonical_json, content_hash
from hub.ledger import service as ledger_service
from hub.logging import configure_logging
from hub.main import create_app
from hub.policy.convenant.format import PolicySource, load_directory, source_to_data
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.service import HASH_DOMAIN
from hub.pseudonym.secrets import PrivacySecrets
from tests.server import free_socket, serving
from tests.support import PRINCIPALS, Actor, seed_registry

pytest_plugins = ["tests.partnership", "tests.witnessing"]
"""The live sample partnership (`partnership`, `regie`, ...), for the tests of every domain."""

POSTGRES_ENV = "SCHAKEL_TEST_POSTGRES_URL"
SAMPLE_CONVENANT = Path(__file__).resolve().parents[1] / "policies" / "zuid-limburg"
SKIP_POSTGRES = (
    f"{POSTGRES_ENV} is not set: PostgreSQL tests skipped (`.ci/run` sets it to 127.0.0.1:5432/test). SQLite tests ran."
)


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


HUB = Path(__file__).resolve().parents[1] / "hub"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--domain",
        action="append",
        default=[],
        metavar="NAME",
        help="only the tests that touch hub/NAME: those in tests/NAME and those that import it (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # CLI commands configure logging from the settings; keep a test session's output to warnings.
    os.environ.setdefault("SCHAKEL_LOG_LEVEL", "WARNING")
    unknown = [name for name in config.getoption("domain") if not (HUB / name / "__init__.py").is_file()]
    if unknown:
        known = ", ".join(sorted(p.parent.name for p in HUB.glob("*/__init__.py") if p.parent.name != "migrations"))
        raise pytest.UsageError(f"no domain {', '.join(unknown)} under hub/; the domains are: {known}")


def touches(path: Path, domains: list[str]) -> bool:
    """Whether the test module at `path` is a test of one of `domains`: it sits in tests/<domain>/ or imports it."""
    if path.parent.name in domains:
        return True
    source = path.read_text(encoding="utf-8")
    names = "|".join(re.escape(name) for name in domains)
    return re.search(rf"\bhub\.({names})\b|from hub import [^\n]*\b({names})\b", source) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    domains: list[str] = config.getoption("domain")
    if not domains:
        return
    verdicts: dict[Path, bool] = {}
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        path = item.path
        if path not in verdicts:
            verdicts[path] = touches(path, domains)
        (selected if verdicts[path] else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(scope="session", autouse=True)
def _quiet_logging() -> None:
    """Tests log through the real pipeline, at WARNING, so a failing test shows what the hub complained about."""
    configure_logging(LogFormat.CONSOLE, "WARNING")


class EntryNotJcs(AssertionError):
    """The hub wrote a ledger entry whose bytes are not what RFC 8785 gives."""


@pytest.fixture(scope="session", autouse=True)
def _every_entry_is_jcs() -> Iterator[None]:
    """Every ledger entry the suite writes in this process (through `hub.ledger.service.prepare`, the only way in)
    is held to the maintained RFC 8785 implementation: the entry format is JCS (docs/ledger.md)."""
    written = canonical_json

    def checked(value: Any) -> bytes:
        data = written(value)
        if data != rfc8785.dumps(value):
            raise EntryNotJcs("a ledger entry's bytes are not its RFC 8785 (JCS) form")
        return data

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger_service, "canonical_json", checked)
        yield


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything the hub logs during the test, as JSON lines, at DEBUG."""
    stream = io.StringIO()
    configure_logging(LogFormat.JSON, "DEBUG", stream=stream)
    try:
        yield stream
    finally:
        configure_logging(LogFormat.CONSOLE, "WARNING")


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database brought to head through the real migrations, once per test process."""
    path = tmp_path_factory.mktemp("template") / "schakel.db"
    template = Database(f"sqlite:///{path}")
    template.upgrade()
    template.dispose()  # the last connection checkpoints the WAL: the file alone is the whole database
    return path


class _PostgresDatabases:
    """Databases of their own on the PostgreSQL server of SCHAKEL_TEST_POSTGRES_URL, one per test, dropped after it:
    empty, or copied from a template that the real migrations brought to head once per test process (CREATE
    DATABASE ... TEMPLATE copies it in a fraction of the time migrating takes). The test role needs CREATEDB."""

    def __init__(self, base: str) -> None:
        self.base = make_url(Database(base).url)
        self.admin = sa.create_engine(self.base, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        self.template: str | None = None

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def create(self, *, migrated: bool) -> str:
        if migrated and self.template is None:
            template = f"schakel_template_{secrets.token_hex(6)}"
            self._execute(f'CREATE DATABASE "{template}" TEMPLATE template0')
            self.template = template  # dropped at the end of the session even if migrating fails
            database = Database(self.url(template))
            database.upgrade()
            database.dispose()  # no connection may stay open to a template while it is copied
        name = f"t_{secrets.token_hex(6)}"
        # An empty one from template0, which no one may connect to (template1 may have a session open on it).
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template if migrated else "template0"}"')
        return name

    def drop(self, name: str) -> None:
        # FORCE: a connection that a test's subprocess or thread left open does not keep the database alive.
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        if self.template is not None:
            self.drop(self.template)
        self.admin.dispose()

    def _execute(self, statement: str) -> None:
        try:
            with self.admin.connect() as connection:
                connection.execute(sa.text(statement))
        except sa.exc.ProgrammingError as error:
            if "permission denied" in str(error):
                pytest.fail(f"the role of {POSTGRES_ENV} may not create databases: grant it CREATEDB ({error.orig})")
            raise


@pytest.fixture(scope="session")
def _postgres_databases() -> Iterator[_PostgresDatabases]:
    base = _postgres_url()
    if base is None:
        pytest.skip(SKIP_POSTGRES)
    databases = _PostgresDatabases(base)
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database of this test's own: a SQLite file or a PostgreSQL database. Migrated to head when the
    test also uses `database` (a copy of a template migrated once per test process), empty otherwise (the tests of
    the migrations themselves)."""
    migrated = "database" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "schakel.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), path)
        yield f"sqlite:///{path}"
        return
    databases: _PostgresDatabases = request.getfixturevalue("_postgres_databases")
    name = databases.create(migrated=migrated)
    try:
        yield databases.url(name)
    finally:
        databases.drop(name)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The database, migrated to head: `database_url` copied it from the template the migrations made."""
    db = Database(database_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def principal_keys() -> dict[str, SigningKey]:
    """Real key pairs, made once per test session: mostly Ed25519, and ES256 for the privacy officer."""
    return {name: SigningKey.generate("ES256" if name == "privacy_officer" else "EdDSA") for name in PRINCIPALS}


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "keys"
    HubKeyring(directory).init(demo=False)
    PrivacySecrets(directory).init()
    return directory


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """The socket the test hub will serve on; bound first so the public URL (the token audience) is known."""
    sock = free_socket()
    yield sock
    sock.close()


@pytest.fixture
def public_url(listener: socket.socket) -> str:
    return f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def cli_env(database_url: str, keys_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`schakel` commands run in this test use its database and keys, and an https public URL."""
    monkeypatch.setenv("SCHAKEL_DATABASE_URL", database_url)
    monkeypatch.setenv("SCHAKEL_KEYS_DIR", str(keys_dir))
    monkeypatch.setenv("SCHAKEL_PUBLIC_URL", "https://schakel.example")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def settings(database_url: str, keys_dir: Path, public_url: str) -> Settings:
    """The hub's settings for a test: its own database, keys and URL, and fast retries, so that a receiver that
    comes back is served within the test."""
    return Settings(
        database_url=database_url,
        keys_dir=keys_dir,
        public_url=public_url,
        delivery_backoff_base_seconds=0.05,
        delivery_timeout_seconds=2,
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    # `database` first: the schema exists before the app's lifespan checks it (as `schakel db upgrade` would).
    return create_app(settings, configure_logs=False)


@pytest.fixture
def http(app: FastAPI, listener: socket.socket, public_url: str) -> Iterator[httpx.Client]:
    """A plain HTTP client to a real hub serving `app` on 127.0.0.1."""
    with serving(app, listener), httpx.Client(base_url=public_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def sample_source() -> PolicySource:
    """The sample convenant "Zuid-Limburg" from policies/."""
    return load_directory(SAMPLE_CONVENANT)


@pytest.fixture(scope="session")
def sample(sample_source: PolicySource) -> CompiledPolicy:
    digest = content_hash(HASH_DOMAIN, source_to_data(sample_source))
    return CompiledPolicy(sample_source, content_hash=digest, label="zuid-limburg 2026.1")


@pytest.fixture
def actors(database: Database, principal_keys: dict[str, SigningKey]) -> dict[str, Actor]:
    return seed_registry(database, principal_keys)
