"""Every statement by the name of its path (``…/reports/<name>``): the API and the command line build them alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ledger.persistence.models import Association
from ledger.reports import statements
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


REPORTS: dict[str, Maker] = {
    "trial-balance": _trial_balance,
    "fund-balances": _fund_balances,
    "activities": _activities,
}


def builder(name: str, query: ReportQuery) -> Build:
    """The report ``name`` for ``query``, as :func:`downloads.run` builds it."""
    make = REPORTS[name]
    return lambda uow, association, today: make(uow, association, query, today)
