"""The entry of each event, and the reversal and general-entry rules, from plain data (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.entries import MEMO_MAX_CHARS, EntryDraft, LineDraft, validate_entry
from ledger.domain.errors import AlreadyReversed, ValidationFailed
from ledger.domain.templates import (
    GoodsIn,
    GoodsOut,
    check_general_entry,
    disbursement_entry,
    donation_entry,
    interest_entry,
    pledge_collection_entry,
    pledge_entry,
    reversal_entry,
    transfer_entry,
)
from tests.unit.kernel_support import CHART, Posted

ON = date(2026, 3, 2)
TODAY = date(2026, 6, 30)


def shape(draft: EntryDraft) -> list[tuple[str, str, int, int]]:
    return [(line.account, line.fund, line.debit_vnd, line.credit_vnd) for line in draft.lines]


def test_a_cash_or_bank_donation_debits_what_came_in_and_credits_donations() -> None:
    for method, account in (("cash", "111"), ("bank", "112")):
        draft = donation_entry(fund="HPD", method=method, amount_vnd=5, donor_id=3, received_on=ON, memo="m")
        assert (draft.kind, draft.entry_on, draft.memo) == ("donation", ON, "m")
        assert shape(draft) == [(account, "HPD", 5, 0), ("511", "HPD", 0, 5)]
        assert {line.donor_id for line in draft.lines} == {3}


def test_an_in_kind_donation_counts_each_item_into_goods() -> None:
    goods = [GoodsIn("Sách", 10, "quyển", 500_000), GoodsIn("Vở", 20, "quyển", 200_000)]
    draft = donation_entry(
        fund="HPD", method="in_kind", amount_vnd=700_000, donor_id=3, received_on=ON, memo="", goods=goods
    )
    assert shape(draft) == [
        ("156", "HPD", 500_000, 0),
        ("512", "HPD", 0, 500_000),
        ("156", "HPD", 200_000, 0),
        ("512", "HPD", 0, 200_000),
    ]
    assert [(line.item, line.quantity, line.unit) for line in draft.lines[:2]] == [("Sách", 10, "quyển")] * 2


def test_a_disbursement_debits_the_kinds_expense_and_credits_its_source_naming_the_beneficiary() -> None:
    draft = disbursement_entry(
        fund="TET",
        kind="tet_gift",
        paid_from="in_kind",
        amount_vnd=900_000,
        paid_on=ON,
        memo="q",
        beneficiary_id=12,
        goods=GoodsOut("Gói quà Tết", 3, "gói"),
    )
    assert shape(draft) == [("612", "TET", 900_000, 0), ("156", "TET", 0, 900_000)]
    assert {(line.beneficiary_id, line.quantity, line.item) for line in draft.lines} == {(12, 3, "Gói quà Tết")}
    cash = disbursement_entry(fund="HPD", kind="scholarship", paid_from="bank", amount_vnd=7, paid_on=ON, memo="")
    assert shape(cash) == [("611", "HPD", 7, 0), ("112", "HPD", 0, 7)]
    assert {line.quantity for line in cash.lines} == {None}


def test_pledges_interest_and_transfers_post_their_documented_lines() -> None:
    assert shape(pledge_entry(fund="HPD", amount_vnd=9, donor_id=1, pledged_on=ON, memo="")) == [
        ("138", "HPD", 9, 0),
        ("511", "HPD", 0, 9),
    ]
    collected = pledge_collection_entry(fund="HPD", method="bank", amount_vnd=4, donor_id=1, received_on=ON, memo="")
    assert (collected.kind, shape(collected)) == ("pledge_collection", [("112", "HPD", 4, 0), ("138", "HPD", 0, 4)])
    interest = interest_entry(fund="HPD", account="112.1", amount_vnd=3, on=ON, memo="")
    assert (interest.kind, shape(interest)) == ("interest", [("112.1", "HPD", 3, 0), ("515", "HPD", 0, 3)])
    moved = transfer_entry(from_fund="CHUNG", to_fund="HPD", account="111", amount_vnd=2, on=ON, memo="")
    assert shape(moved) == [
        ("111", "CHUNG", 0, 2),
        ("431", "CHUNG", 2, 0),
        ("111", "HPD", 2, 0),
        ("431", "HPD", 0, 2),
    ]


def test_every_template_balances_per_fund_and_cuts_its_memo_to_the_limit() -> None:
    long = "x" * (MEMO_MAX_CHARS + 50)
    drafts = [
        donation_entry(fund="HPD", method="cash", amount_vnd=1, donor_id=1, received_on=ON, memo=long),
        pledge_entry(fund="HPD", amount_vnd=1, donor_id=1, pledged_on=ON, memo=long),
        interest_entry(fund="HPD", account="112", amount_vnd=1, on=ON, memo=long),
        transfer_entry(from_fund="CHUNG", to_fund="HPD", account="112", amount_vnd=1, on=ON, memo=long),
        disbursement_entry(fund="HPD", kind="award", paid_from="cash", amount_vnd=1, paid_on=ON, memo=long),
    ]
    for draft in drafts:
        validate_entry(draft)
        assert len(draft.memo) == MEMO_MAX_CHARS


# --- Reversal ---------------------------------------------------------------------------------------------


GIFT = Posted(
    4,
    ON,
    "donation",
    donation_entry(fund="HPD", method="cash", amount_vnd=5, donor_id=3, received_on=ON, memo="").lines,
)


def test_a_reversal_swaps_every_debit_and_credit_and_points_to_its_entry() -> None:
    draft = reversal_entry(GIFT, reason="nhầm quỹ", reversed_on=TODAY, today=TODAY)
    assert (draft.kind, draft.reverses_seq, draft.entry_on) == ("reversal", 4, TODAY)
    assert draft.memo == "Đảo bút toán số 4: nhầm quỹ"
    assert shape(draft) == [("111", "HPD", 0, 5), ("511", "HPD", 5, 0)]
    assert {line.donor_id for line in draft.lines} == {3}


def test_an_entry_is_reversed_at_most_once_and_a_reversal_is_not_reversed() -> None:
    with pytest.raises(AlreadyReversed):
        reversal_entry(GIFT._replace(reversed_by=9), reason="r", reversed_on=TODAY, today=TODAY)
    with pytest.raises(ValidationFailed):
        reversal_entry(GIFT._replace(kind="reversal"), reason="r", reversed_on=TODAY, today=TODAY)


def test_a_reversal_is_dated_from_its_entrys_date_to_today() -> None:
    reversal_entry(GIFT, reason="r", reversed_on=ON, today=ON)
    for when in (date(2026, 3, 1), date(2026, 7, 1)):
        with pytest.raises(ValidationFailed) as refused:
            reversal_entry(GIFT, reason="r", reversed_on=when, today=TODAY)
        assert set(refused.value.errors or {}) == {"date"}


# --- General entries ------------------------------------------------------------------------------------


def general(*lines: LineDraft, kind: str = "general", on: date = ON) -> EntryDraft:
    return EntryDraft(on, "", kind, lines)


def test_moving_money_between_cash_and_bank_is_a_general_entry() -> None:
    draft = general(LineDraft("112", "HPD", debit_vnd=5), LineDraft("111", "HPD", credit_vnd=5))
    check_general_entry(draft, CHART, today=TODAY, has_transactions=True)


def test_a_general_entry_cannot_be_dated_in_the_future_nor_touch_income_or_spending() -> None:
    draft = general(LineDraft("611", "HPD", debit_vnd=5), LineDraft("111", "HPD", credit_vnd=5), on=date(2026, 7, 1))
    with pytest.raises(ValidationFailed) as refused:
        check_general_entry(draft, CHART, today=TODAY, has_transactions=True)
    assert set(refused.value.errors or {}) == {"date", "lines.0.account"}


def test_a_general_entry_never_moves_money_through_the_fund_balance() -> None:
    draft = general(LineDraft("111", "HPD", credit_vnd=5), LineDraft("431", "HPD", debit_vnd=5))
    with pytest.raises(ValidationFailed) as refused:
        check_general_entry(draft, CHART, today=TODAY, has_transactions=False)
    assert set(refused.value.errors or {}) == {"lines.1.account"}
    assert refused.value.extra["rule"] == "general_entry"


def test_only_opening_balances_before_the_first_transaction_raise_net_assets() -> None:
    lines = (LineDraft("111", "HPD", debit_vnd=5), LineDraft("431", "HPD", credit_vnd=5))
    check_general_entry(general(*lines, kind="opening"), CHART, today=TODAY, has_transactions=False)
    with pytest.raises(ValidationFailed) as late:
        check_general_entry(general(*lines, kind="opening"), CHART, today=TODAY, has_transactions=True)
    assert set(late.value.errors or {}) == {"kind"}
    with pytest.raises(ValidationFailed) as ordinary:
        check_general_entry(general(*lines), CHART, today=TODAY, has_transactions=False)
    assert set(ordinary.value.errors or {}) == {"lines.1.account"}


def test_a_move_between_funds_is_a_transfer_not_a_general_entry() -> None:
    draft = transfer_entry(from_fund="CHUNG", to_fund="HPD", account="111", amount_vnd=2, on=ON, memo="")
    moved = EntryDraft(ON, "", "general", draft.lines)
    with pytest.raises(ValidationFailed) as refused:
        check_general_entry(moved, CHART, today=TODAY, has_transactions=True)
    assert any(key.startswith("lines.") for key in refused.value.errors or {})


def test_lines_naming_unknown_accounts_are_left_to_the_kernel() -> None:
    draft = general(LineDraft("999", "HPD", debit_vnd=5), LineDraft("998", "HPD", credit_vnd=5))
    check_general_entry(draft, CHART, today=TODAY, has_transactions=True)
