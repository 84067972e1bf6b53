"""Disbursements: right-purpose spending from a fund, one at a time or in batches, posted or held for approval.

Every spend goes through one planner (``plan_spends``): under the association's ledger lock
it loads what the rules need (``SpendTally``), values goods at average cost, checks the
fund's policy (``check_spend``) and the balances, and builds the entry (``disbursement_draft``).
Only when every item of a request has passed is anything written (``write_new``): the
reservations of pending spends, the entries of posted ones (one ``post_entries`` call), their
voucher numbers and the disbursement rows. Single requests, batches, CSV imports and
approvals all use these same functions.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select

from ledger.clock import today_vn
from ledger.domain.accounts import (
    AWARDS_PAYABLE,
    BANK,
    CASH,
    CASH_DONATIONS,
    IN_KIND_DONATIONS,
    INTEREST_INCOME,
    RUNNING_COSTS,
    AccountType,
    parent_code,
)
from ledger.domain.dated import check_after_lock
from ledger.domain.entries import ITEM_MAX_CHARS, MEMO_MAX_CHARS, QUANTITY_MAX, UNIT_MAX_CHARS, EntryDraft
from ledger.domain.errors import (
    InsufficientFunds,
    InsufficientGoods,
    LedgerError,
    NotFound,
    PeriodClosed,
    ValidationFailed,
)
from ledger.domain.events import (
    DisbursementBatchRecorded,
    DisbursementPosted,
    DisbursementRequested,
    DisbursementVoided,
)
from ledger.domain.goods import average_cost_value
from ledger.domain.money import format_vnd, is_amount_vnd
from ledger.domain.policy import (
    DISBURSEMENT_KINDS,
    KIND_EXPENSE_ACCOUNT,
    KIND_LABELS_VI,
    FundPolicy,
    SpendFacts,
    SpendRequest,
    check_spend,
    needs_approval,
)
from ledger.domain.states import DISBURSEMENT_STEPS, step
from ledger.domain.templates import SPEND_SOURCE_ACCOUNT, GoodsOut, disbursement_entry
from ledger.domain.vouchers import PAYMENT_VOUCHER, REFERENCE_MAX_CHARS
from ledger.persistence import journal_store
from ledger.persistence.models import (
    Beneficiary,
    Disbursement,
    DisbursementBatch,
    Fund,
    YearTotal,
)
from ledger.services import parties
from ledger.services.access import Actor
from ledger.services.dated_balances import Later, read_later
from ledger.services.funds import policies_in_force
from ledger.services.journal import (
    BalanceKey,
    Books,
    EntryView,
    at_item,
    post_entries,
    reserve,
)
from ledger.services.numbering import next_numbers
from ledger.services.unit_of_work import UnitOfWork

#: A batch (an award ceremony, a Tet gift day) carries at most this many disbursements.
MAX_BATCH_ITEMS = 1000
#: Where the money or goods of a disbursement come from; ``payable`` accrues an award to 338
#: (decided now, paid later through ``services/payables.py``).
PAID_FROM = ("cash", "bank", "in_kind", "payable")
#: The account each ``paid_from`` credits.
SOURCE_ACCOUNT = SPEND_SOURCE_ACCOUNT
#: The statuses of DISBURSEMENT_STEPS, for filters.
STATUSES = tuple(DISBURSEMENT_STEPS)
#: What a fund "received" for the running-cost cap: its donation and interest revenue.
_RECEIVED_ACCOUNTS = frozenset({CASH_DONATIONS, IN_KIND_DONATIONS, INTEREST_INCOME})


@dataclass(frozen=True)
class GoodsPick:
    """Which goods leave the shelf and how many; their value is the average cost of the holding."""

    description: str
    quantity: int
    unit: str


@dataclass(frozen=True)
class SpendCommand:
    """One disbursement as a treasurer asks for it (API.md ``POST …/disbursements``)."""

    fund: str
    kind: str
    paid_from: str
    paid_on: date
    #: Required for cash and bank; for goods it may be left out (it is their average cost).
    amount_vnd: int | None = None
    beneficiary_id: int | None = None
    #: For goods: exactly one pick.
    items: tuple[GoodsPick, ...] = ()
    memo: str = ""
    #: Who is paid when it is not the beneficiary (a bookcase's supplier); "" otherwise.
    payee_name: str = ""
    payee_address: str = ""
    #: The bank's reference of the payment ("UNC số 0912"), printed on the voucher.
    reference: str = ""
    #: A sub-account of the kind's expense account to book it to (``611.1``: one programme's
    #: scholarships); ``None`` books it to the kind's account itself.
    expense_account: str | None = None


@dataclass(frozen=True)
class DisbursementView:
    id: int
    association: str
    fund: str
    kind: str
    beneficiary_id: int | None
    amount_vnd: int
    paid_from: str
    item: str | None
    quantity: int | None
    unit: str | None
    paid_on: date
    memo: str
    status: str
    policy_version: int
    payee_name: str
    payee_address: str
    reference: str
    expense_account: str | None
    maker_id: int | None
    approver_id: int | None
    decided_at: datetime | None
    decision_reason: str | None
    reserved_vnd: int
    entry_seq: int | None
    voucher_number: str | None
    void_entry_seq: int | None
    batch_id: int | None
    created_at: datetime

    @property
    def items(self) -> list[dict[str, object]]:
        if self.item is None:
            return []
        return [{"description": self.item, "quantity": self.quantity, "unit": self.unit}]


@dataclass(frozen=True)
class DisbursementResult:
    """A disbursement and, when it was posted, its entry."""

    disbursement: DisbursementView
    entry: EntryView | None


@dataclass(frozen=True)
class BatchResult:
    batch_id: int
    count: int
    total_vnd: int
    disbursements: list[DisbursementView]


@dataclass(frozen=True)
class PlannedSpend:
    """A spend that passed every check, with what posting or reserving it will write."""

    index: int
    command: SpendCommand
    fund: Fund
    policy_version: int
    amount_vnd: int
    #: The (account, fund, item) balance the money or goods leave from.
    source: BalanceKey
    #: Waits for an approver (the amount is reserved) instead of being posted now.
    pending: bool
    draft: EntryDraft


# --- Refusals that name the item of a batch -----------------------------------------------------


def _refused(error: LedgerError, index: int, batch: bool) -> LedgerError:
    return at_item(error, index) if batch else error


def _renumbered(error: LedgerError, item_of_draft: Sequence[int], batch: bool) -> LedgerError:
    """An error ``post_entries`` raised about its ``j``-th draft, re-addressed to the batch item."""
    if not batch:
        return error
    j = error.extra.get("index")
    if not isinstance(j, int):
        return at_item(error, item_of_draft[0])
    i = item_of_draft[j]
    error.extra["index"] = i
    if error.errors:
        pattern = re.compile(rf"^items\.{j}(?=\.|$)")
        error.errors = {pattern.sub(f"items.{i}", key): value for key, value in error.errors.items()}
    return error


# --- What the rules need to know from the ledger -------------------------------------------------


class SpendTally:
    """The ledger's totals the spending rules need, loaded once under the lock and counted forward.

    Posted amounts come from the running totals per year that the posting keeps
    (``YearTotal``: hand-made entries count too, and a reversal takes back what it reverses);
    pending disbursements are added on top, so that two spends waiting for approval cannot
    together break a cap that each respects alone.
    Within a batch, ``count`` adds each accepted item, so item 7 is checked against the
    ledger as items 0–6 will have left it.
    """

    def __init__(self, uow: UnitOfWork, books: Books, *, exclude_ids: Collection[int] = ()) -> None:
        self._uow = uow
        self._books = books
        #: Pending disbursements being approved are not counted against themselves.
        self._exclude_ids = sorted(exclude_ids)
        self._received: dict[tuple[int, int], int] = defaultdict(int)
        self._running: dict[tuple[int, int], int] = defaultdict(int)
        self._paid: dict[tuple[int, int, int], int] = defaultdict(int)
        self._income: dict[int, int] = defaultdict(int)
        self._spent: dict[int, int] = defaultdict(int)
        #: Quantity of goods that pending disbursements will take, per (fund id, item).
        self.pending_goods: dict[tuple[int, str], int] = defaultdict(int)
        #: What one beneficiary got or waits for from one fund on one day (posted and pending).
        self._same_day: dict[tuple[int, int, date], int] = defaultdict(int)
        accounts = books.accounts.values()
        self._received_ids = [a.id for a in accounts if parent_code(a.code) in _RECEIVED_ACCOUNTS]
        self._running_ids = {a.id for a in accounts if parent_code(a.code) == RUNNING_COSTS}
        self._interest_ids = {a.id for a in accounts if parent_code(a.code) == INTEREST_INCOME}
        self._expense_ids = [a.id for a in accounts if a.type == AccountType.EXPENSE]

    def load(self, wants: Iterable[tuple[Fund, int | None, int]]) -> None:
        """Load the totals for every (fund, beneficiary id, year) a request will be checked against."""
        association_id = self._books.association.id
        by_year: dict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
        endowments: set[int] = set()
        for fund, beneficiary_id, year in wants:
            fund_ids, beneficiary_ids = by_year[year]
            fund_ids.add(fund.id)
            if beneficiary_id is not None:
                beneficiary_ids.add(beneficiary_id)
            if fund.restriction == "endowment":
                endowments.add(fund.id)
        # Running totals kept by the posting (``YearTotal``): a few rows, where aggregating the
        # year's journal lines under the lock made every other writer of the association wait.
        # They leave out closing entries and their reversals, which move activity, not add to it.
        totals = YearTotal
        debit, credit = func.sum(totals.debit_vnd), func.sum(totals.credit_vnd)
        for year, (fund_ids, beneficiary_ids) in sorted(by_year.items()):
            rows = self._uow.session.execute(
                select(totals.fund_id, totals.account_id, debit, credit)
                .where(
                    totals.association_id == association_id,
                    totals.fund_id.in_(sorted(fund_ids)),
                    totals.account_id.in_(sorted({*self._received_ids, *self._running_ids})),
                    totals.year == year,
                )
                .group_by(totals.fund_id, totals.account_id)
            )
            for fund_id, account_id, debits, credits in rows:
                if account_id in self._running_ids:
                    self._running[fund_id, year] += int(debits or 0) - int(credits or 0)
                else:
                    self._received[fund_id, year] += int(credits or 0) - int(debits or 0)
            if beneficiary_ids:
                rows = self._uow.session.execute(
                    select(totals.fund_id, totals.beneficiary_id, debit, credit)
                    .where(
                        totals.association_id == association_id,
                        totals.fund_id.in_(sorted(fund_ids)),
                        totals.beneficiary_id.in_(sorted(beneficiary_ids)),
                        totals.account_id.in_(self._expense_ids),
                        totals.year == year,
                    )
                    .group_by(totals.fund_id, totals.beneficiary_id)
                )
                for fund_id, beneficiary_id, debits, credits in rows:
                    self._paid[fund_id, beneficiary_id, year] += int(debits or 0) - int(credits or 0)
        if endowments:
            rows = self._uow.session.execute(
                select(totals.fund_id, totals.account_id, debit, credit)
                .where(
                    totals.association_id == association_id,
                    totals.fund_id.in_(sorted(endowments)),
                    totals.account_id.in_(sorted({*self._interest_ids, *self._expense_ids})),
                )
                .group_by(totals.fund_id, totals.account_id)
            )
            for fund_id, account_id, debits, credits in rows:
                if account_id in self._interest_ids:
                    self._income[fund_id] += int(credits or 0) - int(debits or 0)
                else:
                    self._spent[fund_id] += int(debits or 0) - int(credits or 0)
        pending = select(
            Disbursement.fund_id,
            Disbursement.kind,
            Disbursement.beneficiary_id,
            Disbursement.paid_on,
            Disbursement.amount_vnd,
            Disbursement.item,
            Disbursement.quantity,
        ).where(Disbursement.association_id == association_id, Disbursement.status == "pending")
        if self._exclude_ids:
            pending = pending.where(Disbursement.id.not_in(self._exclude_ids))
        for fund_id, kind, beneficiary_id, paid_on, amount, item, quantity in self._uow.session.execute(pending):
            self._count(fund_id, kind, beneficiary_id, paid_on.year, amount)
            if item is not None:
                self.pending_goods[fund_id, item] += quantity or 0

    def load_days(self, wants: Iterable[tuple[int, int, date]]) -> None:
        """Load what each (fund id, beneficiary id, day) already got or waits for, posted or pending."""
        wanted = set(wants)
        if not wanted:
            return
        stmt = (
            select(
                Disbursement.fund_id,
                Disbursement.beneficiary_id,
                Disbursement.paid_on,
                func.sum(Disbursement.amount_vnd),
            )
            .where(
                Disbursement.association_id == self._books.association.id,
                Disbursement.status.in_(("posted", "pending")),
                Disbursement.beneficiary_id.in_(sorted({b for _, b, _ in wanted})),
                Disbursement.paid_on.in_(sorted({d for _, _, d in wanted})),
            )
            .group_by(Disbursement.fund_id, Disbursement.beneficiary_id, Disbursement.paid_on)
        )
        if self._exclude_ids:
            stmt = stmt.where(Disbursement.id.not_in(self._exclude_ids))
        for fund_id, beneficiary_id, paid_on, total in self._uow.session.execute(stmt):
            key = (fund_id, beneficiary_id, paid_on)
            if beneficiary_id is not None and key in wanted:
                self._same_day[key] += int(total or 0)

    def same_day(self, fund_id: int, beneficiary_id: int | None, day: date) -> int:
        """What the beneficiary already got or waits for from the fund on ``day``."""
        return 0 if beneficiary_id is None else self._same_day.get((fund_id, beneficiary_id, day), 0)

    def facts(self, fund: Fund, beneficiary_id: int | None, year: int) -> SpendFacts:
        return SpendFacts(
            beneficiary_paid_in_year_vnd=self._paid.get((fund.id, beneficiary_id, year), 0)
            if beneficiary_id is not None
            else 0,
            fund_received_in_year_vnd=self._received.get((fund.id, year), 0),
            running_costs_in_year_vnd=self._running.get((fund.id, year), 0),
            endowment_income_vnd=self._income.get(fund.id, 0),
            endowment_spent_vnd=self._spent.get(fund.id, 0),
        )

    def count(self, planned: PlannedSpend) -> None:
        """Count an accepted item, so the items after it see it."""
        cmd = planned.command
        self._count(planned.fund.id, cmd.kind, cmd.beneficiary_id, cmd.paid_on.year, planned.amount_vnd)
        if cmd.beneficiary_id is not None:
            self._same_day[planned.fund.id, cmd.beneficiary_id, cmd.paid_on] += planned.amount_vnd
        if planned.pending and cmd.items:
            self.pending_goods[planned.fund.id, cmd.items[0].description] += cmd.items[0].quantity

    def _count(self, fund_id: int, kind: str, beneficiary_id: int | None, year: int, amount_vnd: int) -> None:
        if beneficiary_id is not None:
            self._paid[fund_id, beneficiary_id, year] += amount_vnd
        if kind == "operating":
            self._running[fund_id, year] += amount_vnd
        self._spent[fund_id] += amount_vnd


class _Positions:
    """The balances a request pays from, changed in memory item by item before anything is written."""

    def __init__(self, uow: UnitOfWork, books: Books, fund_ids: set[int]) -> None:
        uow.session.flush()  # a reservation the ORM holds back is read with the balances
        stored = journal_store.read_positions(uow.session, books.association.id, fund_ids)
        self.net: dict[BalanceKey, int] = defaultdict(int, {k: p.net_vnd for k, p in stored.items()})
        self.quantity: dict[BalanceKey, int] = defaultdict(int, {k: p.quantity for k, p in stored.items()})
        self.reserved: dict[BalanceKey, int] = defaultdict(int, {k: p.reserved_vnd for k, p in stored.items()})

    def available(self, key: BalanceKey) -> int:
        return self.net[key] - self.reserved[key]

    def money_less_payables(self, books: Books, fund_id: int) -> int:
        """The fund's cash and bank, available, less the awards it owes (338, a credit balance)."""
        money = {books.accounts[CASH].id, books.accounts[BANK].id}
        owed = books.accounts[AWARDS_PAYABLE].id
        total = 0
        for key in set(self.net) | set(self.reserved):
            account_id, fund, _ = key
            if fund != fund_id:
                continue
            if account_id in money:
                total += self.available(key)
            elif account_id == owed:
                total += self.net[key] - self.reserved[key]
        return total


