"""The witness (C2SP tlog-witness) on its own: it cosigns only checkpoints that extend the one it cosigned last."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors._witness import Witness
from connectors.tlog import (
    COSIGNATURE_ED25519,
    NOTE_ED25519,
    Checkpoint,
    VerifierKey,
    consistency_proof,
    cosigned_by,
    leaf_hash,
    parse_note,
    root,
    sign,
)

ORIGIN = "schakel.example/verstrekkingenlog"
LOG_KEY = Ed25519PrivateKey.generate()
LEAVES = [leaf_hash(bytes([n])) for n in range(40)]


def note(size: int, leaves: list[bytes] = LEAVES, key: Ed25519PrivateKey = LOG_KEY, origin: str = ORIGIN) -> str:
    return sign(Checkpoint(origin, size, root(leaves[:size])).text(), origin, key)


def body(old: int, size: int, signed: str, leaves: list[bytes] = LEAVES) -> bytes:
    proof = consistency_proof(old, leaves[:size]) if 0 < old < size else []
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
    return ("\n".join(lines) + "\n\n" + signed).encode()


@pytest.fixture
def witness(tmp_path: Path) -> Witness:
    return Witness(
        "getuige.example/w1",
        Ed25519PrivateKey.generate(),
        [VerifierKey(ORIGIN, NOTE_ED25519, LOG_KEY.public_key())],
        tmp_path / "staat.json",
    )


class TestAddCheckpoint:
    def test_the_first_checkpoint_and_each_extension_are_cosigned(self, witness: Witness) -> None:
        first = witness.add_checkpoint(body(0, 5, note(5)))
        assert first.status == 200
        assert cosigned_by(parse_note(note(5) + first.body), witness.verifier_key) is not None
        grown = witness.add_checkpoint(body(5, 17, note(17)))
        assert grown.status == 200 and grown.body.startswith("\u2014 getuige.example/w1 ")
        assert witness.latest(ORIGIN) == (17, root(LEAVES[:17]))

    def test_a_split_view_of_the_same_size_is_refused(self, witness: Witness) -> None:
        assert witness.add_checkpoint(body(0, 8, note(8))).status == 200
        other = [*LEAVES[:3], leaf_hash(b"forged"), *LEAVES[4:]]
        split = witness.add_checkpoint(body(8, 8, note(8, other), other))
        assert split.status == 409 and "split view" in split.body
        assert witness.latest(ORIGIN) == (8, root(LEAVES[:8])), "nothing recorded"

    def test_a_forked_extension_fails_its_proof(self, witness: Witness) -> None:
        assert witness.add_checkpoint(body(0, 8, note(8))).status == 200
        other = [*LEAVES[:3], leaf_hash(b"forged"), *LEAVES[4:]]
        assert witness.add_checkpoint(body(8, 12, note(12, other), other)).status == 422

    def test_an_old_size_that_is_not_its_latest_gets_409_with_its_size(self, witness: Witness) -> None:
        assert witness.add_checkpoint(body(0, 10, note(10))).status == 200
        stale = witness.add_checkpoint(body(4, 12, note(12)))
        assert (stale.status, stale.body, stale.content_type) == (409, "10\n", "text/x.tlog.size")
        rollback = witness.add_checkpoint(body(0, 6, note(6)))
        assert rollback.status == 409, "an older checkpoint is never cosigned"

    def test_unknown_logs_keys_and_malformed_bodies(self, witness: Witness) -> None:
        elsewhere = "elders.example/log"
        assert witness.add_checkpoint(body(0, 3, note(3, origin=elsewhere))).status == 404
        assert witness.add_checkpoint(body(0, 3, note(3, key=Ed25519PrivateKey.generate()))).status == 403
        assert witness.add_checkpoint(body(5, 3, note(3))).status == 400
        for junk in (b"", b"old x\n\n", b"old 0\nnot-base64\n\n" + note(3).encode(), b"\xff\xfe"):
            assert witness.add_checkpoint(junk).status == 400

    def test_its_state_survives_a_restart(self, witness: Witness, tmp_path: Path) -> None:
        assert witness.add_checkpoint(body(0, 9, note(9))).status == 200
        again = Witness(
            "getuige.example/w1",
            Ed25519PrivateKey.generate(),
            [VerifierKey(ORIGIN, NOTE_ED25519, LOG_KEY.public_key())],
            tmp_path / "staat.json",
        )
        assert again.latest(ORIGIN) == (9, root(LEAVES[:9]))
        assert again.add_checkpoint(body(0, 9, note(9))).status == 409

    def test_its_key_is_a_cosigner_key(self, witness: Witness) -> None:
        assert witness.verifier_key.kind == COSIGNATURE_ED25519
