"""Tết Nguyên đán from the Vietnamese lunar calendar, and the Tet-gift window around it.

Vietnam's lunar calendar is computed for UTC+7, China's for UTC+8, so the two disagree in
some years (Tết 1985: 21/01 in Vietnam, 20/02 in China; 2007: 17/02 and 18/02). A Chinese
calendar library therefore gives wrong Tết dates; ``lunar-vn`` implements Hồ Ngọc Đức's
algorithm for UTC+7 and passes the table in ``tests/unit/test_tet.py`` (README "Libraries").
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Final

from lunar_vn import SUPPORTED_YEAR_RANGE, convert_lunar_to_solar

#: Vietnam's time zone for the lunar calendar (hours east of UTC).
VIETNAM_UTC_OFFSET_H: Final = 7.0
#: The years the lunar calendar library covers; a Tet window is known for these only.
TET_YEAR_MIN: Final = SUPPORTED_YEAR_RANGE[0]
TET_YEAR_MAX: Final = SUPPORTED_YEAR_RANGE[1]
#: The Tet-gift season opens on this day of December of the year before Tết.
WINDOW_OPENS_DECEMBER_DAY: Final = 15
#: …and closes on Rằm tháng Giêng, this day of the first lunar month.
WINDOW_CLOSES_LUNAR_DAY: Final = 15


@lru_cache(maxsize=256)
def tet_day(year: int) -> date:
    """The first day of the first lunar month of ``year`` in Vietnam (Mùng 1 Tết)."""
    return _lunar_day(1, year)


@lru_cache(maxsize=256)
def _lunar_day(day: int, year: int) -> date:
    if not TET_YEAR_MIN <= year <= TET_YEAR_MAX:
        raise ValueError(f"the lunar calendar is known for {TET_YEAR_MIN}–{TET_YEAR_MAX}, not {year}")
    return convert_lunar_to_solar(day, 1, year, 0, VIETNAM_UTC_OFFSET_H)


def tet_window(year: int) -> tuple[date, date]:
    """The Tet-gift season of Tết ``year``: 15 December of the year before to Rằm tháng Giêng."""
    return date(year - 1, 12, WINDOW_OPENS_DECEMBER_DAY), _lunar_day(WINDOW_CLOSES_LUNAR_DAY, year)


def tet_window_around(day: date) -> tuple[date, date] | None:
    """The Tet-gift season that contains ``day``, or None (or outside the calendar's years)."""
    # 15–31 December belongs to the next Tết; January to mid-March to this year's.
    for year in (day.year + 1, day.year):
        if not TET_YEAR_MIN <= year <= TET_YEAR_MAX:
            continue
        first, last = tet_window(year)
        if first <= day <= last:
            return first, last
    return None


def next_tet_window(day: date) -> tuple[date, date] | None:
    """The Tet-gift season that contains ``day`` or comes next (to name it in a refusal)."""
    for year in (day.year, day.year + 1):
        if TET_YEAR_MIN <= year <= TET_YEAR_MAX:
            first, last = tet_window(year)
            if day <= last:
                return first, last
    return None
