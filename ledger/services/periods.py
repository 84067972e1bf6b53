"""Fiscal years (calendar years): closing one freezes its books; reopening is an admin act, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from ledger.clock import today_vn
from ledger.domain.errors import Conflict, InvalidTransition
from ledger.domain.events import PeriodClosed, PeriodReopened
from ledger.domain.posting import check_closable, check_fiscal_year
from ledger.domain.reasons import reason_given
from ledger.persistence.models import Disbursement, JournalEntry, Period
from ledger.services.access import Actor
from ledger.services.closing import post_closing_entries, reverse_closing_entries
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PeriodView:
    year: int
    closed: bool
    closed_at: datetime | None
    closed_by: int | None
    #: Disbursements dated in the year that still wait for an approver.
    pending_disbursements: int
    #: The entries this close posted (or this reopening posted to reverse them).
    closing_entries: tuple[int, ...] = ()


def _pending_in(uow: UnitOfWork, association_id: int, year: int) -> int:
    count = uow.session.execute(
        select(func.count())
        .select_from(Disbursement)
        .where(
            Disbursement.association_id == association_id,
            Disbursement.status == "pending",
            Disbursement.paid_on >= date(year, 1, 1),
            Disbursement.paid_on <= date(year, 12, 31),
        )
    ).scalar_one()
    return int(count)


def _period(uow: UnitOfWork, association_id: int, year: int) -> Period | None:
    return uow.session.execute(
        select(Period)
        .where(Period.association_id == association_id, Period.year == year)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def close_period(uow: UnitOfWork, actor: Actor, books: Books, year: int) -> PeriodView:
    """Close a fiscal year that has ended: no entry dated inside it can be posted afterwards.

    Refused while disbursements dated in it still wait for approval: they would be stranded,
    their money reserved for good. Decide them (approve or reject) first.
    """
    check_closable(year, today_vn(uow.clock()))
    association_id = books.association.id
    ledger = uow.lock_ledger(association_id)
    period = _period(uow, association_id, year)
    if period is not None and period.closed:
        raise InvalidTransition("period", "closed", "closed")
    pending = _pending_in(uow, association_id, year)
    if pending:
        raise Conflict(
            f"Còn {pending} khoản chi năm {year} đang chờ duyệt: hãy duyệt hoặc từ chối trước khi khóa sổ.",
            f"{pending} disbursements dated in {year} still wait for approval: approve or reject them "
            "before closing the year.",
            pending=pending,
        )
    # The closing entries are dated in the year, so they go in before it is closed.
    closing = post_closing_entries(uow, books, year, created_by=actor.user_id)
    if period is None:
        period = Period(association_id=association_id, year=year)
        uow.session.add(period)
    period.closed = True
    period.closed_at = uow.clock()
    period.closed_by = actor.user_id
    uow.session.flush()
    ledger.closed_years.add(year)
    seqs = tuple(entry.seq for entry in closing)
    uow.emit(PeriodClosed(by=actor, association_id=association_id, year=year, closing_entries=seqs))
    return PeriodView(year, True, period.closed_at, period.closed_by, 0, seqs)


def reopen_period(uow: UnitOfWork, actor: Actor, books: Books, year: int, reason: str = "") -> PeriodView:
    """Reopen a closed year (an administrator's act, written to the audit log with its reason)."""
    check_fiscal_year(year)
    reason = reason_given(reason, act_vi="mở lại năm tài chính", act_en="reopening", required=False)
    association_id = books.association.id
    ledger = uow.lock_ledger(association_id)
    period = _period(uow, association_id, year)
    if period is None or not period.closed:
        raise InvalidTransition("period", "open", "open")
    closed_at, closed_by = period.closed_at, period.closed_by
    period.closed = False
    period.closed_at = None
    period.closed_by = None
    uow.session.flush()
    ledger.closed_years.discard(year)
    # Open again, the year takes the reversals of its closing entries, dated 31 December.
    reversals = tuple(e.seq for e in reverse_closing_entries(uow, books, year, created_by=actor.user_id))
    uow.emit(
        PeriodReopened(
            by=actor,
            association_id=association_id,
            year=year,
            reason=reason,
            was_closed_at=closed_at.isoformat() if closed_at else None,
            was_closed_by=closed_by,
            closing_reversals=reversals,
        )
    )
    return PeriodView(year, False, None, None, _pending_in(uow, association_id, year), reversals)


def list_periods(uow: UnitOfWork, books: Books) -> list[PeriodView]:
    """Every year the books have entries in or a period row for, oldest first."""
    association_id = books.association.id
    rows = {
        p.year: p for p in uow.session.execute(select(Period).where(Period.association_id == association_id)).scalars()
    }
    first, last = uow.session.execute(
        select(func.min(JournalEntry.entry_on), func.max(JournalEntry.entry_on)).where(
            JournalEntry.association_id == association_id
        )
    ).one()
    years = set(rows)
    if first is not None and last is not None:
        years |= set(range(first.year, last.year + 1))
    pending: dict[int, int] = {}
    for (paid_on,) in uow.session.execute(
        select(Disbursement.paid_on).where(
            Disbursement.association_id == association_id, Disbursement.status == "pending"
        )
    ):
        pending[paid_on.year] = pending.get(paid_on.year, 0) + 1
    years |= set(pending)
    out: list[PeriodView] = []
    for year in sorted(years):
        p = rows.get(year)
        closed = p is not None and p.closed
        out.append(
            PeriodView(
                year,
                closed,
                p.closed_at if p is not None and closed else None,
                p.closed_by if p is not None and closed else None,
                pending.get(year, 0),
            )
        )
    return out
