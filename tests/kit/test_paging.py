"""Every list is a page (`items`, `volgende`); walking it one item at a time gives each item once, in order, on
SQLite and PostgreSQL, by name (partners, principals) and by number, oldest first and newest first (casussen)."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from connectors import HubError
from hub.kit.paging import cut, in_memory
from tests.support import Actor


def _walk(client: Any, path: str, **params: str) -> list[Any]:
    """Every page of `path` with one item a page, by hand (the cursor passed back as `na`)."""
    items: list[Any] = []
    query = {**params, "limit": "1"}
    for _ in range(100):
        page = client.get(path, params=query)
        assert set(page) == {"items", "volgende"} and len(page["items"]) <= 1
        items += page["items"]
        if page["volgende"] is None:
            return items
        query["na"] = str(page["volgende"])
    raise AssertionError("the pages never ended")


class TestPages:
    def test_partners_and_principals_by_name(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        operator = actors["operator"].client(http)
        everyone = operator.get("/api/v1/partners", params={"limit": "500"})
        assert everyone["volgende"] is None and len(everyone["items"]) >= 3
        walked = _walk(operator, "/api/v1/partners")
        assert walked == everyone["items"]
        assert [p["id"] for p in walked] == sorted(p["id"] for p in walked)
        two = operator.get("/api/v1/partners", params={"limit": "2"})
        assert two["volgende"] == two["items"][-1]["id"]
        assert list(operator.items("/api/v1/partners", limit=2)) == everyone["items"], "the client follows pages"
        principals = _walk(operator, "/api/v1/principals", partnerId="via-test")
        assert principals and {p["partnerId"] for p in principals} == {"via-test"}, "the filter holds on every page"

    def test_casussen_newest_first_by_number(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        regie = actors["regisseur"].client(http)
        opened = [regie.post("/api/v1/casussen", {"type": "pga", "reden": f"Aanmelding {n}"})["id"] for n in range(3)]
        walked = [c["id"] for c in _walk(regie, "/api/v1/casussen")]
        assert walked == sorted(opened, reverse=True)
        first = regie.get("/api/v1/casussen", params={"limit": "2"})
        assert first["volgende"] == opened[1]
        after_last = regie.get("/api/v1/casussen", params={"na": str(opened[0])})
        assert after_last == {"items": [], "volgende": None}

    def test_a_bad_cursor_or_limit_is_a_problem(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        reviewer = actors["dpia_reviewer"].client(http)
        bad = ({"limit": "0"}, {"limit": "501"}, {"na": "-1"}, {"na": "twee"}, {"na": str(2**31)})
        for path, params in itertools.product(("/api/v1/beleid/versies", "/api/v1/heridentificaties"), bad):
            with pytest.raises(HubError) as refused:  # 2**31 reached PostgreSQL's int4 key (a 500, found by fuzzing)
                reviewer.get(path, params=params)
            assert refused.value.status == 422, (path, params)
        with pytest.raises(HubError) as refused:
            reviewer.get("/api/v1/partners", params={"na": "x" * 129})
        assert refused.value.status == 422


class TestHelpers:
    def test_cut_names_the_last_key_only_when_more_follow(self) -> None:
        assert cut([1, 2, 3], 2, str) == ([1, 2], "2")
        assert cut([1, 2], 2, str) == ([1, 2], None)
        assert cut([], 2, str) == ([], None)

    def test_in_memory_pages_a_computed_list_in_key_order(self) -> None:
        assert in_memory(["c", "a", "b"], str, after=None, limit=2) == (["a", "b"], "b")
        assert in_memory(["c", "a", "b"], str, after="b", limit=2) == (["c"], None)
