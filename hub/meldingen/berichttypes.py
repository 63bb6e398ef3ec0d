"""One schema per berichttype: the fields the active convenant declares, each with its category and a type.

The convenant says which fields a berichttype has and which gegevenscategorie each belongs to; the hub adds the
type of each field from its name (dates, times, booleans, counts, ZRM scores, roles, text), so that partners get
a JSON Schema they can validate against before they send, and the hub refuses what does not fit with a 422 that
names the field and never repeats its value. Fields a berichttype does not declare are accepted but never passed
on (default deny happens in the projection). Persons are the elements of the lists whose fields identify
someone (`personen[]`, `adressen[].bewoners[]`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.policy.convenant.format import Berichttype
from hub.policy.deciding.projection import FieldTree, Node, build_tree

ROLLEN = (
    "betrokkene",
    "slachtoffer",
    "kind",
    "ouder",
    "pleger",
    "huisgenoot",
    "gedetineerde",
    "uithuisgeplaatste",
    "achterblijver",
    "bewoner",
    "huurder",
)
"""The roles a person can have in a melding: a closed list, since the role is written into the ledger."""

IDENTITY_FIELDS = ("bsn", "voornamen", "tussenvoegsel", "achternaam", "geboortedatum")
PSEUDONIEM = "pseudoniem"
"""The field that carries a recipient's own pseudonym in place of an identity it may not have."""

_DATES = {"datum", "geboortedatum", "ingangsdatum", "einddatum", "verwachte_einddatum", "peildatum"}
_BOOLEANS = {"spoed", "verlengd", "wapenbezit", "kinderen_aanwezig_bij_incident", "ontruiming_aangezegd", "aangezegd"}
_COUNTS = {"maanden", "bedrag_euro", "aantal_kinderen", "eerdere_zorgmeldingen", "kinderen"}
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_MAX_TEXT = 2000
_MAX_ITEMS = 500
GEMEENTECODE = r"^GM[0-9]{4}$"
GEMEENTECODE_EXACT = r"GM[0-9]{4}"


def _leaf_schema(node: Node, here: tuple[str, ...]) -> dict[str, Any]:
    """A leaf's JSON Schema: by its name, and for a declared free-text field its own longest length."""
    schema = field_schema(".".join(here), here[-1])
    if node.max_lengte is not None and schema.get("type") == "string" and "maxLength" in schema:
        return {**schema, "maxLength": node.max_lengte}
    return schema


def field_schema(path: str, name: str) -> dict[str, Any]:  # noqa: PLR0911 - one answer per kind of field
    """The JSON Schema of one leaf, from its name (and, for ZRM scores, its place)."""
    if name in _DATES:
        return {"type": "string", "format": "date"}
    if name == "tijd":
        return {"type": "string", "pattern": _TIME.pattern}
    if name in _BOOLEANS:
        return {"type": "boolean"}
    if name in _COUNTS:
        return {"type": "integer", "minimum": 0}
    if path.startswith("scores."):
        return {"type": "integer", "minimum": 1, "maximum": 5}
    if name == "rol":
        return {"type": "string", "enum": list(ROLLEN)}
    if name == "bsn":
        return {"type": "string", "pattern": r"^[0-9 .\-]{8,12}$"}
    if name == "gemeentecode":
        return {"type": "string", "pattern": GEMEENTECODE}
    return {"type": "string", "maxLength": _MAX_TEXT}


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Required:
    """What a berichttype requires, as node paths of its field tree (list markers dropped)."""

    present: frozenset[tuple[str, ...]]
    """Fields, objects and lists that must be present and not null (inside a list: in every element)."""
    non_empty: frozenset[tuple[str, ...]]
    """Lists that must hold at least one element."""


def required_of(verplicht: list[str]) -> Required:
    """`verplicht` as node paths. A required field implies its enclosing objects up to the nearest list, whose
    elements then carry the requirement: `personen[].rol` needs a role in every person, not a list of persons."""
    present: set[tuple[str, ...]] = set()
    non_empty: set[tuple[str, ...]] = set()
    for path in verplicht:
        parts = path.split(".")
        names = tuple(part.removesuffix("[]") for part in parts)
        if path.endswith("[]"):
            non_empty.add(names)
        present.add(names)
        for depth in range(len(parts) - 1, 0, -1):
            if parts[depth - 1].endswith("[]"):
                break
            present.add(names[:depth])
    return Required(frozenset(present), frozenset(non_empty))


