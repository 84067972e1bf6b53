"""Registers of receipts and vouchers: every number in order, voids with their date and reason,
and any gap in a series flagged (numbering is gapless, so an auditor should find none)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select

from ledger.persistence.models import Association, Disbursement, Donation, Fund, JournalEntry
from ledger.reports.model import Column, Report
from ledger.reports.statements import Period, header
from ledger.services.unit_of_work import UnitOfWork

#: ``QT-DH-2026-000012`` or ``QT-DH-PC-2026-000012``: the series (everything before the number) and the number.
_NUMBER = re.compile(r"^(?P<series>.+-\d{4})-(?P<n>\d+)$")
MISSING = "missing"

COLUMNS = (
    Column("number", "Số", "Number", width=33),
    Column("date", "Ngày", "Date", "date", 16),
    Column("fund", "Quỹ", "Fund", width=18),
    Column("amount", "Số tiền", "Amount", "money", 16),
    Column("status", "Trạng thái", "Status", width=12, short="T.thái"),
    Column("voided_on", "Ngày hủy", "Voided on", "date", 16),
    Column("void_reason", "Lý do hủy", "Reason", width=28),
    Column("entry_seq", "Số bút toán", "Entry", "number", 10, pdf=False, short="Số BT"),
    Column("gap", "Thiếu số", "Gap", width=9, short="Thiếu"),
)


def with_gaps(rows: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows in number order with a row for each number missing from its series, and those numbers."""
    by_series: dict[str, dict[int, dict[str, Any]]] = {}
    loose: list[dict[str, Any]] = []
    for row in rows:
        match = _NUMBER.match(row["number"])
        if match is None:
            loose.append(row)
            continue
        by_series.setdefault(match["series"], {})[int(match["n"])] = row
    out: list[dict[str, Any]] = []
    gaps: list[str] = []
    for series in sorted(by_series):
        numbered = by_series[series]
        width = len(_NUMBER.match(next(iter(numbered.values()))["number"])["n"])  # type: ignore[index]
        for n in range(1, max(numbered) + 1):
            if n in numbered:
                out.append({**numbered[n], "gap": ""})
                continue
            number = f"{series}-{n:0{width}d}"
            gaps.append(number)
            out.append(
                {
                    "number": number,
                    "date": None,
                    "fund": "",
                    "amount": None,
                    "status": MISSING,
                    "voided_on": None,
                    "void_reason": "",
                    "entry_seq": None,
                    "gap": "THIẾU",
                }
            )
    return out + [{**row, "gap": ""} for row in loose], gaps


def _in_period(rows: list[dict[str, Any]], start: date | None, end: date) -> list[dict[str, Any]]:
    return [r for r in rows if r["date"] is None or ((start is None or r["date"] >= start) and r["date"] <= end)]


def receipt_register(uow: UnitOfWork, association: Association, period: Period, *, generated_at: datetime) -> Report:
    """Every donation receipt; gaps are looked for over the whole series, shown within the period."""
    found = uow.session.execute(
        select(
            Donation.receipt_number,
            Donation.received_on,
            Fund.code,
            Donation.amount_vnd,
            Donation.status,
            Donation.voided_on,
            Donation.void_reason,
            Donation.entry_seq,
        )
        .join(Fund, Fund.id == Donation.fund_id)
        .where(Donation.association_id == association.id)
    )
    rows = [
        {
            "number": number,
            "date": on,
            "fund": fund,
            "amount": amount,
            "status": status,
            "voided_on": voided_on,
            "void_reason": reason or "",
            "entry_seq": seq,
        }
        for number, on, fund, amount, status, voided_on, reason, seq in found
    ]
    return _register(
        uow, association, period, rows, "receipt-register", "SỔ ĐĂNG KÝ BIÊN NHẬN", "Receipt register", generated_at
    )


def voucher_register(uow: UnitOfWork, association: Association, period: Period, *, generated_at: datetime) -> Report:
    """Every disbursement voucher (posted or void), with the reversal's date and memo for a void one."""
    found = uow.session.execute(
        select(
            Disbursement.voucher_number,
            Disbursement.paid_on,
            Fund.code,
            Disbursement.amount_vnd,
            Disbursement.status,
            JournalEntry.entry_on,
            JournalEntry.memo,
            Disbursement.entry_seq,
        )
        .join(Fund, Fund.id == Disbursement.fund_id)
        .outerjoin(
            JournalEntry,
            and_(
                JournalEntry.association_id == Disbursement.association_id,
                JournalEntry.seq == Disbursement.void_entry_seq,
            ),
        )
        .where(Disbursement.association_id == association.id, Disbursement.voucher_number.is_not(None))
    )
    rows = [
        {
            "number": number,
            "date": on,
            "fund": fund,
            "amount": amount,
            "status": status,
            "voided_on": voided_on if status == "void" else None,
            "void_reason": (memo or "") if status == "void" else "",
            "entry_seq": seq,
        }
        for number, on, fund, amount, status, voided_on, memo, seq in found
    ]
    return _register(
        uow, association, period, rows, "voucher-register", "SỔ ĐĂNG KÝ PHIẾU CHI", "Voucher register", generated_at
    )


def _register(
    uow: UnitOfWork,
    association: Association,
    period: Period,
    rows: list[dict[str, Any]],
    name: str,
    title_vi: str,
    title_en: str,
    generated_at: datetime,
) -> Report:
    ordered, gaps = with_gaps(rows)
    shown = _in_period(ordered, period.start, period.end)
    valid = [r for r in shown if r["status"] not in ("void", MISSING)]
    return header(
        uow,
        association,
        period,
        name=name,
        title_vi=title_vi,
        title_en=title_en,
        columns=COLUMNS,
        rows=shown,
        totals={
            "amount": sum(r["amount"] for r in valid),
            "count": len(shown),
            "void": sum(1 for r in shown if r["status"] == "void"),
        },
        generated_at=generated_at,
        extra={"gaps": gaps},
    )
