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
