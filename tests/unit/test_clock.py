"""The fixed clock the app runs on under test: an aware instant that only moves forward."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ledger.clock import FixedClock, today_vn


def test_a_fixed_clock_reads_the_same_instant_in_utc_until_moved() -> None:
    clock = FixedClock(datetime(2027, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=7))))
    assert clock() == clock() == datetime(2027, 1, 1, 16, 30, tzinfo=UTC)
    clock.advance(timedelta(hours=8))
    assert clock() == datetime(2027, 1, 2, 0, 30, tzinfo=UTC)
    clock.reset()
    assert clock() == datetime(2027, 1, 1, 16, 30, tzinfo=UTC)


def test_a_fixed_clock_refuses_a_naive_instant_and_moving_back() -> None:
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2026, 12, 5, 3, 0))
    clock = FixedClock(datetime(2026, 12, 5, 3, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
    assert clock() == datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


def test_today_in_vietnam_turns_at_midnight_there_not_in_utc() -> None:
    assert today_vn(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert today_vn(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == date(2027, 1, 1)
