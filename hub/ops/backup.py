"""Backup and restore: the database with the keys and secrets without which it is useless, encrypted for the operator.

A backup is one age file (age-encryption.org/v1, X25519) for the operator's recipient (`age1...`): only whoever
holds the matching identity opens it, with `schakel herstel` or with `age -d`. Inside is a tar archive with
`manifest.json` (what it holds, the log's size and newest checkpoint), `database/schakel.db` (SQLite, through its
online backup API: a consistent copy while the hub writes) or `database/postgresql.dump` (`pg_dump`, custom format),
and `keys/`: the hub's signing keys, the vault's key-encryption key and the pseudonym secrets (a database without
them cannot be opened: the vault's identities and every delivery in transit are sealed with them).

A restore puts both back, checks the log against the restored hub key (the newest checkpoint's signature and root),
and against what is known elsewhere: each configured witness (asked with the restored newest checkpoint; one that
cosigned a larger log answers with its size) and a checkpoint the operator kept. Put back behind a checkpoint a
witness cosigned, the log gets a `ledger_terugzetting` row: the hub then signs no checkpoint over it (not a smaller
one, and not a different one), and its health says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyrage
from sqlmodel import Session

from connectors.tlog import NOTE_ED25519, TlogError, VerifierKey, parse_checkpoint, parse_note, signed_by
from hub import __version__
from hub.db import Database
from hub.keys.keyring import HubKeyring, KeyringError
from hub.kit.clock import utcnow
from hub.ledger import repository as ledger_repository
from hub.ledger import service as ledger_service
from hub.ledger.witnesses import WitnessConfig, named_size, submission
from hub.ops.upgrading import NotServable, backup_sqlite, dry_run, sqlite_file, vault_or_none

FORMAT = "schakel-backup/1"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, said in Dutch for the operator; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Manifest:
    formaat: str
    gemaakt_op: str
    schakel: str
    schema: str | None
    database: str
    """`sqlite` or `postgresql`: what `database/` holds."""
    grootte: int
    """The log's size at the backup."""
    controlepunt: str | None
    """The newest signed checkpoint at the backup (its note), if any."""

    @classmethod
    def read(cls, data: dict[str, Any]) -> Manifest:
        if data.get("formaat") != FORMAT:
            raise BackupError(f"dit is geen backup van Schakel in formaat {FORMAT} (maar {data.get('formaat')!r})")
        checkpoint = data.get("controlepunt")
        return cls(
            formaat=FORMAT,
            gemaakt_op=str(data["gemaakt_op"]),
            schakel=str(data["schakel"]),
            schema=str(data["schema"]) if data.get("schema") is not None else None,
            database=str(data["database"]),
            grootte=int(data["grootte"]),
            controlepunt=str(checkpoint) if checkpoint is not None else None,
        )


def make_identity(path: Path) -> str:
    """A new X25519 identity for the operator, written to `path` (only the owner may read it); returns the recipient
    (`age1...`) the hub encrypts backups for. Keep the identity off the hub, where the backups are not."""
    if path.exists():
        raise BackupError(f"{path} bestaat al; kies een ander pad (een sleutel wordt nooit overschreven)")
    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(f"# public key: {recipient}\n{identity}\n")
    return recipient


