"""One shape for every list the API returns: a page of `items` and the cursor `volgende`.

A client asks for the first page, then passes each page's `volgende` back as `na` until `volgende` is null. The
cursor is the key of the last item on the page (a number for numbered things such as convenant versions, the id for
named things such as partners), so a page never skips or repeats an item when others are added meanwhile. Pages are
read from the database by that key (keyset pagination), never by offset.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import Field
from sqlalchemy.orm import Mapped
from sqlmodel.sql.expression import SelectOfScalar

from hub.kit.api import MAX_ID, ApiModel

ItemT = TypeVar("ItemT")
CursorT = TypeVar("CursorT", int, str)
RowT = TypeVar("RowT")

NEXT_DESCRIPTION = "Pass as `na` for the next page; null on the last page."

Limit = Annotated[int, Query(ge=1, le=500, description="At most this many items (1 to 500).")]
"""How many items a page holds."""
NumberCursor = Annotated[
    int | None, Query(ge=0, le=MAX_ID, description="The `volgende` of the previous page; absent for the first.")
]
"""The cursor of a list of numbered things: an id, which the tables with INTEGER keys (PostgreSQL's int4) can hold.
(The ledger, the deliveries and the audit trail number with 64 bits and declare their own `na`.)"""
NameCursor = Annotated[
    str | None, Query(min_length=1, max_length=128, description="The `volgende` of the previous page.")
]
"""The cursor of a list of named things."""


class Pagina(ApiModel, Generic[ItemT, CursorT]):
    """A page of a list: subclass it once per list, so the OpenAPI document names it (`PartnerPage`)."""

    items: list[ItemT]
    volgende: CursorT | None = Field(description=NEXT_DESCRIPTION)


def keyset(
    query: SelectOfScalar[RowT], key: Mapped[Any], *, after: Any, limit: int | None, descending: bool = False
) -> SelectOfScalar[RowT]:
    """Order `query` by `key` and start after the cursor; fetch one more than `limit` to know if a page follows."""
    query = query.order_by(key.desc() if descending else key)
    if after is not None:
        query = query.where(key < after if descending else key > after)
    return query if limit is None else query.limit(limit + 1)


def cut(rows: Sequence[RowT], limit: int, cursor: Callable[[RowT], CursorT]) -> tuple[list[RowT], CursorT | None]:
    """The page (at most `limit` rows) and its `volgende`: the last row's key if `rows` held one row more."""
    items = list(rows[:limit])
    return items, cursor(items[-1]) if len(rows) > limit and items else None


def in_memory(
    items: Sequence[RowT], key: Callable[[RowT], CursorT], *, after: CursorT | None, limit: int
) -> tuple[list[RowT], CursorT | None]:
    """The same paging over a short list the hub computes rather than reads (berichttypen of the convenant)."""
    ordered = sorted(items, key=key)
    rest = ordered if after is None else [item for item in ordered if key(item) > after]
    return cut(rest, limit, key)
