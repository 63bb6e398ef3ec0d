"""Charts drawn on the server as SVG: bars, accessible (a title and description the screen reader reads, each bar
with its own title) and printable, without script. A chart always has its numbers as a table beside it; the
page shows that table, the chart only makes it easier to see."""

from __future__ import annotations

from dataclasses import dataclass

SERIES_CLASSES = 6
"""Series colours are CSS classes `schakel-reeks-0` … `-5` (schakel.css), each at least 3:1 against white."""


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    label: str


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class BarChart:
    """A grouped bar chart ready to draw: `groups` along the bottom, one bar per series in each."""

    id: str
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    groups: tuple[Tick, ...]
    values: tuple[Tick, ...]
    series: tuple[str, ...]
    baseline: float
    left: float


def _nice_max(value: int) -> int:
    """A round number at or above `value` for the top of the axis, divisible by 4 or 5 (for whole tick labels)."""
    if value <= 4:
        return 4
    magnitude: int = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 4, 5, 8, 10):
        if step * magnitude >= value and (step * magnitude) % 4 * ((step * magnitude) % 5) == 0:
            return step * magnitude
    return 10 * magnitude


def grouped_bars(
    chart_id: str, title: str, description: str, groups: list[str], series: dict[str, list[int]], *, unit: str = ""
) -> BarChart:
    """Lay out bars: `series` maps a series name to one value per group."""
    width, height, left, bottom, top = 720, 320, 56.0, 48.0, 12.0
    names = list(series)[:SERIES_CLASSES]
    peak = _nice_max(max([v for n in names for v in series[n]] or [0]))
    plot_height = height - bottom - top
    band = (width - left - 8) / max(len(groups), 1)
    bar_width = max(min((band - 8) / max(len(names), 1), 40), 2)
    bars = []
    for g, group in enumerate(groups):
        start = left + g * band + (band - bar_width * len(names)) / 2
        for s, name in enumerate(names):
            value = series[name][g]
            bar_height = plot_height * value / peak
            bars.append(
                Bar(
                    x=round(start + s * bar_width, 1),
                    y=round(height - bottom - bar_height, 1),
                    width=round(bar_width - 1, 1),
                    height=round(bar_height, 1),
                    series=s,
                    label=f"{group}, {name}: {value}{unit}",
                )
            )
    ticks = tuple(Tick(round(height - bottom - plot_height * step / 4, 1), f"{peak * step // 4}") for step in range(5))
    labels = tuple(Tick(round(left + g * band + band / 2, 1), group) for g, group in enumerate(groups))
    return BarChart(
        chart_id, title, description, width, height, tuple(bars), labels, ticks, tuple(names), height - bottom, left
    )