# --- Checking and planning ----------------------------------------------------------------------

#: Limits of the payee's name and address (their columns' sizes).
PAYEE_NAME_MAX_CHARS = 200
ADDRESS_MAX_CHARS = 300


def _shape_errors(cmd: SpendCommand, today: date) -> dict[str, list[str]]:
    """What is wrong with the request itself, before the ledger is consulted."""
    errors: dict[str, list[str]] = {}
    if cmd.kind not in DISBURSEMENT_KINDS:
        errors["kind"] = [f"must be one of {', '.join(DISBURSEMENT_KINDS)}"]
    if cmd.paid_from not in PAID_FROM:
        errors["paid_from"] = [f"must be one of {', '.join(PAID_FROM)}"]
    if cmd.paid_on > today:
        errors["paid_on"] = ["a disbursement cannot be paid in the future"]
    if len(cmd.memo) > MEMO_MAX_CHARS:
        errors["memo"] = [f"at most {MEMO_MAX_CHARS} characters"]
    for name, value, limit in (
        ("payee_name", cmd.payee_name, PAYEE_NAME_MAX_CHARS),
        ("payee_address", cmd.payee_address, ADDRESS_MAX_CHARS),
        ("reference", cmd.reference, REFERENCE_MAX_CHARS),
    ):
        if len(value) > limit:
            errors[name] = [f"at most {limit} characters"]
    if cmd.amount_vnd is not None and not is_amount_vnd(cmd.amount_vnd):
        errors["amount"] = ["must be a whole number of VND from 1 to 10^15"]
    if cmd.paid_from == "in_kind":
        if len(cmd.items) != 1:
            errors["items"] = ["goods paid out in kind name exactly one item: its description, quantity and unit"]
        else:
            pick = cmd.items[0]
            if not pick.description.strip() or len(pick.description) > ITEM_MAX_CHARS:
                errors["items.0.description"] = [f"1 to {ITEM_MAX_CHARS} characters"]
            if type(pick.quantity) is not int or not 0 < pick.quantity <= QUANTITY_MAX:
                errors["items.0.quantity"] = ["must be a positive whole number"]
            if not pick.unit.strip() or len(pick.unit) > UNIT_MAX_CHARS:
                errors["items.0.unit"] = [f"1 to {UNIT_MAX_CHARS} characters"]
    elif cmd.paid_from in PAID_FROM:
        if cmd.amount_vnd is None:
            errors.setdefault("amount", ["required when paying in cash or from the bank"])
        if cmd.paid_from == "payable" and cmd.beneficiary_id is None:
            errors["beneficiary_id"] = ["an award accrued to pay later names who is owed it"]
        if cmd.items:
            errors["items"] = ["only disbursements paid in kind list items"]
    return errors


