"""Canonical JSON is RFC 8785 (JCS): held to the maintained `rfc8785` implementation, and to `json.dumps` where the
two orders agree (member names without characters beyond U+FFFF); floats are refused."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.kit.canonical import NotCanonical, canonical_json
from hub.kit.clock import utcnow

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)


JCS_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)
"""What JCS can write exactly: integers within +-(2^53 - 1), as in every ledger entry."""


class Kleur(StrEnum):
    ROOD = "rood"


class TestCanonicalJson:
    @settings(max_examples=500, deadline=None)
    @given(JCS_VALUES)
    def test_the_bytes_are_rfc_8785(self, value: Any) -> None:
        assert canonical_json(value) == rfc8785.dumps(value)

    @settings(max_examples=300, deadline=None)
    @given(VALUES)
    def test_with_names_in_the_basic_plane_the_bytes_are_json_dumps_sorted(self, value: Any) -> None:
        documented = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if all(ord(c) <= 0xFFFF for key in _names(value) for c in key):
            assert canonical_json(value) == documented

    def test_member_names_sort_by_utf_16_code_units(self) -> None:
        """A name beyond U+FFFF (a surrogate pair in UTF-16) sorts before one at U+E000, unlike by code point."""
        value: dict[str, Any] = {"\ue000": 1, "\U0001f600": 2, "a": {"\ue000": 3, "\U0001f600": 4}}
        assert canonical_json(value) == rfc8785.dumps(value)
        assert canonical_json(value).index("\U0001f600".encode()) < canonical_json(value).index("\ue000".encode())

    @pytest.mark.parametrize("value", [1.5, {"a": [1, {"b": 0.0}]}, {1: "x"}, {"a": object()}])
    def test_floats_and_other_values_are_refused(self, value: Any) -> None:
        with pytest.raises(NotCanonical):
            canonical_json(value)

    def test_a_float_is_named_by_where_it_sits(self) -> None:
        with pytest.raises(NotCanonical, match=r"a\[1\]\.b is a float"):
            canonical_json({"a": [1, {"b": 0.5}]})

    def test_string_enums_and_tuples_are_written_as_their_values(self) -> None:
        assert canonical_json({"k": Kleur.ROOD, "t": (1, 2)}) == b'{"k":"rood","t":[1,2]}'


def _names(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(n for item in value.values() for n in _names(item))]
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    return []


def test_every_entry_the_suite_writes_goes_through_the_jcs_check() -> None:
    """tests/conftest.py holds each entry `hub.ledger.service.prepare` writes to `rfc8785`: the check is in place."""
    from hub.ledger import service  # noqa: PLC0415 - the module whose writer the suite replaced

    entry: dict[str, Any] = {"\ue000": 1, "\U0001f600": [2, "\u2028"], "v": 1}
    assert service.prepare(entry, utcnow()).entry == rfc8785.dumps(entry)
    assert vars(service)["canonical_json"].__name__ == "checked"
