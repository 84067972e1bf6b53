"""Issue 15's property: whatever interleaving of donations, spends, reversals, transfers and
backdated entries the service accepts, the books are right on every date.

- every cash, bank and goods balance of every fund is >= 0 at the end of every day;
- every entry balances per fund;
- every fund's posted balance is its assets less its liabilities, from the journal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, select

from ledger.domain.accounts import AccountType
from ledger.domain.errors import LedgerError
from ledger.persistence.models import Account, Association, Fund, JournalEntry, JournalLine
from ledger.services import disbursements, donations, funds, transfers
from ledger.services.access import Actor
from ledger.services.journal import Books
from tests.factories import make_association, make_beneficiary, make_donor, make_fund, make_user, reverse_in, work

FIRST_DAY = date(2026, 1, 1)
DAYS = 300  # every date stays before the default test clock (2026-12-05) and every later one


@dataclass(frozen=True)
class Donate:
    fund: str
    method: str
    amount: int
    day: int


@dataclass(frozen=True)
class Spend:
    fund: str
    paid_from: str
    amount: int
    day: int


@dataclass(frozen=True)
class Move:
    amount: int
    day: int


@dataclass(frozen=True)
class Reverse:
    pick: int


days = st.integers(min_value=0, max_value=DAYS)
amounts = st.integers(min_value=1, max_value=3_000_000)
operations = st.one_of(
    st.builds(Donate, st.sampled_from(["GENERAL", "HB"]), st.sampled_from(["cash", "bank"]), amounts, days),
    st.builds(Spend, st.sampled_from(["GENERAL", "HB"]), st.sampled_from(["cash", "bank"]), amounts, days),
    st.builds(Move, amounts, days),
    st.builds(Reverse, st.integers(min_value=0, max_value=40)),
)


def _apply(uow_books: tuple[object, Books], op: object, ctx: dict[str, object]) -> int | None:
    uow, books = uow_books
    maker, approver = ctx["maker"], ctx["approver"]
    assert isinstance(maker, Actor) and isinstance(approver, Actor)
    if isinstance(op, Donate):
        cmd = donations.DonationCommand(
            ctx["donor"],
            op.fund,
            op.method,
            op.amount,
            FIRST_DAY + timedelta(days=op.day),  # type: ignore[arg-type]
        )
        return donations.record_donation(uow, maker, books, cmd).entry.seq  # type: ignore[arg-type]
    if isinstance(op, Spend):
        kind = "operating" if op.fund == "GENERAL" else "scholarship"
        beneficiary = None if op.fund == "GENERAL" else ctx["student"]
        cmd = disbursements.SpendCommand(
            op.fund,
            kind,
            op.paid_from,
            FIRST_DAY + timedelta(days=op.day),
            op.amount,
            beneficiary,  # type: ignore[arg-type]
        )
        result = disbursements.record_disbursement(uow, maker, books, cmd)  # type: ignore[arg-type]
        return result.entry.seq if result.entry is not None else None
    if isinstance(op, Move):
        cmd = transfers.TransferCommand("GENERAL", "HB", op.amount, "112", FIRST_DAY + timedelta(days=op.day))
        return transfers.transfer(uow, maker, books, cmd).seq  # type: ignore[arg-type]
    assert isinstance(op, Reverse)
    posted = ctx["posted"]
    assert isinstance(posted, list)
    if not posted:
        raise LedgerError("không có gì để đảo", "nothing to reverse")
    return int(reverse_in(uow, books, posted[op.pick % len(posted)], "kiểm thử", maker, approver).seq)


def _check_books(app: Flask, association_id: int) -> None:
    with work(app) as uow:
        rows = uow.session.execute(
            select(
                JournalEntry.seq,
                JournalEntry.entry_on,
                Account.code,
                Account.type,
                Account.non_negative,
                Fund.code,
                JournalLine.debit_vnd,
                JournalLine.credit_vnd,
            )
            .join(
                JournalEntry,
                and_(JournalEntry.association_id == JournalLine.association_id, JournalEntry.seq == JournalLine.seq),
            )
            .join(Account, Account.id == JournalLine.account_id)
            .join(Fund, Fund.id == JournalLine.fund_id)
            .where(JournalLine.association_id == association_id)
            .order_by(JournalEntry.entry_on, JournalEntry.seq)
        ).all()
        association = uow.session.get(Association, association_id)
        assert association is not None
        shown = {view.code: view.posted_balance_vnd for view in funds.list_funds(uow, association)}
    per_entry: dict[tuple[int, str], int] = defaultdict(int)
    net_assets: dict[str, int] = defaultdict(int)
    running: dict[tuple[str, str], int] = defaultdict(int)
    by_day: dict[date, list[tuple[str, str, int]]] = defaultdict(list)
    for seq, on, account, account_type, non_negative, fund, debit, credit in rows:
        per_entry[seq, fund] += debit - credit
        if account_type in (AccountType.ASSET, AccountType.LIABILITY):
            net_assets[fund] += debit - credit
        if non_negative:
            by_day[on].append((account, fund, debit - credit))
    assert all(amount == 0 for amount in per_entry.values()), "an entry does not balance per fund"
    for fund, posted in shown.items():
        assert posted == net_assets.get(fund, 0), fund
    for day in sorted(by_day):
        for account, fund, delta in by_day[day]:
            running[account, fund] += delta
        negative = {key: value for key, value in running.items() if value < 0}
        assert not negative, (day, negative)


@settings(max_examples=20)
@given(st.lists(operations, min_size=1, max_size=12))
def test_accepted_interleavings_keep_the_books_right_on_every_date(app: Flask, ops: list[object]) -> None:
    code = make_association(app)
    make_fund(app, code, "HB", name="Học bổng", restriction="restricted", policy={"allowed_kinds": ["scholarship"]})
    ctx: dict[str, object] = {
        "donor": make_donor(app, code),
        "student": make_beneficiary(app, code),
        "maker": Actor(user_id=make_user(app, code, "treasurer")[0]),
        "approver": Actor(user_id=make_user(app, code, "approver")[0]),
        "posted": [],
    }
    with work(app) as uow:
        association_id = uow.session.execute(select(Association.id).where(Association.code == code)).scalar_one()
    for op in ops:
        try:
            with work(app) as uow:
                association = uow.session.get(Association, association_id)
                assert association is not None
                seq = _apply((uow, Books(uow, association)), op, ctx)
                uow.commit()
        except LedgerError:
            continue
        if seq is not None and not isinstance(op, Reverse):
            posted = ctx["posted"]
            assert isinstance(posted, list)
            posted.append(seq)
        _check_books(app, association_id)