class Schema:
    """A berichttype's field tree, its leaf types, what it requires, the paths of its person lists, the field that
    says which gemeente a melding concerns, and its JSON Schema. The validator and the published JSON Schema come
    from this one definition (a test holds their verdicts equal, with a standard JSON Schema validator)."""

    def __init__(self, berichttype: Berichttype) -> None:
        self.code = berichttype.code
        self.versie = berichttype.versie
        self.omschrijving = berichttype.omschrijving
        self.tree: FieldTree = build_tree(berichttype)
        self.required = required_of(berichttype.verplicht)
        self.gemeente_path: tuple[str, ...] | None = (
            tuple(berichttype.gemeente.split(".")) if berichttype.gemeente else None
        )
        self.postcode_path: tuple[str, ...] | None = (
            tuple(berichttype.postcode.split(".")) if berichttype.postcode else None
        )
        self.lijst_path: tuple[str, ...] | None = tuple(berichttype.lijst.split(".")) if berichttype.lijst else None
        """A list of addresses (`adressen[]`): such meldingen are capped per sender and period, and in length."""
        self.person_lists: tuple[tuple[str, ...], ...] = tuple(_person_lists(self.tree.root, ()))
        self.tree_with_pseudonyms: FieldTree = _with_pseudonym_leaves(berichttype, self.person_lists)

    def json_schema(self) -> dict[str, Any]:
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:schakel:berichttype:{self.code}:v{self.versie}",
            "title": f"{self.code} (versie {self.versie})",
            "description": self.omschrijving,
            **_object_schema(self.tree.root, (), self.required),
        }

    def validate(self, payload: Any) -> list[Problem]:
        if not isinstance(payload, dict):
            return [Problem("inhoud", "must be an object")]
        problems: list[Problem] = []
        _check_object(payload, self.tree.root, "inhoud", (), self.required, problems)
        return problems[:20]

    def gemeente_of(self, payload: dict[str, Any]) -> str | None:
        """The CBS gemeentecode the melding concerns, or None when it does not say (validated already)."""
        if self.gemeente_path is None:
            return None
        value: Any = payload
        for name in self.gemeente_path:
            value = value.get(name) if isinstance(value, dict) else None
        return value if isinstance(value, str) and re.fullmatch(GEMEENTECODE_EXACT, value) else None

    def list_length(self, payload: dict[str, Any]) -> int:
        """How many elements the melding's list holds (0 for a berichttype that is no list)."""
        if self.lijst_path is None:
            return 0
        value: Any = payload
        for name in self.lijst_path:
            value = value.get(name.removesuffix("[]")) if isinstance(value, dict) else None
        return len(value) if isinstance(value, list) else 0

    def postcodes_of(self, payload: dict[str, Any]) -> list[str]:
        """The postcodes of the address the gemeentecode describes (none where the berichttype declares none)."""
        return [] if self.postcode_path is None else _values_at(payload, self.postcode_path)


def _values_at(value: Any, path: Sequence[str]) -> list[str]:
    """The strings at `path` (`adressen[]` descends into every element of a list)."""
    if not path:
        return [value] if isinstance(value, str) else []
    name, rest = path[0], path[1:]
    child = value.get(name.removesuffix("[]")) if isinstance(value, dict) else None
    if name.endswith("[]"):
        return [found for element in child for found in _values_at(element, rest)] if isinstance(child, list) else []
    return _values_at(child, rest)


