"""The journal as a plain-text accounting file that hledger and ledger-cli read (API.md, issue 17 item 12).

One transaction per entry, in entry order: its date, the receipt or voucher number as the
transaction code, the memo, and the entry's number and kind as a comment. Each posting's
account is ``<account code>:<fund code>`` (``111:HOA-PHUONG-DO``), declared first with an
``account`` directive naming the account and fund; amounts are whole ``VND``, debits positive.
``hledger balance`` and ``ledger balance`` on the file give our trial balance to the đồng: a
period that does not start at the first entry opens with one transaction carrying the
balances brought forward.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import date

from sqlalchemy import and_, func, select

from ledger.persistence.cursors import driver_cursor
from ledger.persistence.models import Association, Disbursement, Donation, JournalEntry, JournalLine
from ledger.reports import snapshots
from ledger.reports.model import Chart
from ledger.reports.statements import net_by_pair
from ledger.services.unit_of_work import UnitOfWork

COMMODITY = "VND"
#: Rows fetched per round trip.
CHUNK = 20_000
_UNSAFE = re.compile(r"[;\r\n\t]+|\s{2,}")
_cursors = itertools.count(1)


def _clean(value: str) -> str:
    """Text safe on one journal line: no comment marks, line breaks or double spaces (which end a field)."""
    return _UNSAFE.sub(" ", value).strip()


def account_name(account_code: str, fund_code: str) -> str:
    return f"{account_code}:{fund_code}"


def entry_count(uow: UnitOfWork, association: Association, from_on: date | None, to_on: date | None) -> int:
    """How many entries the export will write (for a progress bar)."""
    stmt = select(func.count()).select_from(JournalEntry).where(JournalEntry.association_id == association.id)
    if from_on is not None:
        stmt = stmt.where(JournalEntry.entry_on >= from_on)
    if to_on is not None:
        stmt = stmt.where(JournalEntry.entry_on <= to_on)
    return int(uow.session.execute(stmt).scalar_one())


def iter_journal(
    uow: UnitOfWork,
    association: Association,
    *,
    from_on: date | None = None,
    to_on: date | None = None,
    head: snapshots.Head | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """The journal file in pieces of text (an entry, or a block of them), in entry order.

    ``progress(n)`` is told of every ``n`` entries written. With ``from_on``, the balances
    brought forward come first, from the day and month movements (bring them up to date
    before: ``downloads.bring_up_to_date``).
    """
    chart = Chart.read(uow, association.id)
    yield f"; Khuyến học Fund Ledger: sổ nhật ký của {_clean(association.name)} ({association.code})\n"
    period = f"{from_on or '…'} – {to_on or '…'}"
    yield f"; Kỳ / period: {period}\n"
    if head is not None:
        yield f"; Chuỗi đến bút toán / chain head: {head.seq} {head.hash}\n"
    yield "\n"
    for account in chart.accounts.values():
        for fund in chart.sorted_funds():
            yield (
                f"account {account_name(account.code, fund.code)}  "
                f"; {_clean(account.name)} / {_clean(account.name_en)} — {_clean(fund.name)}\n"
            )
    yield "\n"
    if from_on is not None:
        brought = net_by_pair(snapshots.cumulative(uow, association.id, snapshots.day_before(from_on)))
        postings = [
            f"    {account_name(chart.accounts[a].code, chart.funds[f].code)}    {net} {COMMODITY}\n"
            for (a, f), net in sorted(brought.items(), key=lambda item: (chart.accounts[item[0][0]].code, item[0][1]))
            if net
        ]
        if postings:
            yield f"{from_on.isoformat()} Số dư đầu kỳ / balances brought forward\n" + "".join(postings) + "\n"
    stmt = (
        select(
            JournalLine.seq,
            JournalEntry.entry_on,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalEntry.reverses_seq,
            JournalLine.account_id,
            JournalLine.fund_id,
            JournalLine.debit_vnd,
            JournalLine.credit_vnd,
            JournalLine.quantity,
            JournalLine.unit,
            JournalLine.item,
            Donation.receipt_number,
            Disbursement.voucher_number,
        )
        .join(
            JournalEntry,
            and_(JournalEntry.association_id == JournalLine.association_id, JournalEntry.seq == JournalLine.seq),
        )
        .outerjoin(
            Donation, and_(Donation.association_id == JournalLine.association_id, Donation.entry_seq == JournalLine.seq)
        )
        .outerjoin(
            Disbursement,
            and_(Disbursement.association_id == JournalLine.association_id, Disbursement.entry_seq == JournalLine.seq),
        )
        .where(JournalLine.association_id == association.id)
        .order_by(JournalLine.seq, JournalLine.line_no)
    )
    if from_on is not None:
        stmt = stmt.where(JournalEntry.entry_on >= from_on)
    if to_on is not None:
        stmt = stmt.where(JournalEntry.entry_on <= to_on)
    if head is not None:
        stmt = stmt.where(JournalLine.seq <= head.seq)
    accounts = {account_id: account.code for account_id, account in chart.accounts.items()}
    funds = {fund_id: fund.code for fund_id, fund in chart.funds.items()}
    cursor = driver_cursor(uow.session.connection(), stmt, name=f"plaintext_{next(_cursors)}", itersize=CHUNK)
    try:
        current = -1
        parts: list[str] = []
        entries = 0
        while batch := cursor.fetchmany(CHUNK):
            for (
                seq,
                on,
                kind,
                memo,
                reverses,
                account_id,
                fund_id,
                debit,
                credit,
                qty,
                unit,
                item,
                receipt,
                voucher,
            ) in batch:
                if seq != current:
                    if current != -1:
                        parts.append("\n")
                    current = seq
                    entries += 1
                    number = receipt or voucher
                    code = f" ({number})" if number else ""
                    note = f", reverses:{reverses}" if reverses else ""
                    parts.append(f"{on} *{code} {_clean(memo) or kind}  ; seq:{seq}, kind:{kind}{note}\n")
                amount = debit - credit
                goods = f"  ; {qty} {_clean(unit or '')} {_clean(item or '')}".rstrip() if qty else ""
                parts.append(f"    {accounts[account_id]}:{funds[fund_id]}    {amount} {COMMODITY}{goods}\n")
            yield "".join(parts)
            parts = []
            if progress is not None:
                progress(entries)
                entries = 0
        if current != -1:
            yield "\n"
    finally:
        cursor.close()
