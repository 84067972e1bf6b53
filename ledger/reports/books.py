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

from sqlalchemy import and_, case, false, func, or_, select

from ledger.persistence.cursors import driver_cursor
from ledger.persistence.models import Association, Balance, Disbursement, Donation, JournalEntry, JournalLine
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
    ledger = general_ledger_rows(uow, association, from_on=period.start, to_on=period.end)
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
        for row in ledger
    )
    report = header(
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
    # The export's own CSV path (COPY on PostgreSQL), docs/benchmarks.md section 4.
    report.csv_records = lambda: (block for block, _count in ledger.csv_chunks())
    return report


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


GOODS_BOOK_COLUMNS = (
    Column("fund", "Quỹ", "Fund", width=16),
    Column("item", "Hiện vật", "Item", width=18),
    Column("unit", "ĐVT", "Unit", width=7),
    Column("opening_quantity", "Tồn đầu (SL)", "Opening qty", "number", 10, short="SL đầu"),
    Column("opening_value", "Tồn đầu (giá trị)", "Opening value", "money", 14, pdf=False),
    Column("in_quantity", "Nhập (SL)", "In qty", "number", 9, short="SL nhập"),
    Column("in_value", "Nhập (giá trị)", "In value", "money", 14, short="GT nhập"),
    Column("out_quantity", "Xuất (SL)", "Out qty", "number", 9, short="SL xuất"),
    Column("out_value", "Xuất (giá trị)", "Out value", "money", 14, short="GT xuất"),
    Column("closing_quantity", "Tồn cuối (SL)", "On hand qty", "number", 10, short="SL tồn"),
    Column("closing_value", "Tồn cuối (giá trị)", "On hand value", "money", 14, short="GT tồn"),
    Column("average_cost", "Đơn giá bình quân", "Average cost", "money", 12, short="Đơn giá"),
)


def goods_book(uow: UnitOfWork, association: Association, period: Period, *, generated_at: datetime) -> Report:
    """Sổ nhập–xuất–tồn per fund and item: quantities and values in, out and on hand, at average cost.

    Today's goods balances less what moved after the period's start: only the goods lines
    since then are read, never the whole journal.
    """
    head = snapshots.head(uow, association.id)
    chart = Chart.read(uow, association.id)
    goods_ids = [a.id for a in chart.accounts.values() if a.parent == "156"]
    start = period.start or date(period.end.year, 1, 1)
    later = JournalEntry.entry_on > period.end
    stmt = (
        select(
            JournalLine.fund_id,
            JournalLine.item,
            later,
            func.max(JournalLine.unit),
            func.sum(case((JournalLine.debit_vnd > 0, JournalLine.quantity), else_=0)),
            func.sum(JournalLine.debit_vnd),
            func.sum(case((JournalLine.credit_vnd > 0, JournalLine.quantity), else_=0)),
            func.sum(JournalLine.credit_vnd),
        )
        .join(
            JournalEntry,
            and_(JournalEntry.association_id == JournalLine.association_id, JournalEntry.seq == JournalLine.seq),
        )
        .where(
            JournalLine.association_id == association.id,
            JournalLine.account_id.in_(goods_ids),
            JournalEntry.entry_on >= start,
        )
        .group_by(JournalLine.fund_id, JournalLine.item, later)
    )
    now: dict[tuple[int, str], list[int]] = {}
    for fund_id, item, net, quantity in uow.session.execute(
        select(Balance.fund_id, Balance.item, Balance.net_debit_vnd, Balance.quantity).where(
            Balance.association_id == association.id, Balance.account_id.in_(goods_ids)
        )
    ):
        key = (fund_id, item or "")
        held = now.setdefault(key, [0, 0])
        held[0] += int(quantity or 0)
        held[1] += int(net or 0)
    moved: dict[tuple[int, str], dict[str, Any]] = {}
    for fund_id, item, after_end, unit, in_qty, in_value, out_qty, out_value in uow.session.execute(stmt):
        row = moved.setdefault((fund_id, item or ""), {"unit": unit or "", "period": [0, 0, 0, 0], "after": [0, 0]})
        figures = [int(in_qty or 0), int(in_value or 0), int(out_qty or 0), int(out_value or 0)]
        if after_end:
            row["after"][0] += figures[0] - figures[2]
            row["after"][1] += figures[1] - figures[3]
        else:
            row["period"] = [a + b for a, b in zip(row["period"], figures, strict=True)]
    rows = []
    for key in sorted(set(now) | set(moved), key=lambda k: (chart.funds[k[0]].code, k[1])):
        held = now.get(key, [0, 0])
        row = moved.get(key, {"unit": "", "period": [0, 0, 0, 0], "after": [0, 0]})
        in_qty, in_value, out_qty, out_value = row["period"]
        closing_qty, closing_value = held[0] - row["after"][0], held[1] - row["after"][1]
        opening_qty, opening_value = closing_qty - in_qty + out_qty, closing_value - in_value + out_value
        if not any((opening_qty, opening_value, in_qty, out_qty, closing_qty, closing_value)):
            continue
        rows.append(
            {
                "fund": chart.funds[key[0]].code,
                "item": key[1],
                "unit": row["unit"],
                "opening_quantity": opening_qty,
                "opening_value": opening_value,
                "in_quantity": in_qty,
                "in_value": in_value,
                "out_quantity": out_qty,
                "out_value": out_value,
                "closing_quantity": closing_qty,
                "closing_value": closing_value,
                "average_cost": closing_value // closing_qty if closing_qty else 0,
            }
        )
    money = ("opening_value", "in_value", "out_value", "closing_value")
    return header(
        uow,
        association,
        Period(start, period.end),
        name="goods-book",
        title_vi="SỔ NHẬP – XUẤT – TỒN HIỆN VẬT",
        title_en="Goods book",
        columns=GOODS_BOOK_COLUMNS,
        rows=rows,
        totals={key: sum(r[key] for r in rows) for key in money},
        generated_at=generated_at,
        head=head,
    )
