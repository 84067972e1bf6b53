"""The one source of "now": aware UTC instants, and accounting dates in Vietnam's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

#: Accounting dates are the dates of the association's own calendar.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def now_utc() -> datetime:
    return datetime.now(UTC)


def today_vn(instant: datetime | None = None) -> date:
    """The date in Vietnam at ``instant`` (default now): what a treasurer calls today."""
    return (instant or now_utc()).astimezone(VIETNAM).date()


class FixedClock:
    """A clock that reads the same instant until moved: tests run the app on one, so no answer
    depends on the day the suite runs. Call it like ``now_utc``."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"a clock needs an aware instant, not {instant.isoformat()}")
        self.start = instant.astimezone(UTC)
        self.instant = self.start

    def __call__(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        """Move the clock on by ``delta`` (never back: time does not run backwards for the app)."""
        if delta < timedelta(0):
            raise ValueError("a clock only moves forward")
        self.instant += delta

    def reset(self) -> None:
        self.instant = self.start
