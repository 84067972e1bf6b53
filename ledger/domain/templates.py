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
    AWARDS_PAYABLE,
    BANK,
    CASH,
    CASH_DONATIONS,
    FUND_BALANCE,
    GOODS,
    IN_KIND_DONATIONS,
    INTEREST_INCOME,
    METHOD_ACCOUNT,
    PLEDGES,
    parent_code,
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
    ``611.1`` that the caller checked), credit cash, bank, goods or (an accrued award) 338.

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
                (SPEND_SOURCE_ACCOUNT[paid_from], 0),
            )
        ),
    )


#: The account a disbursement credits by ``paid_from``: ``payable`` accrues an award to 338,
#: decided now and paid later (``payment_entry``).
SPEND_SOURCE_ACCOUNT = {**METHOD_ACCOUNT, "payable": AWARDS_PAYABLE}


def payment_entry(
    *, fund: str, beneficiary_id: int, paid_from: str, amount_vnd: int, paid_on: date, memo: str
) -> EntryDraft:
    """Pay an award accrued to 338: Dr 338, Cr cash or bank, both lines naming who is paid."""
    return EntryDraft(
        entry_on=paid_on,
        memo=_memo(memo),
        kind="payment",
        lines=(
            LineDraft(account=AWARDS_PAYABLE, fund=fund, debit_vnd=amount_vnd, beneficiary_id=beneficiary_id),
            LineDraft(
                account=METHOD_ACCOUNT[paid_from], fund=fund, credit_vnd=amount_vnd, beneficiary_id=beneficiary_id
            ),
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


# What a hand-made (general) entry may do (issue 15, item 2): never create nor spend money. Money
# comes in as a donation, pledge or interest and goes out as a disbursement, transfer or payment,
# each with its document and checks; a general entry only moves money between cash and bank
# inside one fund, or records opening balances before the first transaction. Receivables (138)
# move only through pledges and payables (338) only through accrued awards and their payment: a
# hand-made line there could dress up a spend as a debt.

#: Accounts an ordinary general entry may touch: money changing place inside a fund.
GENERAL_MOVABLE = frozenset({CASH, BANK})
#: Accounts an opening entry may touch.
OPENING_ACCOUNTS = frozenset({CASH, BANK, GOODS, FUND_BALANCE})

_ONLY_MOVES = (
    "a general entry only moves money between cash (111) and bank (112) inside a fund; income is a "
    "donation, pledge or interest, spending a disbursement, a move between funds a transfer"
)


def check_general_entry(draft: EntryDraft, chart: ChartFacts, *, today: date, has_transactions: bool) -> None:
    """Refuse a hand-made entry (already balanced per fund) unless it moves cash and bank inside a
    fund, or records opening balances before the first transaction (``has_transactions`` false).

    Every problem is named under ``lines.<i>.account``, ``kind`` or ``date``; lines naming unknown
    accounts are left to the kernel.
    """
    opening = draft.kind == "opening"
    errors: dict[str, list[str]] = {}
    if draft.entry_on > today:
        errors["date"] = ["an entry cannot be dated in the future"]
    if draft.kind not in ("general", "opening"):
        errors["kind"] = ["general or opening"]
    elif opening and has_transactions:
        errors["kind"] = ["opening balances only, before the first transaction"]
    effects: dict[str, int] = defaultdict(int)
    for i, line in enumerate(draft.lines):
        facts = chart.accounts.get(line.account)
        if facts is None:
            continue
        parent = parent_code(line.account)
        if parent == PLEDGES:
            errors[f"lines.{i}.account"] = ["receivables (138) change only through pledges and their collection"]
        elif parent == AWARDS_PAYABLE:
            errors[f"lines.{i}.account"] = [
                "payables (338) change only through awards accrued (paid_from: payable) and their payment"
            ]
        elif opening and parent not in OPENING_ACCOUNTS:
            errors[f"lines.{i}.account"] = ["opening balances are cash, bank, goods and fund balances"]
        elif not opening and parent not in GENERAL_MOVABLE:
            errors[f"lines.{i}.account"] = [_ONLY_MOVES]
        effects[line.fund] += signed_net_asset_effect(facts.type, line.debit_vnd, line.credit_vnd)
    # What the account rule implies, said once more as the reason: a fund's net assets stay put.
    if not opening and not errors and any(effects.values()):
        errors["lines"] = ["a general entry may not change a fund's net assets"]
    if errors:
        raise ValidationFailed(
            "Bút toán tổng hợp chỉ dùng để chuyển tiền giữa tiền mặt và ngân hàng trong một quỹ, hoặc ghi số "
            "dư đầu kỳ trước giao dịch đầu tiên; khoản thu, chi, chuyển quỹ, phải thu (138) và phải trả (338) "
            "ghi qua nghiệp vụ riêng có chứng từ.",
            "A general entry only moves money between cash and bank inside a fund, or records opening "
            "balances before the first transaction; income, spending, transfers, receivables (138) and "
            "payables (338) go through their own operations, with their documents.",
            errors=errors,
            rule="general_entry",
        )
