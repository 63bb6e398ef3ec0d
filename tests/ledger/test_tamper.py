"""Any change, deletion, insertion, reordering or truncation of a bundle makes verification fail (hypothesis).
Including a hub that rewrites its past and signs the result: the checkpoint a reviewer kept catches it."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.tlog import Checkpoint, leaf_hash, root, sign
from hub.kit.canonical import canonical_json
from hub.ledger.verify import STAGES, Trust, leaf_hashes, verify_bundle
from tests.ledger.test_store import _jwk

ORIGIN = "schakel.example/verstrekkingenlog"
KEY = Ed25519PrivateKey.generate()
TRUST = Trust(ORIGIN, (KEY.public_key(),))
"""What the reviewer pinned: the hub's key and the log's origin, obtained outside the bundle."""


def write_bundle(directory: Path, entries: list[bytes], sizes: list[int], key: Ed25519PrivateKey = KEY) -> list[str]:
    """A bundle as the hub writes it, with checkpoints at `sizes`. Returns the checkpoint notes."""
    directory.mkdir(parents=True)
    hashes = [leaf_hash(e) for e in entries]
    notes = [sign(Checkpoint(ORIGIN, size, root(hashes[:size])).text(), ORIGIN, key) for size in sizes]
    (directory / "entries.jsonl").write_bytes(b"".join(e + b"\n" for e in entries))
    (directory / "checkpoints.jsonl").write_text(
        "".join(json.dumps({"size": s, "note": n}) + "\n" for s, n in zip(sizes, notes, strict=True))
    )
    (directory / "hub-keys.jwks").write_text(json.dumps({"keys": [_jwk(KEY)]}))
    return notes


def _lines(directory: Path) -> list[bytes]:
    return (directory / "entries.jsonl").read_bytes().splitlines()


def _write(directory: Path, lines: list[bytes]) -> None:
    (directory / "entries.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))


ENTRIES = st.lists(
    st.fixed_dictionaries({"ontvanger": st.sampled_from(["via", "vt", "zvh"]), "n": st.integers(0, 999)}).map(
        canonical_json
    ),
    min_size=2,
    max_size=20,
)
TAMPERING = st.sampled_from(["change", "delete", "insert", "swap", "truncate", "non-canonical"])


class TestTampering:
    @settings(max_examples=120, deadline=None)
    @given(entries=ENTRIES, how=TAMPERING, data=st.data())
    def test_any_tampering_is_caught(self, entries: list[bytes], how: str, data: st.DataObject) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            bundle = Path(tmp) / "b"
            write_bundle(bundle, entries, [len(entries)])
            assert verify_bundle(bundle, TRUST).ok
            lines = _lines(bundle)
            i = data.draw(st.integers(0, len(lines) - 2))
            if how == "change":
                entry = json.loads(lines[i])
                entry["n"] = entry["n"] + 1
                lines[i] = canonical_json(entry)
            elif how == "delete":
                del lines[i]
            elif how == "insert":
                lines.insert(i, b'{"n":1}')
            elif how == "swap" and lines[i] != lines[i + 1]:
                lines[i], lines[i + 1] = lines[i + 1], lines[i]
            elif how == "truncate":
                lines = lines[: i + 1]
            else:
                lines[i] = lines[i] + b" "
            if how == "swap" and lines[i] == lines[i + 1]:
                return  # two identical entries: swapping them changes nothing
            _write(bundle, lines)
            assert not verify_bundle(bundle, TRUST).ok, how

    def test_a_rewritten_and_resigned_past_is_caught_by_the_kept_checkpoint(self, tmp_path: Path) -> None:
        entries = [canonical_json({"n": n}) for n in range(8)]
        kept = write_bundle(tmp_path / "then", entries[:5], [5])[0]
        rewritten = [*entries[:2], canonical_json({"n": 99}), *entries[3:]]
        write_bundle(tmp_path / "now", rewritten, [8])  # the hub's own key signs the rewritten log
        assert verify_bundle(tmp_path / "now", TRUST).ok, "on its own the rewritten log looks fine"
        verdict = verify_bundle(tmp_path / "now", TRUST, kept=kept)
        assert not verdict.ok
        assert "verleden is herschreven" in verdict.problems[0]

    def test_entries_beyond_the_newest_checkpoint_are_not_signed(self, tmp_path: Path) -> None:
        entries = [canonical_json({"n": n}) for n in range(6)]
        write_bundle(tmp_path / "b", entries, [4])
        assert "niet ondertekend" in verify_bundle(tmp_path / "b", TRUST).problems[0]

    def test_a_checkpoint_signed_by_another_key(self, tmp_path: Path) -> None:
        entries = [canonical_json({"n": n}) for n in range(3)]
        write_bundle(tmp_path / "b", entries, [3], key=Ed25519PrivateKey.generate())
        assert "geen vastgelegde sleutel bevestigt" in verify_bundle(tmp_path / "b", TRUST).problems[0]

    def test_strict_also_finds_entries_that_are_not_canonical(self, tmp_path: Path) -> None:
        entries = [canonical_json({"n": 0}), b'{"n": 1}', canonical_json({"n": 2})]
        write_bundle(tmp_path / "b", entries, [3])
        assert verify_bundle(tmp_path / "b", TRUST).ok, "the hashes hold: integrity is fine"
        assert verify_bundle(tmp_path / "b", TRUST, strict=True).problems == ["vastlegging 1 is geen canonieke JSON"]

    def test_a_cut_off_last_line(self, tmp_path: Path) -> None:
        entries = [canonical_json({"n": n}) for n in range(3)]
        write_bundle(tmp_path / "b", entries, [3])
        data = (tmp_path / "b" / "entries.jsonl").read_bytes()
        (tmp_path / "b" / "entries.jsonl").write_bytes(data[:-3])
        assert not verify_bundle(tmp_path / "b", TRUST).ok

    def test_hashing_in_several_processes_gives_the_same_leaves(self, tmp_path: Path) -> None:
        entries = [canonical_json({"n": n, "tekst": "x" * (n % 50)}) for n in range(3_000)]
        write_bundle(tmp_path / "b", entries, [3_000])
        path = tmp_path / "b" / "entries.jsonl"
        assert leaf_hashes(path, parallel_from=0) == leaf_hashes(path) == [leaf_hash(e) for e in entries]

    def test_the_meter_follows_every_stage_to_its_end(self, tmp_path: Path) -> None:
        entries = [canonical_json({"n": n, "tekst": "x" * (n % 50)}) for n in range(3_000)]
        write_bundle(tmp_path / "b", entries, [1_000, 3_000])
        path = tmp_path / "b" / "entries.jsonl"
        told: dict[str, list[tuple[int, int]]] = {}
        record = lambda stage, done, total: told.setdefault(stage, []).append((done, total))  # noqa: E731
        assert leaf_hashes(path, parallel_from=0, meter=record) == [leaf_hash(e) for e in entries]
        hashed = [done for done, _ in told.pop("hashes")]
        assert hashed[0] == 0 and hashed[-1] == path.stat().st_size, "from nothing to every byte"
        assert hashed == sorted(hashed) and len(hashed) > 3, "in several steps, never back"
        assert verify_bundle(tmp_path / "b", TRUST, strict=True, meter=record).ok
        assert set(told) == set(STAGES), "each stage is told, and has a Dutch description"
        for stage, reports in told.items():
            assert reports[0][0] == 0 and reports[-1][0] == reports[-1][1] > 0, stage
        assert told["checkpoints"][-1] == (2, 2)

    def test_a_shrunk_log(self, tmp_path: Path) -> None:
        entries = [canonical_json({"n": n}) for n in range(6)]
        kept = write_bundle(tmp_path / "then", entries, [6])[0]
        write_bundle(tmp_path / "now", entries[:4], [4])
        assert "gekrompen" in verify_bundle(tmp_path / "now", TRUST, kept=kept).problems[0]
        shutil.rmtree(tmp_path / "then")
