"""Projection: the recipient's view of a melding holds exactly the fields its decision allows.

Default deny: a field that the berichttype does not declare is dropped, whatever its name; a declared leaf
that holds an object instead of a value is dropped too, so nothing can be smuggled in under a permitted name.
Lists (of persons, of addresses) are projected element by element; an element left empty is dropped.

For speed the field tree is specialised per decision into a plan (each leaf marked go / no go), cached under
the set of (category, item) kinds the decision allows; one walk then yields the view and the categories present.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.policy.convenant.format import Berichttype
from hub.policy.deciding.decision import Besluit

Allows = Callable[[str, str | None], bool]
Kind = tuple[str, str | None]

_VALUE_TYPES = frozenset({str, int, bool, type(None)})


@dataclass(frozen=True, slots=True)
class Plan:
    """A field tree specialised for one decision: leaves (category, goes?), objects and lists of objects."""

    leaves: dict[str, tuple[tuple[str, ...], bool]]
    """name -> (the categories a filled value counts as present: its own, and those its free text may hold; goes?)"""
    objects: dict[str, Plan]
    lists: dict[str, Plan]


@dataclass(slots=True)
class Node:
    """One field of a berichttype: a leaf with its category (and consent item), or an object/list of objects."""

    categorie: str | None = None
    item: str | None = None
    bevat: tuple[str, ...] = ()
    """A free-text field: the categories it may hold besides its own. It goes only where every one is allowed."""
    max_lengte: int | None = None
    """A free-text field: the most characters it may hold."""
    is_list: bool = False
    children: dict[str, Node] | None = None


class FieldTree:
    """The declared fields of one berichttype, and the plans derived from it per decision."""

    __slots__ = ("_lock", "_plans", "berichttype", "kinds", "root")

    def __init__(self, berichttype: str, root: Mapping[str, Node]) -> None:
        self.berichttype = berichttype
        self.root = root
        kinds: set[Kind] = set()
        _walk_kinds(root, kinds)
        self.kinds: frozenset[Kind] = frozenset(kinds)
        self._plans: dict[frozenset[Kind], Plan] = {}
        self._lock = threading.Lock()

    def categories(self) -> frozenset[str]:
        return frozenset(categorie for categorie, _ in self.kinds)

    def plan_for(self, besluit: Besluit) -> Plan:
        """The plan for this decision, memoised on the decision itself (decisions are shared and immutable)."""
        key = ("plan", self)
        plan = besluit.memo.get(key)
        if not isinstance(plan, Plan):
            plan = self.plan(besluit.staat_toe)
            besluit.memo[key] = plan
        return plan

    def plan(self, allows: Allows) -> Plan:
        allowed = frozenset(kind for kind in self.kinds if allows(*kind))
        plan = self._plans.get(allowed)
        if plan is None:
            plan = _make_plan(self.root, allowed)
            with self._lock:
                self._plans[allowed] = plan
        return plan


def build_tree(berichttype: Berichttype) -> FieldTree:
    root: dict[str, Node] = {}
    for path, spec in berichttype.velden.items():
        categorie, item = (spec, None) if isinstance(spec, str) else (spec.categorie, spec.item)
        vrij = berichttype.vrije_tekst.get(path)
        bevat = tuple(sorted(set(vrij.kan_bevatten) - {categorie})) if vrij is not None else ()
        max_lengte = vrij.max_lengte if vrij is not None else None
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
                node.categorie, node.item, node.bevat, node.max_lengte = categorie, item, bevat, max_lengte
            else:
                if node.children is None:
                    node.children = {}
                level = node.children
    return FieldTree(berichttype.code, root)


def project_and_present(
    payload: Mapping[str, Any], tree: FieldTree, allows: Allows | Besluit
) -> tuple[dict[str, Any], frozenset[str]]:
    """The recipient's view, and the categories of the declared fields this melding fills (for its record)."""
    present: set[str] = set()
    plan = tree.plan_for(allows) if isinstance(allows, Besluit) else tree.plan(allows)
    view = _walk(payload, plan, present)
    return view, frozenset(present)


def project(payload: Mapping[str, Any], tree: FieldTree, allows: Allows | Besluit) -> dict[str, Any]:
    """The recipient's view: only declared fields whose (category, item) `allows` accepts."""
    return project_and_present(payload, tree, allows)[0]


def present_categories(payload: Mapping[str, Any], tree: FieldTree) -> frozenset[str]:
    """The categories of the declared fields that this melding actually fills."""
    return project_and_present(payload, tree, _nothing)[1]


def _nothing(_: str, __: str | None) -> bool:
    return False


def _make_plan(nodes: Mapping[str, Node], allowed: frozenset[Kind]) -> Plan:
    plan = Plan(leaves={}, objects={}, lists={})
    for name, node in nodes.items():
        if node.children is not None:
            (plan.lists if node.is_list else plan.objects)[name] = _make_plan(node.children, allowed)
        elif node.categorie is not None:
            goes = (node.categorie, node.item) in allowed and all((b, None) in allowed for b in node.bevat)
            plan.leaves[name] = ((node.categorie, *node.bevat), goes)
    return plan


def _walk(obj: Mapping[str, Any], plan: Plan, present: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    leaves, objects, lists = plan.leaves, plan.objects, plan.lists
    for name, value in obj.items():
        leaf = leaves.get(name)
        if leaf is not None:
            kind = type(value)
            if kind in _VALUE_TYPES:
                if value is not None:
                    present.update(leaf[0])
            elif kind is list and all(type(v) in _VALUE_TYPES for v in value):
                if value:
                    present.update(leaf[0])
            else:
                continue  # an object where a value belongs: never passed on
            if leaf[1]:
                out[name] = value
            continue
        sub = objects.get(name)
        if sub is not None:
            if type(value) is dict and (projected := _walk(value, sub, present)):
                out[name] = projected
            continue
        sub = lists.get(name)
        if sub is not None and type(value) is list:
            kept = [p for v in value if type(v) is dict and (p := _walk(v, sub, present))]
            if kept:
                out[name] = kept
    return out


def _walk_kinds(nodes: Mapping[str, Node], kinds: set[Kind]) -> None:
    for node in nodes.values():
        if node.categorie is not None:
            kinds.add((node.categorie, node.item))
            kinds.update((b, None) for b in node.bevat)
        if node.children is not None:
            _walk_kinds(node.children, kinds)
