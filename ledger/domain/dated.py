"""Balances on an entry's own date (issue 15, item 9): a backdated draft must be covered on its
date and leave every later date's balance non-negative, for money and for goods quantities.

The materialised balance is the balance *now* (after the latest-dated entry). The balance at the
end of day ``d`` is that less every movement dated after ``d``; so only the movements dated after
the draft are needed, and none when the draft is dated on or after the last movement — the
usual case, which costs nothing more than today's check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ledger.domain.errors import PeriodLocked


@dataclass(frozen=True)
class Movement:
    """What the entries of one day changed on one position (value and goods count)."""

    on: date
    net_vnd: int
    quantity: int = 0


def balance_at(now_vnd: int, now_quantity: int, later: Sequence[Movement]) -> tuple[int, int]:
    """(value, quantity) at the end of the day before the first of ``later`` (movements after it)."""
    return now_vnd - sum(m.net_vnd for m in later), now_quantity - sum(m.quantity for m in later)


def lowest_from(now_vnd: int, now_quantity: int, later: Sequence[Movement]) -> tuple[int, int]:
    """The lowest end-of-day value and quantity from the day of a draft on, before the draft.

    ``later`` are the movements dated after the draft's day, in date order; the balances on the
    draft's day and on each later day are walked once.
    """
    value, quantity = balance_at(now_vnd, now_quantity, later)
    lowest_value, lowest_quantity = value, quantity
    for movement in later:
        value += movement.net_vnd
        quantity += movement.quantity
        lowest_value = min(lowest_value, value)
        lowest_quantity = min(lowest_quantity, quantity)
    return lowest_value, lowest_quantity


def check_after_lock(days: Sequence[date], lock_on: date | None) -> None:
    """Refuse the first of ``days`` that is on or before the lock date (``PeriodLocked``, with its
    index in ``extra`` when there are several)."""
    if lock_on is None:
        return
    for index, day in enumerate(days):
        if day <= lock_on:
            error = PeriodLocked(lock_on, day)
            if len(days) > 1:
                error.extra["index"] = index
            raise error
