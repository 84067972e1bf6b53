"""Posting and reversing the year-end closing entries (``domain/closing.py``) for ``periods``."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, func, not_, select

from ledger.domain.accounts import AccountType
from ledger.domain.closing import CLOSING_KIND, ClosingBalance, closing_entries
from ledger.persistence.models import JournalEntry, JournalLine
from ledger.services.journal import Books, EntryView, post_entries, reverse_entry
from ledger.services.unit_of_work import UnitOfWork

_CLOSED_TYPES = (AccountType.REVENUE, AccountType.EXPENSE)


def not_closing(entry: type[JournalEntry] = JournalEntry) -> ColumnElement[bool]:
    """A condition on ``entry`` that leaves out closing entries and the reversals of them.

    What a fund received, spent or earned over time (a running-cost cap, an endowment's
    income) is the activity itself: a close moves it to 421 and a reopening moves it back,
    and neither is income or spending.
    """
    closings = select(JournalEntry.seq).where(
        JournalEntry.association_id == entry.association_id, JournalEntry.kind == CLOSING_KIND
    )
    return and_(
        entry.kind != CLOSING_KIND,
        not_(and_(entry.kind == "reversal", entry.reverses_seq.in_(closings.scalar_subquery()))),
    )


def post_closing_entries(uow: UnitOfWork, books: Books, year: int, *, created_by: int | None) -> list[EntryView]:
    """Close ``year``'s revenue and expense accounts of every fund into 911 and 421.

    Runs under the ledger lock before the period is marked closed. What each account holds
    on 31 December is everything posted up to that day: earlier years were closed by their
    own closing entries, and a year never closed before is closed with all it carried.
    """
    association_id = books.association.id
    uow.lock_ledger(association_id)
    closed_ids = {a.id: a for a in books.accounts.values() if AccountType(a.type) in _CLOSED_TYPES}
    if not closed_ids:
        return []
    line, entry = JournalLine, JournalEntry
    rows = uow.session.execute(
        select(line.account_id, line.fund_id, func.sum(line.debit_vnd) - func.sum(line.credit_vnd))
        .join(entry, and_(entry.association_id == line.association_id, entry.seq == line.seq))
        .where(
            line.association_id == association_id,
            line.account_id.in_(sorted(closed_ids)),
            entry.entry_on <= date(year, 12, 31),
        )
        .group_by(line.account_id, line.fund_id)
    )
    balances = [
        ClosingBalance(
            account=closed_ids[account_id].code,
            fund=books.funds_by_id[fund_id].code,
            type=AccountType(closed_ids[account_id].type),
            net_debit_vnd=int(net or 0),
        )
        for account_id, fund_id, net in rows
    ]
    drafts = closing_entries(year, balances)
    if not drafts:
        return []
    return post_entries(uow, books, drafts, created_by=created_by)


def reverse_closing_entries(uow: UnitOfWork, books: Books, year: int, *, created_by: int | None) -> list[EntryView]:
    """Reverse ``year``'s closing entries that stand (reopening the year), dated 31 December.

    The year must already be open again: the reversals are dated inside it.
    """
    association_id = books.association.id
    uow.lock_ledger(association_id)
    reversed_seqs = select(JournalEntry.reverses_seq).where(
        JournalEntry.association_id == association_id, JournalEntry.reverses_seq.is_not(None)
    )
    standing = uow.session.execute(
        select(JournalEntry.seq)
        .where(
            JournalEntry.association_id == association_id,
            JournalEntry.kind == CLOSING_KIND,
            JournalEntry.entry_on == date(year, 12, 31),
            JournalEntry.seq.not_in(reversed_seqs.scalar_subquery()),
        )
        .order_by(JournalEntry.seq)
    ).scalars()
    return [
        reverse_entry(
            uow,
            books,
            seq,
            reason=f"Mở lại năm tài chính {year}",
            reversed_on=date(year, 12, 31),
            created_by=created_by,
        )
        for seq in list(standing)
    ]