def disbursement_draft(cmd: SpendCommand, amount_vnd: int) -> EntryDraft:
    """The entry of a disbursement (``templates.disbursement_entry``): expense debited, source credited."""
    pick = cmd.items[0] if cmd.paid_from == "in_kind" else None
    return disbursement_entry(
        fund=cmd.fund,
        kind=cmd.kind,
        paid_from=cmd.paid_from,
        amount_vnd=amount_vnd,
        paid_on=cmd.paid_on,
        memo=cmd.memo or _default_memo(cmd),
        beneficiary_id=cmd.beneficiary_id,
        goods=GoodsOut(pick.description, pick.quantity, pick.unit) if pick is not None else None,
        expense_account=cmd.expense_account,
    )


def _default_memo(cmd: SpendCommand) -> str:
    # The beneficiary is named by number, not by name: many are children, whose names stay
    # out of anything that may be shown beyond the books (the public disclosure masks them).
    label = KIND_LABELS_VI[cmd.kind]
    what = label.capitalize() if label.startswith("chi ") else f"Chi {label}"
    if cmd.items:
        pick = cmd.items[0]
        what += f": {pick.quantity} {pick.unit} {pick.description}"
    if cmd.beneficiary_id is not None:
        what += f" (người thụ hưởng số {cmd.beneficiary_id})"
    return what


