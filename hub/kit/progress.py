"""Progress bars for command-line work that takes more than a moment (a ledger export or verification, a
simulation).

A bar is drawn on stderr, and only when stderr is a terminal: a script, a pipe or CI gets the same stdout as
before and no escape codes. rich is imported only when a bar is drawn, so `schakel --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, TypeVar

ItemT = TypeVar("ItemT")


def steps(
    items: Iterable[ItemT], *, total: int | None, description: str, stream: IO[str] | None = None
) -> Iterator[ItemT]:
    """Yield `items` unchanged, advancing a bar described in Dutch (e.g. "Exporteren") on a terminal."""
    out = stream if stream is not None else sys.stderr
    if not out.isatty():
        yield from items
        return
    from rich.console import Console  # noqa: PLC0415 - only when a bar is drawn
    from rich.progress import Progress  # noqa: PLC0415

    with Progress(console=Console(file=out, force_terminal=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        for n, item in enumerate(items, start=1):
            yield item
            if n % 256 == 0:
                progress.update(task, completed=n)


def counted(items: Sequence[ItemT], description: str) -> Iterator[ItemT]:
    """`steps` over a list whose length is known."""
    return steps(items, total=len(items), description=description)


Meter = Callable[[str, int, int], None]
"""Told (stage, done, total) as work proceeds; a stage is reported first with done=0."""


def silent(stage: str, done: int, total: int) -> None:
    """The meter of a pipe, a script or CI, or of a caller that wants none: nothing is drawn."""


@contextmanager
def meter(stages: Mapping[str, str], stream: IO[str] | None = None) -> Iterator[Meter]:
    """A meter for work done in stages (e.g. a ledger verification), one bar a stage on a terminal; `stages` gives
    each stage's Dutch description. Nothing is drawn on a pipe."""
    out = stream if stream is not None else sys.stderr
    if not out.isatty():
        yield silent
        return
    from rich.console import Console  # noqa: PLC0415 - only when a bar is drawn
    from rich.progress import Progress, TaskID  # noqa: PLC0415

    # Redrawn on each report rather than by rich's refresh thread: the ledger verifier forks its hashing processes
    # only while the process has no other thread.
    console = Console(file=out, force_terminal=True)
    with Progress(console=console, transient=True, auto_refresh=False) as progress:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stages.get(stage, stage), total=total)
            progress.update(tasks[stage], completed=done, total=total, refresh=True)

        yield update
