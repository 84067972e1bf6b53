"""Properties of the posting kernel over any sequence of drafts (hypothesis, no database).

Whatever the kernel accepts keeps every cash, bank and goods position at or above zero (what
pending spends reserve counted) and every fund balanced; whatever it refuses changes nothing;
and a reversal brings back exactly the positions its entry started from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.entries import EntryDraft, LineDraft
from ledger.domain.errors import LedgerError
from ledger.domain.posting import BalanceKey, PendingGoods, Position, apply_drafts, check_drafts
from ledger.domain.templates import (
    GoodsIn,
    GoodsOut,
    disbursement_entry,
    donation_entry,
    interest_entry,
    reversal_entry,
    transfer_entry,
)
from tests.unit.kernel_support import CHART, Posted, key

ON = date(2026, 4, 1)
FUNDS = ("HPD", "TET", "CHUNG")
ITEMS = ("Sách", "Gói quà Tết")
ACCOUNT_OF_ID = {facts.id: facts for facts in CHART.accounts.values()}
FUND_OF_ID = {fund_id: code for code, fund_id in CHART.funds.items()}

funds = st.sampled_from(FUNDS)
amounts = st.integers(1, 2_000)
counts = st.integers(1, 20)


def _goods_in(fund: str, item: str, quantity: int, unit_value: int) -> EntryDraft:
    goods = [GoodsIn(item, quantity, "cái", quantity * unit_value)]
    value = quantity * unit_value
    return donation_entry(
        fund=fund, method="in_kind", amount_vnd=value, donor_id=1, received_on=ON, memo="", goods=goods
    )


def _goods_out(fund: str, item: str, quantity: int, value: int) -> EntryDraft:
    return disbursement_entry(
        fund=fund,
        kind="tet_gift",
        paid_from="in_kind",
        amount_vnd=value,
        paid_on=ON,
        memo="",
        goods=GoodsOut(item, quantity, "cái"),
    )


#: Drafts as the services make them (the templates), and some a treasurer would get wrong.
drafts = st.one_of(
    st.builds(
        lambda fund, method, amount: donation_entry(
            fund=fund, method=method, amount_vnd=amount, donor_id=1, received_on=ON, memo=""
        ),
        funds,
        st.sampled_from(["cash", "bank"]),
        amounts,
    ),
    st.builds(
        lambda fund, kind, source, amount: disbursement_entry(
            fund=fund, kind=kind, paid_from=source, amount_vnd=amount, paid_on=ON, memo=""
        ),
        funds,
        st.sampled_from(["scholarship", "operating"]),
        st.sampled_from(["cash", "bank"]),
        amounts,
    ),
    st.builds(_goods_in, funds, st.sampled_from(ITEMS), counts, st.integers(1, 100)),
    st.builds(_goods_out, funds, st.sampled_from(ITEMS), counts, amounts),
    st.builds(
        lambda fund, amount: interest_entry(fund=fund, account="112", amount_vnd=amount, on=ON, memo=""), funds, amounts
    ),
    st.builds(
        lambda a, b, account, amount: transfer_entry(
            from_fund=a, to_fund=b, account=account, amount_vnd=amount, on=ON, memo=""
        ),
        funds,
        funds,
        st.sampled_from(["111", "112"]),
        amounts,
    ),
    # An entry that does not balance in its fund, and one naming a fund the chart lacks.
    st.builds(
        lambda fund, amount: EntryDraft(
            ON, "", "general", (LineDraft("111", fund, debit_vnd=amount), LineDraft("431", fund, credit_vnd=amount + 1))
        ),
        funds,
        amounts,
    ),
    st.builds(
        lambda amount: donation_entry(
            fund="NOPE", method="cash", amount_vnd=amount, donor_id=1, received_on=ON, memo=""
        ),
        amounts,
    ),
)


class Books(NamedTuple):
    """Stored positions to start from: each fund's opening cash and goods against 431, some of it reserved."""

    positions: dict[BalanceKey, Position]
    pending_goods: PendingGoods


