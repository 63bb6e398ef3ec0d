"""The offline verifier of a verstrekkingenlog bundle. Needs only the standard library and `cryptography`.

A bundle is a directory with `entries.jsonl` (line i is the exact bytes of entry i: canonical JSON has no
newline in it), `checkpoints.jsonl` ({"size", "note"}, oldest first) and `hub-keys.jwks`. Verification trusts
only what the reviewer brings (`Trust`): the hub's public key(s), obtained out of band, and the log's origin. The
bundle's own copy of the keys proves nothing (whoever forged the bundle could replace it too): it is only compared
with the pinned keys. Then: every checkpoint is signed by a pinned key under the pinned origin, its `size` line
equals its signed size, they come oldest first, and its root is the Merkle root of the first `size` entries; the
newest checkpoint covers every entry; and, given the checkpoint a reviewer kept from last time, the log has only
grown since (a consistency proof from that size to the newest, verified against both roots). With `strict`, every
entry must also be canonical JSON (a check of the hub's writing, not of integrity: the hashes already fix every
byte). Nothing in a bundle can make it raise: every fault is a problem in the verdict.

Large bundles are hashed by several processes, each over its own stretches of the file. A caller may pass a
`Meter`, told (stage, done, total) as the work proceeds (the command line draws it as progress bars); the stages are
`STAGES`.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import multiprocessing
import os
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from connectors.tlog import (
    COSIGNATURE_ED25519,
    Checkpoint,
    TlogError,
    VerifierKey,
    cosigned_by,
    node_hash,
    open_note,
    parse_checkpoint,
    parse_note,
    parse_verifier_key,
    parse_vkey,
    verify_consistency,
)
from hub.kit.canonical import canonical_json
from hub.kit.progress import Meter, silent
from hub.ledger.tree import NodeKey, consistency_ranges, hashes, range_hash

_PARALLEL_FROM_BYTES = 16 * 1024 * 1024
_STRETCHES_PER_WORKER = 8  # more stretches than workers, so that progress is reported as they finish
STAGES = {
    "hashes": "Vastleggingen hashen",
    "tree": "Merkle-boom opbouwen",
    "canonical": "Canonieke JSON controleren",
    "checkpoints": "Controlepunten controleren",
}
"""The stages a `Meter` is told of, with the Dutch the command line shows: bytes hashed, tree nodes computed,
bytes checked for canonical JSON (only when strict), checkpoints checked."""


@dataclass
class Verdict:
    size: int = 0
    root: bytes = b""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the reviewer should know but does not fail verification (e.g. keys in the bundle they did not pin)."""

    @property
    def ok(self) -> bool:
        return not self.problems


class TrustError(ValueError):
    """The keys or origin a reviewer gave cannot be used; the message says what to bring instead."""


@dataclass(frozen=True)
class Trust:
    """What a reviewer pins, obtained outside the bundle: the log's origin and the hub's public keys."""

    origin: str
    keys: tuple[Ed25519PublicKey, ...]


