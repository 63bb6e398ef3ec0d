"""Canonical JSON: orjson writes exactly the bytes the documented `json.dumps` form defines, and floats are refused."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.kit.canonical import NotCanonical, canonical_json

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)


class Kleur(StrEnum):
    ROOD = "rood"


class TestCanonicalJson:
    @settings(max_examples=300, deadline=None)
    @given(VALUES)
    def test_the_bytes_are_the_documented_json_dumps_form(self, value: Any) -> None:
        documented = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        assert canonical_json(value) == documented

    @pytest.mark.parametrize("value", [1.5, {"a": [1, {"b": 0.0}]}, {1: "x"}, {"a": object()}])
    def test_floats_and_other_values_are_refused(self, value: Any) -> None:
        with pytest.raises(NotCanonical):
            canonical_json(value)

    def test_a_float_is_named_by_where_it_sits(self) -> None:
        with pytest.raises(NotCanonical, match=r"a\[1\]\.b is a float"):
            canonical_json({"a": [1, {"b": 0.5}]})

    def test_string_enums_and_tuples_are_written_as_their_values(self) -> None:
        assert canonical_json({"k": Kleur.ROOD, "t": (1, 2)}) == b'{"k":"rood","t":[1,2]}'
