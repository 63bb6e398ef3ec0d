"""A progress bar shows on a terminal only; the work it wraps sees every item either way."""

from __future__ import annotations

import io
import threading

from hub.kit.progress import meter, steps


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


def test_a_meter_draws_a_bar_a_stage_on_a_terminal_only() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    stages = {"hashes": "Vastleggingen hashen", "tree": "Merkle-boom opbouwen"}
    for stream in (terminal, pipe):
        with meter(stages, stream=stream) as progress:
            for done in range(0, 101, 10):
                progress("hashes", done, 100)
            progress("tree", 5, 5)
            # Rich's refresh thread, by its class: counting all threads also counted those that other tests left
            # to end in their own time (one ended during this test and failed it).
            refreshers = [t for t in threading.enumerate() if type(t).__module__.startswith("rich.")]
            assert not refreshers, "no refresh thread: the verifier may still fork"
    assert "Vastleggingen hashen" in terminal.getvalue() and "Merkle-boom opbouwen" in terminal.getvalue()
    assert pipe.getvalue() == ""
