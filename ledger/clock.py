"""The one source of "now": aware UTC instants, and accounting dates in Vietnam's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: Accounting dates are the dates of the association's own calendar.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def now_utc() -> datetime:
    return datetime.now(UTC)


def today_vn(instant: datetime | None = None) -> date:
    """The date in Vietnam at ``instant`` (default now): what a treasurer calls today."""
    return (instant or now_utc()).astimezone(VIETNAM).date()
