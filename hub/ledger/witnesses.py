"""Witnesses of the verstrekkingenlog: the hub signs a checkpoint whenever the log grew, submits it to each
configured witness (C2SP tlog-witness) with a consistency proof from the last checkpoint that witness cosigned,
and keeps the cosignatures it gets back, beside its own immutable note.

A witness that is down is tried again at the next round, from the last size it cosigned: it catches up with one
consistency proof. A witness that has another latest size than the hub thinks (`409`, `text/x.tlog.size`) is
answered once more from the size it names. A refusal (a split view, a proof that does not verify) is logged as an
alert; the hub keeps working either way, and nothing about meldingen waits on witnesses.

The witnesses file (`SCHAKEL_WITNESSES_FILE`) has one witness per line: its submission URL prefix and its verifier
key, e.g. `https://getuige.ap.example/schakel getuige.ap.example/schakel+1a2b3c4d+BA...`.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from connectors.tlog import COSIGNATURE_ED25519, TlogError, VerifierKey, cosigned_by, parse_note, parse_vkey
from hub import refusals
from hub.config import Settings
from hub.db import Database
from hub.errors import ConfigurationError
from hub.kit.clock import utcnow
from hub.ledger import repository, service
from hub.ledger.models import LedgerCheckpoint, LedgerCosignature

log = structlog.get_logger("hub.ledger")


@dataclass(frozen=True, slots=True)
class WitnessConfig:
    url: str
    """The submission prefix: the hub posts to `<url>/add-checkpoint`."""
    key: VerifierKey

    @property
    def name(self) -> str:
        return self.key.name


def load_witnesses(path: Path | None) -> list[WitnessConfig]:
    """The witnesses file, or none. A line that cannot be used is a ConfigurationError naming the line."""
    if path is None:
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigurationError(f"SCHAKEL_WITNESSES_FILE {path}: {exc.strerror}") from None
    witnesses = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        url, _, vkey = line.strip().partition(" ")
        try:
            key = parse_vkey(vkey)
        except TlogError as exc:
            raise ConfigurationError(f"SCHAKEL_WITNESSES_FILE line {number}: {exc}") from None
        if key.kind != COSIGNATURE_ED25519 or not url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"SCHAKEL_WITNESSES_FILE line {number}: expected `<https URL> <witness verifier key (type 0x04)>`"
            )
        witnesses.append(WitnessConfig(url.rstrip("/"), key))
    return witnesses


class Witnessing:
    """One round: sign a checkpoint if the log grew, then have every witness cosign the newest one."""

    def __init__(
        self,
        database: Database,
        key: Ed25519PrivateKey,
        origin: tuple[str | None, str],
        witnesses: Sequence[WitnessConfig],
        client: httpx.Client | None = None,
    ) -> None:
        """`origin`: (SCHAKEL_LOG_ORIGIN, the public URL), from which the log's name follows."""
        self._database = database
        self._key = key
        self._origin = origin
        self.witnesses = list(witnesses)
        self._client = client or httpx.Client(timeout=10.0, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def run_once(self) -> dict[str, bool]:
        """Sign if the log grew; submit the newest checkpoint to each witness. Returns witness -> cosigned it."""
        try:
            with self._database.unit_of_work() as session:
                origin = service.log_origin(session, *self._origin)
                checkpoint = service.sign_checkpoint(session, origin, self._key, utcnow())
                checkpoint_id = checkpoint.id
        except refusals.LogRolledBack:
            log.error("ledger.rolled_back")  # noqa: TRY400 - expected; health says so, the operator restores
            return {}
        return {w.name: self._submit(w, checkpoint_id or 0) for w in self.witnesses}

    def _submit(self, witness: WitnessConfig, checkpoint_id: int) -> bool:
        with self._database.unit_of_work(immediate=False) as session:
            checkpoint = session.get(LedgerCheckpoint, checkpoint_id)
            assert checkpoint is not None  # noqa: S101 - signed in this round
            if any(
                row.getuige == witness.name
                for row in repository.cosignatures(session, [checkpoint_id]).get(checkpoint_id, [])
            ):
                return True
            old = repository.cosigned_size(session, witness.name) or 0
            note, size = checkpoint.note, checkpoint.size
        for _ in range(2):  # once more from the size the witness names, if it has another latest
            if old > size:
                break
            body = self._body(old, size, note)
            try:
                response = self._client.post(f"{witness.url}/add-checkpoint", content=body)
            except httpx.HTTPError as exc:
                log.warning("witness.unreachable", witness=witness.name, error_type=type(exc).__name__)
                return False
            if response.status_code == 409 and response.headers.get("content-type", "").startswith("text/x.tlog.size"):
                named = named_size(response)
                if named is None:
                    break
                old = named
                continue
            if response.status_code != 200:
                log.error("witness.refused", witness=witness.name, status=response.status_code, size=size)
                return False
            return self._keep(witness, checkpoint_id, note, response.text)
        log.error("witness.out_of_step", witness=witness.name, size=size, witness_size=old)
        if old > size:  # the witness cosigned a larger log than this one: it was put back (a restore)
            with self._database.unit_of_work() as session:
                service.note_rolled_back(session, size, old, witness.name, utcnow())
        return False

    def _body(self, old: int, size: int, note: str) -> bytes:
        with self._database.unit_of_work(immediate=False) as session:
            proof = service.consistency_proof(session.connection(), old, size) if 0 < old < size else []
        return submission(old, proof, note)

    def _keep(self, witness: WitnessConfig, checkpoint_id: int, note: str, answer: str) -> bool:
        """Keep the witness's valid cosignature lines (ignoring any others), as the protocol says a client must."""
        kept = False
        for line in answer.splitlines():
            try:
                timestamp = cosigned_by(parse_note(note + line + "\n"), witness.key)
            except TlogError:
                continue
            if timestamp is None:
                continue
            with self._database.unit_of_work() as session:
                _store(session, checkpoint_id, witness.name, line + "\n", timestamp, utcnow())
            kept = True
            break
        if not kept:
            log.error("witness.bad_cosignature", witness=witness.name)
        return kept


def submission(old: int, proof: Sequence[bytes], note: str) -> bytes:
    """The body of `POST <witness>/add-checkpoint` (C2SP tlog-witness): the size the witness last cosigned, the
    consistency proof from it, a blank line and the signed note."""
    lines = [f"old {old}", *(base64.b64encode(h).decode("ascii") for h in proof)]
    return ("\n".join(lines) + "\n\n" + note).encode("utf-8")


def named_size(response: httpx.Response) -> int | None:
    """The latest size a witness names in its `409` answer (`text/x.tlog.size`): it cosigned another than `old`."""
    if response.status_code != 409 or not response.headers.get("content-type", "").startswith("text/x.tlog.size"):
        return None
    text = response.text.strip()
    return int(text) if text.isdigit() else None


def _store(  # noqa: PLR0917 - one cosignature's parts
    session: Session, checkpoint_id: int, name: str, line: str, timestamp: int, now: datetime
) -> None:
    existing = repository.cosignatures(session, [checkpoint_id]).get(checkpoint_id, [])
    if any(row.getuige == name for row in existing):
        return
    repository.add_cosignature(
        session,
        LedgerCosignature(checkpoint_id=checkpoint_id, getuige=name, regel=line, tijdstip=timestamp, ontvangen_op=now),
    )


class CheckpointKeeper:
    """Runs `Witnessing` every `interval` seconds in a thread of `schakel serve` (and `schakel worker`)."""

    def __init__(self, witnessing: Witnessing, interval: float) -> None:
        self._witnessing = witnessing
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="checkpoint-keeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._witnessing.close()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._witnessing.run_once()
            except Exception as exc:  # noqa: BLE001 - the keeper must outlive a bad round; the next one retries
                log.error("ledger.witnessing_failed", error_type=type(exc).__name__)  # noqa: TRY400 - no text


def keeper_for(database: Database, key: Ed25519PrivateKey, settings: Settings) -> CheckpointKeeper:
    """The keeper of this hub: its signing key (the keyring's Ed25519 key), its log's name, its witnesses and
    interval."""
    witnessing = Witnessing(
        database, key, (settings.log_origin, settings.public_url), load_witnesses(settings.witnesses_file)
    )
    return CheckpointKeeper(witnessing, settings.checkpoint_interval_seconds)