def plan_spends(
    uow: UnitOfWork,
    books: Books,
    commands: Sequence[SpendCommand],
    *,
    batch: bool,
    exclude_ids: Collection[int] = (),
    force_post: bool = False,
) -> list[PlannedSpend]:
    """Check ``commands`` in order, each against the ledger as the ones before it leave it.

    Raises the first refusal (in a batch, naming the item: ``index`` and ``items.<i>.…``)
    and writes nothing. ``force_post`` is for an approval: the spend is posted whatever the
    threshold says, after the same checks. Must run under the ledger lock.
    """
    association = books.association
    assert uow.holds_lock(association.id), "spends are planned under the ledger lock"
    today = today_vn(uow.clock())
    ledger = uow.lock_ledger(association.id)
    closed, lock_on = ledger.closed_years, ledger.lock_on
    known_funds = [books.funds[c.fund] for c in commands if c.fund in books.funds]
    policies = policies_in_force(uow, (f.id for f in known_funds))
    beneficiary_ids = sorted({c.beneficiary_id for c in commands if c.beneficiary_id is not None})
    categories: dict[int, str] = {}
    if beneficiary_ids:
        categories = dict(
            uow.session.execute(
                select(Beneficiary.id, Beneficiary.category).where(
                    Beneficiary.association_id == association.id, Beneficiary.id.in_(beneficiary_ids)
                )
            ).all()
        )
    tally = SpendTally(uow, books, exclude_ids=exclude_ids)
    tally.load((books.funds[c.fund], c.beneficiary_id, c.paid_on.year) for c in commands if c.fund in books.funds)
    if not force_post:
        tally.load_days(
            (books.funds[c.fund].id, c.beneficiary_id, c.paid_on)
            for c in commands
            if c.fund in books.funds and c.beneficiary_id is not None
        )
    positions = _Positions(uow, books, {f.id for f in known_funds})
    later = _goods_later(uow, books, commands, ledger.last_entry_on)
    planned: list[PlannedSpend] = []
    for index, cmd in enumerate(commands):
        try:
            one = _plan_one(
                index, cmd, books, today, closed, lock_on, policies, categories, tally, positions, later, force_post
            )
        except LedgerError as error:
            raise _refused(error, index, batch) from None
        if one.pending:
            positions.reserved[one.source] += one.amount_vnd
        else:
            positions.net[one.source] -= one.amount_vnd
            if cmd.items:
                positions.quantity[one.source] -= cmd.items[0].quantity
        tally.count(one)
        planned.append(one)
    if batch and not force_post:
        planned = _batch_total_waits(planned, policies)
    return planned


