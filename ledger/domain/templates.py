"""The entry of each kind of event, and the rules that decide whether it may be posted, as pure functions.

A service checks its request, calls one of these to get the draft, and hands the draft to the
posting kernel (``ledger.domain.posting``); "today" is always an argument.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from ledger.domain.accounts import (
    CASH_DONATIONS,
    FUND_BALANCE,
    GOODS,
    IN_KIND_DONATIONS,
    INTEREST_INCOME,
    METHOD_ACCOUNT,
    PLEDGES,
    AccountType,
    signed_net_asset_effect,
)
from ledger.domain.entries import MEMO_MAX_CHARS, EntryDraft, LineDraft, reversal_of
from ledger.domain.errors import AlreadyReversed, ValidationFailed
from ledger.domain.policy import KIND_EXPENSE_ACCOUNT
from ledger.domain.posting import ChartFacts


def _memo(text: str) -> str:
    return text[:MEMO_MAX_CHARS]


def _pair(debit: str, credit: str, fund: str, amount_vnd: int, donor_id: int | None = None) -> tuple[LineDraft, ...]:
    """Two lines of one fund: ``amount_vnd`` debited to ``debit`` and credited to ``credit``."""
    return (
        LineDraft(account=debit, fund=fund, debit_vnd=amount_vnd, donor_id=donor_id),
        LineDraft(account=credit, fund=fund, credit_vnd=amount_vnd, donor_id=donor_id),
    )


# --- Money and goods coming in -------------------------------------------------------------------


@dataclass(frozen=True)
class GoodsIn:
    """Goods given in kind: how many of what, and their total value."""

    description: str
    quantity: int
    unit: str
    value_vnd: int


def donation_entry(
    *,
    fund: str,
    method: str,
    amount_vnd: int,
    donor_id: int,
    received_on: date,
    memo: str,
    goods: Sequence[GoodsIn] = (),
) -> EntryDraft:
    """Debit what came in (cash, bank, or each item of goods), credit the fund's donation revenue."""
    lines: tuple[LineDraft, ...]
    if method == "in_kind":
        lines = tuple(
            LineDraft(
                account=account,
                fund=fund,
                debit_vnd=item.value_vnd if account == GOODS else 0,
                credit_vnd=0 if account == GOODS else item.value_vnd,
                quantity=item.quantity,
                unit=item.unit,
                item=item.description,
                donor_id=donor_id,
            )
            for item in goods
            for account in (GOODS, IN_KIND_DONATIONS)
        )
    else:
        lines = _pair(METHOD_ACCOUNT[method], CASH_DONATIONS, fund, amount_vnd, donor_id)
    return EntryDraft(entry_on=received_on, memo=_memo(memo), kind="donation", lines=lines)


def pledge_entry(*, fund: str, amount_vnd: int, donor_id: int, pledged_on: date, memo: str) -> EntryDraft:
    """A promised donation: Dr 138 pledges receivable, Cr 511 donations of the fund."""
    return EntryDraft(
        entry_on=pledged_on,
        memo=_memo(memo),
        kind="pledge",
        lines=_pair(PLEDGES, CASH_DONATIONS, fund, amount_vnd, donor_id),
    )


def pledge_collection_entry(
    *, fund: str, method: str, amount_vnd: int, donor_id: int, received_on: date, memo: str
) -> EntryDraft:
    """Money of a pledge comes in: Dr 111/112, Cr 138."""
    return EntryDraft(
        entry_on=received_on,
        memo=_memo(memo),
        kind="pledge_collection",
        lines=_pair(METHOD_ACCOUNT[method], PLEDGES, fund, amount_vnd, donor_id),
    )


def interest_entry(*, fund: str, account: str, amount_vnd: int, on: date, memo: str) -> EntryDraft:
    """Interest a deposit earned: Dr 112 (or a sub-account), Cr 515 interest income."""
    return EntryDraft(
        entry_on=on,
        memo=_memo(memo),
        kind="interest",
        lines=_pair(account, INTEREST_INCOME, fund, amount_vnd),
    )


