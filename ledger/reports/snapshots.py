"""Balances at any date without adding up the journal: what each day and month moved, kept by entry number.

The journal is append-only and numbered without gaps, and an entry dated in the past still
comes with the next number. So the movements of every day and month (``report_balances``)
can be brought up to date by number alone: :func:`catch_up` adds the lines of the entries
after the last one it took in (``report_marks``), wherever their dates fall. A balance at
``as_of`` is then the months before its month plus the days of its month up to it
(:func:`cumulative`): a few hundred small rows, however long the journal.

Movements are kept per kind of entry (a reversal under the kind of the entry it reverses),
so that a fund statement can tell donations from transfers from year-end closing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from ledger.domain.chain import GENESIS_HASH
from ledger.persistence.models import JournalEntry, JournalLine, LedgerHead, ReportBalance, ReportMark
from ledger.services.unit_of_work import UnitOfWork

DAY = "d"
MONTH = "m"
#: Entries taken in per statement: bounds the memory of the first catch-up of a long journal.
CATCH_UP_ENTRIES = 200_000

_BALANCES = ReportBalance.table()
_MARKS = ReportMark.table()
_KEY = ("association_id", "grain", "starts_on", "account_id", "fund_id", "kind")

#: (account id, fund id, kind) → (debits, credits)
Movements = dict[tuple[int, int, str], tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Head:
    """The entry up to which the movements are known: what a report was computed at."""

    seq: int
    hash: str


def behind(uow: UnitOfWork, association_ids: Iterable[int]) -> list[int]:
    """The associations whose movements miss entries of their journal (one statement)."""
    ids = list(association_ids)
    if not ids:
        return []
    rows = uow.session.execute(
        select(LedgerHead.association_id)
        .outerjoin(ReportMark, ReportMark.association_id == LedgerHead.association_id)
        .where(
            LedgerHead.association_id.in_(ids),
            LedgerHead.head_seq > func.coalesce(ReportMark.through_seq, 0),
        )
    )
    return [row[0] for row in rows]


def catch_up(uow: UnitOfWork, association_id: int, *, chunk: int = CATCH_UP_ENTRIES) -> int:
    """Add the lines of the entries not yet taken in to the day and month movements; returns
    the entry they now go up to. Needs a writing unit of work, committed by the caller.

    Two reports catching up at once take turns on the association's mark row (PostgreSQL's
    ``FOR UPDATE``; SQLite's writer holds the database lock), and the second finds the work done.
    """
    session = uow.session
    insert = pg_insert if uow.dialect == "postgresql" else sqlite_insert
    session.execute(insert(_MARKS).values(association_id=association_id, through_seq=0).on_conflict_do_nothing())
    mark = select(_MARKS.c.through_seq).where(_MARKS.c.association_id == association_id)
    through = int(session.execute(mark.with_for_update() if uow.dialect == "postgresql" else mark).scalar_one())
    head = session.execute(select(LedgerHead.head_seq).where(LedgerHead.association_id == association_id)).scalar()
    head_seq = int(head or 0)
    upsert = insert(_BALANCES)
    upsert = upsert.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={
            "debit_vnd": _BALANCES.c.debit_vnd + upsert.excluded.debit_vnd,
            "credit_vnd": _BALANCES.c.credit_vnd + upsert.excluded.credit_vnd,
        },
    )
    reversed_entry = aliased(JournalEntry)
    kind = func.coalesce(reversed_entry.kind, JournalEntry.kind)
    while through < head_seq:
        upto = min(head_seq, through + chunk)
        rows = session.execute(
            select(
                JournalEntry.entry_on,
                JournalLine.account_id,
                JournalLine.fund_id,
                kind,
                func.sum(JournalLine.debit_vnd),
                func.sum(JournalLine.credit_vnd),
            )
            .join(
                JournalEntry,
                and_(JournalEntry.association_id == JournalLine.association_id, JournalEntry.seq == JournalLine.seq),
            )
            .outerjoin(
                reversed_entry,
                and_(
                    reversed_entry.association_id == JournalEntry.association_id,
                    reversed_entry.seq == JournalEntry.reverses_seq,
                ),
            )
            .where(JournalLine.association_id == association_id, JournalLine.seq > through, JournalLine.seq <= upto)
            .group_by(JournalEntry.entry_on, JournalLine.account_id, JournalLine.fund_id, kind)
        ).all()
        days: dict[tuple[str, date, int, int, str], list[int]] = {}
        months: dict[tuple[str, date, int, int, str], list[int]] = defaultdict(lambda: [0, 0])
        for on, account_id, fund_id, entry_kind, debit, credit in rows:
            days[(DAY, on, account_id, fund_id, entry_kind)] = [int(debit or 0), int(credit or 0)]
            month = months[(MONTH, on.replace(day=1), account_id, fund_id, entry_kind)]
            month[0] += int(debit or 0)
            month[1] += int(credit or 0)
        values = [
            {
                "association_id": association_id,
                "grain": grain,
                "starts_on": starts_on,
                "account_id": account_id,
                "fund_id": fund_id,
                "kind": entry_kind,
                "debit_vnd": debit,
                "credit_vnd": credit,
            }
            for source in (days, months)
            for (grain, starts_on, account_id, fund_id, entry_kind), (debit, credit) in source.items()
        ]
        if values:
            session.execute(upsert, values)
        through = upto
    session.execute(_MARKS.update().where(_MARKS.c.association_id == association_id).values(through_seq=through))
    return through


def head(uow: UnitOfWork, association_id: int) -> Head:
    """The entry the movements go up to, with its hash (the genesis hash before the first)."""
    through = uow.session.execute(
        select(ReportMark.through_seq).where(ReportMark.association_id == association_id)
    ).scalar()
    if not through:
        return Head(0, GENESIS_HASH)
    found = uow.session.execute(
        select(JournalEntry.hash).where(JournalEntry.association_id == association_id, JournalEntry.seq == through)
    ).scalar_one()
    return Head(int(through), str(found))


def _through(on: date) -> Any:
    """The rows whose movements are dated on or before ``on``: whole months before its month,
    then its month's days."""
    first = on.replace(day=1)
    return or_(
        and_(ReportBalance.grain == MONTH, ReportBalance.starts_on < first),
        and_(ReportBalance.grain == DAY, ReportBalance.starts_on >= first, ReportBalance.starts_on <= on),
    )


