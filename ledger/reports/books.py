"""The books, line by line and streamed: general journal (nhật ký chung), general ledger (sổ cái),
cash book (sổ quỹ tiền mặt, 111) and bank book (sổ tiền gửi ngân hàng, 112).

Their rows are generators read from the driver's cursor in large chunks: a book of a million
lines goes out in bounded memory, in the snapshot transaction it was started in.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, false, or_, select

from ledger.persistence.cursors import driver_cursor
from ledger.persistence.models import Association, Disbursement, Donation, JournalEntry, JournalLine
from ledger.reports import snapshots
from ledger.reports.general_ledger import general_ledger_rows
from ledger.reports.model import Chart, Column, Report
from ledger.reports.statements import Period, header, net_by_pair
from ledger.services.unit_of_work import UnitOfWork

CHUNK = 20_000
_cursors = itertools.count(1)


def _day(value: Any) -> date:
    """sqlite3 hands a date back as the ISO text SQLAlchemy stored."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _rows(uow: UnitOfWork, stmt: Any) -> Iterator[tuple[Any, ...]]:
    cursor = driver_cursor(uow.session.connection(), stmt, name=f"book_{next(_cursors)}", itersize=CHUNK)
    try:
        while batch := cursor.fetchmany(CHUNK):
            yield from batch
    finally:
        cursor.close()


