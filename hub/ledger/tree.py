"""The Merkle tree as stored: every perfect subtree's hash, so roots and proofs take O(log n) lookups.

A node `(level, index)` is the hash of the perfect subtree of 2**level leaves that starts at leaf
`index * 2**level`; level 0 holds the leaf hashes. A node is written once, when its last leaf is appended, and
never changes. Every subtree that RFC 9162's definitions ask for (MTH of D[a:b] in a proof or a root) starts at a
multiple of the largest power of two below its size, so it is either one stored node or splits into a stored
left node and a smaller right part: `range_keys` lists the nodes a range needs, `range_hash` combines them.

This module knows no database: `repository.py` fetches the nodes it names. `connectors.tlog` stays the reference
the property tests compare against.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from connectors.tlog import EMPTY_ROOT, node_hash

NodeKey = tuple[int, int]
Range = tuple[int, int]


def node_id(key: NodeKey) -> int:
    """The stored key of a node: level * 2**40 + index (a log of up to 2**40 entries)."""
    return (key[0] << 40) | key[1]


def node_key(node: int) -> NodeKey:
    return node >> 40, node & ((1 << 40) - 1)


def _split(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def range_keys(start: int, end: int) -> list[NodeKey]:
    """The stored nodes whose hashes give MTH(D[start:end]) (start aligned as RFC 9162's recursion aligns it)."""
    keys: list[NodeKey] = []
    while end - start > 0:
        size = end - start
        if size & (size - 1) == 0 and start % size == 0:
            keys.append((size.bit_length() - 1, start // size))
            break
        k = _split(size)
        keys.append(((k.bit_length() - 1), start // k))
        start += k
    return keys


def range_hash(start: int, end: int, nodes: Mapping[NodeKey, bytes]) -> bytes:
    """MTH(D[start:end]) from the stored nodes `range_keys(start, end)` names."""
    if end <= start:
        return EMPTY_ROOT
    parts = [nodes[key] for key in range_keys(start, end)]
    result = parts[-1]
    for left in reversed(parts[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees whose hashes make PATH(index, D[0:size]) (RFC 9162 2.1.3.1), in path order."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    ranges: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def inclusion_plan(index: int, size: int) -> list[list[NodeKey]]:
    """The stored nodes of each hash of PATH(index, D[0:size]), computed directly (what `plan` of
    `inclusion_ranges` gives, without the recursion): below the level where `index` and the last leaf part ways,
    each sibling is a stored node, except the right border, which is folded from the nodes of its range; above
    it, the path holds the left siblings."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    inner = (index ^ (size - 1)).bit_length()
    planned: list[list[NodeKey]] = []
    for level in range(inner):
        sibling = (index >> level) ^ 1
        start = sibling << level
        planned.append([(level, sibling)] if start + (1 << level) <= size else range_keys(start, size))
    for level in range(inner, size.bit_length()):
        if (index >> level) & 1:
            planned.append([(level, (index >> level) ^ 1)])
    return planned


def consistency_ranges(old_size: int, size: int) -> list[Range]:
    """The subtrees whose hashes make PROOF(old_size, D[0:size]) (RFC 9162 2.1.4.1), in proof order."""
    if not 0 <= old_size <= size:
        raise ValueError("the old size must lie between 0 and the tree size")
    if old_size in (0, size):
        return []
    ranges: list[Range] = []
    start, end, m, complete = 0, size, old_size, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                ranges.append((start, end))
            break
        k = _split(n)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, complete = start + k, m - k, False
    ranges.reverse()
    return ranges


def keys_for(ranges: Iterable[Range]) -> set[NodeKey]:
    return {key for start, end in ranges for key in range_keys(start, end)}


def hashes(ranges: Sequence[Range], nodes: Mapping[NodeKey, bytes]) -> list[bytes]:
    return [range_hash(start, end, nodes) for start, end in ranges]


def plan(ranges: Sequence[Range]) -> list[list[NodeKey]]:
    """The node keys of each range, worked out once (for `fold`)."""
    return [range_keys(start, end) for start, end in ranges]


def fold(planned: Sequence[Sequence[NodeKey]], nodes: Mapping[NodeKey, bytes]) -> list[bytes]:
    """The hash of each planned range: its nodes folded from the right, as `range_hash` does."""
    out = []
    for keys in planned:
        result = nodes[keys[-1]]
        for key in reversed(keys[:-1]):
            result = node_hash(nodes[key], result)
        out.append(result)
    return out


def new_nodes(
    old_size: int, leaves: Sequence[bytes], fetch: Callable[[set[NodeKey]], Mapping[NodeKey, bytes]]
) -> dict[NodeKey, bytes]:
    """Every node (leaves included) that appending `leaves` after `old_size` leaves completes.

    A completed node's right child is new; its left child may be older, and at most one per level is: those are
    fetched at once with `fetch`.
    """
    size = old_size + len(leaves)
    made: dict[NodeKey, bytes] = {(0, old_size + i): leaf for i, leaf in enumerate(leaves)}
    wanted: set[NodeKey] = set()
    level = 1
    while (1 << level) <= size:
        first, stop = old_size >> level, size >> level
        if first < stop and ((2 * first + 1) << (level - 1)) <= old_size:
            wanted.add((level - 1, 2 * first))
        level += 1
    known = {**fetch(wanted), **made} if wanted else dict(made)
    result: dict[NodeKey, bytes] = dict(made)
    level = 1
    while (1 << level) <= size:
        for index in range(old_size >> level, size >> level):
            value = node_hash(known[(level - 1, 2 * index)], known[(level - 1, 2 * index + 1)])
            known[(level, index)] = result[(level, index)] = value
        level += 1
    return result
