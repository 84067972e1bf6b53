"""Fiscal years (calendar years): closing one freezes its books; reopening is an admin act, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update

from ledger.clock import today_vn
from ledger.domain.errors import Conflict, InvalidTransition, ValidationFailed
from ledger.domain.events import PeriodClosed as PeriodClosedEvent
from ledger.domain.events import PeriodLocked, PeriodReopened
from ledger.domain.posting import check_closable, check_fiscal_year
from ledger.domain.reasons import reason_given
from ledger.persistence.models import ApprovalRequest, Disbursement, JournalEntry, LedgerHead, Period
from ledger.services.access import Actor
from ledger.services.closing import post_closing_entries, reverse_closing_entries
from ledger.services.journal import Books
from ledger.services.requests import RequestView, open_request, public_id
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
    # Closing a year locks everything up to its end, earlier never-closed years included.
    year_end = date(year, 12, 31)
    if ledger.lock_on is None or ledger.lock_on < year_end:
        _move_lock(uow, association_id, year_end)
    seqs = tuple(entry.seq for entry in closing)
    uow.emit(PeriodClosedEvent(by=actor, association_id=association_id, year=year, closing_entries=seqs))
    return PeriodView(year, True, period.closed_at, period.closed_by, 0, seqs)


def request_reopen(uow: UnitOfWork, actor: Actor, books: Books, year: int, reason: str = "") -> RequestView:
    """Ask to reopen a closed year: a second person (approver or admin, not the maker) decides."""
    check_fiscal_year(year)
    reason = reason_given(reason, act_vi="mở lại năm tài chính", act_en="reopening", required=False)
    association_id = books.association.id
    uow.lock_ledger(association_id)
    period = _period(uow, association_id, year)
    if period is None or not period.closed:
        raise InvalidTransition("period", "open", "open")
    waiting = uow.session.execute(
        select(ApprovalRequest.id).where(
            ApprovalRequest.association_id == association_id,
            ApprovalRequest.kind == "period_reopen",
            ApprovalRequest.status == "pending",
        )
    ).scalars()
    for request_id in waiting:
        other = uow.session.get(ApprovalRequest, request_id)
        if other is not None and other.payload.get("year") == year:
            raise Conflict(
                f"Đã có đề nghị mở lại năm {year} đang chờ duyệt ({public_id(request_id)}).",
                f"A request to reopen {year} is already waiting ({public_id(request_id)}).",
                request_id=public_id(request_id),
            )
    return open_request(uow, actor, books, "period_reopen", {"year": year, "reason": reason})


def reopen_period(uow: UnitOfWork, actor: Actor, books: Books, year: int, reason: str = "") -> PeriodView:
    """Reopen a closed year (once a second person approved the request; written to the audit log)."""
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
    if ledger.lock_on is not None and ledger.lock_on >= date(year, 1, 1):
        # Back to the end of the last closed year before it (a month locked inside it opens too),
        # before the closing entries' reversals, dated 31 December, are posted.
        earlier = [y for y in ledger.closed_years if y < year]
        _move_lock(uow, association_id, date(max(earlier), 12, 31) if earlier else None)
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


_HEADS = LedgerHead.table()


def _move_lock(uow: UnitOfWork, association_id: int, lock_on: date | None) -> None:
    """Set the association's lock date (under its ledger lock) and keep the writer's state in step."""
    uow.session.execute(update(_HEADS).where(_HEADS.c.association_id == association_id).values(lock_on=lock_on))
    uow.lock_ledger(association_id).lock_on = lock_on


def lock_date(uow: UnitOfWork, books: Books) -> date | None:
    return uow.session.execute(
        select(LedgerHead.lock_on).where(LedgerHead.association_id == books.association.id)
    ).scalar_one_or_none()


def lock_through(uow: UnitOfWork, actor: Actor, books: Books, through: date) -> date:
    """Lock the books through the end of a month that has ended (approver): nothing dated on or
    before it may be posted any more. The lock only moves forward here; a year's reopening
    (a request a second person approves) is what moves it back."""
    association_id = books.association.id
    today = today_vn(uow.clock())
    month_end = (through.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if through != month_end or through >= today:
        raise ValidationFailed(
            "Chỉ khóa sổ đến ngày cuối của một tháng đã qua.",
            "The books are locked through the last day of a month that has ended.",
            errors={"through": ["the last day of a month that has ended"]},
        )
    ledger = uow.lock_ledger(association_id)
    if ledger.lock_on is not None and through <= ledger.lock_on:
        raise Conflict(
            f"Sổ đã khóa đến ngày {ledger.lock_on:%d/%m/%Y}.",
            f"The books are already locked through {ledger.lock_on.isoformat()}.",
            lock_on=ledger.lock_on.isoformat(),
        )
    pending = uow.session.execute(
        select(func.count())
        .select_from(Disbursement)
        .where(
            Disbursement.association_id == association_id,
            Disbursement.status == "pending",
            Disbursement.paid_on <= through,
        )
    ).scalar_one()
    if pending:
        raise Conflict(
            f"Còn {pending} khoản chi đến ngày {through:%d/%m/%Y} đang chờ duyệt: hãy duyệt hoặc từ chối trước.",
            f"{pending} disbursements dated through {through.isoformat()} still wait for approval: decide them first.",
            pending=pending,
        )
    _move_lock(uow, association_id, through)
    uow.emit(PeriodLocked(by=actor, association_id=association_id, through=through.isoformat()))
    return through


#: Years listed by ``GET …/periods`` at most (the most recent).
PERIODS_LISTED_MAX = 100


def list_periods(uow: UnitOfWork, books: Books) -> list[PeriodView]:
    """Every year the books have entries in or a period row for, oldest first."""
    association_id = books.association.id
    rows = {
        p.year: p for p in uow.session.execute(select(Period).where(Period.association_id == association_id)).scalars()
    }
    # The years that have entries, not every year between the first and the last: one entry
    # dated 0001-01-01 made this list 2,026 rows long (issue 15, item 8).
    entry_year = func.extract("year", JournalEntry.entry_on)
    years = set(rows) | {
        int(year)
        for year in uow.session.execute(
            select(entry_year).where(JournalEntry.association_id == association_id).group_by(entry_year)
        ).scalars()
    }
    pending: dict[int, int] = {}
    for (paid_on,) in uow.session.execute(
        select(Disbursement.paid_on).where(
            Disbursement.association_id == association_id, Disbursement.status == "pending"
        )
    ):
        pending[paid_on.year] = pending.get(paid_on.year, 0) + 1
    years |= set(pending)
    out: list[PeriodView] = []
    for year in sorted(years)[-PERIODS_LISTED_MAX:]:
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
