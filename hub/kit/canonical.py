"""Canonical JSON: the one byte form that is hashed and signed (ledger entries, policy versions, views).

RFC 8785, the JSON Canonicalization Scheme (JCS): members sorted by their names' UTF-16 code units, no
insignificant white space, UTF-8, strings escaped as ECMAScript does, and no floats (a float anywhere is refused,
so every number is an integer, written as JCS writes it while it lies within +-(2^53 - 1); the ledger's entries stay
well inside). A test holds every entry the suite writes to a maintained JCS implementation (`rfc8785`). Hashes are
SHA-256 over a domain-separation prefix and the bytes.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson


class NotCanonical(ValueError):
    """The value cannot be written canonically (a float, a non-string key, or an unsupported type)."""


def _check(value: Any, path: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return
    if isinstance(value, float):
        raise NotCanonical(f"{path or 'value'} is a float; canonical JSON allows integers only")
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"{path or 'value'} has a non-string key")
            _check(item, f"{path}.{key}" if path else key)
        return
    raise NotCanonical(f"{path or 'value'} has unsupported type {type(value).__name__}")


def _plain(value: Any) -> bool:
    """True when the value holds only dicts with str keys, lists, str, int, bool and None, exactly those types.

    The fast path of the check (no paths are built); anything else goes through `_check`, which accepts subclasses
    such as StrEnum and names where a float or an unsupported value sits.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is int or kind is bool or item is None:
            continue
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str:
                    return False
                stack.append(child)
        elif kind is list or kind is tuple:
            stack.extend(item)
        else:
            return False
    return True


MAX_DEPTH = 32
_INT_RANGE = range(-(2**63), 2**63)
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")
"""A key shaped like a declared field name is named in a problem; any other key (it might hold data) is not."""


def canonical_problem(value: Any, path: str = "value", depth: int = 0) -> str | None:  # noqa: PLR0911 - per JSON type
    """Why `value` cannot be written canonically, naming where and the rule (never the value), for input from
    outside: a float, an integer beyond 64 bits, text that is not valid Unicode, nesting deeper than 32 levels.
    None when it can."""
    if depth > MAX_DEPTH:
        return f"{path}: nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if value in _INT_RANGE else f"{path}: a whole number beyond 64 bits"
    if isinstance(value, float):
        return f"{path}: a number with a fraction or exponent; use a whole number or text"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{path}: text that is not valid Unicode (a lone surrogate)"
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = canonical_problem(item, f"{path}[{index}]", depth + 1)
            if found:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = canonical_problem(key, f"{path} (a key)", depth + 1) or canonical_problem(
                item, f"{path}.{key}" if _FIELD_NAME.fullmatch(key) else f"{path}[…]", depth + 1
            )
            if found:
                return found
        return None
    return f"{path}: not a JSON value"


_ASTRAL = re.compile(rb"[\xf0-\xf4]")
"""The first byte of a character beyond U+FFFF in UTF-8: only then can code point order differ from JCS's."""


def canonical_json(value: Any) -> bytes:
    """The canonical bytes (RFC 8785), written by orjson, which is ten times faster than `json` and gives the same
    bytes for every value the check lets through (property tests hold it to `json.dumps` and to `rfc8785`).

    orjson sorts member names by code point, which is JCS's UTF-16 order unless a name holds a character beyond
    U+FFFF; output with such a character anywhere is written again with its members put in UTF-16 order."""
    if not _plain(value):
        _check(value, "")
    try:
        data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        if _ASTRAL.search(data) is None:
            return data
        return orjson.dumps(_in_utf16_order(value))
    except TypeError as exc:  # an integer beyond 64 bits, or a lone surrogate
        raise NotCanonical(f"value cannot be written canonically: {type(exc).__name__}") from None


def _in_utf16_order(value: Any) -> Any:
    """`value` with every object's members in RFC 8785's order: by their names' UTF-16 code units."""
    if isinstance(value, dict):
        ordered = sorted(value.items(), key=lambda item: item[0].encode("utf-16-be"))
        return {key: _in_utf16_order(item) for key, item in ordered}
    if isinstance(value, list | tuple):
        return [_in_utf16_order(item) for item in value]
    return value


def content_hash(domain: str, value: Any) -> str:
    """`sha256:<hex>` of `domain` + NUL + canonical JSON: a hash that cannot collide across kinds of content."""
    digest = hashlib.sha256(domain.encode("ascii") + b"\x00" + canonical_json(value)).hexdigest()
    return f"sha256:{digest}"