def _batch_total_waits(planned: list[PlannedSpend], policies: dict[int, tuple[int, FundPolicy]]) -> list[PlannedSpend]:
    """Every item of a fund whose share of the batch is above its threshold waits for an approver.

    Ten awards of 4.9M against a 5M threshold are one decision of 49M (issue 15, item 5). The
    balances were checked as if they were posted; a pending item reserves the same amount, so
    what is available comes out the same.
    """
    totals: dict[int, int] = defaultdict(int)
    for p in planned:
        totals[p.fund.id] += p.amount_vnd
    waiting = {
        fund_id for fund_id, total in totals.items() if needs_approval(policies[fund_id][1], 0, batch_total_vnd=total)
    }
    if not waiting:
        return planned
    return [replace(p, pending=True) if p.fund.id in waiting else p for p in planned]


def _goods_later(
    uow: UnitOfWork, books: Books, commands: Sequence[SpendCommand], last_entry_on: date | None
) -> Later | None:
    """The goods movements dated after the backdated hand-outs among ``commands``, if any."""
    if last_entry_on is None:
        return None
    backdated = [
        c
        for c in commands
        if c.paid_from == "in_kind" and c.paid_on < last_entry_on and c.fund in books.funds and c.items
    ]
    if not backdated:
        return None
    goods = books.accounts[SOURCE_ACCOUNT["in_kind"]].id
    keys = {(goods, books.funds[c.fund].id, c.items[0].description) for c in backdated}
    return read_later(uow, books.association.id, keys, min(c.paid_on for c in backdated))


def _plan_one(
    index: int,
    cmd: SpendCommand,
    books: Books,
    today: date,
    closed: set[int],
    lock_on: date | None,
    policies: dict[int, tuple[int, FundPolicy]],
    categories: dict[int, str],
    tally: SpendTally,
    positions: _Positions,
    later: Later | None,
    force_post: bool,
) -> PlannedSpend:
    errors = _shape_errors(cmd, today)
    if cmd.fund not in books.funds:
        errors["fund"] = ["unknown fund"]
    if cmd.expense_account is not None and (
        cmd.expense_account not in books.accounts
        or parent_code(cmd.expense_account) != KIND_EXPENSE_ACCOUNT.get(cmd.kind)
        or cmd.expense_account == KIND_EXPENSE_ACCOUNT.get(cmd.kind)
    ):
        errors["expense_account"] = [
            f"a sub-account of {KIND_EXPENSE_ACCOUNT.get(cmd.kind, 'the kind')}'s expense account in this chart"
        ]
    if cmd.beneficiary_id is not None and cmd.beneficiary_id not in categories:
        errors["beneficiary_id"] = ["unknown beneficiary"]
    if errors:
        raise ValidationFailed(
            "Khoản chi có trường thiếu hoặc sai: xem chi tiết trong errors.",
            "The disbursement has fields that are missing or wrong: see errors.",
            errors=errors,
        )
    check_after_lock([cmd.paid_on], lock_on)
    if cmd.paid_on.year in closed:
        raise PeriodClosed(cmd.paid_on.year)
    fund = books.funds[cmd.fund]
    version, policy = policies[fund.id]
    account = books.accounts[SOURCE_ACCOUNT[cmd.paid_from]]
    if cmd.paid_from == "in_kind":
        pick = cmd.items[0]
        source = (account.id, fund.id, pick.description)
        held = positions.quantity[source]
        free = held - tally.pending_goods[fund.id, pick.description]
        if pick.quantity > free:
            raise InsufficientGoods(account.code, fund.code, pick.description, max(free, 0), pick.quantity)
        # Valued at the average cost of what the fund held on the hand-out date (issue 15, item 11).
        value_on, held_on = positions.net[source], held
        if later is not None:
            moved = later.after(source, cmd.paid_on)
            value_on -= sum(m.net_vnd for m in moved)
            held_on -= sum(m.quantity for m in moved)
        if pick.quantity > held_on:
            short = InsufficientGoods(account.code, fund.code, pick.description, max(held_on, 0), pick.quantity)
            short.extra.update(rule="balance_on_date", date=cmd.paid_on.isoformat())
            raise short
        amount = average_cost_value(held_on, value_on, pick.quantity)
        if amount <= 0:
            raise ValidationFailed(
                "Số hàng xuất có giá trị dưới 1 đồng theo giá bình quân; hãy xuất nhiều hơn.",
                "The goods are worth less than 1 đồng at average cost; hand out more of them at once.",
                errors={"items.0.quantity": ["worth less than 1 VND at average cost"]},
            )
        if cmd.amount_vnd is not None and cmd.amount_vnd != amount:
            raise ValidationFailed(
                f"Số hàng này trị giá {format_vnd(amount)} theo giá bình quân; bỏ trống số tiền hoặc ghi đúng số đó.",
                f"These goods are worth {format_vnd(amount, 'en')} at average cost; leave the amount out or send that amount.",
                errors={"amount": [f"the goods are worth {amount} VND at average cost"]},
            )
    else:
        source = (account.id, fund.id, "")
        assert cmd.amount_vnd is not None
        amount = cmd.amount_vnd
    beneficiary_category = categories.get(cmd.beneficiary_id) if cmd.beneficiary_id is not None else None
    spend = SpendRequest(cmd.kind, amount, cmd.paid_on, cmd.beneficiary_id, beneficiary_category)
    check_spend(fund.restriction, policy, spend, tally.facts(fund, cmd.beneficiary_id, cmd.paid_on.year))
    if cmd.paid_from == "payable":
        # What is owed is paid later from cash or bank: a fund promises no more than it holds
        # there, less what it already owes and what pending spends reserve.
        available = positions.money_less_payables(books, fund.id)
    else:
        available = positions.available(source)
    if available < amount:
        raise InsufficientFunds(account.code, fund.code, available, amount, source[2])
    pending = not force_post and needs_approval(
        policy, amount, same_day_to_beneficiary_vnd=tally.same_day(fund.id, cmd.beneficiary_id, cmd.paid_on)
    )
    return PlannedSpend(index, cmd, fund, version, amount, source, pending, disbursement_draft(cmd, amount))


