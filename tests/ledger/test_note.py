"""Signed-note checkpoints: the format, and that any change, wrong key or missing signature is refused."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from connectors.tlog import (
    NOTE_ED25519,
    Checkpoint,
    TlogError,
    key_id,
    leaf_hash,
    open_note,
    parse_checkpoint,
    root,
    sign,
)

ORIGIN = "schakel.example/verstrekkingenlog"
KEY = Ed25519PrivateKey.generate()
CHECKPOINT = Checkpoint(ORIGIN, 3, root([leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")]))


class TestFormat:
    def test_text_blank_line_and_an_em_dash_signature(self) -> None:
        note = sign(CHECKPOINT.text(), ORIGIN, KEY)
        text, signature = note.split("\n\n")
        assert text.split("\n") == [ORIGIN, "3", base64.b64encode(CHECKPOINT.root).decode()]
        assert signature.startswith(f"\u2014 {ORIGIN} ")
        assert note.endswith("\n")
        blob = base64.b64decode(signature.split(" ")[2])
        assert len(blob) == 4 + 64
        assert blob[:4] == key_id(ORIGIN, NOTE_ED25519, KEY.public_key())

    def test_key_id_is_the_c2sp_rule(self) -> None:
        raw = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        assert (
            key_id(ORIGIN, NOTE_ED25519, KEY.public_key())
            == hashlib.sha256(ORIGIN.encode() + b"\n\x01" + raw).digest()[:4]
        )

    def test_round_trip(self) -> None:
        assert parse_checkpoint(open_note(sign(CHECKPOINT.text(), ORIGIN, KEY), ORIGIN, KEY.public_key())) == CHECKPOINT


class TestRefusals:
    @pytest.mark.parametrize(
        ("change", "says"),
        [
            (lambda n: n.replace(f"{ORIGIN}\n3\n", f"{ORIGIN}\n4\n"), "altered"),
            (lambda n: n.replace("\n\n", "\n"), "no blank line"),
            (lambda n: n.replace("\u2014", "-"), "em dash"),
        ],
        ids=["size-changed", "no-separator", "not-an-em-dash"],
    )
    def test_a_changed_note(self, change: object, says: str) -> None:
        note = sign(CHECKPOINT.text(), ORIGIN, KEY)
        with pytest.raises(TlogError, match=says):
            open_note(change(note), ORIGIN, KEY.public_key())  # type: ignore[operator]

    def test_another_key(self) -> None:
        note = sign(CHECKPOINT.text(), ORIGIN, KEY)
        with pytest.raises(TlogError, match="no signature by"):
            open_note(note, ORIGIN, Ed25519PrivateKey.generate().public_key())

    @pytest.mark.parametrize("text", ["o\n01\nAAAA\n", "o\n3\nnot-base64!\n", "o\n3\n", "\n3\n" + "A" * 44 + "\n"])
    def test_malformed_checkpoints(self, text: str) -> None:
        with pytest.raises(TlogError):
            parse_checkpoint(text)