def public_keys(jwks: Any) -> list[Ed25519PublicKey]:
    """The Ed25519 keys of a JWKS; TrustError when it is not one."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise TrustError("geen JWKS: verwacht een object met een lijst `keys`")
    keys = []
    for jwk in jwks["keys"]:
        if isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            x = jwk.get("x")
            try:
                raw = base64.urlsafe_b64decode(str(x) + "=" * (-len(str(x)) % 4))
                keys.append(Ed25519PublicKey.from_public_bytes(raw))
            except ValueError:
                raise TrustError("een sleutel in de JWKS is geen geldige Ed25519-sleutel") from None
    return keys


def load_trust(text: str, origin: str | None) -> Trust:
    """Pinned keys from a JWKS (then `origin` is required) or from C2SP verifier keys, one per line (their name is
    the origin; `origin`, if given, must agree)."""
    if text.lstrip().startswith("{"):
        try:
            keys = public_keys(json.loads(text))
        except ValueError as exc:
            raise TrustError(f"de JWKS is geen geldige JSON of bevat geen geldige sleutel: {exc}") from None
        if origin is None:
            raise TrustError(
                "een JWKS noemt geen oorsprong: geef ook --origin (bijv. schakel.example/verstrekkingenlog)"
            )
        pinned_origin = origin
    else:
        named = []
        for line in (line for line in text.splitlines() if line.strip()):
            try:
                named.append(parse_verifier_key(line))
            except TlogError as exc:
                raise TrustError(str(exc)) from None
        names = {name for name, _ in named}
        if len(names) > 1:
            raise TrustError(
                f"de verifier keys noemen meerdere oorsprongen ({', '.join(sorted(names))}): leg één log vast"
            )
        if origin is not None and names and origin not in names:
            raise TrustError(f"--origin {origin} verschilt van de naam in de verifier key ({names.pop()})")
        keys = [key for _, key in named]
        pinned_origin = origin or (names.pop() if names else "")
    if not keys:
        raise TrustError("geen Ed25519-sleutel om te vertrouwen: geef de gepubliceerde JWKS of verifier key van de hub")
    return Trust(pinned_origin, tuple(keys))


class Levels(Mapping[NodeKey, bytes]):
    """Every perfect subtree's hash, level by level, computed once from the leaf hashes."""

    def __init__(self, leaves: list[bytes], meter: Meter = silent) -> None:
        self.levels = [leaves]
        total, width, done = 0, len(leaves), 0
        while width > 1:
            width //= 2
            total += width
        meter("tree", done, total)
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
            done += len(self.levels[-1])
            meter("tree", done, total)

    def __getitem__(self, key: NodeKey) -> bytes:
        level, index = key
        return self.levels[level][index]

    def __iter__(self) -> Iterator[NodeKey]:
        return ((level, i) for level, row in enumerate(self.levels) for i in range(len(row)))

    def __len__(self) -> int:
        return sum(len(row) for row in self.levels)


def _hash_lines(data: bytes) -> list[bytes]:
    sha256 = hashlib.sha256
    return [sha256(b"\x00" + line).digest() for line in data.split(b"\n")]


def _hash_stretch(path: str, start: int, end: int) -> bytes:
    with Path(path).open("rb") as file:
        file.seek(start)
        return b"".join(_hash_lines(file.read(end - start - 1)))  # the stretch ends in a newline


