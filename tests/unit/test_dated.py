"""Balances on a past day from the balance now and the movements dated after it (issue 15, item 9)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.dated import Movement, balance_at, lowest_from


def test_without_later_movements_the_balance_now_is_the_balance_on_the_day() -> None:
    assert balance_at(5_000, 3, []) == (5_000, 3)
    assert lowest_from(5_000, 3, []) == (5_000, 3)


def test_a_fund_whose_first_money_came_later_had_nothing_before() -> None:
    # Issue 15: cash paid out on 15/01 when the fund's first money came on 20/08.
    later = [Movement(date(2026, 8, 20), 10_000_000)]
    assert balance_at(10_000_000, 0, later) == (0, 0)
    assert lowest_from(10_000_000, 0, later) == (0, 0)


def test_the_lowest_day_after_the_draft_is_found() -> None:
    # 30 packs now; 50 handed out on 01/03, 40 received on 01/02: on 15/01 there were 40.
    later = [Movement(date(2026, 2, 1), 0, 40), Movement(date(2026, 3, 1), 0, -50)]
    assert balance_at(0, 30, later) == (0, 40)
    assert lowest_from(0, 30, later)[1] == 30
    later = [Movement(date(2026, 2, 1), 0, -35), Movement(date(2026, 3, 1), 0, 25)]
    assert lowest_from(0, 30, later)[1] == 5


@given(
    st.integers(min_value=0, max_value=10**9),
    st.lists(st.integers(min_value=-(10**6), max_value=10**6), max_size=20),
)
def test_the_lowest_balance_is_the_minimum_of_the_running_balances(start: int, deltas: list[int]) -> None:
    later = [Movement(date(2026, 1, 1 + i), delta) for i, delta in enumerate(deltas)]
    now = start + sum(deltas)
    running = [start]
    for delta in deltas:
        running.append(running[-1] + delta)
    assert balance_at(now, 0, later)[0] == start
    assert lowest_from(now, 0, later)[0] == min(running)
