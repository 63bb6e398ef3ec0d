"""The log's formats against the Go team's implementation (golang.org/x/mod/sumdb/note and sumdb/tlog).

`golden/go-made.json` is what Go made (`golden/knownanswers.go make`): every root, inclusion proof and consistency
proof of a tree of 13 entries, and a checkpoint signed as a C2SP note. Schakel must accept all of it and make the
same proofs. `golden/schakel-made.json` is what Schakel makes (`python -m tests.connectors.test_go_known_answers`),
which Go accepted (`knownanswers.go check`): Schakel must still make exactly those bytes (every input is fixed and
Ed25519 signatures are deterministic), and where Go and its x/mod sources are installed (Debian: golang-go,
golang-golang-x-mod-dev; .ci/run installs them) Go checks them again here, and refuses a tampered copy. Cosignatures
(cosignature/v1) are not in x/mod: tests/connectors/test_witness.py holds them to the C2SP text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors.tlog import (
    EMPTY_ROOT,
    Checkpoint,
    RootMismatch,
    SignatureInvalid,
    consistency_proof,
    inclusion_path,
    leaf_hash,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    root,
    sign,
    verifier_key,
    verify_consistency,
    verify_inclusion,
)

GOLDEN = Path(__file__).parent / "golden"
GOPATH = Path("/usr/share/gocode")
ORIGIN = "schakel.example/verstrekkingenlog"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    return data


def _hashes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


class TestWhatGoMade:
    def test_schakel_computes_the_same_roots_and_proofs_and_accepts_them(self) -> None:
        made = _load("go-made.json")
        leaves = [leaf_hash(bytes.fromhex(x)) for x in made["leaves"]]
        roots = _hashes(made["roots"])
        assert roots[0] == EMPTY_ROOT
        assert [root(leaves[:size]) for size in range(len(leaves) + 1)] == roots
        for p in made["inclusion"]:
            proof = _hashes(p["proof"])
            assert inclusion_path(p["index"], leaves[: p["size"]]) == proof, (p["index"], p["size"])
            verify_inclusion(leaves[p["index"]], p["index"], p["size"], proof, roots[p["size"]])
        for p in made["consistency"]:
            proof = _hashes(p["proof"])
            assert consistency_proof(p["old"], leaves[: p["new"]]) == proof, (p["old"], p["new"])
            verify_consistency(p["old"], p["new"], proof, roots[p["old"]], roots[p["new"]])
        assert len(made["inclusion"]) == 91 and len(made["consistency"]) == 78, "every pair up to 13 entries"

    def test_schakel_opens_the_checkpoint_go_signed_and_refuses_it_altered(self) -> None:
        made = _load("go-made.json")
        name, key = parse_verifier_key(made["verifierKey"])
        checkpoint = parse_checkpoint(open_note(made["note"], name, key))
        leaves = [leaf_hash(bytes.fromhex(x)) for x in made["leaves"]]
        assert checkpoint == Checkpoint(name, len(leaves), root(leaves))
        altered = made["note"].replace("\n13\n", "\n12\n", 1)
        with pytest.raises(SignatureInvalid):
            open_note(altered, name, key)

    def test_a_proof_go_made_does_not_hold_for_another_root(self) -> None:
        made = _load("go-made.json")
        p = made["consistency"][-1]
        roots = _hashes(made["roots"])
        with pytest.raises(RootMismatch):
            verify_consistency(p["old"], p["new"], _hashes(p["proof"]), roots[p["old"] - 1], roots[p["new"]])


def schakel_made() -> dict[str, Any]:
    """What Schakel makes from fixed, invented inputs: the file Go checks."""
    entries = [f'{{"positie":{i},"soort":"intrekking"}}'.encode() for i in range(11)]
    leaves = [leaf_hash(e) for e in entries]
    key = Ed25519PrivateKey.from_private_bytes(bytes([0x3A]) * 32)  # invented, fixed: the signature is fixed too
    text = Checkpoint(ORIGIN, len(leaves), root(leaves)).text()
    return {
        "made": "schakel connectors.tlog",
        "leaves": [e.hex() for e in entries],
        "roots": [root(leaves[:size]).hex() for size in range(len(leaves) + 1)],
        "inclusion": [
            {"index": i, "size": n, "proof": [h.hex() for h in inclusion_path(i, leaves[:n])]}
            for n in range(1, len(leaves) + 1)
            for i in range(n)
        ],
        "consistency": [
            {"old": m, "new": n, "proof": [h.hex() for h in consistency_proof(m, leaves[:n])]}
            for n in range(1, len(leaves) + 1)
            for m in range(1, n)
        ],
        "verifierKey": verifier_key(ORIGIN, key.public_key()),
        "note": sign(text, ORIGIN, key),
    }


def _go() -> str | None:
    go = shutil.which("go")
    return go if go and (GOPATH / "src/golang.org/x/mod/sumdb/tlog").is_dir() else None


def _go_check(go: str, made: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH), "GOCACHE": str(tmp_path / "cache")}
    return subprocess.run(
        [go, "run", "knownanswers.go", "check"],
        cwd=GOLDEN,
        input=json.dumps(made),
        capture_output=True,
        text=True,
        env=environment,
        timeout=240,
        check=False,
    )


class TestWhatSchakelMade:
    def test_schakel_still_makes_exactly_what_go_accepted(self) -> None:
        assert schakel_made() == _load("schakel-made.json"), (
            "Schakel's proofs or notes changed: run `python -m tests.connectors.test_go_known_answers` and have Go "
            "check the new file (golden/knownanswers.go check)"
        )

    def test_go_accepts_it_and_refuses_it_tampered(self, tmp_path: Path) -> None:
        go = _go()
        if go is None:
            missing = "Go and golang.org/x/mod are not installed (Debian: golang-go golang-golang-x-mod-dev)"
            if os.environ.get("SCHAKEL_TEST_REQUIRE_GO"):
                pytest.fail(missing + "; .ci/run installs them")
            pytest.skip(missing)
        made = schakel_made()
        accepted = _go_check(go, made, tmp_path)
        assert accepted.returncode == 0 and "go accepts" in accepted.stdout, accepted.stderr
        made["consistency"][5]["proof"][0] = "00" * 32
        refused = _go_check(go, made, tmp_path)
        assert refused.returncode == 1 and "go refuses: consistency" in refused.stderr, refused.stderr


if __name__ == "__main__":
    (GOLDEN / "schakel-made.json").write_text(json.dumps(schakel_made(), indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(f"{GOLDEN / 'schakel-made.json'} written; now: cd {GOLDEN} && go run knownanswers.go check\n")
