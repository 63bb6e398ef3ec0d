"""Projection: the recipient's view of a melding holds exactly the fields its decision allows.

Default deny: a field that the berichttype does not declare is dropped, whatever its name; a declared leaf
that holds an object instead of a value is dropped too, so nothing can be smuggled in under a permitted name.
Lists (of persons, of addresses) are projected element by element; an element left empty is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.policy.format import Berichttype

Allows = Callable[[str, str | None], bool]


@dataclass(slots=True)
class Node:
    """One field of a berichttype: a leaf with its category (and consent item), or an object/list of objects."""

    categorie: str | None = None
    item: str | None = None
    is_list: bool = False
    children: dict[str, Node] | None = None


@dataclass(frozen=True, slots=True)
class FieldTree:
    berichttype: str
    root: Mapping[str, Node] = field(default_factory=dict)

    def categories(self) -> frozenset[str]:
        found: set[str] = set()
        _walk_categories(self.root, found)
        return frozenset(found)


def build_tree(berichttype: Berichttype) -> FieldTree:
    root: dict[str, Node] = {}
    for path, spec in berichttype.velden.items():
        categorie, item = (spec, None) if isinstance(spec, str) else (spec.categorie, spec.item)
        parts = path.split(".")
        level = root
        for depth, part in enumerate(parts):
            name, is_list = (part[:-2], True) if part.endswith("[]") else (part, False)
            last = depth == len(parts) - 1
            node = level.get(name)
            if node is None:
                node = Node(is_list=is_list, children=None if last else {})
                level[name] = node
            if last:
                node.categorie, node.item = categorie, item
            else:
                if node.children is None:
                    node.children = {}
                level = node.children
    return FieldTree(berichttype.code, root)


def present_categories(payload: Mapping[str, Any], tree: FieldTree) -> frozenset[str]:
    """The categories of the declared fields that this melding actually fills."""
    found: set[str] = set()
    _present(payload, tree.root, found)
    return frozenset(found)


def project(payload: Mapping[str, Any], tree: FieldTree, allows: Allows) -> dict[str, Any]:
    """The recipient's view: only declared fields whose (category, item) `allows` accepts."""
    return _project(payload, tree.root, allows)


def _is_value(value: Any) -> bool:
    if isinstance(value, list):
        return all(v is None or isinstance(v, str | int | bool) for v in value)
    return value is None or isinstance(value, str | int | bool)


def _project(obj: Mapping[str, Any], nodes: Mapping[str, Node], allows: Allows) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in obj.items():
        node = nodes.get(name)
        if node is None:
            continue
        if node.children is not None:
            if node.is_list:
                if isinstance(value, list):
                    kept = [p for v in value if isinstance(v, dict) and (p := _project(v, node.children, allows))]
                    if kept:
                        out[name] = kept
            elif isinstance(value, dict):
                projected = _project(value, node.children, allows)
                if projected:
                    out[name] = projected
        elif node.categorie is not None and _is_value(value) and allows(node.categorie, node.item):
            out[name] = value
    return out


def _present(obj: Mapping[str, Any], nodes: Mapping[str, Node], found: set[str]) -> None:
    for name, value in obj.items():
        node = nodes.get(name)
        if node is None or value is None:
            continue
        if node.children is not None:
            if node.is_list and isinstance(value, list):
                for element in value:
                    if isinstance(element, dict):
                        _present(element, node.children, found)
            elif isinstance(value, dict):
                _present(value, node.children, found)
        elif node.categorie is not None and _is_value(value):
            found.add(node.categorie)


def _walk_categories(nodes: Mapping[str, Node], found: set[str]) -> None:
    for node in nodes.values():
        if node.categorie is not None:
            found.add(node.categorie)
        if node.children is not None:
            _walk_categories(node.children, found)
