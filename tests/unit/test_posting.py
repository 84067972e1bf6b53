"""The posting kernel decides from plain data whether drafts may post, and what they change (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import MappingProxyType

import pytest

from ledger.domain.accounts import AccountType
from ledger.domain.chain import GENESIS_HASH, SealedEntry, chain_hash
from ledger.domain.entries import EntryDraft, LineDraft
from ledger.domain.errors import InsufficientFunds, InsufficientGoods, PeriodClosed, UnbalancedEntry, ValidationFailed
from ledger.domain.posting import (
    AccountFacts,
    ChartFacts,
    Position,
    apply_drafts,
    check_closable,
    check_drafts,
    check_fiscal_year,
    check_open_periods,
    credits_goods,
    fund_ids_of,
    seal,
    year_totals,
)
from ledger.domain.templates import GoodsIn, GoodsOut, disbursement_entry, donation_entry
from tests.unit.kernel_support import CHART, holding, key

ON = date(2026, 3, 2)
CREATED = datetime(2026, 3, 2, 1, 2, 3, 4, tzinfo=UTC)


def cash_gift(amount_vnd: int, fund: str = "HPD") -> EntryDraft:
    return donation_entry(fund=fund, method="cash", amount_vnd=amount_vnd, donor_id=7, received_on=ON, memo="Tài trợ")


def cash_spend(amount_vnd: int, fund: str = "HPD") -> EntryDraft:
    return disbursement_entry(
        fund=fund, kind="scholarship", paid_from="cash", amount_vnd=amount_vnd, paid_on=ON, memo="Học bổng"
    )


def gifts_in(quantity: int, fund: str = "TET") -> EntryDraft:
    goods = [GoodsIn("Gói quà Tết", quantity, "gói", quantity * 300_000)]
    return donation_entry(
        fund=fund, method="in_kind", amount_vnd=quantity * 300_000, donor_id=7, received_on=ON, memo="", goods=goods
    )


def gifts_out(quantity: int, fund: str = "TET") -> EntryDraft:
    return disbursement_entry(
        fund=fund,
        kind="tet_gift",
        paid_from="in_kind",
        amount_vnd=quantity * 300_000,
        paid_on=ON,
        memo="Quà Tết",
        goods=GoodsOut("Gói quà Tết", quantity, "gói"),
    )


# --- Before the lock ----------------------------------------------------------------------------------


def test_an_entry_that_balances_in_total_but_not_per_fund_is_refused() -> None:
    draft = EntryDraft(
        ON,
        "",
        "general",
        (LineDraft("111", "HPD", debit_vnd=100), LineDraft("111", "TET", credit_vnd=100)),
    )
    with pytest.raises(UnbalancedEntry) as refused:
        check_drafts([draft], CHART)
    assert refused.value.extra == {
        "fund": "HPD",
        "debit": 100,
        "credit": 0,
        "differences": {"HPD": 100, "TET": -100},
    }


def test_an_account_or_fund_the_chart_does_not_have_is_named_by_its_line() -> None:
    draft = EntryDraft(
        ON,
        "",
        "general",
        (
            LineDraft("119", "HPD", debit_vnd=5),
            LineDraft("111", "NOPE", credit_vnd=5),
            LineDraft("111", "NOPE", debit_vnd=5),
            LineDraft("111", "HPD", credit_vnd=5),
        ),
    )
    with pytest.raises(ValidationFailed) as refused:
        check_drafts([draft], CHART)
    assert refused.value.errors == {
        "lines.0.account": ["unknown account '119'"],
        "lines.1.fund": ["unknown fund 'NOPE'"],
        "lines.2.fund": ["unknown fund 'NOPE'"],
    }


def test_goods_lines_need_a_quantity() -> None:
    draft = EntryDraft(
        ON, "", "general", (LineDraft("156", "TET", debit_vnd=5, item="Sách"), LineDraft("431", "TET", credit_vnd=5))
    )
    with pytest.raises(ValidationFailed) as refused:
        check_drafts([draft], CHART)
    assert set(refused.value.errors or {}) == {"lines.0.quantity"}


def test_a_refused_draft_of_a_batch_is_named_by_its_index() -> None:
    bad = EntryDraft(ON, "", "general", (LineDraft("111", "HPD", debit_vnd=1), LineDraft("511", "HPD", credit_vnd=2)))
    with pytest.raises(UnbalancedEntry) as refused:
        check_drafts([cash_gift(1), bad], CHART)
    assert refused.value.extra["index"] == 1
    assert set(refused.value.errors or {}) == {"items.1"}


def test_well_formed_drafts_pass_the_checks_before_the_lock() -> None:
    check_drafts([cash_gift(1), cash_spend(1), gifts_in(2), gifts_out(1)], CHART)


# --- Periods --------------------------------------------------------------------------------------------


def test_a_draft_dated_in_a_closed_year_is_refused() -> None:
    with pytest.raises(PeriodClosed) as refused:
        check_open_periods([cash_gift(1)], {2026})
    assert refused.value.extra == {"year": 2026}


def test_drafts_in_open_years_pass_and_a_batch_names_the_closed_one() -> None:
    check_open_periods([cash_gift(1)], {2025})
    check_open_periods([cash_gift(1)], set())
    old = EntryDraft(date(2025, 12, 31), "", "general", cash_gift(1).lines)
    with pytest.raises(PeriodClosed) as refused:
        check_open_periods([cash_gift(1), old], {2025})
    assert refused.value.extra["index"] == 1


def test_only_a_year_that_has_ended_by_today_can_be_closed() -> None:
    check_closable(2025, date(2026, 1, 1))
    for year, today in ((2026, date(2026, 12, 31)), (2027, date(2026, 12, 31))):
        with pytest.raises(ValidationFailed) as refused:
            check_closable(year, today)
        assert refused.value.errors == {"year": ["only a year that has ended can be closed"]}


def test_a_fiscal_year_is_a_plausible_calendar_year() -> None:
    check_fiscal_year(2000)
    check_fiscal_year(2100)
    for year in (1999, 2101, 26):
        with pytest.raises(ValidationFailed):
            check_fiscal_year(year)


# --- Positions ------------------------------------------------------------------------------------------


def test_a_donation_raises_cash_and_a_new_position_is_marked_new() -> None:
    stored = holding({key("111", "HPD"): (500, 0, 0)})
    plan = apply_drafts(stored, [cash_gift(200)], CHART)
    assert plan.positions == {key("111", "HPD"): Position(700, 0, 0), key("511", "HPD"): Position(-200, 0, 0)}
    assert plan.new_keys == {key("511", "HPD")}


def test_cash_cannot_go_below_zero_and_the_refusal_says_what_was_available() -> None:
    stored = holding({key("111", "HPD"): (500, 0, 0)})
    with pytest.raises(InsufficientFunds) as refused:
        apply_drafts(stored, [cash_spend(501)], CHART)
    assert refused.value.extra == {"account": "111", "fund": "HPD", "available": 500, "requested": 501}


def test_what_pending_spends_reserve_is_not_available() -> None:
    stored = holding({key("111", "HPD"): (500, 0, 300)})
    apply_drafts(stored, [cash_spend(200)], CHART)
    with pytest.raises(InsufficientFunds) as refused:
        apply_drafts(stored, [cash_spend(201)], CHART)
    assert refused.value.extra["available"] == 200


def test_one_fund_never_pays_with_another_funds_cash() -> None:
    stored = holding({key("111", "TET"): (1_000, 0, 0)})
    with pytest.raises(InsufficientFunds) as refused:
        apply_drafts(stored, [cash_spend(1, fund="HPD")], CHART)
    assert refused.value.extra["fund"] == "HPD"


def test_goods_are_counted_and_cannot_be_handed_out_beyond_what_is_held() -> None:
    stored = holding({key("156", "TET", "Gói quà Tết"): (3 * 300_000, 3, 0)})
    plan = apply_drafts(stored, [gifts_out(3)], CHART)
    assert plan.positions[key("156", "TET", "Gói quà Tết")] == Position(0, 0, 0)
    with pytest.raises(InsufficientGoods) as refused:
        apply_drafts(stored, [gifts_out(4)], CHART)
    assert refused.value.extra["held"] == 3
    assert refused.value.extra["requested"] == 4


def test_goods_promised_to_pending_disbursements_are_not_free_to_leave() -> None:
    stored = holding({key("156", "TET", "Gói quà Tết"): (10 * 300_000, 10, 0)})
    pending = {(CHART.funds["TET"], "Gói quà Tết"): 8}
    apply_drafts(stored, [gifts_out(2)], CHART, pending)
    with pytest.raises(InsufficientGoods) as refused:
        apply_drafts(stored, [gifts_out(3)], CHART, pending)
    assert refused.value.extra["held"] == 2


def test_accounts_without_the_rule_may_go_below_zero() -> None:
    # Revenue is credit-normal: its net debit is negative; expenses and pledges have no floor either.
    plan = apply_drafts({}, [cash_gift(10)], CHART)
    assert plan.positions[key("511", "HPD")].net_vnd == -10


def test_a_batch_checks_each_draft_against_what_the_earlier_ones_left() -> None:
    plan = apply_drafts({}, [cash_gift(100), cash_spend(60), cash_spend(40)], CHART)
    assert plan.positions[key("111", "HPD")] == Position(0, 0, 0)
    with pytest.raises(InsufficientFunds) as refused:
        apply_drafts({}, [cash_gift(100), cash_spend(60), cash_spend(41)], CHART)
    assert refused.value.extra["index"] == 2
    assert refused.value.extra["available"] == 40


def test_the_stored_positions_are_never_changed() -> None:
    stored = MappingProxyType(holding({key("111", "HPD"): (500, 0, 0)}))
    before = dict(stored)
    apply_drafts(stored, [cash_gift(1), cash_spend(2)], CHART)
    with pytest.raises(InsufficientFunds):
        apply_drafts(stored, [cash_spend(10_000)], CHART)
    assert dict(stored) == before


def test_what_the_service_reads_before_applying() -> None:
    assert fund_ids_of([cash_gift(1, "HPD"), gifts_in(1, "TET")], CHART) == {1, 2}
    assert not credits_goods([cash_gift(1), gifts_in(1), cash_spend(1)], CHART)
    assert credits_goods([gifts_out(1)], CHART)


# --- Sealing ----------------------------------------------------------------------------------------------


def test_sealing_numbers_after_the_head_and_chains_each_entry_to_the_one_before() -> None:
    drafts = [cash_gift(1), cash_spend(1)]
    sealed = list(seal(drafts, (4, "a" * 64), "QT-DH", CREATED, 9))
    assert [s.seq for s in sealed] == [5, 6]
    assert [s.prev_hash for s in sealed] == ["a" * 64, sealed[0].hash]
    for one in sealed:
        entry = SealedEntry("QT-DH", one.seq, ON, one.draft.kind, one.draft.memo, None, CREATED, 9, one.draft.lines)
        assert one.hash == chain_hash(one.prev_hash, entry)
        assert one.header == (ON, one.draft.kind, one.draft.memo, None, CREATED, 9)


def test_the_first_entry_of_an_association_follows_the_genesis_hash() -> None:
    (first,) = seal([cash_gift(1)], (0, GENESIS_HASH), "QT", CREATED, None)
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)


def test_year_totals_add_revenue_and_expense_lines_per_fund_account_beneficiary_and_year() -> None:
    chart = ChartFacts(
        accounts={
            "112": AccountFacts(1, False, True, AccountType.ASSET),
            "511": AccountFacts(2, False, False, AccountType.REVENUE),
            "611": AccountFacts(3, False, False, AccountType.EXPENSE),
        },
        funds={"HPD": 7},
    )

    def draft(on: date, *lines: LineDraft) -> EntryDraft:
        return EntryDraft(entry_on=on, memo="", kind="donation", lines=lines)

    drafts = [
        draft(date(2025, 12, 31), LineDraft("112", "HPD", 500, 0), LineDraft("511", "HPD", 0, 500)),
        draft(date(2026, 1, 2), LineDraft("112", "HPD", 300, 0), LineDraft("511", "HPD", 0, 300)),
        draft(
            date(2026, 3, 1),
            LineDraft("611", "HPD", 200, 0, beneficiary_id=9),
            LineDraft("112", "HPD", 0, 200),
        ),
        draft(
            date(2026, 3, 2),
            LineDraft("112", "HPD", 50, 0),
            LineDraft("611", "HPD", 0, 50, beneficiary_id=9),
        ),
    ]
    assert year_totals(drafts, chart) == {
        (7, 2, 0, 2025): (0, 500),
        (7, 2, 0, 2026): (0, 300),
        (7, 3, 9, 2026): (200, 50),
    }
