"""Tết from the Vietnamese lunar calendar (UTC+7), against known dates, and the Tet-gift season."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.tet import TET_YEAR_MAX, TET_YEAR_MIN, next_tet_window, tet_day, tet_window, tet_window_around

#: Mùng 1 Tết in Vietnam. 1985 and 2007 are years where the Chinese calendar (UTC+8) gives
#: another day (20/02/1985, 18/02/2007): a Chinese calendar library fails this table.
KNOWN_TET = [
    date(1985, 1, 21),
    date(2007, 2, 17),
    date(2024, 2, 10),
    date(2025, 1, 29),
    date(2026, 2, 17),
    date(2027, 2, 6),
    date(2028, 1, 26),
    date(2029, 2, 13),
    # The new moon falls at 16:07 UTC on 2 February 2030: still the 2nd at UTC+7, the 3rd at UTC+8.
    date(2030, 2, 2),
]


@pytest.mark.parametrize("tet", KNOWN_TET, ids=lambda d: str(d.year))
def test_tet_is_the_day_vietnam_celebrates_it(tet: date) -> None:
    assert tet_day(tet.year) == tet


@pytest.mark.parametrize(
    ("year", "china"),
    [(1985, date(1985, 2, 20)), (2007, date(2007, 2, 18)), (2030, date(2030, 2, 3))],
    ids=["1985", "2007", "2030"],
)
def test_the_vietnamese_calendar_differs_from_the_chinese_one_where_it_should(year: int, china: date) -> None:
    assert tet_day(year) != china


def test_the_season_runs_from_15_december_to_rằm_tháng_giêng() -> None:
    assert tet_window(2027) == (date(2026, 12, 15), date(2027, 2, 20))
    assert tet_window(2026) == (date(2025, 12, 15), date(2026, 3, 3))


@pytest.mark.parametrize(
    ("day", "season"),
    [
        (date(2026, 12, 15), (date(2026, 12, 15), date(2027, 2, 20))),
        (date(2027, 2, 20), (date(2026, 12, 15), date(2027, 2, 20))),
        (date(2027, 2, 21), None),
        (date(2026, 12, 14), None),
        (date(2026, 7, 1), None),
        (date(2099, 12, 31), (date(2099, 12, 15), date(2100, 2, 23))),
    ],
)
def test_a_day_lies_in_the_season_around_it_or_in_none(day: date, season: tuple[date, date] | None) -> None:
    assert tet_window_around(day) == season


def test_the_next_season_is_named_for_a_day_outside_any() -> None:
    assert next_tet_window(date(2027, 7, 1)) == (date(2027, 12, 15), date(2028, 2, 9))
    assert next_tet_window(date(2027, 1, 5)) == (date(2026, 12, 15), date(2027, 2, 20))


def test_every_year_of_the_calendar_has_a_tet_between_21_january_and_20_february() -> None:
    for year in range(TET_YEAR_MIN, TET_YEAR_MAX + 1):
        tet = tet_day(year)
        assert date(year, 1, 21) <= tet <= date(year, 2, 20), year


def test_years_outside_the_calendar_have_no_season_rather_than_a_wrong_one() -> None:
    assert tet_window_around(date(2101, 1, 10)) is None
    with pytest.raises(ValueError):
        tet_day(TET_YEAR_MAX + 1)
