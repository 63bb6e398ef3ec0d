"""The Merkle tree against the RFC 6962 / Certificate Transparency test vectors, and as properties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.tlog import (
    EMPTY_ROOT,
    ProofInvalid,
    RootMismatch,
    SizeInvalid,
    TlogError,
    consistency_proof,
    inclusion_path,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# The CT test vectors (certificate-transparency and transparency-dev test data): eight leaves, the root at every
# size, and reference inclusion paths and consistency proofs.
LEAVES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = {
    (0, 1): [],
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CONSISTENCY = {
    (1, 1): [],
    (1, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
HASHES = [leaf_hash(leaf) for leaf in LEAVES]


class TestVectors:
    def test_roots(self) -> None:
        assert EMPTY_ROOT.hex() == ROOTS[0]
        for size in range(9):
            assert root(HASHES[:size]).hex() == ROOTS[size], size

    def test_inclusion_paths(self) -> None:
        for (index, size), expected in INCLUSION.items():
            path = inclusion_path(index, HASHES[:size])
            assert [p.hex() for p in path] == expected
            verify_inclusion(HASHES[index], index, size, path, bytes.fromhex(ROOTS[size]))

    def test_consistency_proofs(self) -> None:
        for (old, new), expected in CONSISTENCY.items():
            proof = consistency_proof(old, HASHES[:new])
            assert [p.hex() for p in proof] == expected
            verify_consistency(old, new, proof, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]))


entries = st.lists(st.binary(max_size=12), min_size=1, max_size=70)


class TestProperties:
    @settings(max_examples=200, deadline=None)
    @given(data=st.data(), leaves=entries)
    def test_every_inclusion_path_verifies_and_a_wrong_one_does_not(
        self, data: st.DataObject, leaves: list[bytes]
    ) -> None:
        hashes = [leaf_hash(x) for x in leaves]
        index = data.draw(st.integers(0, len(hashes) - 1))
        path, tree_root = inclusion_path(index, hashes), root(hashes)
        verify_inclusion(hashes[index], index, len(hashes), path, tree_root)
        with pytest.raises(RootMismatch):
            verify_inclusion(leaf_hash(leaves[index] + b"!"), index, len(hashes), path, tree_root)
        if len(hashes) > 1:
            other = data.draw(st.integers(0, len(hashes) - 1).filter(lambda i: i != index))
            assert not _holds(verify_inclusion, hashes[index], other, len(hashes), path, tree_root) or (
                hashes[other] == hashes[index]
            )
        if path:
            broken = [*path[:-1], bytes(32)]
            with pytest.raises(RootMismatch):
                verify_inclusion(hashes[index], index, len(hashes), broken, tree_root)

    @settings(max_examples=200, deadline=None)
    @given(data=st.data(), leaves=entries)
    def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not(
        self, data: st.DataObject, leaves: list[bytes]
    ) -> None:
        hashes = [leaf_hash(x) for x in leaves]
        old = data.draw(st.integers(0, len(hashes)))
        proof = consistency_proof(old, hashes)
        verify_consistency(old, len(hashes), proof, root(hashes[:old]), root(hashes))
        if old > 0:
            changed = list(hashes)
            position = data.draw(st.integers(0, old - 1))
            changed[position] = leaf_hash(leaves[position] + b"!")
            # The new tree rewrote an entry the old checkpoint covered: the old root cannot be extended to it.
            with pytest.raises(RootMismatch):
                verify_consistency(old, len(hashes), consistency_proof(old, changed), root(hashes[:old]), root(changed))


class TestWhatFailed:
    """Verification says what failed: the size, the proof or the root."""

    def test_inclusion(self) -> None:
        path, tree = inclusion_path(2, HASHES[:7]), bytes.fromhex(ROOTS[7])
        with pytest.raises(SizeInvalid, match="outside"):
            verify_inclusion(HASHES[2], 7, 7, path, tree)
        with pytest.raises(ProofInvalid, match="shorter"):
            verify_inclusion(HASHES[2], 2, 7, path[:-1], tree)
        with pytest.raises(ProofInvalid, match="longer"):
            verify_inclusion(HASHES[2], 2, 7, [*path, bytes(32)], tree)
        with pytest.raises(RootMismatch) as other:
            verify_inclusion(HASHES[2], 2, 7, path, bytes.fromhex(ROOTS[6]))
        assert other.value.part == "root"

    def test_consistency(self) -> None:
        proof, old, new = consistency_proof(3, HASHES[:7]), bytes.fromhex(ROOTS[3]), bytes.fromhex(ROOTS[7])
        with pytest.raises(SizeInvalid):
            verify_consistency(7, 3, proof, new, old)
        with pytest.raises(ProofInvalid):
            verify_consistency(3, 7, proof[:-1], old, new)
        with pytest.raises(RootMismatch, match="size 3: the past was rewritten"):
            verify_consistency(3, 7, proof, bytes.fromhex(ROOTS[4]), new)
        with pytest.raises(RootMismatch, match="size 7"):
            verify_consistency(3, 7, proof, old, bytes.fromhex(ROOTS[6]))

    def test_from_the_empty_tree_the_old_root_is_the_empty_root(self) -> None:
        """The hub's and the witness's copies differed here: one accepted any old root for size 0."""
        verify_consistency(0, 7, [], EMPTY_ROOT, bytes.fromhex(ROOTS[7]))
        with pytest.raises(RootMismatch):
            verify_consistency(0, 7, [], bytes.fromhex(ROOTS[1]), bytes.fromhex(ROOTS[7]))
        with pytest.raises(ProofInvalid):
            verify_consistency(0, 7, [HASHES[0]], EMPTY_ROOT, bytes.fromhex(ROOTS[7]))


def _holds(check: Callable[..., None], *args: Any) -> bool:
    try:
        check(*args)
    except TlogError:
        return False
    return True
