"""What the pages show of a receipt, and the receipt e-mailed to its donor on a treasurer's request.

Downloads (receipt and voucher PDFs) go through ``services/downloads.py``, as the API's do.
"""

from __future__ import annotations

from ledger.documents.models import ReceiptDocument
from ledger.domain.errors import ValidationFailed
from ledger.domain.events import ReceiptEmailRequested, ReceiptIssued
from ledger.services import donations, parties, receipts
from ledger.services.access import Actor
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork


def receipt_of(uow: UnitOfWork, books: Books, number: str, base_url: str) -> ReceiptDocument:
    """What the receipt shows, for the page that shows it right after the donation."""
    return receipts.receipt_document(uow, donations.get_receipt(uow, books, number), base_url)


def email_receipt(uow: UnitOfWork, actor: Actor, books: Books, number: str) -> str:
    """Queue the receipt for the donor's e-mail address (the outbox delivers it); the address used."""
    donation = donations.get_receipt(uow, books, number)
    donor = parties.find_donor(uow, books.association, donation.donor_id)
    if not donor.email or donor.anonymous:
        raise ValidationFailed(
            "Nhà tài trợ này không có địa chỉ e-mail (hoặc muốn ẩn danh): hãy in biên nhận.",
            "This donor has no e-mail address (or asked to stay anonymous): print the receipt instead.",
            errors={"email": ["none"]},
        )
    uow.emit(ReceiptEmailRequested(by=actor, association_id=books.association.id, receipt_number=number))
    # The same event as when the receipt was numbered: its handler queues the e-mail.
    uow.emit(
        ReceiptIssued(
            by=actor,
            association_id=books.association.id,
            donation_id=donation.id,
            receipt_number=number,
            donor_id=donation.donor_id,
            fund_id=donation.fund_id,
            amount_vnd=donation.amount_vnd,
            received_on=donation.received_on,
        )
    )
    return donor.email