# --- Money and goods going out or moving -----------------------------------------------------------


@dataclass(frozen=True)
class GoodsOut:
    """Goods handed out: how many of which item (valued at average cost by the caller)."""

    description: str
    quantity: int
    unit: str


def disbursement_entry(
    *,
    fund: str,
    kind: str,
    paid_from: str,
    amount_vnd: int,
    paid_on: date,
    memo: str,
    beneficiary_id: int | None = None,
    goods: GoodsOut | None = None,
    expense_account: str | None = None,
) -> EntryDraft:
    """Debit the kind's expense account (or ``expense_account``, a sub-account of it such as
    ``611.1`` that the caller checked), credit cash, bank or goods.

    Both lines carry the beneficiary, so what a beneficiary received (and, later, which
    donor's money paid for it) can be read from the journal alone.
    """
    quantity, unit, item = (goods.quantity, goods.unit, goods.description) if goods is not None else (None, None, None)
    return EntryDraft(
        entry_on=paid_on,
        memo=_memo(memo),
        kind="disbursement",
        lines=tuple(
            LineDraft(
                account=account,
                fund=fund,
                debit_vnd=debit,
                credit_vnd=amount_vnd - debit,
                quantity=quantity,
                unit=unit,
                item=item,
                beneficiary_id=beneficiary_id,
            )
            for account, debit in (
                (expense_account or KIND_EXPENSE_ACCOUNT[kind], amount_vnd),
                (METHOD_ACCOUNT[paid_from], 0),
            )
        ),
    )


def transfer_lines(*, from_fund: str, to_fund: str, account: str, amount_vnd: int) -> tuple[LineDraft, ...]:
    """Cr cash/bank and Dr 431 in the source fund; Dr cash/bank and Cr 431 in the target fund.

    Every fund balances by itself (fund accounting), so the fund balance account 431 records
    that the source fund's net assets went down and the target's up.
    """
    return (
        LineDraft(account=account, fund=from_fund, credit_vnd=amount_vnd),
        LineDraft(account=FUND_BALANCE, fund=from_fund, debit_vnd=amount_vnd),
        LineDraft(account=account, fund=to_fund, debit_vnd=amount_vnd),
        LineDraft(account=FUND_BALANCE, fund=to_fund, credit_vnd=amount_vnd),
    )


def transfer_entry(*, from_fund: str, to_fund: str, account: str, amount_vnd: int, on: date, memo: str) -> EntryDraft:
    lines = transfer_lines(from_fund=from_fund, to_fund=to_fund, account=account, amount_vnd=amount_vnd)
    return EntryDraft(entry_on=on, memo=_memo(memo), kind="transfer", lines=lines)


# --- Corrections ---------------------------------------------------------------------------------------


class PostedEntry(Protocol):
    """What the reversal rules read of a posted entry."""

    @property
    def seq(self) -> int: ...
    @property
    def entry_on(self) -> date: ...
    @property
    def kind(self) -> str: ...
    @property
    def lines(self) -> tuple[LineDraft, ...]: ...
    @property
    def reversed_by(self) -> int | None: ...


