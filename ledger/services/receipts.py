"""Donation receipts as documents: what a receipt shows, its public check, and its e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ledger.documents.models import DocumentItem, DonorStatementDocument, ReceiptDocument, StatementLine
from ledger.domain.errors import NotFound
from ledger.persistence.models import (
    Association,
    Donation,
    DonationItem,
    Donor,
    Fund,
    JournalEntry,
    User,
)
from ledger.services.signatories import signatories
from ledger.services.unit_of_work import UnitOfWork


def verify_url(base_url: str, token: str) -> str:
    return f"{base_url}/verify/{token}"


def receipt_document(uow: UnitOfWork, donation: Donation, base_url: str) -> ReceiptDocument:
    """Everything the receipt PDF shows, loaded from the books (the renderer only draws)."""
    session = uow.session
    association = session.get(Association, donation.association_id)
    donor = session.get(Donor, donation.donor_id)
    fund = session.get(Fund, donation.fund_id)
    entry = session.get(JournalEntry, (donation.association_id, donation.entry_seq))
    assert association is not None and donor is not None and fund is not None and entry is not None
    treasurer = session.get(User, donation.created_by) if donation.created_by else None
    items = session.execute(
        select(DonationItem).where(DonationItem.donation_id == donation.id).order_by(DonationItem.id)
    ).scalars()
    return ReceiptDocument(
        association_code=association.code,
        association_name=association.name,
        association_address=association.address,
        number=donation.receipt_number,
        received_on=donation.received_on,
        donor_name=donor.name,
        donor_address=donor.address,
        donor_tax_code=donor.tax_code,
        amount_vnd=donation.amount_vnd,
        method=donation.method,  # type: ignore[arg-type]
        fund_code=fund.code,
        fund_name=fund.name,
        purpose=fund.purpose,
        treasurer_name=(treasurer.name or treasurer.email) if treasurer else "",
        verify_url=verify_url(base_url, donation.verify_token),
        entry_seq=donation.entry_seq,
        entry_hash=entry.hash,
        # The entry's own instant: re-rendering the same receipt gives the same PDF.
        created_at=entry.created_at,
        items=tuple(DocumentItem(i.description, i.quantity, i.unit, i.unit_value_vnd) for i in items),
        status=donation.status,  # type: ignore[arg-type]
        voided_on=donation.voided_on,
        void_reason=donation.void_reason,
        chair_name=signatories(uow, association.id).chair,
        memo=donation.memo,
        reference=donation.reference,
        cash_voucher_number=donation.cash_voucher_number,
    )


@dataclass(frozen=True)
class PublicReceipt:
    """What the public verification page may say: nothing about the donor beyond the receipt.

    A void receipt says when it was voided and, when the donation was recorded again to
    correct it (``replaces`` on the new donation), the number of its replacement; never the
    treasurer's free-text reason, which can name people.
    """

    status: str
    number: str
    received_on: date
    amount_vnd: int
    fund: str
    association: str
    voided_on: date | None
    replaced_by: str | None
    issued_at: datetime
    #: The entry's SHA-256, printed on the paper receipt: every printed receipt is a witness
    #: of the chain (a rewritten history changes the hash the page shows).
    entry_seq: int
    entry_hash: str


def public_receipt(uow: UnitOfWork, token: str) -> PublicReceipt:
    """The receipt behind an unguessable token; an unknown token says nothing of what exists."""
    replacement = aliased(Donation)
    row = uow.session.execute(
        select(Donation, Fund.name, Association.name, JournalEntry.hash, replacement.receipt_number)
        .join(Fund, Fund.id == Donation.fund_id)
        .join(Association, Association.id == Donation.association_id)
        .join(
            JournalEntry,
            (JournalEntry.association_id == Donation.association_id) & (JournalEntry.seq == Donation.entry_seq),
        )
        .outerjoin(replacement, replacement.replaces_donation_id == Donation.id)
        .where(Donation.verify_token == token)
    ).one_or_none()
    if row is None:
        raise NotFound("biên nhận", "receipt")
    donation, fund_name, association_name, entry_hash, replaced_by = row
    return PublicReceipt(
        status=donation.status,
        number=donation.receipt_number,
        received_on=donation.received_on,
        amount_vnd=donation.amount_vnd,
        fund=fund_name,
        association=association_name,
        voided_on=donation.voided_on,
        replaced_by=replaced_by,
        issued_at=donation.created_at,
        entry_seq=donation.entry_seq,
        entry_hash=entry_hash,
    )


def receipts_of_year(uow: UnitOfWork, association: Association, donor: Donor, year: int) -> list[Any]:
    """``(donation, fund code, fund name)`` of each receipt a donor got in ``year``, void ones
    included, in date and number order."""
    return list(
        uow.session.execute(
            select(Donation, Fund.code, Fund.name)
            .join(Fund, Fund.id == Donation.fund_id)
            .where(
                Donation.association_id == association.id,
                Donation.donor_id == donor.id,
                Donation.received_on >= date(year, 1, 1),
                Donation.received_on <= date(year, 12, 31),
            )
            .order_by(Donation.received_on, Donation.receipt_number)
        ).all()
    )


def donor_statement(uow: UnitOfWork, association: Association, donor: Donor, year: int) -> DonorStatementDocument:
    """A donor's receipts of one fiscal year; void receipts are listed but not counted."""
    rows = receipts_of_year(uow, association, donor, year)
    lines = tuple(
        StatementLine(
            received_on=d.received_on,
            receipt_number=d.receipt_number,
            fund_code=code,
            fund_name=name,
            amount_vnd=d.amount_vnd,
            status="void" if d.status == "void" else "valid",
        )
        for d, code, name in rows
    )
    # The newest receipt's instant, not "now": the same statement renders the same PDF.
    created_at = max((d.created_at for d, _, _ in rows), default=datetime(year, 1, 1, tzinfo=UTC))
    return DonorStatementDocument(
        association_code=association.code,
        association_name=association.name,
        association_address=association.address,
        donor_name=donor.name,
        donor_address=donor.address,
        donor_tax_code=donor.tax_code,
        year=year,
        lines=lines,
        total_vnd=sum(line.amount_vnd for line in lines if line.status == "valid"),
        created_at=created_at,
    )
