"""The one place the hub reads the time: timezone-aware UTC instants, and the Dutch calendar date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

NL = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    return datetime.now(UTC)


def dutch_date(moment: datetime) -> date:
    """The calendar date in the Netherlands at `moment`: rules are valid from and to Dutch dates."""
    return moment.astimezone(NL).date()


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")  # fmt: skip


def day_in_words(day: date) -> str:
    """`2026-03-03` -> `3 maart 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def moment_in_words(moment: datetime) -> str:
    """`1 december 2026 om 11:20`, in Dutch time."""
    local = moment.astimezone(NL)
    return f"{day_in_words(local.date())} om {local:%H:%M}"
