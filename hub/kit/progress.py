"""Progress bars for command-line work that takes more than a moment (a ledger export, a simulation).

A bar is drawn on stderr, and only when stderr is a terminal: a script, a pipe or CI gets the same stdout as
before and no escape codes. rich is imported only when a bar is drawn, so `schakel --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
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
