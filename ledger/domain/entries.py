"""Journal entries before they are posted: what a valid, balanced entry is (fund accounting)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from operator import attrgetter
from typing import cast

from ledger.domain.errors import UnbalancedEntry, ValidationFailed
from ledger.domain.money import AMOUNT_VND_MAX

#: Limits checked before anything is written (TigerBeetle: put a limit on everything).
MAX_LINES_PER_ENTRY = 500
MEMO_MAX_CHARS = 500
UNIT_MAX_CHARS = 40
ITEM_MAX_CHARS = 200
QUANTITY_MAX = 10**9

ENTRY_KINDS = (
    "general",  #: an adjustment entered by hand
    "opening",  #: opening balances carried in from the notebooks
    "donation",
    "pledge",  #: a promised donation, receivable
    "pledge_collection",
    "disbursement",
    "payment",  #: an award accrued to 338, paid from cash or bank
    "transfer",  #: between funds, where the source fund's policy allows
    "interest",
    "reversal",
    "closing",  #: the year-end close: revenue and expenses into the result and the funds (domain/closing.py)
)


#: A journal line's fields, in the one order the chain's canonical text, the ``journal_lines``
#: columns (with ids for the codes) and every reader of lines use: spelled out here only.
LINE_FIELDS = ("account", "fund", "debit_vnd", "credit_vnd", "quantity", "unit", "item", "donor_id", "beneficiary_id")
#: The fields after the account and fund codes: stored as they are (the codes are stored as ids).
LINE_VALUE_FIELDS = LINE_FIELDS[2:]

#: A line's values after its account and fund, in :data:`LINE_VALUE_FIELDS` order.
LineValues = tuple[int, int, int | None, str | None, str | None, int | None, int | None]


@dataclass(frozen=True, slots=True)
class LineDraft:
    """One line: exactly one of ``debit_vnd``/``credit_vnd`` is positive, the other 0.

    The fields are :data:`LINE_FIELDS` in that order (tests/unit/test_line_shape.py).
    """

    account: str
    fund: str
    debit_vnd: int = 0
    credit_vnd: int = 0
    #: Goods are counted as well as valued: a positive count moving with the line.
    quantity: int | None = None
    unit: str | None = None
    #: Which goods (``Gói quà Tết``): average cost is kept per fund and item.
    item: str | None = None
    donor_id: int | None = None
    beneficiary_id: int | None = None

    @property
    def amount_vnd(self) -> int:
        return self.debit_vnd or self.credit_vnd

    @classmethod
    def of(cls, account: str, fund: str, values: LineValues) -> LineDraft:
        """The line with these codes and :func:`line_values` (a stored row's, say)."""
        return cls(account, fund, *values)


#: A line's values after its account and fund (:data:`LINE_VALUE_FIELDS`), as a tuple: read by
#: ``attrgetter`` in C, since the chain and the journal's rows read them for every line posted.
line_values = cast(Callable[[LineDraft], LineValues], attrgetter(*LINE_VALUE_FIELDS))


@dataclass(frozen=True)
class EntryDraft:
    entry_on: date
    memo: str
    kind: str
    lines: tuple[LineDraft, ...]
    reverses_seq: int | None = None
    #: Facts a document needs that are not lines (kept off the hash: documents are derived).
    meta: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


def _line_problems(line: LineDraft) -> list[str]:
    problems: list[str] = []
    for name, value in (("debit", line.debit_vnd), ("credit", line.credit_vnd)):
        if type(value) is not int or value < 0 or value > AMOUNT_VND_MAX:
            problems.append(f"{name} must be a whole number of VND from 0 to 10^15")
    if not problems and (line.debit_vnd > 0) == (line.credit_vnd > 0):
        problems.append("exactly one of debit and credit must be a positive amount")
    if line.quantity is not None and (type(line.quantity) is not int or not 0 < line.quantity <= QUANTITY_MAX):
        problems.append("quantity must be a positive whole number")
    if line.unit is not None and len(line.unit) > UNIT_MAX_CHARS:
        problems.append(f"unit is longer than {UNIT_MAX_CHARS} characters")
    if line.item is not None and len(line.item) > ITEM_MAX_CHARS:
        problems.append(f"item is longer than {ITEM_MAX_CHARS} characters")
    return problems


def _line_ok(line: LineDraft) -> bool:
    """What :func:`_line_problems` checks, as one test: most lines pass, and listing nothing
    for each of them costs more than the rest of the posting of a line."""
    debit, credit, quantity = line.debit_vnd, line.credit_vnd, line.quantity
    return (
        type(debit) is int
        and type(credit) is int
        and 0 <= debit <= AMOUNT_VND_MAX
        and 0 <= credit <= AMOUNT_VND_MAX
        and (debit > 0) != (credit > 0)
        and (quantity is None or (type(quantity) is int and 0 < quantity <= QUANTITY_MAX))
        and (line.unit is None or len(line.unit) <= UNIT_MAX_CHARS)
        and (line.item is None or len(line.item) <= ITEM_MAX_CHARS)
    )


def validate_entry(draft: EntryDraft) -> None:
    """Refuse an entry that is malformed or does not balance per fund.

    Fund accounting: every fund is a self-balancing set of accounts, so the debits and
    credits must agree fund by fund, not only in total.
    """
    lines = draft.lines
    well_formed = (
        draft.kind in ENTRY_KINDS
        and len(draft.memo) <= MEMO_MAX_CHARS
        and 0 < len(lines) <= MAX_LINES_PER_ENTRY
        and all(_line_ok(line) for line in lines)
    )
    if not well_formed:
        _refuse_malformed(draft)
    net: dict[str, int] = {}
    for line in lines:
        net[line.fund] = net.get(line.fund, 0) + line.debit_vnd - line.credit_vnd
    if any(net.values()):
        debits: dict[str, int] = defaultdict(int)
        credits: dict[str, int] = defaultdict(int)
        for line in lines:
            debits[line.fund] += line.debit_vnd
            credits[line.fund] += line.credit_vnd
        fund = min(f for f, amount in net.items() if amount)
        raise UnbalancedEntry(
            fund, debits[fund], credits[fund], {f: amount for f, amount in sorted(net.items()) if amount}
        )


def _refuse_malformed(draft: EntryDraft) -> None:
    errors: dict[str, list[str]] = {}
    if draft.kind not in ENTRY_KINDS:
        errors["kind"] = [f"unknown entry kind {draft.kind!r}"]
    if len(draft.memo) > MEMO_MAX_CHARS:
        errors["memo"] = [f"memo is longer than {MEMO_MAX_CHARS} characters"]
    if not draft.lines:
        errors["lines"] = ["an entry needs at least two lines"]
    elif len(draft.lines) > MAX_LINES_PER_ENTRY:
        errors["lines"] = [f"an entry has at most {MAX_LINES_PER_ENTRY} lines"]
    for i, line in enumerate(draft.lines[:MAX_LINES_PER_ENTRY]):
        problems = _line_problems(line)
        if problems:
            errors[f"lines.{i}"] = problems
    if errors:
        raise ValidationFailed(
            "Bút toán không hợp lệ: kiểm tra lại các dòng và số tiền.",
            "The entry is not valid: check its lines and amounts.",
            errors=errors,
        )


def reversal_of(lines: tuple[LineDraft, ...]) -> tuple[LineDraft, ...]:
    """The lines that undo ``lines``: every debit becomes a credit of the same amount."""
    return tuple(replace(line, debit_vnd=line.credit_vnd, credit_vnd=line.debit_vnd) for line in lines)
