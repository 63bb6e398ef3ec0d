"""A progress bar shows on a terminal only; the work it wraps sees every item either way."""

from __future__ import annotations

import io

from hub.kit.progress import steps


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_and_every_item() -> None:
    terminal = _Terminal()
    assert list(steps(range(1000), total=1000, description="Exporteren", stream=terminal)) == list(range(1000))
    assert "Exporteren" in terminal.getvalue()


def test_a_pipe_gets_nothing_but_every_item() -> None:
    pipe = io.StringIO()
    assert list(steps(iter("abc"), total=None, description="Simuleren", stream=pipe)) == ["a", "b", "c"]
    assert pipe.getvalue() == ""
