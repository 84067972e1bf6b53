"""A donor's giving statement as a table (CSV, XLSX): money and goods in separate columns.

The PDF is ``documents/statement_pdf.py``; this is the same year's receipts for a spreadsheet,
with cash and bank gifts apart from gifts in kind (a corporate donor's 03/TNDN needs them apart).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ledger.persistence.models import Association, Donation, Donor, Fund
from ledger.reports.disclosure import METHOD_VI
from ledger.reports.model import Column, Report
from ledger.reports.statements import Period, header
from ledger.services import parties
from ledger.services.unit_of_work import UnitOfWork

COLUMNS = (
    Column("date", "Ngày", "Date", "date", 14),
    Column("receipt_number", "Số biên nhận", "Receipt", width=26),
    Column("fund", "Quỹ", "Fund", width=18),
    Column("method", "Hình thức", "Form", width=14),
    Column("money", "Tiền", "Money", "money", 16),
    Column("in_kind", "Hiện vật", "In kind", "money", 16),
    Column("status", "Trạng thái", "Status", width=12),
)


def donor_statement(
    uow: UnitOfWork, association: Association, donor: Donor, year: int, *, generated_at: datetime
) -> Report:
    """The donor's receipts of ``year``; void ones listed, not counted in the totals."""
    found = uow.session.execute(
        select(
            Donation.received_on,
            Donation.receipt_number,
            Fund.code,
            Donation.method,
            Donation.amount_vnd,
            Donation.status,
        )
        .join(Fund, Fund.id == Donation.fund_id)
        .where(
            Donation.association_id == association.id,
            Donation.donor_id == donor.id,
            Donation.received_on >= date(year, 1, 1),
            Donation.received_on <= date(year, 12, 31),
        )
        .order_by(Donation.received_on, Donation.receipt_number)
    )
    rows: list[dict[str, Any]] = [
        {
            "date": on,
            "receipt_number": number,
            "fund": fund,
            "method": METHOD_VI.get(method, method),
            "money": 0 if method == "in_kind" else amount,
            "in_kind": amount if method == "in_kind" else 0,
            "status": status,
        }
        for on, number, fund, method, amount, status in found
    ]
    valid = [row for row in rows if row["status"] == "valid"]
    money = sum(row["money"] for row in valid)
    in_kind = sum(row["in_kind"] for row in valid)
    report = header(
        uow,
        association,
        Period(date(year, 1, 1), date(year, 12, 31)),
        name="donor-statement",
        title_vi=f"BẢNG KÊ TÀI TRỢ NĂM {year}",
        title_en=f"Donor giving statement {year}",
        columns=COLUMNS,
        rows=rows,
        totals={"money": money, "in_kind": in_kind, "total": money + in_kind},
        generated_at=generated_at,
        extra={"donor": donor.name, "donor_id": donor.id, "year": year},
    )
    return report


def donor_statement_table(uow: UnitOfWork, code: str, donor_id: int, year: int) -> Report:
    """:func:`donor_statement` for a caller already let through (``services/downloads.donor_statement``)."""
    association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
    donor = parties.find_donor(uow, association, donor_id)
    return donor_statement(uow, association, donor, year, generated_at=uow.clock())
