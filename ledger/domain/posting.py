"""The posting kernel: whether drafts may post, and what they change, as pure functions over plain data.

Like beancount's booking: immutable drafts and the stored positions go in, a plan of the new
positions comes out, or a refusal (a ``LedgerError``) is raised and nothing changed. The
service around it (``ledger.services.journal.post_entries``) only locks, reads, calls these,
seals and writes; nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import NamedTuple

from ledger.domain.accounts import AccountType
from ledger.domain.chain import entry_text, link_hash
from ledger.domain.closing import CLOSING_KIND
from ledger.domain.entries import EntryDraft, validate_entry
from ledger.domain.errors import InsufficientFunds, InsufficientGoods, LedgerError, PeriodClosed, ValidationFailed

#: A position is keyed by (account id, fund id, goods item or "" for money).
BalanceKey = tuple[int, int, str]
#: Goods promised to pending disbursements, by (fund id, goods item).
PendingGoods = Mapping[tuple[int, str], int]
NO_PENDING_GOODS: PendingGoods = MappingProxyType({})


class AccountFacts(NamedTuple):
    """What the posting rules need to know of one account (a named tuple: it is read per line)."""

    id: int
    #: Goods are counted as well as valued: their lines carry a quantity and an item.
    holds_goods: bool
    #: Cash, bank and goods never go below zero per fund (DESIGN.md).
    non_negative: bool
    type: AccountType


@dataclass(frozen=True)
class ChartFacts:
    """An association's chart and funds as the kernel sees them: codes to plain facts."""

    accounts: Mapping[str, AccountFacts]
    #: Fund code → fund id.
    funds: Mapping[str, int]


class Position(NamedTuple):
    """A materialised balance: posted net debit, goods count, and what pending spends reserve."""

    net_vnd: int
    quantity: int
    reserved_vnd: int


@dataclass(frozen=True)
class PostingPlan:
    """What accepted drafts change: the new value of every position they touch."""

    positions: Mapping[BalanceKey, Position]
    #: The touched positions that had no stored balance before (to insert rather than update).
    new_keys: frozenset[BalanceKey]


class SealedDraft(NamedTuple):
    """A draft with its number in the association's journal and its link in the hash chain."""

    seq: int
    prev_hash: str
    hash: str
    draft: EntryDraft
    #: ``(entry_on, kind, memo, reverses_seq, created_at, created_by)``: the entry's values
    #: between its seq and its lines, in the order the chain and the journal's columns share.
    header: tuple[date, str, str, int | None, datetime, int | None]


_sealed = SealedDraft._make


# --- Refusals that name the item of a batch ------------------------------------------------------


def at_item(error: LedgerError, index: int) -> LedgerError:
    """Say that item ``index`` of a batch was refused: ``errors`` keys become ``items.<i>.…``."""
    error.extra["index"] = index
    if error.errors:
        error.errors = {f"items.{index}.{key}": value for key, value in error.errors.items()}
    else:
        error.errors = {f"items.{index}": [error.message_en]}
    return error


def _indexed(error: LedgerError, index: int, batch: bool) -> LedgerError:
    """``at_item`` for a batch; a single entry's error is left as it is."""
    return at_item(error, index) if batch else error


# --- Before the lock: the drafts themselves -------------------------------------------------------


def check_drafts(drafts: Sequence[EntryDraft], chart: ChartFacts) -> None:
    """Refuse a draft that is malformed, does not balance per fund, or names an account or fund
    the chart does not have (goods lines also need a quantity). A batch's refusal names its item."""
    batch = len(drafts) > 1
    for index, draft in enumerate(drafts):
        try:
            validate_entry(draft)
            _check_known(draft, chart)
        except LedgerError as error:
            raise _indexed(error, index, batch) from None