def backup(database: Database, keys_dir: Path, recipient: str, out: Path) -> Manifest:
    """Everything a hub needs to be itself again, encrypted for `recipient`, written to `out` (a new file)."""
    try:
        for_whom = pyrage.x25519.Recipient.from_str(recipient.strip())
    except pyrage.RecipientError:
        raise BackupError("de ontvanger is geen age-sleutel van de vorm age1...") from None
    if out.exists():
        raise BackupError(f"{out} bestaat al; een backup overschrijft niets")
    if not (keys_dir / "hub").is_dir():
        raise BackupError(f"in {keys_dir} staan geen sleutels van de hub; een backup zonder is onbruikbaar")
    with tempfile.TemporaryDirectory(prefix="schakel-backup-") as work:
        staging = Path(work)
        manifest = _manifest(database)
        (staging / "database").mkdir()
        if database.backend == "sqlite":
            backup_sqlite(database, staging / "database" / "schakel.db")
        else:
            _pg("pg_dump", "--format=custom", f"--file={staging / 'database' / 'postgresql.dump'}", _url(database))
        shutil.copytree(keys_dir, staging / "keys", ignore=shutil.ignore_patterns("*.lock"))
        (staging / "manifest.json").write_text(json.dumps(asdict(manifest)), "utf-8")
        archive = staging / "backup.tar"
        with tarfile.open(archive, "w") as tar:
            for name in ("manifest.json", "database", "keys"):
                tar.add(staging / name, arcname=name)
        partial = out.with_name(out.name + ".part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with archive.open("rb") as source, os.fdopen(descriptor, "wb") as target:
            pyrage.encrypt_io(source, target, [for_whom])
            target.flush()
            os.fsync(target.fileno())
        partial.rename(out)
    return manifest


def _manifest(database: Database) -> Manifest:
    with Session(database.engine) as session:
        size = ledger_repository.size(session.connection())
        latest = ledger_repository.latest_checkpoint(session)
    return Manifest(
        formaat=FORMAT,
        gemaakt_op=utcnow().isoformat(),
        schakel=__version__,
        schema=database.current_revision(),
        database=database.backend,
        grootte=size,
        controlepunt=latest.note if latest is not None else None,
    )


@dataclass
class Hersteld:
    manifest: Manifest
    grootte: int
    controlepunt: int | None
    """The size of the newest checkpoint in the restored log (None: it has none)."""
    gecontroleerd: list[str] = field(default_factory=list)
    """What was checked and held, in Dutch."""
    niet_gecontroleerd: list[str] = field(default_factory=list)
    """What could not be checked (a witness that did not answer), in Dutch."""
    teruggezet: list[Achter] = field(default_factory=list)
    """Where the restored log lies behind a checkpoint known elsewhere: then no checkpoint is signed."""


@dataclass(frozen=True, slots=True)
class Achter:
    """The restored log lies behind (or beside) a checkpoint that `bron` knew, of `bekend` entries."""

    bron: str
    bekend: int
    zin: str
    """What was found, in Dutch."""


def restore(
    source: Path,
    identity: Path,
    database: Database,
    keys_dir: Path,
    *,
    overwrite: bool,
    witnesses: Sequence[WitnessConfig] = (),
    kept_checkpoint: str | None = None,
) -> Hersteld:
    """Put a backup back: the database and the keys; then check the log (see the module)."""
    with _opened(source, identity) as staging:
        manifest = Manifest.read(json.loads((staging / "manifest.json").read_text(encoding="utf-8")))
        if manifest.database != database.backend:
            raise BackupError(
                f"deze backup is van een {manifest.database}-database; de geconfigureerde is {database.backend}"
            )
        _keys_back(staging / "keys", keys_dir, overwrite=overwrite)
        _database_back(staging / "database", database, overwrite=overwrite)
    _up_to_date(database, keys_dir)
    return check_restored(database, keys_dir, manifest, witnesses, kept_checkpoint)


def _up_to_date(database: Database, keys_dir: Path) -> None:
    """A backup of an older version is brought up to date, with the same dry run as `schakel db upgrade` (the
    backup it would take is the file just restored)."""
    if database.current_revision() == database.head():
        return
    problems = dry_run(database, vault_or_none(keys_dir))
    if problems:
        raise BackupError(f"teruggezet, maar niet bijgewerkt: {NotServable(problems)}")
    database.upgrade()


@contextmanager
def _opened(source: Path, identity: Path) -> Iterator[Path]:
    try:
        who = [pyrage.x25519.Identity.from_str(line.strip()) for line in _identity_lines(identity)]
    except (OSError, pyrage.IdentityError):
        raise BackupError(f"{identity} is geen age-identiteit (AGE-SECRET-KEY-1...)") from None
    with tempfile.TemporaryDirectory(prefix="schakel-herstel-") as work:
        staging = Path(work)
        archive = staging / "backup.tar"
        try:
            with source.open("rb") as encrypted, archive.open("wb") as plain:
                pyrage.decrypt_io(encrypted, plain, who)
        except FileNotFoundError:
            raise BackupError(f"{source} bestaat niet") from None
        except pyrage.DecryptError:
            raise BackupError(f"{source} is niet met deze sleutel te openen (of geen backup)") from None
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
        yield staging


def _identity_lines(path: Path) -> list[str]:
    lines = [line for line in path.read_text(encoding="ascii").splitlines() if line.startswith("AGE-SECRET-KEY-")]
    if not lines:
        raise pyrage.IdentityError("no identity")
    return lines


def _keys_back(restored: Path, keys_dir: Path, *, overwrite: bool) -> None:
    if keys_dir.exists() and any(keys_dir.iterdir()):
        if not overwrite:
            raise BackupError(f"in {keys_dir} staan al sleutels; herstel zet ze alleen terug met --overschrijven")
        shutil.rmtree(keys_dir)
    shutil.copytree(restored, keys_dir)


def _database_back(restored: Path, database: Database, *, overwrite: bool) -> None:
    if database.backend == "sqlite":
        target = sqlite_file(database)
        if target.exists() and not overwrite:
            raise BackupError(f"{target} bestaat al; herstel zet de database alleen terug met --overschrijven")
        database.dispose()
        for stale in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            stale.unlink(missing_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(restored / "schakel.db", target)
        return
    if database.current_revision() is not None:
        if not overwrite:
            raise BackupError("de PostgreSQL-database is niet leeg; herstel zet haar alleen terug met --overschrijven")
        with database.engine.begin() as connection:  # also what a newer schema added: the backup is all there is
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    database.dispose()
    _pg("pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error", "-d", _url(database),
        str(restored / "postgresql.dump"))  # fmt: skip


def check_restored(
    database: Database,
    keys_dir: Path,
    manifest: Manifest,
    witnesses: Sequence[WitnessConfig],
    kept_checkpoint: str | None,
) -> Hersteld:
    """The restored log against its own hub key, the witnesses and a checkpoint the operator kept."""
    with database.unit_of_work() as session:
        connection = session.connection()
        size = ledger_repository.size(connection)
        latest = ledger_repository.latest_checkpoint(session)
        origin = latest.note.split("\n", 1)[0] if latest is not None else None
        found = Hersteld(manifest, size, latest.size if latest is not None else None)
        vkey = _hub_vkey(keys_dir, origin) if origin is not None else None
        if latest is not None and vkey is not None:
            holds = ledger_service.tree_root(connection, latest.size) == latest.root
            if signed_by(parse_note(latest.note), vkey) and holds:
                found.gecontroleerd.append(
                    f"het nieuwste controlepunt ({latest.size} vastleggingen) is ondertekend met de herstelde sleutel "
                    "en klopt met de herstelde log"
                )
            else:
                found.teruggezet.append(
                    Achter("controlepunt", latest.size, "het nieuwste controlepunt klopt niet met de herstelde log")
                )
        if kept_checkpoint is not None:
            _against_kept(connection, vkey, size, kept_checkpoint, found)
        for witness in witnesses:
            if latest is not None:
                _against_witness(witness, latest.size, latest.note, size, found)
        for achter in found.teruggezet:
            ledger_service.note_rolled_back(session, size, achter.bekend, achter.bron, utcnow())
    return found


def _hub_vkey(keys_dir: Path, origin: str) -> VerifierKey | None:
    try:
        key = HubKeyring(keys_dir).ed25519_key()
    except (KeyringError, OSError, ValueError):  # said where it matters: the checks then cannot hold
        return None
    return VerifierKey(origin, NOTE_ED25519, key.public_key())


def _against_kept(connection: Any, vkey: VerifierKey | None, size: int, text: str, found: Hersteld) -> None:
    try:
        note = parse_note(text if text.endswith("\n") else text + "\n")
        kept = parse_checkpoint(note.text)
    except TlogError:
        found.niet_gecontroleerd.append("het bewaarde controlepunt is geen ondertekend controlepunt")
        return
    if vkey is None or not signed_by(note, vkey):
        found.niet_gecontroleerd.append("het bewaarde controlepunt is niet ondertekend met de herstelde hubsleutel")
        return
    if kept.size > size:
        zin = f"het bewaarde controlepunt heeft {kept.size} vastleggingen, de herstelde log {size}"
        found.teruggezet.append(Achter("controlepunt", kept.size, zin))
    elif ledger_service.tree_root(connection, kept.size) != kept.root:
        zin = f"de herstelde log heeft bij {kept.size} vastleggingen een andere inhoud dan het bewaarde controlepunt"
        found.teruggezet.append(Achter("controlepunt", kept.size, zin))
    else:
        found.gecontroleerd.append(f"de herstelde log bevat het bewaarde controlepunt ({kept.size} vastleggingen)")


def _against_witness(witness: WitnessConfig, checkpoint_size: int, note: str, size: int, found: Hersteld) -> None:
    """Ask the witness with the restored newest checkpoint: it cosigns when that is the latest it knows, and names
    its own latest size (409) when it cosigned another."""
    body = submission(checkpoint_size, [], note)
    try:
        answer = httpx.post(f"{witness.url}/add-checkpoint", content=body, timeout=10)
    except httpx.HTTPError as exc:
        found.niet_gecontroleerd.append(f"getuige {witness.name} antwoordde niet ({type(exc).__name__})")
        return
    if answer.status_code == 200:
        found.gecontroleerd.append(f"getuige {witness.name} kent dit controlepunt ({checkpoint_size}) als nieuwste")
        return
    text = answer.text.strip()
    known = named_size(answer)
    if known is not None:
        if known > size:
            zin = f"getuige {witness.name} medeondertekende {known} vastleggingen, de herstelde log heeft er {size}"
            found.teruggezet.append(Achter(witness.name, known, zin))
        elif known > checkpoint_size:
            zin = (
                f"getuige {witness.name} medeondertekende {known} vastleggingen, meer dan het nieuwste herstelde "
                f"controlepunt ({checkpoint_size}); geef het controlepunt van {known} mee als de log het bevat"
            )
            found.teruggezet.append(Achter(witness.name, known, zin))
        else:
            found.gecontroleerd.append(f"getuige {witness.name} loopt achter ({known}) en haalt de log later in")
        return
    if answer.status_code == 409:
        zin = f"getuige {witness.name} medeondertekende een ander controlepunt van {checkpoint_size} vastleggingen"
        found.teruggezet.append(Achter(witness.name, checkpoint_size, zin))
        return
    found.niet_gecontroleerd.append(f"getuige {witness.name} weigerde ({answer.status_code}: {text[:100]})")


def _url(database: Database) -> str:
    return database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg(tool: str, *args: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is niet geïnstalleerd (Debian: postgresql-client)")
    done = subprocess.run([tool, *args], capture_output=True, text=True, check=False)  # noqa: S603 - fixed tool
    if done.returncode != 0:
        raise BackupError(f"{tool} stopte met code {done.returncode}: {done.stderr.strip()[-300:]}")
