"""A chart and positions as the posting kernel sees them, for tests without a database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from ledger.domain.accounts import STANDARD_CHART
from ledger.domain.entries import LineDraft
from ledger.domain.posting import AccountFacts, BalanceKey, ChartFacts, Position

#: The standard chart with ids 1, 2, … in its order, and three funds.
CHART = ChartFacts(
    accounts={
        t.code: AccountFacts(i, t.holds_goods, t.non_negative, t.type) for i, t in enumerate(STANDARD_CHART, start=1)
    },
    funds={"HPD": 1, "TET": 2, "CHUNG": 3},
)


def key(account: str, fund: str, item: str = "") -> BalanceKey:
    """The position key of an account code and fund code (and goods item)."""
    return (CHART.accounts[account].id, CHART.funds[fund], item)


def holding(entries: Mapping[BalanceKey, tuple[int, int, int]]) -> dict[BalanceKey, Position]:
    """Positions from ``(net, quantity, reserved)`` triples."""
    return {k: Position(*v) for k, v in entries.items()}


class Posted(NamedTuple):
    """A posted entry as the reversal rules read it (``templates.PostedEntry``)."""

    seq: int
    entry_on: date
    kind: str
    lines: tuple[LineDraft, ...]
    reversed_by: int | None = None
