"""A company donor's yearly sponsorship confirmation (form 03/TNDN), loaded from its receipts."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select

from ledger.documents.models import SponsorshipConfirmationDocument, SponsorshipLine
from ledger.domain.errors import ValidationFailed
from ledger.formatting import format_number
from ledger.persistence.models import Association, DonationItem, Donor
from ledger.services.receipts import receipts_of_year
from ledger.services.signatories import signatories
from ledger.services.unit_of_work import UnitOfWork


def sponsorship_confirmation(
    uow: UnitOfWork, association: Association, donor: Donor, year: int
) -> SponsorshipConfirmationDocument:
    """What an organisation gave in ``year``, money and goods apart, valid receipts only.

    Only an organisation files a corporate income tax return, so a person's giving has its
    statement (``receipts.donor_statement``) and no confirmation.
    """
    if donor.kind != "organisation":
        raise ValidationFailed(
            "Biên bản xác nhận tài trợ chỉ lập cho nhà tài trợ là tổ chức, doanh nghiệp.",
            "A sponsorship confirmation is made for an organisation only.",
            errors={"donor_id": ["not an organisation"]},
        )
    rows = [
        (d, fund_name) for d, _, fund_name in receipts_of_year(uow, association, donor, year) if d.status == "valid"
    ]
    goods_of: dict[int, list[str]] = defaultdict(list)
    in_kind = [d.id for d, _ in rows if d.method == "in_kind"]
    if in_kind:
        for item in uow.session.execute(
            select(DonationItem).where(DonationItem.donation_id.in_(in_kind)).order_by(DonationItem.id)
        ).scalars():
            goods_of[item.donation_id].append(f"{item.description}: {format_number(item.quantity)} {item.unit}")
    lines = [
        SponsorshipLine(
            received_on=d.received_on,
            receipt_number=d.receipt_number,
            fund_name=fund_name,
            amount_vnd=d.amount_vnd,
            method=d.method,
            goods="; ".join(goods_of.get(d.id, ())),
        )
        for d, fund_name in rows
    ]
    signing = signatories(uow, association.id)
    return SponsorshipConfirmationDocument(
        association_code=association.code,
        association_name=association.name,
        association_address=association.address,
        donor_name=donor.name,
        donor_address=donor.address,
        donor_tax_code=donor.tax_code,
        year=year,
        money=tuple(line for line in lines if line.method != "in_kind"),
        goods=tuple(line for line in lines if line.method == "in_kind"),
        # The newest receipt's instant, not "now": the same year renders the same PDF.
        created_at=max((d.created_at for d, _ in rows), default=datetime(year, 12, 31, tzinfo=UTC)),
        chair_name=signing.chair,
        accountant_name=signing.accountant,
    )