# --- Writing ------------------------------------------------------------------------------------


def post_planned(
    uow: UnitOfWork, actor: Actor, books: Books, planned: Sequence[PlannedSpend], *, batch: bool
) -> tuple[list[EntryView], list[str | None]]:
    """Post the entries of ``planned`` (all to be posted) in one call, and number their vouchers."""
    if not planned:
        return [], []
    try:
        entries = post_entries(uow, books, [p.draft for p in planned], created_by=actor.user_id)
    except LedgerError as error:
        raise _renumbered(error, [p.index for p in planned], batch) from None
    # Each kind of voucher has its own series (phiếu chi, ủy nhiệm chi, phiếu xuất kho):
    # one counter move per kind and year, the numbers handed back in the items' order. An
    # accrual moves no money: its voucher comes with the payment (``services/payables.py``).
    numbers: list[str | None] = [None] * len(planned)
    by_series: dict[str, list[int]] = defaultdict(list)
    for position, p in enumerate(planned):
        if p.command.paid_from != "payable":
            by_series[PAYMENT_VOUCHER[p.command.paid_from].series].append(position)
    for series, positions in by_series.items():
        issued = next_numbers(uow, books.association, series, [planned[i].command.paid_on.year for i in positions])
        for position, number in zip(positions, issued, strict=True):
            numbers[position] = number
    return entries, numbers


def write_new(
    uow: UnitOfWork, actor: Actor, books: Books, planned: Sequence[PlannedSpend], *, batch_id: int | None
) -> tuple[list[Disbursement], dict[int, EntryView]]:
    """Reserve the pending spends, post the others, and store a disbursement row for each."""
    reservations: dict[BalanceKey, int] = defaultdict(int)
    for p in planned:
        if p.pending and p.command.paid_from != "payable":
            reservations[p.source] += p.amount_vnd
    # Reservations go first: post_entries then counts them when it checks the balances.
    reserve(uow, books, reservations)
    to_post = [p for p in planned if not p.pending]
    entries, numbers = post_planned(uow, actor, books, to_post, batch=batch_id is not None)
    posted = {p.index: (entry, number) for p, entry, number in zip(to_post, entries, numbers, strict=True)}
    now = uow.clock()
    rows: list[Disbursement] = []
    for p in planned:
        cmd = p.command
        entry, number = posted.get(p.index, (None, None))
        pick = cmd.items[0] if cmd.paid_from == "in_kind" else None
        rows.append(
            Disbursement(
                association_id=books.association.id,
                fund_id=p.fund.id,
                kind=cmd.kind,
                beneficiary_id=cmd.beneficiary_id,
                amount_vnd=p.amount_vnd,
                paid_from=cmd.paid_from,
                item=pick.description if pick else None,
                quantity=pick.quantity if pick else None,
                unit=pick.unit if pick else None,
                paid_on=cmd.paid_on,
                memo=cmd.memo,
                payee_name=cmd.payee_name,
                payee_address=cmd.payee_address,
                reference=cmd.reference,
                expense_account=cmd.expense_account,
                status="pending" if p.pending else "posted",
                policy_version=p.policy_version,
                maker_id=actor.user_id,
                reserved_account_id=p.source[0] if p.pending else None,
                # An accrual waiting for approval holds nothing: it moves no money when posted.
                reserved_vnd=p.amount_vnd if p.pending and cmd.paid_from != "payable" else 0,
                entry_seq=entry.seq if entry else None,
                voucher_number=number,
                batch_id=batch_id,
                created_at=now,
            )
        )
    uow.session.add_all(rows)
    uow.session.flush()
    return rows, {p.index: entry for p, entry in zip(to_post, entries, strict=True)}


def record_disbursement(uow: UnitOfWork, actor: Actor, books: Books, cmd: SpendCommand) -> DisbursementResult:
    """Post a disbursement with its voucher number, or hold it for approval with its amount reserved."""
    uow.lock_ledger(books.association.id)
    planned = plan_spends(uow, books, [cmd], batch=False)
    rows, entries = write_new(uow, actor, books, planned, batch_id=None)
    row, entry = rows[0], entries.get(0)
    made = DisbursementRequested if row.status == "pending" else DisbursementPosted
    uow.emit(
        made(
            by=actor,
            association_id=books.association.id,
            disbursement_id=row.id,
            fund=cmd.fund,
            kind=cmd.kind,
            amount_vnd=row.amount_vnd,
            status=row.status,
            voucher=row.voucher_number,
            entry_seq=row.entry_seq,
            policy_version=row.policy_version,
        )
    )
    return DisbursementResult(view_of(books, row), entry)


