"""A transparency-log witness (C2SP tlog-witness, cosignatures per C2SP tlog-cosignature), as an ASGI app.

Another organisation runs it (another ZVH, the Autoriteit Persoonsgegevens, a partner's FG) so that not even the
hub's operator can show two different histories of the verstrekkingenlog: for each log it knows (by origin and the
log's public key) it keeps the latest checkpoint it cosigned, and it cosigns a new one only when a consistency proof
shows that the new one extends it. A second checkpoint of the same size with another root (a split view), an older
one (a rollback) or one whose proof does not verify is refused, and never cosigned.

    POST <prefix>/add-checkpoint   old <size>\\n, proof lines, \\n, the signed checkpoint  ->  cosignature line(s)

State is one JSON file, written atomically (a temporary file, fsync, rename) before the answer, under a lock, so
that checking the old size and recording the new checkpoint are one step.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors._asgi import read_body, respond
from connectors.tlog import (
    COSIGNATURE_ED25519,
    TlogError,
    VerifierKey,
    cosign,
    parse_checkpoint,
    parse_note,
    signed_by,
    verify_consistency,
)

_MAX_BODY = 64 * 1024
_MAX_PROOF = 63


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


class Witness:
    """The witness's logic, without HTTP: `add_checkpoint` takes the request body and gives the answer."""

    def __init__(self, name: str, key: Ed25519PrivateKey, logs: Sequence[VerifierKey], state: Path) -> None:
        """`name` and `key` are the witness's own; `logs` the note keys of the logs it witnesses (the key name is
        the log's origin); `state` the file it keeps the latest cosigned checkpoint per origin in."""
        self.name = name
        self._key = key
        self._logs: dict[str, list[VerifierKey]] = {}
        for vkey in logs:
            self._logs.setdefault(vkey.name, []).append(vkey)
        self._state = state
        self._lock = threading.Lock()

    @property
    def verifier_key(self) -> VerifierKey:
        return VerifierKey(self.name, COSIGNATURE_ED25519, self._key.public_key())

    def latest(self, origin: str) -> tuple[int, bytes] | None:
        record = self._read().get(origin)
        return None if record is None else (int(record["size"]), base64.b64decode(record["root"]))

    def add_checkpoint(self, body: bytes) -> Answer:  # noqa: PLR0911 - one answer per rule of the protocol
        try:
            old, proof, note_text = _parse_request(body)
            note = parse_note(note_text)
            checkpoint = parse_checkpoint(note.text)
        except (TlogError, UnicodeDecodeError) as exc:
            return Answer(400, f"{exc if isinstance(exc, TlogError) else 'not UTF-8'}\n")
        keys = self._logs.get(checkpoint.origin)
        if keys is None:
            return Answer(404, "this witness does not witness that log\n")
        if not any(signed_by(note, key) for key in keys):
            return Answer(403, "no signature by a key this witness trusts for that log\n")
        if old > checkpoint.size:
            return Answer(400, "the old size is larger than the checkpoint's size\n")
        with self._lock:
            state = self._read()
            record = state.get(checkpoint.origin)
            size, root = (int(record["size"]), base64.b64decode(record["root"])) if record else (0, b"")
            if old != size:
                return Answer(409, f"{size}\n", "text/x.tlog.size")
            if record is not None and old == checkpoint.size and root != checkpoint.root:
                return Answer(409, "a checkpoint of this size with another root was cosigned: a split view\n")
            if record is not None and old < checkpoint.size:
                try:
                    verify_consistency(old, checkpoint.size, proof, root, checkpoint.root)
                except TlogError as exc:
                    return Answer(422, f"the consistency proof does not verify: {exc}\n")
            elif old == 0 and proof:
                return Answer(400, "a proof from size 0 must be empty\n")
            state[checkpoint.origin] = {
                "size": checkpoint.size,
                "root": base64.b64encode(checkpoint.root).decode("ascii"),
            }
            self._write(state)
        return Answer(200, cosign(note.text, self.name, self._key, int(time.time())))

    def _read(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self._state.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def _write(self, state: dict[str, Any]) -> None:
        self._state.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self._state.parent, prefix=".state-")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(state, file, sort_keys=True)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(self._state)


def _parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    text = body.decode("utf-8")
    head, separator, note = text.partition("\n\n")
    if not separator:
        raise TlogError("the body must hold the old size, the proof, an empty line and the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old ") or not first[4:].isdigit() or (first[4:] != "0" and first[4:].startswith("0")):
        raise TlogError("the first line must be `old <size>`")
    if len(lines) - 1 > _MAX_PROOF:
        raise TlogError("at most 63 proof lines")
    proof = []
    for line in lines[1:]:
        try:
            value = base64.b64decode(line, validate=True)
        except ValueError:
            raise TlogError("a proof line is not a base64 hash") from None
        if len(value) != 32:
            raise TlogError("a proof line is not a SHA-256 hash")
        proof.append(value)
    return int(first[4:]), proof, note


class WitnessApp:
    """The witness over HTTP: `POST <prefix>/add-checkpoint`; anything else is 404 or 405."""

    def __init__(self, witness: Witness, prefix: str = "") -> None:
        self.witness = witness
        self._path = prefix.rstrip("/") + "/add-checkpoint"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] != self._path:
            await _answer(send, Answer(404, "not found\n"))
            return
        if scope["method"] != "POST":
            await _answer(send, Answer(405, "use POST\n"))
            return
        body = await read_body(receive, _MAX_BODY)
        if body is None:
            await _answer(send, Answer(413, "the request is too large\n"))
            return
        await _answer(send, await asyncio.to_thread(self.witness.add_checkpoint, body))


async def _answer(send: Any, answer: Answer) -> None:
    await respond(send, answer.status, answer.body.encode("utf-8"), answer.content_type)