def cumulative_many(uow: UnitOfWork, association_ids: Iterable[int], on: date) -> dict[int, Movements]:
    """Per association: everything moved on or before ``on``, per (account, fund, kind)."""
    ids = list(association_ids)
    out: dict[int, Movements] = {association_id: {} for association_id in ids}
    if not ids:
        return out
    rows = uow.session.execute(
        select(
            ReportBalance.association_id,
            ReportBalance.account_id,
            ReportBalance.fund_id,
            ReportBalance.kind,
            func.sum(ReportBalance.debit_vnd),
            func.sum(ReportBalance.credit_vnd),
        )
        .where(ReportBalance.association_id.in_(ids), _through(on))
        .group_by(ReportBalance.association_id, ReportBalance.account_id, ReportBalance.fund_id, ReportBalance.kind)
    )
    for association_id, account_id, fund_id, kind, debit, credit in rows:
        out[association_id][(account_id, fund_id, kind)] = (int(debit or 0), int(credit or 0))
    return out


def cumulative(uow: UnitOfWork, association_id: int, on: date) -> Movements:
    """Everything moved on or before ``on`` per (account, fund, kind)."""
    return cumulative_many(uow, [association_id], on)[association_id]


def between(before: Mapping[tuple[int, int, str], tuple[int, int]], after: Movements) -> Movements:
    """What moved after ``before`` up to ``after`` (two :func:`cumulative` readings)."""
    out: Movements = {}
    for key, (debit, credit) in after.items():
        was_debit, was_credit = before.get(key, (0, 0))
        if debit != was_debit or credit != was_credit:
            out[key] = (debit - was_debit, credit - was_credit)
    for key, (was_debit, was_credit) in before.items():
        if key not in after:
            out[key] = (-was_debit, -was_credit)
    return out


def day_before(on: date) -> date:
    return on - timedelta(days=1)
