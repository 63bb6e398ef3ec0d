"""Canonical JSON: the one byte form that is hashed and signed (policy versions now, ledger entries later).

Sorted keys, no insignificant white space, UTF-8, and no floats (their text form is not canonical across
implementations): a float anywhere is refused. Hashes are SHA-256 over a domain-separation prefix and the bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


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


def canonical_json(value: Any) -> bytes:
    _check(value, "")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(domain: str, value: Any) -> str:
    """`sha256:<hex>` of `domain` + NUL + canonical JSON: a hash that cannot collide across kinds of content."""
    digest = hashlib.sha256(domain.encode("ascii") + b"\x00" + canonical_json(value)).hexdigest()
    return f"sha256:{digest}"