def _check_known(draft: EntryDraft, chart: ChartFacts) -> None:
    accounts, funds = chart.accounts, chart.funds
    if all(
        line.account in accounts and line.fund in funds and (line.quantity is not None or not accounts[line.account][1])
        for line in draft.lines
    ):
        return
    errors: dict[str, list[str]] = {}
    for i, line in enumerate(draft.lines):
        facts = accounts.get(line.account)
        if facts is None:
            errors.setdefault(f"lines.{i}.account", []).append(f"unknown account {line.account!r}")
        if line.fund not in funds:
            errors.setdefault(f"lines.{i}.fund", []).append(f"unknown fund {line.fund!r}")
        if facts is not None and facts.holds_goods and line.quantity is None:
            errors.setdefault(f"lines.{i}.quantity", []).append(
                "goods lines need a quantity (goods are counted as well as valued)"
            )
    raise ValidationFailed(
        "Bút toán nhắc đến tài khoản hoặc quỹ không có trong sổ của hội.",
        "The entry names an account or fund this association does not have.",
        errors=errors,
    )


# --- Under the lock: periods and positions ---------------------------------------------------------


def check_open_periods(drafts: Sequence[EntryDraft], closed_years: Set[int]) -> None:
    """Refuse a draft dated in a closed fiscal year: its books are frozen."""
    if not closed_years:
        return
    batch = len(drafts) > 1
    for index, draft in enumerate(drafts):
        if draft.entry_on.year in closed_years:
            raise _indexed(PeriodClosed(draft.entry_on.year), index, batch)


#: Years a fiscal period can name; anything else is a typing mistake.
YEAR_MIN, YEAR_MAX = 2000, 2100