def leaf_hashes(path: Path, *, parallel_from: int = _PARALLEL_FROM_BYTES, meter: Meter = silent) -> list[bytes]:
    """SHA-256(0x00 || line) of every line of `entries.jsonl`, in order (in several processes past `parallel_from`
    bytes); `meter` is told the bytes hashed."""
    size = path.stat().st_size
    meter("hashes", 0, size)
    if size == 0:
        return []
    workers = min(os.cpu_count() or 1, 8)
    if size < parallel_from or workers == 1:
        data = path.read_bytes()
        hashed = _hash_lines(data[:-1] if data.endswith(b"\n") else data)
        meter("hashes", size, size)
        return hashed
    parts = workers * _STRETCHES_PER_WORKER
    bounds = [0]
    with path.open("rb") as file:
        for k in range(1, parts):
            file.seek(max(size * k // parts, bounds[-1]))
            file.readline()
            bounds.append(min(file.tell(), size))
    bounds.append(size)
    stretches = [(str(path), a, b) for a, b in itertools.pairwise(bounds) if b > a]
    # fork is fast; a process with other threads spawns instead (forking it could copy a held lock).
    context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    chunks = []
    with ProcessPoolExecutor(max_workers=min(workers, len(stretches)), mp_context=context) as pool:
        finished = pool.map(_hash_stretch, *zip(*stretches, strict=True))  # in order, as each finishes
        for (_, _, end), chunk in zip(stretches, finished, strict=True):
            chunks.append(chunk)
            meter("hashes", end, size)
    joined = b"".join(chunks)
    return [joined[i : i + 32] for i in range(0, len(joined), 32)]


def _open(note: str, trust: Trust) -> Checkpoint:
    for key in trust.keys:
        try:
            checkpoint = parse_checkpoint(open_note(note, trust.origin, key))
        except TlogError:
            continue
        if checkpoint.origin != trust.origin:
            raise TlogError(f"het noemt oorsprong {checkpoint.origin!r}, niet de vastgelegde {trust.origin!r}")
        return checkpoint
    raise TlogError(f"geen vastgelegde sleutel bevestigt er een handtekening van {trust.origin} op")


def _canonical_problems(path: Path, meter: Meter) -> list[str]:
    problems = []
    size, done = path.stat().st_size, 0
    meter("canonical", 0, size)
    with path.open("rb") as file:
        for number, line in enumerate(file):
            done += len(line)
            if number % 4096 == 0:
                meter("canonical", done, size)
            entry = line.rstrip(b"\n")
            try:
                again = canonical_json(json.loads(entry))
            except ValueError:  # not JSON, or not canonical at all (a float, a number beyond 64 bits)
                again = b""
            if again != entry:
                problems.append(f"vastlegging {number} is geen canonieke JSON")
    meter("canonical", size, size)
    return problems


@dataclass(frozen=True)
class Witnesses:
    """The witnesses a reviewer trusts (their cosigner verifier keys) and how many must have cosigned."""

    keys: tuple[VerifierKey, ...]
    minimum: int


def load_witness_keys(text: str, minimum: int) -> Witnesses:
    """Witness verifier keys (type 0x04), one per line; TrustError when one cannot be used or too few are given."""
    keys = []
    for line in (line for line in text.splitlines() if line.strip()):
        try:
            key = parse_vkey(line)
        except TlogError as exc:
            raise TrustError(f"een sleutel van een getuige: {exc}") from None
        if key.kind != COSIGNATURE_ED25519:
            raise TrustError(f"{key.name}: geen medeondertekeningssleutel van een getuige (type 0x04)")
        keys.append(key)
    if minimum > len({k.name for k in keys}):
        raise TrustError(f"u vraagt {minimum} medeondertekening(en) maar geeft {len(keys)} sleutel(s) van getuigen")
    return Witnesses(tuple(keys), minimum)


def verify_bundle(
    directory: Path,
    trust: Trust,
    *,
    kept: str | None = None,
    strict: bool = False,
    witnesses: Witnesses | None = None,
    meter: Meter = silent,
) -> Verdict:
    """Check a bundle against what the reviewer pinned; `kept`, a checkpoint note kept from an earlier verification;
    `witnesses`, whose cosignatures the newest checkpoint must carry; `meter`, told how far each stage is."""
    verdict = Verdict()
    try:
        _verify(directory, trust, kept, strict, witnesses, verdict, meter)
    except (OSError, UnicodeDecodeError) as exc:
        verdict.problems.append(
            f"de bundel kan niet worden gelezen: {type(exc).__name__}: {exc.strerror or exc}"
            if isinstance(exc, OSError)
            else "de bundel bevat tekst die geen UTF-8 is"
        )
    return verdict


def _verify(  # noqa: PLR0917 - the verification's inputs
    directory: Path,
    trust: Trust,
    kept: str | None,
    strict: bool,
    witnesses: Witnesses | None,
    verdict: Verdict,
    meter: Meter,
) -> None:
    _compare_keys(directory, trust, verdict)
    entries = directory / "entries.jsonl"
    if not entries.is_file():
        verdict.problems.append(f"{entries} ontbreekt: dit is geen bundel")
        return
    with entries.open("rb") as file:
        file.seek(max(entries.stat().st_size - 1, 0))
        if entries.stat().st_size and file.read(1) != b"\n":
            verdict.problems.append("entries.jsonl eindigt niet op een regeleinde: het bestand is afgebroken")
    tree = Levels(leaf_hashes(entries, meter=meter), meter)
    count = len(tree.levels[0])
    if strict:
        verdict.problems.extend(_canonical_problems(entries, meter))
    checkpoints = _checkpoints(directory / "checkpoints.jsonl", trust, verdict, meter)
    if not checkpoints:
        if not verdict.problems:
            verdict.problems.append("de bundel bevat geen controlepunt: niets is ondertekend")
        return
    for checkpoint, _ in checkpoints:
        if checkpoint.size > count or range_hash(0, checkpoint.size, tree) != checkpoint.root:
            verdict.problems.append(
                f"de vastleggingen geven niet de ondertekende wortel bij grootte {checkpoint.size}: de log is gewijzigd"
            )
    newest, newest_note = checkpoints[-1]
    if witnesses is not None:
        _check_cosignatures(newest_note, newest, witnesses, verdict)
    if newest.size != count:
        verdict.problems.append(
            f"{count - newest.size} vastlegging(en) na het nieuwste controlepunt zijn niet ondertekend"
        )
    verdict.size, verdict.root = newest.size, newest.root
    if kept is not None:
        _check_kept(verdict, kept, newest, tree, trust)


def _compare_keys(directory: Path, trust: Trust, verdict: Verdict) -> None:
    """The bundle's keys prove nothing; say whether they match what was pinned."""
    path = directory / "hub-keys.jwks"
    try:
        carried = public_keys(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        verdict.notes.append(
            "hub-keys.jwks ontbreekt of is onleesbaar; dat geeft niet: de sleutels die u vastlegde beslissen"
        )
        return
    pinned = {k.public_bytes_raw() for k in trust.keys}
    unknown = [k for k in carried if k.public_bytes_raw() not in pinned]
    if unknown:
        verdict.notes.append(
            f"hub-keys.jwks bevat {len(unknown)} sleutel(s) die u niet vastlegde; die zijn niet gebruikt "
            "(alleen vastgelegde sleutels tellen)"
        )


def _check_cosignatures(note: str, checkpoint: Checkpoint, witnesses: Witnesses, verdict: Verdict) -> None:
    try:
        parsed = parse_note(note)
    except TlogError as exc:
        verdict.problems.append(f"de notitie van het nieuwste controlepunt: {exc}")
        return
    cosigned = sorted({key.name for key in witnesses.keys if cosigned_by(parsed, key) is not None})
    if len(cosigned) < witnesses.minimum:
        verdict.problems.append(
            f"het nieuwste controlepunt (grootte {checkpoint.size}) is medeondertekend door {len(cosigned)} van de "
            f"getuigen die u gaf ({', '.join(cosigned) or 'geen'}); u vraagt er {witnesses.minimum}"
        )
    else:
        verdict.notes.append(f"medeondertekend door {len(cosigned)} getuige(n) die u vertrouwt: {', '.join(cosigned)}")


def _checkpoints(path: Path, trust: Trust, verdict: Verdict, meter: Meter) -> list[tuple[Checkpoint, str]]:
    """The signed checkpoints of `checkpoints.jsonl`, each checked against its line and the one before it."""
    if not path.is_file():
        verdict.problems.append("checkpoints.jsonl ontbreekt: niets is ondertekend")
        return []
    found: list[tuple[Checkpoint, str]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        meter("checkpoints", number - 1, len(lines))
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict) or not isinstance(record.get("note"), str):
            verdict.problems.append(f"checkpoints.jsonl regel {number} is geen JSON-object met `size` en `note`")
            continue
        size = record.get("size")
        try:
            checkpoint = _open(record["note"], trust)
        except TlogError as exc:
            verdict.problems.append(f"checkpoints.jsonl regel {number}: {exc}")
            continue
        if size != checkpoint.size or isinstance(size, bool):
            verdict.problems.append(
                f"checkpoints.jsonl regel {number} noemt grootte {size!r}, maar de notitie ondertekent grootte "
                f"{checkpoint.size}"
            )
        if found and checkpoint.size < found[-1][0].size:
            verdict.problems.append(
                f"checkpoints.jsonl regel {number} is ouder dan de regel ervoor: controlepunten staan van oud naar "
                "nieuw"
            )
        found.append((checkpoint, record["note"]))
    meter("checkpoints", len(lines), len(lines))
    return found


def _check_kept(verdict: Verdict, kept: str, newest: Checkpoint, tree: Levels, trust: Trust) -> None:
    try:
        old = _open(kept, trust)
    except TlogError as exc:
        verdict.problems.append(f"het controlepunt dat u bewaarde: {exc}")
        return
    if old.size > newest.size:
        verdict.problems.append(
            f"de log is gekrompen: u bewaarde grootte {old.size}, het nieuwste controlepunt zegt {newest.size}"
        )
        return
    if newest.size > len(tree.levels[0]):
        return  # reported already: the entries do not reach the newest checkpoint
    proof = hashes(consistency_ranges(old.size, newest.size), tree)
    try:
        verify_consistency(old.size, newest.size, proof, old.root, newest.root)
    except TlogError:
        verdict.problems.append(
            f"de log is geen voortzetting van de log die u bewaarde bij grootte {old.size}: het verleden is herschreven"
        )
