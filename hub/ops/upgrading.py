"""An upgrade that checks before it changes: what it will do, a dry run, a backup, then the migrations.

`schakel db upgrade` (and the embedded SQLite database, which a hub brings up to date itself when it starts) first
runs the migrations on a copy (SQLite: an online backup of the file; PostgreSQL: in a transaction that is rolled
back, since its DDL is transactional) and reads back what a hub must serve afterwards: every convenant version under
its format, the oldest and newest receipts, the oldest and newest deliveries still waiting, and casussen. Anything
that would not read is said in Dutch, and nothing is changed. Then a backup (SQLite: the online backup API, into
`backups/` beside the database; PostgreSQL: the configured `SCHAKEL_DB_BACKUP_COMMAND`, or the operator says they
ran the `pg_dump` it names), and only then the migrations themselves.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import structlog
from alembic import command
from alembic.script import ScriptDirectory
from pydantic import ValidationError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from hub.casus.models import Casus
from hub.casus.schemas import CasusOut
from hub.db import Database, migration_config
from hub.delivery.models import Levering, Status
from hub.delivery.schemas import Bericht as BerichtOut
from hub.delivery.service import open_delivery
from hub.errors import UpgradeRefused
from hub.kit.clock import utcnow
from hub.meldingen.models import Melding
from hub.meldingen.schemas import Ontvangstbewijs
from hub.policy.convenant.formaat import FormaatOnbekend, lees
from hub.policy.convenant.format import FormatError
from hub.policy.models import PolicyVersion
from hub.pseudonym.secrets import PrivacySecrets, SecretsMissing
from hub.pseudonym.vault import Vault

log = structlog.get_logger("hub.db")

SAMPLE = 200
"""Of receipts, waiting deliveries and casussen, this many of the oldest and of the newest are read back (ten years
of meldingen would take minutes to read in full; the two ends hold the oldest and the newest schema)."""


WAT = {
    "0001": "het register van partners, hun mensen en sleutels, het beheerlog",
    "0002": "convenantversies en noodverboden",
    "0003": "de identiteitskluis, pseudoniemen en verzoeken met vier ogen",
    "0004": "de verstrekkingenlog met ondertekende controlepunten",
    "0005": "de verstrekkingenlog doorzoekbaar voor reviewers, met de knopen van de boom",
    "0006": "meldingen, leveringen en het toestemmingsregister",
    "0007": "de generatie van wat beslist",
    "0008": "werkgebied per partner, toestemming met herkomst en reikwijdte, voorwaarden bij een levering",
    "0009": "medeondertekeningen van getuigen",
    "0010": "webaccounts, passkeys en sessies",
    "0011": "de verstrekkingenlog doorzoekbaar op berichttype",
    "0012": "casussen met fasen, deelnemers, personen en meldingen",
    "0013": "termijnen van een casus (Top X, huisverbodmonitoring)",
    "0014": "bekend-signalen voor de bekendheidscheck",
    "0015": "het informeren van de betrokkenen van een casus",
    "0016": "de casus aan wiens tafel een ontvanger moest zitten",
    "0017": "het formaat waarin elke convenantversie is goedgekeurd",
    "0018": "een ontbrekende kolom bij hubs die migratie 0015 draaiden zoals commit 6965df5 haar had",
    "0019": "wat er bekend is als de verstrekkingenlog werd teruggezet achter een medeondertekend controlepunt",
    "0020": "de dag waarop de betrokkene een toestemming ondertekende",
}
"""What each migration does, in Dutch, for the operator who runs `schakel db upgrade` (a test keeps it complete)."""


@dataclass(frozen=True, slots=True)
class Plan:
    current: str | None
    head: str
    steps: tuple[tuple[str, str], ...]
    """(revision, what it does, in Dutch) of every migration still to run, in order."""

    @property
    def needed(self) -> bool:
        return bool(self.steps)

    def lines(self) -> list[str]:
        return [f"  {revision}: {doel}" for revision, doel in self.steps]


def plan(database: Database) -> Plan:
    scripts = ScriptDirectory.from_config(migration_config())
    current, head = database.current_revision(), scripts.get_current_head() or ""
    steps = [(script.revision, WAT.get(script.revision, "")) for script in scripts.iterate_revisions(head, current)]
    return Plan(current, head, tuple(reversed(steps)))


def unservable(session: Session, vault: Vault | None) -> list[str]:
    """What a hub could not read back from this (upgraded) database, in Dutch; empty when it can serve all of it."""
    problems = []
    for version in session.exec(select(PolicyVersion).order_by(col(PolicyVersion.id))).all():
        try:
            lees(version.source, version.formaat)
        except FormaatOnbekend:
            problems.append(
                f"convenantversie {version.id} ({version.convenant} {version.label}) heeft formaat {version.formaat}, "
                "dat deze versie van Schakel niet kent"
            )
        except FormatError as exc:
            where, _, message = exc.problems[0]
            first = f"{where}: {message}"[:200]
            problems.append(
                f"convenantversie {version.id} ({version.convenant} {version.label}) is niet te lezen in formaat "
                f"{version.formaat}: {first}"
            )
    for melding in _ends(session, select(Melding), col(Melding.ontvangen_op)):
        if melding.receipt:
            try:
                Ontvangstbewijs.stored(melding.receipt)
            except ValidationError as exc:
                problems.append(f"het ontvangstbewijs van melding {melding.id} is niet te lezen: {_first(exc)}")
    waiting = select(Levering).where(col(Levering.status) == Status.WACHTEND)
    for levering in _ends(session, waiting, col(Levering.nr)):
        try:
            if vault is not None and levering.payload is not None:
                BerichtOut.model_validate(open_delivery(session, vault, levering).envelope())
        except ValidationError as exc:
            problems.append(f"wachtende levering {levering.id} is niet te lezen: {_first(exc)}")
    for casus in _ends(session, select(Casus), col(Casus.id)):
        try:
            CasusOut.model_validate(casus)
        except ValidationError as exc:
            problems.append(f"casus {casus.id} is niet te lezen: {_first(exc)}")
    return problems


T = TypeVar("T")


def _ends(session: Session, query: SelectOfScalar[T], order: Any) -> list[T]:
    """The oldest and the newest SAMPLE rows of `query` by `order`, each once."""
    rows: list[T] = []
    seen: set[int] = set()
    for direction in (order.asc(), order.desc()):
        for row in session.exec(query.order_by(direction).limit(SAMPLE)).all():
            if id(row) not in seen:  # one session: a row read twice is the same object
                seen.add(id(row))
                rows.append(row)
    return rows


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"


def dry_run(database: Database, vault: Vault | None) -> list[str]:
    """The migrations on a copy, and what a hub could not read back afterwards (Dutch); the database is unchanged."""
    if database.backend == "sqlite":
        with _sqlite_copy(database) as copy:
            copy.upgrade()
            with Session(copy.engine) as session:
                return unservable(session, vault)
    with database.engine.connect() as connection:
        transaction = connection.begin()
        try:
            command.upgrade(migration_config(connection), "head")
            with Session(bind=connection) as session:
                return unservable(session, vault)
        finally:
            transaction.rollback()


@contextmanager
def _sqlite_copy(database: Database) -> Iterator[Database]:
    directory = Path(tempfile.mkdtemp(prefix="schakel-proefmigratie-"))
    try:
        path = directory / "kopie.db"
        backup_sqlite(database, path)
        copy = Database(f"sqlite:///{path}")
        try:
            yield copy
        finally:
            copy.dispose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def sqlite_file(database: Database) -> Path:
    name = database.engine.url.database
    if database.backend != "sqlite" or not name:
        raise ValueError("not an SQLite database in a file")
    return Path(name)


def backup_sqlite(database: Database, target: Path) -> Path:
    """A consistent copy of the SQLite database through its online backup API (the WAL's pages included, while the
    hub may be writing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source, copy = sqlite3.connect(sqlite_file(database)), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target


def sqlite_backup_path(database: Database, revision: str | None, now: datetime) -> Path:
    """Where the backup before an upgrade goes: `backups/` beside the database, named by revision and time."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return sqlite_file(database).parent / "backups" / f"schakel-{revision or 'leeg'}-{stamp}.db"


def pg_dump_advice(database: Database) -> str:
    url = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=True)
    return f"pg_dump --format=custom --file=schakel-voor-upgrade.dump '{url}'"


def run_backup_command(command_line: str) -> None:
    """The operator's backup command (SCHAKEL_DB_BACKUP_COMMAND), run by the shell; raises when it fails."""
    done = subprocess.run(command_line, shell=True, capture_output=True, text=True, check=False)  # noqa: S602 - the operator's own command
    if done.returncode != 0:
        raise BackupFailed(f"SCHAKEL_DB_BACKUP_COMMAND stopte met code {done.returncode}: {done.stderr.strip()[-300:]}")


class BackupFailed(UpgradeRefused):
    """The backup before an upgrade failed: the upgrade does not run."""


class NotServable(UpgradeRefused):
    """After the upgrade a hub could not serve what the database holds: the upgrade does not run."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = "1 ding" if len(problems) == 1 else f"{len(problems)} dingen"
        super().__init__(
            f"De upgrade is niet uitgevoerd: daarna zou de hub {count} niet kunnen lezen, het eerste: {problems[0]}."
        )


def guarded(vault: Vault | None) -> Callable[[Database], Path]:
    """For a hub (or a command) that brings its embedded SQLite database up to date itself: the dry run, then a
    backup; raises NotServable, and nothing changes, when the result could not be served. Returns the backup."""

    def check(database: Database) -> Path:
        problems = dry_run(database, vault)
        if problems:
            raise NotServable(problems)
        path = backup_sqlite(database, sqlite_backup_path(database, database.current_revision(), utcnow()))
        log.warning("db.upgrade_backup", path=str(path))
        return path

    return check


def vault_or_none(keys_dir: Path) -> Vault | None:
    """The vault, to open waiting deliveries in the dry run; None where this machine has no vault keys."""
    privacy = PrivacySecrets(keys_dir)
    try:
        return Vault(privacy.pseudonyms(), privacy.kek())
    except SecretsMissing:
        return None