def _person_lists(nodes: Mapping[str, Node], prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
    found = []
    for name, node in nodes.items():
        if node.children is None:
            continue
        path = (*prefix, name)
        identifies = any(
            child.categorie == "identificatie" and key in ("bsn", "achternaam") for key, child in node.children.items()
        )
        if node.is_list and identifies:
            found.append(path)
        found.extend(_person_lists(node.children, path))
    return found


def _with_pseudonym_leaves(berichttype: Berichttype, person_lists: tuple[tuple[str, ...], ...]) -> FieldTree:
    """The field tree with a `pseudoniem` leaf in each person (category `pseudoniem`, allowed by the service)."""
    velden = dict(berichttype.velden)
    for path in person_lists:
        velden[".".join(f"{p}[]" for p in path) + f".{PSEUDONIEM}"] = PSEUDONIEM
    return build_tree(berichttype.model_copy(update={"velden": velden}))


def _object_schema(nodes: Mapping[str, Node], path: tuple[str, ...], required: Required) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, node in nodes.items():
        here = (*path, name)
        kind: str
        if node.children is None:
            leaf = _leaf_schema(node, here)
            kind = leaf["type"]
            properties[name] = {
                **leaf,
                "x-categorie": node.categorie,
                **({"x-kan-bevatten": list(node.bevat)} if node.bevat else {}),
                **({"x-toestemmingsitem": node.item} if node.item else {}),
            }
        elif node.is_list:
            kind = "array"
            minimum = {"minItems": 1} if here in required.non_empty else {}
            properties[name] = {
                "items": _object_schema(node.children, here, required),
                **minimum,
                "maxItems": _MAX_ITEMS,
            }
        else:
            kind = "object"
            properties[name] = _object_schema(node.children, here, required)
        if here in required.present:
            properties[name]["type"] = kind
        else:
            properties[name]["type"] = [kind, "null"]
            if "enum" in properties[name]:  # an enum restricts null too: list it, as the validator allows it
                properties[name]["enum"] = [*properties[name]["enum"], None]
    names = [name for name in nodes if (*path, name) in required.present]
    return {
        "type": "object",
        "properties": properties,
        **({"required": names} if names else {}),
        "additionalProperties": True,
    }


def _check_object(  # noqa: PLR0917, PLR0912 - the walk's state; one branch per kind of node
    value: dict[str, Any],
    nodes: Mapping[str, Node],
    where: str,
    path: tuple[str, ...],
    required: Required,
    problems: list[Problem],
) -> None:
    for name, node in nodes.items():
        here, at = (*path, name), f"{where}.{name}"
        if name not in value or value[name] is None:
            if here in required.present:
                problems.append(Problem(at, "is required"))
            continue
        item = value[name]
        if node.children is None:
            message = _leaf_problem(item, _leaf_schema(node, here))
            if message:
                problems.append(Problem(at, message))
        elif node.is_list:
            if not isinstance(item, list) or len(item) > _MAX_ITEMS:
                problems.append(Problem(at, f"must be a list of at most {_MAX_ITEMS} objects"))
                continue
            if not item and here in required.non_empty:
                problems.append(Problem(at, "must hold at least one element"))
            for index, element in enumerate(item):
                if not isinstance(element, dict):
                    problems.append(Problem(f"{at}[{index}]", "must be an object"))
                else:
                    _check_object(element, node.children, f"{at}[{index}]", here, required, problems)
        elif not isinstance(item, dict):
            problems.append(Problem(at, "must be an object"))
        else:
            _check_object(item, node.children, at, here, required, problems)


def _leaf_problem(value: Any, schema: dict[str, Any]) -> str | None:  # noqa: PLR0911 - one answer per type
    kind = schema["type"]
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            return f"must lie between {schema.get('minimum')} and {schema.get('maximum', 'any')}"
        return None
    if not isinstance(value, str):
        return "must be text"
    if schema.get("format") == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "must be a date YYYY-MM-DD"
        return None if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) else "must be a date YYYY-MM-DD"
    if "enum" in schema and value not in schema["enum"]:
        return "must be one of " + ", ".join(schema["enum"])
    if "pattern" in schema and not re.search(schema["pattern"], value):  # as JSON Schema defines `pattern`
        return "has the wrong form"
    if len(value) > schema.get("maxLength", _MAX_TEXT):
        return f"is longer than {schema.get('maxLength', _MAX_TEXT)} characters"
    return None