def record_batch(
    uow: UnitOfWork, actor: Actor, books: Books, commands: Sequence[SpendCommand], memo: str = ""
) -> BatchResult:
    """Record a batch all or nothing: every item passes in order, or nothing is written.

    Items above their fund's threshold wait for approval (reserved) inside the batch; the
    others are posted together with one ``post_entries`` call.
    """
    if not 0 < len(commands) <= MAX_BATCH_ITEMS:
        raise ValidationFailed(
            f"Một đợt chi có từ 1 đến {MAX_BATCH_ITEMS} khoản.",
            f"A batch has 1 to {MAX_BATCH_ITEMS} disbursements.",
            errors={"items": [f"1 to {MAX_BATCH_ITEMS} items"]},
        )
    if len(memo) > MEMO_MAX_CHARS:
        raise ValidationFailed(
            "Ghi chú quá dài.", "The memo is too long.", errors={"memo": [f"at most {MEMO_MAX_CHARS} characters"]}
        )
    uow.lock_ledger(books.association.id)
    planned = plan_spends(uow, books, commands, batch=True)
    total = sum(p.amount_vnd for p in planned)
    batch = DisbursementBatch(
        association_id=books.association.id,
        memo=memo,
        count=len(planned),
        total_vnd=total,
        created_by=actor.user_id,
        created_at=uow.clock(),
    )
    uow.session.add(batch)
    uow.session.flush()
    rows, _ = write_new(uow, actor, books, planned, batch_id=batch.id)
    pending = [row.id for row in rows if row.status == "pending"]
    uow.emit(
        DisbursementBatchRecorded(
            by=actor,
            association_id=books.association.id,
            batch_id=batch.id,
            count=len(rows),
            total_vnd=total,
            posted=len(rows) - len(pending),
            pending_ids=pending,
            first_id=rows[0].id,
            last_id=rows[-1].id,
        )
    )
    return BatchResult(batch.id, len(rows), total, [view_of(books, row) for row in rows])


def command_of(books: Books, row: Disbursement) -> SpendCommand:
    """The request a stored disbursement was made from (goods are valued afresh when posted)."""
    return SpendCommand(
        fund=books.funds_by_id[row.fund_id].code,
        kind=row.kind,
        paid_from=row.paid_from,
        paid_on=row.paid_on,
        amount_vnd=None if row.paid_from == "in_kind" else row.amount_vnd,
        beneficiary_id=row.beneficiary_id,
        items=(GoodsPick(row.item or "", row.quantity or 0, row.unit or ""),) if row.paid_from == "in_kind" else (),
        memo=row.memo,
        payee_name=row.payee_name,
        payee_address=row.payee_address,
        reference=row.reference,
        expense_account=row.expense_account,
    )


def source_of(row: Disbursement) -> BalanceKey:
    """The (account, fund, item) balance a pending disbursement holds its reservation on."""
    assert row.reserved_account_id is not None
    return (row.reserved_account_id, row.fund_id, (row.item or "") if row.paid_from == "in_kind" else "")


# --- Reversal -----------------------------------------------------------------------------------


def void_disbursement_of(
    uow: UnitOfWork, actor: Actor, books: Books, seq: int, reversal: EntryView, reason: str
) -> None:
    """A reversed disbursement is void, and so is its voucher; the number is never reused."""
    row = uow.session.execute(
        select(Disbursement).where(Disbursement.association_id == books.association.id, Disbursement.entry_seq == seq)
    ).scalar_one_or_none()
    if row is None:
        return
    row.status = step(DISBURSEMENT_STEPS, "disbursement", row.status, "void")
    row.void_entry_seq = reversal.seq
    uow.emit(
        DisbursementVoided(
            by=actor,
            association_id=books.association.id,
            disbursement_id=row.id,
            voucher=row.voucher_number,
            reversal_seq=reversal.seq,
            reason=reason,
        )
    )


# --- Reading ------------------------------------------------------------------------------------


def view_of(books: Books, row: Disbursement) -> DisbursementView:
    return DisbursementView(
        id=row.id,
        association=books.association.code,
        fund=books.funds_by_id[row.fund_id].code,
        kind=row.kind,
        beneficiary_id=row.beneficiary_id,
        amount_vnd=row.amount_vnd,
        paid_from=row.paid_from,
        item=row.item,
        quantity=row.quantity,
        unit=row.unit,
        paid_on=row.paid_on,
        memo=row.memo,
        status=row.status,
        policy_version=row.policy_version,
        payee_name=row.payee_name,
        payee_address=row.payee_address,
        reference=row.reference,
        expense_account=row.expense_account,
        maker_id=row.maker_id,
        approver_id=row.approver_id,
        decided_at=row.decided_at,
        decision_reason=row.decision_reason,
        reserved_vnd=row.reserved_vnd,
        entry_seq=row.entry_seq,
        voucher_number=row.voucher_number,
        void_entry_seq=row.void_entry_seq,
        batch_id=row.batch_id,
        created_at=row.created_at,
    )


def find(uow: UnitOfWork, books: Books, disbursement_id: int, *, fresh: bool = False) -> Disbursement:
    """The disbursement ``disbursement_id`` of this association; another association's is not found."""
    stmt = select(Disbursement).where(
        Disbursement.id == disbursement_id, Disbursement.association_id == books.association.id
    )
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    row = uow.session.execute(stmt).scalar_one_or_none()
    if row is None:
        raise NotFound(f"khoản chi {disbursement_id}", f"disbursement {disbursement_id}")
    return row


def get_disbursement(uow: UnitOfWork, books: Books, disbursement_id: int) -> DisbursementView:
    return view_of(books, find(uow, books, disbursement_id))


@dataclass(frozen=True)
class DisbursementFilter:
    status: str | None = None
    fund: str | None = None
    batch_id: int | None = None
    after_id: int = 0
    limit: int = 100


