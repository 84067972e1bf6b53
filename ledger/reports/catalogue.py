"""Every statement by the name of its path (``…/reports/<name>``): the API and the command line build them alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from ledger.persistence.models import Association
from ledger.reports import auditing, books, consolidated, disclosure, registers, statements
from ledger.reports.downloads import Build, ReportQuery
from ledger.reports.model import Report
from ledger.reports.statements import Period
from ledger.services.unit_of_work import UnitOfWork

Maker = Callable[[UnitOfWork, Association, ReportQuery, date], Report]


def period_of(query: ReportQuery, today: date, *, point: bool = False) -> Period:
    """``as_of`` or ``to`` (default today) and ``from`` (default: the start of that year, per report)."""
    end = query.as_of or query.to_on or today
    return Period(None if point else query.from_on, end, point=point)


def _trial_balance(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    return statements.trial_balance(uow, association, period_of(query, today, point=True).end, generated_at=uow.clock())


def _fund_balances(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    return statements.fund_statement(uow, association, period_of(query, today), today=today, generated_at=uow.clock())


def _activities(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    return statements.activities(uow, association, period_of(query, today), generated_at=uow.clock())


def _disclosure(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    return disclosure.disclosure(uow, association, period_of(query, today), generated_at=uow.clock())


def _receipt_register(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    period = period_of(query, today)
    return registers.receipt_register(uow, association, period, generated_at=uow.clock())


def _voucher_register(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    period = period_of(query, today)
    return registers.voucher_register(uow, association, period, generated_at=uow.clock())


def _consolidated(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    return consolidated.consolidated(uow, association, period_of(query, today), generated_at=uow.clock())


#: Reports over the association's whole subtree (its members' movements are brought up to date too).
TREE_REPORTS = frozenset({"consolidated"})


def _goods_book(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    return books.goods_book(uow, association, period_of(query, today), generated_at=uow.clock())


def _audit_log(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    return auditing.audit_log(uow, association, period_of(query, today), generated_at=uow.clock())


def _verification(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    return auditing.verification_report(uow, association, period_of(query, today, point=True), generated_at=uow.clock())


REPORTS: dict[str, Maker] = {
    "audit-log": _audit_log,
    "verification": _verification,
    "goods-book": _goods_book,
    "consolidated": _consolidated,
    "receipt-register": _receipt_register,
    "voucher-register": _voucher_register,
    "disclosure": _disclosure,
    "trial-balance": _trial_balance,
    "fund-balances": _fund_balances,
    "activities": _activities,
}


def builder(name: str, query: ReportQuery) -> Build:
    """The report ``name`` for ``query``, as :func:`downloads.run` builds it."""
    make = REPORTS[name]
    return lambda uow, association, today: make(uow, association, query, today)


def _general_journal(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    return books.general_journal(uow, association, period_of(query, today), generated_at=uow.clock())


def _general_ledger(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
    return books.general_ledger(uow, association, period_of(query, today), generated_at=uow.clock())


def _book(account: str) -> Maker:
    def make(uow: UnitOfWork, association: Association, query: ReportQuery, today: date) -> Report:
        return books.cash_book(uow, association, period_of(query, today), account, generated_at=uow.clock())

    return make


#: Books whose rows stream from the database while they are written.
BOOKS: dict[str, Maker] = {
    "general-journal": _general_journal,
    "general-ledger": _general_ledger,
    "cash-book": _book("111"),
    "bank-book": _book("112"),
}


def streamer(
    name: str, query: ReportQuery, today: date
) -> Callable[[UnitOfWork, Association, object], Iterator[bytes]]:
    """The book ``name`` rendered in ``query.format``, for :func:`downloads.run_stream`."""
    from ledger.documents.report_files import render_chunks

    make = BOOKS[name]
    return lambda uow, association, _head: render_chunks(make(uow, association, query, today), query.format)
