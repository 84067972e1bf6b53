"""The public disclosure list (Decree 03/2026/NĐ-CP): what was received, from whom, and what it was spent on.

Safe for the public by construction: anonymous donors are "Nhà hảo tâm ẩn danh"; a
beneficiary who is a minor appears only masked (``Nguyễn V. A.``); no memo (it may name a
child), date of birth, address, school or class is ever read into it.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ledger.domain.errors import NotFound
from ledger.domain.events import DisclosurePublicationSet
from ledger.domain.policy import KIND_LABELS_VI
from ledger.persistence.models import Association, Beneficiary, Disbursement, Donation, Donor, Fund
from ledger.reports.model import Column, Report
from ledger.reports.statements import Period, header
from ledger.services.access import Actor, Need, authorize
from ledger.services.unit_of_work import UnitOfWork

ANONYMOUS = "Nhà hảo tâm ẩn danh"
METHOD_VI = {"cash": "Tiền mặt", "bank": "Chuyển khoản", "in_kind": "Hiện vật", "pledge": "Cam kết"}


def mask_name(name: str) -> str:
    """``Nguyễn Văn An`` → ``Nguyễn V. A.``: the family name, then initials, whatever the Unicode form.

    The name is first composed (NFC), so a name typed in decomposed form (NFD, as some phones
    send it) gives the same initials, each a whole letter with its marks (``Đ``, ``Á``).
    """
    words = unicodedata.normalize("NFC", name).split()
    if len(words) <= 1:
        return (words[0][0] + ".") if words else ""
    return " ".join([words[0], *(word[0] + "." for word in words[1:])])


COLUMNS = (
    Column("section", "Phần", "Section", width=7),
    Column("date", "Ngày", "Date", "date", 16),
    Column("number", "Số chứng từ", "Document", width=29),
    Column("name", "Nhà tài trợ / Người nhận", "Donor / recipient", width=30),
    Column("fund", "Quỹ", "Fund", width=16),
    Column("purpose", "Hình thức / Mục đích", "Form / purpose", width=18),
    Column("amount", "Số tiền", "Amount", "money", 16),
)


def disclosure_rows(uow: UnitOfWork, association: Association, period: Period) -> list[dict[str, Any]]:
    start = period.start or date(period.end.year, 1, 1)
    received = uow.session.execute(
        select(
            Donation.received_on,
            Donation.receipt_number,
            Donor.name,
            Donor.anonymous,
            Fund.code,
            Donation.method,
            Donation.amount_vnd,
        )
        .join(Donor, Donor.id == Donation.donor_id)
        .join(Fund, Fund.id == Donation.fund_id)
        .where(
            Donation.association_id == association.id,
            Donation.status == "valid",
            Donation.received_on >= start,
            Donation.received_on <= period.end,
        )
        .order_by(Donation.received_on, Donation.receipt_number)
    )
    rows: list[dict[str, Any]] = [
        {
            "section": "Thu",
            "date": on,
            "number": number,
            "name": ANONYMOUS if anonymous else name,
            "fund": fund,
            "purpose": METHOD_VI.get(method, method),
            "amount": amount,
        }
        for on, number, name, anonymous, fund, method, amount in received
    ]
    spent = uow.session.execute(
        select(
            Disbursement.paid_on,
            Disbursement.voucher_number,
            Beneficiary.name,
            Beneficiary.is_minor,
            Fund.code,
            Disbursement.kind,
            Disbursement.amount_vnd,
        )
        .outerjoin(Beneficiary, Beneficiary.id == Disbursement.beneficiary_id)
        .join(Fund, Fund.id == Disbursement.fund_id)
        .where(
            Disbursement.association_id == association.id,
            Disbursement.status == "posted",
            Disbursement.paid_on >= start,
            Disbursement.paid_on <= period.end,
        )
        .order_by(Disbursement.paid_on, Disbursement.voucher_number)
    )
    rows.extend(
        {
            "section": "Chi",
            "date": on,
            "number": number or "",
            "name": (mask_name(name) if minor else name) if name else "",
            "fund": fund,
            "purpose": KIND_LABELS_VI.get(kind, kind),
            "amount": amount,
        }
        for on, number, name, minor, fund, kind, amount in spent
    )
    return rows


def disclosure(uow: UnitOfWork, association: Association, period: Period, *, generated_at: datetime) -> Report:
    start = period.start or date(period.end.year, 1, 1)
    rows = disclosure_rows(uow, association, period)
    received = sum(r["amount"] for r in rows if r["section"] == "Thu")
    spent = sum(r["amount"] for r in rows if r["section"] == "Chi")
    return header(
        uow,
        association,
        Period(start, period.end),
        name="disclosure",
        title_vi="CÔNG KHAI THU CHI",
        title_en="Public disclosure of donations and spending",
        columns=COLUMNS,
        rows=rows,
        totals={"received": received, "spent": spent},
        generated_at=generated_at,
    )


def published(_uow: UnitOfWork, association: Association) -> bool:
    return bool(association.publish_disclosure)


def set_publication(uow: UnitOfWork, actor: Actor, code: str, on: bool) -> Association:
    """Turn the public disclosure list on or off (approver or admin); written to the audit log."""
    association = authorize(uow, actor, code, Need.APPROVE)
    if association is None:  # pragma: no cover - authorize raises
        raise NotFound("hội", "association")
    association.publish_disclosure = on
    uow.emit(DisclosurePublicationSet(by=actor, association_id=association.id, code=association.code, published=on))
    return association