def check_fiscal_year(year: int) -> None:
    """Refuse a number that cannot be a fiscal year (a calendar year)."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationFailed(
            "Năm tài chính không hợp lệ.",
            "Not a valid fiscal year.",
            errors={"year": [f"must be from {YEAR_MIN} to {YEAR_MAX}"]},
        )


def check_closable(year: int, today: date) -> None:
    """Refuse closing a fiscal year that is not one or has not ended by ``today``."""
    check_fiscal_year(year)
    if year >= today.year:
        raise ValidationFailed(
            f"Năm {year} chưa kết thúc nên chưa thể khóa sổ.",
            f"Year {year} has not ended yet, so it cannot be closed.",
            errors={"year": ["only a year that has ended can be closed"]},
        )


def fund_ids_of(drafts: Sequence[EntryDraft], chart: ChartFacts) -> set[int]:
    """The funds whose positions posting ``drafts`` reads."""
    funds = chart.funds
    return {funds[line.fund] for draft in drafts for line in draft.lines}


def credits_goods(drafts: Sequence[EntryDraft], chart: ChartFacts) -> bool:
    """Whether any draft takes goods out (then pending goods count: :func:`apply_drafts`)."""
    accounts = chart.accounts
    return any(line.credit_vnd and accounts[line.account][1] for draft in drafts for line in draft.lines)


def apply_drafts(
    positions: Mapping[BalanceKey, Position],
    drafts: Sequence[EntryDraft],
    chart: ChartFacts,
    pending_goods: PendingGoods = NO_PENDING_GOODS,
) -> PostingPlan:
    """Apply checked drafts (:func:`check_drafts`) in order to ``positions``; ``positions`` is
    never changed.

    After each draft, every cash, bank or goods position it credits must stay at or above
    zero once what pending disbursements reserve is counted (``reserved_vnd`` of money, and
    ``pending_goods`` of goods counts): else ``InsufficientFunds`` or ``InsufficientGoods``
    naming the draft (its item, in a batch) and nothing is planned.
    """
    accounts, funds = chart.accounts, chart.funds
    batch = len(drafts) > 1
    # [net, quantity, reserved] of every touched position, changed in memory draft by draft.
    work: dict[BalanceKey, list[int]] = {}
    for index, draft in enumerate(drafts):
        touched: list[tuple[BalanceKey, str, bool, str, str]] = []
        for line in draft.lines:
            account_id, goods, non_negative, _ = accounts[line.account]
            key = (account_id, funds[line.fund], (line.item or "") if goods else "")
            pos = work.get(key)
            if pos is None:
                pos = work[key] = list(positions.get(key, _EMPTY))
            pos[0] += line.debit_vnd - line.credit_vnd
            if goods and line.quantity is not None:
                pos[1] += line.quantity if line.debit_vnd else -line.quantity
            if line.credit_vnd and non_negative:
                touched.append((key, line.account, goods, line.fund, line.item or ""))
        for key, account_code, goods, fund_code, item in touched:
            net, quantity, reserved = work[key]
            free = quantity - pending_goods.get((key[1], item), 0) if goods else 0
            if free < 0:
                requested = sum(
                    (line.quantity or 0) * (1 if line.credit_vnd else -1)
                    for line in draft.lines
                    if line.account == account_code and line.fund == fund_code and (line.item or "") == item
                )
                raise _indexed(
                    InsufficientGoods(account_code, fund_code, item, free + requested, requested), index, batch
                )
            if net - reserved < 0:
                requested = sum(
                    line.credit_vnd - line.debit_vnd
                    for line in draft.lines
                    if line.account == account_code and line.fund == fund_code and (line.item or "") == item
                )
                raise _indexed(
                    InsufficientFunds(account_code, fund_code, net - reserved + requested, requested, item),
                    index,
                    batch,
                )
    return PostingPlan(
        {key: Position(*values) for key, values in work.items()},
        frozenset(key for key in work if key not in positions),
    )


_EMPTY = Position(0, 0, 0)


#: The accounts whose lines are kept as running totals per year (the spending rules read them):
#: what a fund received, earned and spent, and paid to each beneficiary.
TOTALLED_TYPES = frozenset({AccountType.REVENUE, AccountType.EXPENSE})
#: (fund id, account id, beneficiary id or 0, calendar year).
YearKey = tuple[int, int, int, int]


def year_totals(
    drafts: Sequence[EntryDraft], chart: ChartFacts, closing_seqs: Set[int] = frozenset()
) -> dict[YearKey, tuple[int, int]]:
    """The debits and credits the drafts add to each year's running totals of revenue and expense lines.

    A closing entry, and a reversal of one (``closing_seqs``: the closing entries among those the
    drafts reverse), moves a year's activity into the fund balances and back: neither is income
    or spending, so neither counts.
    """
    totals: dict[YearKey, tuple[int, int]] = {}
    accounts, funds = chart.accounts, chart.funds
    for draft in drafts:
        if draft.kind == CLOSING_KIND or draft.reverses_seq in closing_seqs:
            continue
        year = draft.entry_on.year
        for line in draft.lines:
            facts = accounts[line.account]
            if facts.type not in TOTALLED_TYPES:
                continue
            key = (funds[line.fund], facts.id, line.beneficiary_id or 0, year)
            debit, credit = totals.get(key, (0, 0))
            totals[key] = (debit + line.debit_vnd, credit + line.credit_vnd)
    return totals


def seal(
    drafts: Sequence[EntryDraft],
    head: tuple[int, str],
    association: str,
    created_at: datetime,
    created_by: int | None,
) -> Iterator[SealedDraft]:
    """Number and chain ``drafts`` after the chain ``head`` (its seq and hash), one at a time:
    a writer can store each as soon as it is hashed."""
    seq, prev = head
    for draft in drafts:
        seq += 1
        header = (draft.entry_on, draft.kind, draft.memo, draft.reverses_seq, created_at, created_by)
        digest = link_hash(prev, entry_text(association, seq, *header, draft.lines))
        # ``_make`` builds the named tuple in C: the constructor's Python frame costs as much as
        # a third of an entry's hashing.
        yield _sealed((seq, prev, digest, draft, header))
        prev = digest
