"""The stored tree against the reference Merkle code: the same roots, paths and proofs from O(log n) nodes."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.tlog import consistency_proof, inclusion_path, leaf_hash, root
from hub.ledger import tree


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def _grow(leaves: list[bytes], cuts: list[int]) -> dict[tree.NodeKey, bytes]:
    """Every node, made by appending the leaves in blocks that end at `cuts`, as the store does."""
    stored: dict[tree.NodeKey, bytes] = {}
    start = 0
    for stop in [*sorted(set(cuts)), len(leaves)]:
        if stop <= start:
            continue
        block = leaves[start:stop]

        def fetch(keys: set[tree.NodeKey]) -> dict[tree.NodeKey, bytes]:
            assert all(key in stored for key in keys), "only nodes stored earlier are fetched"
            return {key: stored[key] for key in keys}

        stored.update(tree.new_nodes(start, block, fetch))
        stored.update({(0, start + i): leaf for i, leaf in enumerate(block)})
        start = stop
    return stored


class TestStoredTree:
    @settings(max_examples=60, deadline=None)
    @given(st.integers(min_value=1, max_value=300), st.lists(st.integers(min_value=0, max_value=300), max_size=8))
    def test_nodes_grown_in_any_blocks_give_the_reference_roots_and_proofs(self, n: int, cuts: list[int]) -> None:
        leaves = _leaves(n)
        stored = _grow(leaves, [c for c in cuts if c < n])
        for size in {1, n // 3 or 1, n // 2 or 1, n}:
            assert tree.range_hash(0, size, stored) == root(leaves[:size])
            for index in {0, size // 3, size // 2, size - 2, size - 1} - {-1}:
                ranges = tree.inclusion_ranges(index, size)
                assert tree.hashes(ranges, stored) == inclusion_path(index, leaves[:size])
                assert tree.plan(ranges) == tree.inclusion_plan(index, size)
                assert tree.fold(tree.inclusion_plan(index, size), stored) == inclusion_path(index, leaves[:size])
            for old in {0, 1, size // 2, size - 1, size}:
                if 0 <= old <= size:
                    ranges = tree.consistency_ranges(old, size)
                    assert tree.hashes(ranges, stored) == consistency_proof(old, leaves[:size])

    def test_a_node_is_only_made_once_its_subtree_is_complete(self) -> None:
        stored = _grow(_leaves(6), [3])
        assert (1, 2) in stored and (2, 0) in stored
        assert (2, 1) not in stored and (3, 0) not in stored

    def test_a_root_needs_one_node_per_set_bit_of_the_size(self) -> None:
        assert tree.range_keys(0, 13) == [(3, 0), (2, 2), (0, 12)]
        assert tree.range_keys(0, 16) == [(4, 0)]