def _lines_with_documents(association: Association, head: snapshots.Head) -> Any:
    """The association's lines up to ``head`` with their entry and the receipt or voucher it made."""
    return (
        select(
            JournalLine.seq,
            JournalEntry.entry_on,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalLine.account_id,
            JournalLine.fund_id,
            JournalLine.debit_vnd,
            JournalLine.credit_vnd,
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
        .where(JournalLine.association_id == association.id, JournalLine.seq <= head.seq)
    )


def _dated(stmt: Any, period: Period) -> Any:
    if period.start is not None:
        stmt = stmt.where(JournalEntry.entry_on >= period.start)
    return stmt.where(JournalEntry.entry_on <= period.end)


GENERAL_JOURNAL_COLUMNS = (
    Column("seq", "Số bút toán", "Entry", "number", 8, short="Số BT"),
    Column("date", "Ngày", "Date", "date", 16),
    Column("document", "Chứng từ", "Document", width=28),
    Column("kind", "Loại", "Kind", width=14, pdf=False),
    Column("memo", "Diễn giải", "Memo", width=34),
    Column("account", "Tài khoản", "Account", width=9, short="TK"),
    Column("fund", "Quỹ", "Fund", width=16),
    Column("debit", "Nợ", "Debit", "money", 15),
    Column("credit", "Có", "Credit", "money", 15),
)


def general_journal(uow: UnitOfWork, association: Association, period: Period, *, generated_at: datetime) -> Report:
    """Every line of the period's entries in entry order, with the receipt or voucher number."""
    head = snapshots.head(uow, association.id)
    chart = Chart.read(uow, association.id)
    stmt = _dated(_lines_with_documents(association, head), period).order_by(JournalLine.seq, JournalLine.line_no)

    def rows() -> Iterator[dict[str, Any]]:
        for seq, on, kind, memo, account_id, fund_id, debit, credit, receipt, voucher in _rows(uow, stmt):
            yield {
                "seq": seq,
                "date": _day(on),
                "document": receipt or voucher or "",
                "kind": kind,
                "memo": memo,
                "account": chart.accounts[account_id].code,
                "fund": chart.funds[fund_id].code,
                "debit": debit,
                "credit": credit,
            }

    return header(
        uow,
        association,
        period,
        name="general-journal",
        title_vi="SỔ NHẬT KÝ CHUNG",
        title_en="General journal",
        columns=GENERAL_JOURNAL_COLUMNS,
        rows=rows(),
        totals={},
        generated_at=generated_at,
        head=head,
    )


GENERAL_LEDGER_COLUMNS = (
    Column("account", "Tài khoản", "Account", width=9, short="TK"),
    Column("account_name", "Tên tài khoản", "Account name", width=28, pdf=False),
    Column("fund", "Quỹ", "Fund", width=19),
    Column("seq", "Số bút toán", "Entry", "number", 8, short="Số BT"),
    Column("date", "Ngày", "Date", "date", 16),
    Column("kind", "Loại", "Kind", width=14, pdf=False),
    Column("memo", "Diễn giải", "Memo", width=40),
    Column("debit", "Nợ", "Debit", "money", 15),
    Column("credit", "Có", "Credit", "money", 15),
    Column("balance", "Số dư", "Balance", "money", 16),
    Column("quantity", "Số lượng", "Quantity", "number", 9, pdf=False),
    Column("unit", "Đơn vị", "Unit", width=8, pdf=False),
    Column("item", "Hiện vật", "Goods", width=20, pdf=False),
)


def general_ledger(uow: UnitOfWork, association: Association, period: Period, *, generated_at: datetime) -> Report:
    """Every line per account and fund with its running balance; with ``from``, balances brought forward."""
    rows = (
        {
            "account": row.account,
            "account_name": row.account_name,
            "fund": row.fund,
            "seq": row.seq,
            "date": row.entry_on,
            "kind": row.kind,
            "memo": row.memo,
            "debit": row.debit_vnd,
            "credit": row.credit_vnd,
            "balance": row.balance_vnd,
            "quantity": row.quantity,
            "unit": row.unit,
            "item": row.item,
        }
        for row in general_ledger_rows(uow, association, from_on=period.start, to_on=period.end)
    )
    return header(
        uow,
        association,
        period,
        name="general-ledger",
        title_vi="SỔ CÁI",
        title_en="General ledger",
        columns=GENERAL_LEDGER_COLUMNS,
        rows=rows,
        totals={},
        generated_at=generated_at,
    )


CASH_BOOK_COLUMNS = (
    Column("date", "Ngày", "Date", "date", 16),
    Column("seq", "Số bút toán", "Entry", "number", 8, short="Số BT"),
    Column("document", "Số phiếu", "Receipt / voucher", width=28),
    Column("memo", "Diễn giải", "Memo", width=34),
    Column("fund", "Quỹ", "Fund", width=18),
    Column("account", "Tài khoản", "Account", width=8, pdf=False),
    Column("received", "Thu", "In", "money", 15),
    Column("paid", "Chi", "Out", "money", 15),
    Column("balance", "Tồn", "Balance", "money", 16),
)
BOOK_TITLES = {
    "111": ("cash-book", "SỔ QUỸ TIỀN MẶT", "Cash book"),
    "112": ("bank-book", "SỔ TIỀN GỬI NGÂN HÀNG", "Bank book"),
}
OPENING_MEMO = "Số dư đầu kỳ / Opening balance"


def cash_book(
    uow: UnitOfWork, association: Association, period: Period, account: str, *, generated_at: datetime
) -> Report:
    """The cash (111) or bank (112) book, its sub-accounts included, in date order: the opening
    balance, each receipt and voucher with its number, the running balance; totals and closing."""
    name, title_vi, title_en = BOOK_TITLES[account]
    head = snapshots.head(uow, association.id)
    chart = Chart.read(uow, association.id)
    ids = [a.id for a in chart.accounts.values() if a.parent == account]
    start = period.start or date(period.end.year, 1, 1)
    brought = net_by_pair(snapshots.cumulative(uow, association.id, snapshots.day_before(start)))
    opening = sum(net for (account_id, _fund), net in brought.items() if account_id in ids)
    closing = opening + sum(
        net
        for (account_id, _fund), net in net_by_pair(
            snapshots.between(
                snapshots.cumulative(uow, association.id, snapshots.day_before(start)),
                snapshots.cumulative(uow, association.id, period.end),
            )
        ).items()
        if account_id in ids
    )
    stmt = (
        _dated(_lines_with_documents(association, head), Period(start, period.end))
        # Equalities rather than IN: the driver's cursor takes no expanding parameter.
        .where(or_(false(), *(JournalLine.account_id == account_id for account_id in ids)))
        .order_by(JournalEntry.entry_on, JournalLine.seq, JournalLine.line_no)
    )
    # The balance column's total is the closing balance; receipts and payments add up as they stream.
    totals = {"received": 0, "paid": 0, "balance": closing, "opening": opening}

    def rows() -> Iterator[dict[str, Any]]:
        balance = opening
        yield {
            "date": start,
            "seq": None,
            "document": "",
            "memo": OPENING_MEMO,
            "fund": "",
            "account": account,
            "received": None,
            "paid": None,
            "balance": balance,
        }
        for seq, on, _kind, memo, account_id, fund_id, debit, credit, receipt, voucher in _rows(uow, stmt):
            balance += debit - credit
            totals["received"] += debit
            totals["paid"] += credit
            yield {
                "date": _day(on),
                "seq": seq,
                "document": receipt or voucher or "",
                "memo": memo,
                "fund": chart.funds[fund_id].code,
                "account": chart.accounts[account_id].code,
                "received": debit,
                "paid": credit,
                "balance": balance,
            }

    return header(
        uow,
        association,
        Period(start, period.end),
        name=name,
        title_vi=title_vi,
        title_en=title_en,
        columns=CASH_BOOK_COLUMNS,
        rows=rows(),
        totals=totals,
        generated_at=generated_at,
        head=head,
    )
