"""Verification trusts only what the reviewer pinned (issue 12): the forged bundle of the review, the checkpoint
file's size, order and origin, byte flips in every file, and the CLI's refusals — never a traceback."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from connectors.tlog import Checkpoint, leaf_hash, root, sign, verifier_key
from hub.cli import app
from hub.kit.canonical import canonical_json
from hub.ledger.verify import Trust, TrustError, load_trust, verify_bundle
from tests.ledger.test_store import _jwk
from tests.ledger.test_tamper import KEY, ORIGIN, TRUST, write_bundle

ENTRIES = [canonical_json({"n": n, "ontvanger": "via"}) for n in range(12)]
runner = CliRunner()


def _bundle(directory: Path) -> list[str]:
    return write_bundle(directory, ENTRIES, [4, 9, 12])


class TestForgedBundle:
    def test_an_entry_deleted_and_resigned_with_a_key_added_to_the_bundle_is_refused(self, tmp_path: Path) -> None:
        kept = _bundle(tmp_path / "b")[1]
        forger = Ed25519PrivateKey.generate()
        forged = ENTRIES[:5] + ENTRIES[6:]
        shutil.rmtree(tmp_path / "b")
        write_bundle(tmp_path / "b", forged, [len(forged)], key=forger)
        (tmp_path / "b" / "hub-keys.jwks").write_text(json.dumps({"keys": [_jwk(KEY), _jwk(forger)]}))
        verdict = verify_bundle(tmp_path / "b", TRUST, kept=kept)
        assert not verdict.ok
        assert any("geen vastgelegde sleutel bevestigt" in p for p in verdict.problems)
        assert any("niet vastlegde" in n for n in verdict.notes), "the bundle's extra key is named, and not used"

    def test_the_bundle_keys_alone_verify_nothing(self, tmp_path: Path) -> None:
        _bundle(tmp_path / "b")
        other = Trust(ORIGIN, (Ed25519PrivateKey.generate().public_key(),))
        assert not verify_bundle(tmp_path / "b", other).ok, "a bundle verifies only against the pinned key"


class TestCheckpointFile:
    def _records(self, directory: Path) -> list[dict[str, object]]:
        return [json.loads(line) for line in (directory / "checkpoints.jsonl").read_text().splitlines()]

    def _write(self, directory: Path, records: list[dict[str, object]]) -> None:
        (directory / "checkpoints.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))

    def test_the_unsigned_size_must_equal_the_signed_one(self, tmp_path: Path) -> None:
        _bundle(tmp_path / "b")
        records = self._records(tmp_path / "b")
        records[1]["size"] = 12
        self._write(tmp_path / "b", records)
        problems = verify_bundle(tmp_path / "b", TRUST).problems
        assert problems == ["checkpoints.jsonl regel 2 noemt grootte 12, maar de notitie ondertekent grootte 9"]

    def test_checkpoints_come_oldest_first(self, tmp_path: Path) -> None:
        _bundle(tmp_path / "b")
        self._write(tmp_path / "b", list(reversed(self._records(tmp_path / "b"))))
        problems = verify_bundle(tmp_path / "b", TRUST).problems
        assert any("van oud naar nieuw" in p for p in problems)

    def test_one_origin_the_pinned_one(self, tmp_path: Path) -> None:
        _bundle(tmp_path / "b")
        records = self._records(tmp_path / "b")
        hashes = [leaf_hash(e) for e in ENTRIES]
        elsewhere = "elders.example/verstrekkingenlog"
        records.append({"size": 12, "note": sign(Checkpoint(elsewhere, 12, root(hashes)).text(), elsewhere, KEY)})
        self._write(tmp_path / "b", records)
        problems = verify_bundle(tmp_path / "b", TRUST).problems
        assert problems == [
            f"checkpoints.jsonl regel 4: geen vastgelegde sleutel bevestigt er een handtekening van {ORIGIN} op"
        ]

    def test_a_kept_checkpoint_newer_than_the_bundle_is_a_rollback(self, tmp_path: Path) -> None:
        kept = _bundle(tmp_path / "now")[2]
        write_bundle(tmp_path / "old", ENTRIES[:9], [4, 9])
        assert "gekrompen" in verify_bundle(tmp_path / "old", TRUST, kept=kept).problems[0]


class TestByteFlips:
    @pytest.mark.parametrize("name", ["entries.jsonl", "checkpoints.jsonl", "hub-keys.jwks"])
    def test_a_flipped_byte_anywhere_is_refused_or_changes_nothing_and_never_raises(
        self, tmp_path: Path, name: str
    ) -> None:
        _bundle(tmp_path / "clean")
        original = (tmp_path / "clean" / name).read_bytes()
        rng = random.Random(name)  # noqa: S311 - which bytes to flip, reproducibly; not a secret
        for trial in range(60):
            bundle = tmp_path / f"flip-{trial}"
            shutil.copytree(tmp_path / "clean", bundle)
            data = bytearray(original)
            data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
            (bundle / name).write_bytes(bytes(data))
            verdict = verify_bundle(bundle, TRUST)  # must not raise, whatever the bytes
            if verdict.ok:
                # Only a change that alters nothing signed may pass: JSON whitespace in the checkpoint file, or the
                # bundle's copy of the keys (which is never trusted).
                assert name != "entries.jsonl", "every byte of every entry is fixed by the signed root"
                if name == "checkpoints.jsonl":
                    again = [json.loads(line) for line in bytes(data).decode("utf-8").splitlines()]
                    assert again == [json.loads(line) for line in original.decode("utf-8").splitlines()]


class TestTrustGiven:
    def test_a_verifier_key_names_the_origin(self) -> None:
        trust = load_trust(verifier_key(ORIGIN, KEY.public_key()) + "\n", None)
        assert trust.origin == ORIGIN and len(trust.keys) == 1

    def test_a_jwks_needs_the_origin_and_an_altered_verifier_key_is_refused(self) -> None:
        with pytest.raises(TrustError, match="geef ook --origin"):
            load_trust(json.dumps({"keys": [_jwk(KEY)]}), None)
        vkey = verifier_key(ORIGIN, KEY.public_key())
        with pytest.raises(TrustError, match="does not match"):
            load_trust(vkey.replace(ORIGIN, "elders.example/verstrekkingenlog"), None)
        with pytest.raises(TrustError, match="verschilt"):
            load_trust(vkey, "elders.example/verstrekkingenlog")


class TestCli:
    def test_without_a_pinned_key_it_refuses_and_says_where_to_get_one(self, tmp_path: Path) -> None:
        _bundle(tmp_path / "b")
        result = runner.invoke(app, ["ledger", "verify", str(tmp_path / "b")])
        assert result.exit_code == 2
        assert "--sleutels" in result.stderr and "bewijzen niets" in result.stderr

    def test_with_the_pinned_verifier_key_it_verifies(self, tmp_path: Path) -> None:
        notes = _bundle(tmp_path / "b")
        (tmp_path / "hub.vkey").write_text(verifier_key(ORIGIN, KEY.public_key()) + "\n")
        (tmp_path / "kept.note").write_text(notes[0])
        args = ["ledger", "verify", str(tmp_path / "b"), "--sleutels", str(tmp_path / "hub.vkey")]
        result = runner.invoke(app, [*args, "--vorige", str(tmp_path / "kept.note")])
        assert result.exit_code == 0, result.output
        assert "OK: 12 vastleggingen" in result.stdout and ORIGIN in result.stdout

    @pytest.mark.parametrize("missing", ["--sleutels", "--vorige", "bundle"])
    def test_a_missing_file_is_a_sentence_not_a_traceback(self, tmp_path: Path, missing: str) -> None:
        _bundle(tmp_path / "b")
        (tmp_path / "hub.vkey").write_text(verifier_key(ORIGIN, KEY.public_key()) + "\n")
        args = {"bundle": str(tmp_path / "b"), "--sleutels": str(tmp_path / "hub.vkey"), "--vorige": None}
        args[missing] = str(tmp_path / "bestaat-niet")
        command = ["ledger", "verify", str(args["bundle"]), "--sleutels", str(args["--sleutels"])]
        if args["--vorige"]:
            command += ["--vorige", str(args["--vorige"])]
        result = runner.invoke(app, command)
        assert result.exit_code == (1 if missing == "bundle" else 2), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), "no traceback"
        assert "Traceback" not in result.output
        assert ("FOUT" in result.stdout) if missing == "bundle" else ("kan niet worden gelezen" in result.stderr)
