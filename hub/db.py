"""Database engines, the unit of work, and migrations.

SQLite is the embedded default (one file, WAL, `synchronous=FULL`); PostgreSQL (psycopg 3) is the scale path.
The request is the unit of work: `get_session` commits when the handler returns and rolls back when it
raises, before the response is sent, so a 2xx answer means the change is durable. Services and repositories
never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import Depends
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from starlette.requests import Request

from hub.errors import ConfigurationError, SchakelError

MIGRATIONS = "hub:migrations"


def normalise_database_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_db_engine(url: str) -> Engine:
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Enough pooled connections for every concurrent request: an overflow connection would be closed after
        # use and a new one opened (with its pragmas) for the next request.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=32, max_overflow=32
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over so BEGIN IMMEDIATE is possible.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        event.listen(engine, "connect", _postgres_settings)
        return engine
    raise ValueError(f"unsupported database backend {parsed.get_backend_name()!r}: use sqlite or postgresql")


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit at the driver; SQLAlchemy issues BEGIN itself
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-16384")  # 16 MiB of pages: the upper tree nodes stay in memory
    finally:
        cursor.close()


def _postgres_settings(dbapi_connection: Any, _: Any) -> None:
    # A commit returns only once the WAL is flushed: the hub acknowledges nothing that a crash could lose.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")
    dbapi_connection.commit()


def _sqlite_begin(connection: Any) -> None:
    # `sqlite_begin="IMMEDIATE"` takes the write lock at once: a writer that reads first then cannot fail with
    # SQLITE_BUSY when another writer commits in between (it waits its turn instead).
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}" if mode in ("IMMEDIATE", "EXCLUSIVE") else "BEGIN")


class Database:
    """An engine and its session factory; created in the app's lifespan or by a CLI command, never at import."""

    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)
        self.engine = create_db_engine(self.url)
        self._sessions = sessionmaker(bind=self.engine, class_=Session, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self, *, immediate: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back when it raises.

        `immediate` (the default) takes SQLite's write lock when the transaction begins, so that a transaction
        that reads and then writes never fails halfway because another writer committed in between (SQLite
        cannot upgrade a stale read). Pass `immediate=False` for a transaction that only reads, or that hands
        its writes to the ledger's sequencer (holding the lock would then block it). No effect on PostgreSQL.
        """
        session = self._sessions()
        if immediate:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        try:
            yield session
            session.commit()
        except SchakelError as error:
            if error.recorded:  # a refusal on the record: the record stays (see `hub.errors.on_record`)
                session.commit()
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def rehearsal(self) -> Iterator[Session]:
        """One transaction that is always rolled back: what a piece of work would do, without doing it (a dry run).
        It takes SQLite's write lock like `unit_of_work`, so it sees what a real run would."""
        session = self._sessions()
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def write_probe(self) -> None:
        """Commit a write, as the hub's own writes do: raises when the database cannot be written (a full disk, a
        read-only file system, a lost primary). It rewrites the generation's row with its own value: no change."""
        with self.engine.connect() as connection:
            connection.execution_options(sqlite_begin="IMMEDIATE")
            with connection.begin():
                connection.execute(text("UPDATE generatie SET waarde = waarde WHERE id = 1"))

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        with self.engine.begin() as connection:
            command.upgrade(migration_config(connection), "head")

    def prepare(self, guard: Callable[[Database], object] | None = None) -> None:
        """Make sure the schema is current before serving.

        The embedded SQLite database brings itself up to date, after `guard` (a dry run and a backup: see
        hub/ops/upgrading.py) where it holds data; a shared PostgreSQL is migrated explicitly, once, by
        `schakel db upgrade`, never by each of several API processes starting at the same time.
        """
        if self.backend == "sqlite":
            current = self.current_revision()
            if guard is not None and current is not None and current != self.head():
                guard(self)
            self.upgrade()
            return
        head = self.head()
        current = self.current_revision()
        if current != head:
            raise ConfigurationError(
                f"the database schema is at {current or 'nothing'}, the code needs {head}; run `schakel db upgrade`"
            )

    @staticmethod
    def head() -> str | None:
        """The newest migration this code has."""
        return ScriptDirectory.from_config(migration_config()).get_current_head()

    def revision(self, message: str, revision_id: str) -> None:
        """Write a new migration, generated from the difference between the models and this database."""
        with self.engine.begin() as connection:
            command.revision(migration_config(connection), message=message, autogenerate=True, rev_id=revision_id)

    def check(self) -> None:
        """Raise if the models and the migrations have drifted apart (`alembic check`)."""
        with self.engine.begin() as connection:
            command.check(migration_config(connection))

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def dispose(self) -> None:
        self.engine.dispose()


def migration_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


F = TypeVar("F", bound=Callable[..., Any])


def writes(endpoint: F) -> F:
    """Mark a GET endpoint or page that writes too (a read of the verstrekkingenlog is itself recorded): its unit of
    work takes the write lock from the start, as a POST's does."""
    endpoint.__dict__["schakel_writes"] = True
    return endpoint


def write_probe_in(session: Session) -> None:
    """`Database.write_probe` inside a request's own unit of work, under a savepoint (a failure leaves the rest of
    the request's work): a page whose sign-in check touched the web session holds SQLite's write lock already, and a
    probe of its own would wait for it until the busy timeout."""
    with session.begin_nested():
        session.execute(text("UPDATE generatie SET waarde = waarde WHERE id = 1"))


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency (use with `scope="function"`): the request's one unit of work, shared by everything the
    request resolves (the caller's check, which may touch a web session, and the handler). A writer from its first
    statement unless the request is a GET that is not marked with `writes`: a second session in the same request
    would wait for the first one's write lock on SQLite until the busy timeout."""
    # The foundation reads the hub's state untyped: `hub.state` names every domain's types, which `hub.db` may not.
    database: Database = request.app.state.hub.database
    marked = getattr(request.scope.get("endpoint"), "schakel_writes", False)
    with database.unit_of_work(immediate=request.method not in ("GET", "HEAD") or marked) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""The request's session, committed before the response is sent (so a 2xx means durable)."""