def list_disbursements(
    uow: UnitOfWork, books: Books, flt: DisbursementFilter
) -> tuple[list[DisbursementView], int | None]:
    """A page of disbursements in id order, and the id to continue after (``None`` at the end)."""
    stmt = select(Disbursement).where(
        Disbursement.association_id == books.association.id, Disbursement.id > flt.after_id
    )
    if flt.status is not None:
        stmt = stmt.where(Disbursement.status == flt.status)
    if flt.fund is not None:
        fund = books.funds.get(flt.fund)
        if fund is None:
            raise ValidationFailed(
                f"Hội không có quỹ {flt.fund}.",
                f"This association has no fund {flt.fund}.",
                errors={"fund": ["unknown fund"]},
            )
        stmt = stmt.where(Disbursement.fund_id == fund.id)
    if flt.batch_id is not None:
        stmt = stmt.where(Disbursement.batch_id == flt.batch_id)
    rows = list(uow.session.execute(stmt.order_by(Disbursement.id).limit(flt.limit + 1)).scalars())
    more = len(rows) > flt.limit
    rows = rows[: flt.limit]
    return [view_of(books, r) for r in rows], (rows[-1].id if more and rows else None)


# --- Importing a batch whose beneficiaries are named rather than numbered -------------------------


@dataclass(frozen=True)
class NamedBeneficiary:
    """A beneficiary given by name, category, school and grade (a CSV from a school or ward)."""

    name: str
    category: str
    school: str = ""
    grade: str = ""


@dataclass(frozen=True)
class ImportedSpend:
    """One row of an import: the spend, and its beneficiary by name when it has no id."""

    command: SpendCommand
    named: NamedBeneficiary | None = None


@dataclass(frozen=True)
class ImportResult:
    batch: BatchResult
    #: How many beneficiaries the import registered (those it did not find in the register).
    created_beneficiaries: int


#: A beneficiary's kind follows from the category of the register (API.md); anyone else is a student.
_KIND_OF_CATEGORY = {"school": "school", "teacher": "teacher", "family": "family"}


def normalised(text: str) -> str:
    """Names as people type them compare equal: Unicode NFC, spaces collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _tidy(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def import_batch(
    uow: UnitOfWork, actor: Actor, books: Books, rows: Sequence[ImportedSpend], memo: str = ""
) -> ImportResult:
    """Find or create the named beneficiaries, then record the rows as one batch (all or nothing).

    A named beneficiary is the one already registered in this association with the same
    name, school and grade (compared after Unicode NFC normalisation, collapsing spaces and
    ignoring case). None found: it is registered with the row's category (a student, and so
    a minor whose name is masked in public lists, unless the category is school, teacher or
    family). More than one found, or one whose recorded category differs from the row's:
    the row is refused, for a person to sort out — the register decides who may be paid.
    Rows naming the same person share one beneficiary, so yearly caps count across rows.
    The beneficiaries created are written in the batch's transaction: a refused batch
    creates none.
    """
    if not 0 < len(rows) <= MAX_BATCH_ITEMS:
        raise ValidationFailed(
            f"Một đợt chi có từ 1 đến {MAX_BATCH_ITEMS} khoản.",
            f"A batch has 1 to {MAX_BATCH_ITEMS} disbursements.",
            errors={"items": [f"1 to {MAX_BATCH_ITEMS} items"]},
        )
    uow.lock_ledger(books.association.id)
    register: dict[tuple[str, str, str], list[tuple[int, str]]] = defaultdict(list)
    if any(r.named is not None for r in rows):
        for ben_id, name, school, grade, category in uow.session.execute(
            select(Beneficiary.id, Beneficiary.name, Beneficiary.school, Beneficiary.grade, Beneficiary.category)
            .where(Beneficiary.association_id == books.association.id)
            .order_by(Beneficiary.id)
        ):
            register[normalised(name), normalised(school), normalised(grade)].append((ben_id, category))
    commands: list[SpendCommand] = []
    created: list[int] = []
    for index, row in enumerate(rows):
        named = row.named
        if named is None:
            commands.append(row.command)
            continue
        key = (normalised(named.name), normalised(named.school), normalised(named.grade))
        found = register.get(key, [])
        if len(found) > 1:
            raise at_item(
                ValidationFailed(
                    f"Có {len(found)} người thụ hưởng cùng tên, trường và lớp «{named.name}»; hãy ghi mã người thụ hưởng.",
                    f"{len(found)} beneficiaries share the name, school and grade of '{named.name}'; "
                    "give the beneficiary_id instead.",
                    errors={"beneficiary_name": [f"matches beneficiaries {', '.join(str(i) for i, _ in found)}"]},
                ),
                index,
            )
        if found:
            ben_id, category = found[0]
            if category != named.category:
                raise at_item(
                    ValidationFailed(
                        f"Người thụ hưởng «{named.name}» đã có trong sổ với diện «{category}», không phải "
                        f"«{named.category}»; hãy kiểm tra lại.",
                        f"Beneficiary '{named.name}' is registered as '{category}', not '{named.category}'; "
                        "check which is right.",
                        errors={"category": [f"the register records {category}"]},
                    ),
                    index,
                )
        else:
            try:
                beneficiary = parties.create_beneficiary(
                    uow,
                    actor,
                    books.association,
                    parties.BeneficiaryCommand(
                        name=_tidy(named.name),
                        category=named.category,
                        kind=_KIND_OF_CATEGORY.get(named.category, "student"),
                        school=_tidy(named.school),
                        grade=_tidy(named.grade),
                        is_minor=named.category not in _KIND_OF_CATEGORY,
                    ),
                )
            except LedgerError as error:
                raise at_item(error, index) from None
            ben_id = beneficiary.id
            register[key].append((ben_id, named.category))
            created.append(ben_id)
        commands.append(
            SpendCommand(
                fund=row.command.fund,
                kind=row.command.kind,
                paid_from=row.command.paid_from,
                paid_on=row.command.paid_on,
                amount_vnd=row.command.amount_vnd,
                beneficiary_id=ben_id,
                items=row.command.items,
                memo=row.command.memo,
            )
        )
    result = record_batch(uow, actor, books, commands, memo)
    return ImportResult(result, len(created))