@st.composite
def opening_books(draw: st.DrawFn) -> Books:
    positions: dict[BalanceKey, Position] = {}
    pending: dict[tuple[int, str], int] = {}
    for fund in FUNDS:
        cash = draw(st.integers(0, 3_000))
        reserved = draw(st.integers(0, cash))
        item = draw(st.sampled_from(ITEMS))
        held = draw(st.integers(0, 10))
        value = held * draw(st.integers(1, 50))
        positions[key("111", fund)] = Position(cash, 0, reserved)
        positions[key("156", fund, item)] = Position(value, held, 0)
        positions[key("431", fund)] = Position(-cash - value, 0, 0)
        pending[CHART.funds[fund], item] = draw(st.integers(0, held))
    return Books(positions, pending)


def assert_within_the_rules(positions: Mapping[BalanceKey, Position], pending: PendingGoods) -> None:
    """No cash, bank or goods position below zero (reservations and promised goods counted),
    and every fund balanced: its positions' net debits add up to zero."""
    per_fund: dict[int, int] = defaultdict(int)
    for (account_id, fund_id, item), position in positions.items():
        per_fund[fund_id] += position.net_vnd
        facts = ACCOUNT_OF_ID[account_id]
        if facts.non_negative:
            assert position.net_vnd - position.reserved_vnd >= 0, (facts, FUND_OF_ID[fund_id], item, position)
        if facts.holds_goods:
            assert position.quantity >= 0, (FUND_OF_ID[fund_id], item, position)
    assert all(net == 0 for net in per_fund.values()), per_fund


def assert_balanced_per_fund(draft: EntryDraft) -> None:
    net: dict[str, int] = defaultdict(int)
    for line in draft.lines:
        net[line.fund] += line.debit_vnd - line.credit_vnd
    assert not any(net.values()), net


def post(
    positions: Mapping[BalanceKey, Position], draft: EntryDraft, pending: PendingGoods
) -> dict[BalanceKey, Position] | None:
    """The positions after ``draft``, or ``None`` when the kernel refuses it."""
    try:
        check_drafts([draft], CHART)
        plan = apply_drafts(positions, [draft], CHART, pending)
    except LedgerError:
        return None
    return {**positions, **plan.positions}


@settings(max_examples=100)
@given(opening_books(), st.lists(drafts, max_size=30))
def test_whatever_the_kernel_accepts_keeps_every_position_above_zero_and_every_fund_balanced(
    books: Books, sequence: list[EntryDraft]
) -> None:
    positions = dict(books.positions)
    assert_within_the_rules(positions, books.pending_goods)
    for draft in sequence:
        before = dict(positions)
        after = post(positions, draft, books.pending_goods)
        assert positions == before  # the kernel never changes what it is given
        if after is None:
            continue
        assert_balanced_per_fund(draft)
        assert_within_the_rules(after, books.pending_goods)
        positions = after


@settings(max_examples=50)
@given(opening_books(), st.lists(drafts, min_size=1, max_size=10))
def test_a_refused_batch_changes_no_position_and_an_accepted_one_equals_its_drafts_one_by_one(
    books: Books, batch: list[EntryDraft]
) -> None:
    stored = dict(books.positions)
    try:
        check_drafts(batch, CHART)
        plan = apply_drafts(stored, batch, CHART, books.pending_goods)
    except LedgerError:
        assert stored == books.positions
        return
    one_by_one: dict[BalanceKey, Position] | None = stored
    for draft in batch:
        assert one_by_one is not None
        one_by_one = post(one_by_one, draft, books.pending_goods)
    assert one_by_one == {**stored, **plan.positions}


@settings(max_examples=60)
@given(opening_books(), drafts)
def test_a_reversal_nets_its_entry_to_zero(books: Books, draft: EntryDraft) -> None:
    after = post(books.positions, draft, books.pending_goods)
    if after is None:
        return
    reversal = reversal_entry(Posted(1, ON, draft.kind, draft.lines), reason="r", reversed_on=ON, today=ON)
    net: dict[tuple[str, str, str | None], list[int]] = defaultdict(lambda: [0, 0])
    for line in (*draft.lines, *reversal.lines):
        sign = 1 if line.debit_vnd else -1
        net[line.account, line.fund, line.item][0] += line.debit_vnd - line.credit_vnd
        net[line.account, line.fund, line.item][1] += sign * (line.quantity or 0)
    assert all(values == [0, 0] for values in net.values()), net
    undone = post(after, reversal, books.pending_goods)
    assert undone is not None, "what an entry gave can always be taken back right after it"
    assert {k: v for k, v in undone.items() if v != Position(0, 0, 0) or k in books.positions} == books.positions
