"""Amounts, dates and instants are formatted the Vietnamese or the English way at the edge."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.money import AMOUNT_VND_MAX
from ledger.formatting import format_date, format_datetime, format_number, format_vnd


def test_vietnamese_amounts_group_thousands_with_dots() -> None:
    assert format_vnd(1_200_000) == "1.200.000 ₫"
    assert format_vnd(1_200_000, "vi") == "1.200.000 ₫"


def test_english_amounts_group_thousands_with_commas() -> None:
    assert format_vnd(1_200_000, "en") == "1,200,000 ₫"


def test_small_large_and_negative_amounts_keep_every_digit() -> None:
    assert format_vnd(5) == "5 ₫"
    assert format_vnd(10**15) == "1.000.000.000.000.000 ₫"
    assert format_vnd(-1_200_000) == "-1.200.000 ₫"
    assert format_number(2_021, "en") == "2,021"


def test_an_unknown_language_falls_back_to_vietnamese() -> None:
    assert format_vnd(1_200_000, "fr") == "1.200.000 ₫"
    assert format_date(date(2026, 11, 23), "") == "23/11/2026"


@given(st.integers(min_value=-AMOUNT_VND_MAX, max_value=AMOUNT_VND_MAX))
def test_the_one_vnd_formatter_groups_digits_as_babel_does(amount_vnd: int) -> None:
    assert format_vnd(amount_vnd, "vi") == f"{format_decimal(amount_vnd, locale='vi_VN')} ₫"
    assert format_vnd(amount_vnd, "en") == f"{format_decimal(amount_vnd, locale='en')} ₫"


def test_vietnamese_dates_are_day_month_year_with_slashes() -> None:
    assert format_date(date(2026, 11, 23)) == "23/11/2026"
    assert format_date(date(2026, 3, 4), "vi") == "04/03/2026"


def test_english_dates_name_the_month() -> None:
    assert format_date(date(2026, 11, 23), "en") == "23 Nov 2026"
    assert format_date(date(2026, 3, 4), "en") == "4 Mar 2026"


def test_instants_are_shown_on_the_clock_in_vietnam() -> None:
    instant = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)
    assert format_datetime(instant) == "23/11/2026 14:05"
    assert format_datetime(instant, "en") == "23 Nov 2026 14:05"


def test_an_instant_late_in_the_utc_day_falls_on_the_next_day_in_vietnam() -> None:
    instant = datetime(2026, 12, 31, 18, 30, tzinfo=UTC)
    assert format_datetime(instant) == "01/01/2027 01:30"


def test_instants_in_another_offset_are_converted_not_relabelled() -> None:
    paris = timezone(timedelta(hours=1))
    assert format_datetime(datetime(2026, 11, 23, 8, 5, tzinfo=paris)) == "23/11/2026 14:05"


def test_a_naive_datetime_is_refused_because_it_names_no_instant() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_datetime(datetime(2026, 11, 23, 14, 5))