def reversal_entry(original: PostedEntry, *, reason: str, reversed_on: date, today: date) -> EntryDraft:
    """The entry that undoes ``original``; refused when it was reversed already, when it is a
    reversal itself, or when ``reversed_on`` is before its date or after ``today``.

    The journal is append-only: the original stays as it was and the reversal points to it.
    """
    seq = original.seq
    if original.reversed_by is not None:
        raise AlreadyReversed(seq, original.reversed_by)
    if reversed_on < original.entry_on or reversed_on > today:
        raise ValidationFailed(
            f"Ngày đảo phải từ ngày của bút toán số {seq} ({original.entry_on:%d/%m/%Y}) đến hôm nay.",
            f"A reversal is dated from its entry's date ({original.entry_on.isoformat()}) to today.",
            errors={"date": ["from the reversed entry's date to today"]},
        )
    if original.kind == "reversal":
        raise ValidationFailed(
            f"Bút toán số {seq} là bút toán đảo; hãy ghi lại bút toán đúng thay vì đảo lần nữa.",
            f"Entry {seq} is itself a reversal; post the right entry again instead of reversing it.",
        )
    return EntryDraft(
        entry_on=reversed_on,
        memo=_memo(f"Đảo bút toán số {seq}: {reason}"),
        kind="reversal",
        lines=reversal_of(original.lines),
        reverses_seq=seq,
    )


#: What a hand-made entry may touch: it moves money between assets, liabilities and fund
#: balances. Income is recorded as a donation, pledge or interest and spending as a
#: disbursement, so that a receipt or a voucher exists and the fund's policy is checked.
GENERAL_ENTRY_ACCOUNT_TYPES = frozenset({AccountType.ASSET, AccountType.LIABILITY, AccountType.FUND_BALANCE})


def check_general_entry(draft: EntryDraft, chart: ChartFacts, *, today: date, has_transactions: bool) -> set[str]:
    """Refuse a hand-made entry that spends or earns; return the funds whose net assets it lowers.

    It never spends nor earns: an entry that lowers the association's net assets is a
    disbursement, and one that raises them is a donation or interest (only opening balances,
    entered before the first transaction — ``has_transactions`` is false — bring money in
    without one). The funds returned give money to others: the caller checks that their
    policies allow a transfer out. Lines naming unknown accounts are left to the kernel.
    """
    errors: dict[str, list[str]] = {}
    if draft.entry_on > today:
        errors["date"] = ["an entry cannot be dated in the future"]
    accounts = chart.accounts
    for i, line in enumerate(draft.lines):
        facts = accounts.get(line.account)
        if facts is not None and facts.type not in GENERAL_ENTRY_ACCOUNT_TYPES:
            errors[f"lines.{i}.account"] = [
                "income is recorded as a donation, pledge or interest and spending as a disbursement "
                "(POST …/disbursements), so that the fund's policy is checked and a voucher exists"
            ]
    if errors:
        raise ValidationFailed(
            "Bút toán tổng hợp chỉ chuyển tiền giữa tài sản, nợ phải trả và số dư quỹ; khoản thu ghi "
            "bằng phiếu tài trợ hoặc lãi, khoản chi ghi bằng phiếu chi để kiểm tra đúng mục đích.",
            "A general entry only moves money between assets, liabilities and fund balances; income is "
            "recorded as a donation or interest and spending as a disbursement, so that the policy is checked.",
            errors=errors,
        )
    effects: dict[str, int] = defaultdict(int)
    for line in draft.lines:
        facts = accounts.get(line.account)
        if facts is not None:
            effects[line.fund] += signed_net_asset_effect(facts.type, line.debit_vnd, line.credit_vnd)
    total = sum(effects.values())
    if total < 0:
        raise ValidationFailed(
            "Bút toán này làm giảm tài sản của hội: khoản chi phải ghi bằng phiếu chi.",
            "This entry lowers the association's net assets: spending is recorded as a disbursement.",
            errors={"lines": ["net assets would fall by " + str(-total) + " VND"]},
        )
    if total > 0 and (draft.kind != "opening" or has_transactions):
        raise ValidationFailed(
            "Chỉ số dư đầu kỳ (ghi trước giao dịch đầu tiên) mới được ghi tăng tài sản mà không qua phiếu thu.",
            "Only opening balances, entered before the first transaction, raise net assets without a donation.",
            errors={"kind": ["opening balances only, before the first transaction"]},
        )
    return {fund for fund, effect in effects.items() if effect < 0 and fund in chart.funds}
