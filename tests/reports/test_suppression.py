"""Small cells in the annual figures beyond one's own organisation: every figure shown is 0 or at least `KLEIN`, and
none that is suppressed can be worked out from the totals it adds up to (hypothesis, over random years)."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.reports.jaarcijfers import KLEIN, Rij, _Item, _rows, suppressed

_items = st.lists(
    st.builds(
        _Item,
        gemeente=st.sampled_from(["GM0935", "GM0917", "GM0928", "onbekend"]),
        kwartaal=st.integers(1, 4),
        thema=st.sampled_from(["pga", "top-x", "radicalisering"]),
        personen=st.frozensets(st.sampled_from([f"p{n}" for n in range(40)]), max_size=3),
    ),
    max_size=120,
)

Key = tuple[str | None, int | None, str | None]


def _sums(rows: list[Rij]) -> dict[Key, list[Key]]:
    """Each total and the figures that add up to it, as the page shows them."""
    sums: dict[Key, list[Key]] = defaultdict(list)
    for r in rows:
        if r.gemeente is not None and r.kwartaal is not None:
            sums[(r.gemeente, None, r.thema)].append((r.gemeente, r.kwartaal, r.thema))
        elif r.gemeente is not None and r.thema is not None:
            sums[(r.gemeente, None, None)].append((r.gemeente, None, r.thema))
            sums[(None, None, r.thema)].append((r.gemeente, None, r.thema))
        elif r.gemeente is not None:
            sums[(None, None, None)].append((r.gemeente, None, None))
        elif r.thema is not None:
            sums[(None, None, None)].append((None, None, r.thema))
    return sums


@settings(max_examples=300, deadline=None)
@given(_items)
def test_no_small_figure_is_shown_or_can_be_worked_out(items: list[_Item]) -> None:
    rows = _rows(items)
    shown = suppressed(rows)
    assert [(r.gemeente, r.kwartaal, r.thema) for r in shown] == [(r.gemeente, r.kwartaal, r.thema) for r in rows]
    for before, after in zip(rows, shown, strict=True):
        assert (after.aantal is None) == (after.personen is None), "a row is shown or suppressed whole"
        if after.aantal is not None:
            assert (after.aantal, after.personen) == (before.aantal, before.personen), "shown as counted"
            assert after.aantal >= KLEIN or after.aantal == 0
            assert after.personen is not None and (after.personen >= KLEIN or after.personen == 0)
    hidden = {(r.gemeente, r.kwartaal, r.thema) for r in shown if r.aantal is None}
    for total, parts in _sums(rows).items():
        assert sum(key in hidden for key in [total, *parts]) != 1, (total, "one unknown in a sum is known")


def test_figures_large_enough_are_all_shown() -> None:
    many = [_Item("GM0935", q, "pga", frozenset(f"p{q}{n}" for n in range(6))) for q in (1, 2) for _ in range(6)]
    assert suppressed(_rows(many)) == _rows(many)
