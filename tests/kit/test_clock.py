"""Dates in Dutch words, the one way every page, letter and sentence writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hub.kit.clock import day_in_words, moment_in_words


def test_a_day_in_words() -> None:
    assert day_in_words(date(2026, 3, 3)) == "3 maart 2026"
    assert day_in_words(date(2026, 12, 31)) == "31 december 2026"


def test_a_moment_in_words_is_dutch_time() -> None:
    assert moment_in_words(datetime(2026, 12, 1, 10, 20, tzinfo=UTC)) == "1 december 2026 om 11:20", "winter: +1"
    assert moment_in_words(datetime(2026, 7, 1, 22, 5, tzinfo=UTC)) == "2 juli 2026 om 00:05", "summer: +2"
