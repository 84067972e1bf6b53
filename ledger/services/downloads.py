"""Documents handed out: receipt PDFs, donors' giving statements, vouchers. Every download is an event.

Each function loads what the document shows and emits its download, so that who read which
document is written to the audit log in the transaction that reads it.
"""

from __future__ import annotations

from ledger.documents.models import (
    DonorStatementDocument,
    ReceiptDocument,
    SigningListDocument,
    SponsorshipConfirmationDocument,
    VoucherDocument,
)
from ledger.domain.errors import NotFound
from ledger.domain.events import (
    ReceiptDownloaded,
    SigningListDownloaded,
    SponsorshipConfirmationDownloaded,
    StatementDownloaded,
    VouchersDownloaded,
)
from ledger.persistence.models import Donation
from ledger.services import donations, parties, receipts, sponsorship, vouchers
from ledger.services.access import Actor, authorize_donor_documents, authorize_statement
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork


def receipt(uow: UnitOfWork, actor: Actor, books: Books, number: str, base_url: str) -> ReceiptDocument:
    return handed_out_receipt(uow, actor, donations.get_receipt(uow, books, number), base_url)


def handed_out_receipt(uow: UnitOfWork, actor: Actor, donation: Donation, base_url: str) -> ReceiptDocument:
    """The receipt ``donation`` as its PDF shows it, its download written to the audit log."""
    document = receipts.receipt_document(uow, donation, base_url)
    uow.emit(
        ReceiptDownloaded(by=actor, association_id=donation.association_id, receipt_number=donation.receipt_number)
    )
    return document


def own_or_any_receipt(uow: UnitOfWork, actor: Actor, code: str, number: str, base_url: str) -> ReceiptDocument:
    """A receipt for readers of the books, or for the donor login whose receipt it is.

    A donor asking for another donor's receipt is told it does not exist.
    """
    association, only = authorize_donor_documents(uow, actor, code)
    donation = donations.find_receipt(uow, association.id, number)
    if only is not None and donation.donor_id != only:
        raise NotFound(f"biên nhận {number}", f"receipt {number}")
    return handed_out_receipt(uow, actor, donation, base_url)


def donor_statement(
    uow: UnitOfWork, actor: Actor, code: str, donor_id: int, year: int, format: str
) -> DonorStatementDocument:
    """A donor's giving statement of ``year`` (readers of the books, or the donor's own login)."""
    association = authorize_statement(uow, actor, code, donor_id)
    donor = parties.find_donor(uow, association, donor_id)
    document = receipts.donor_statement(uow, association, donor, year)
    uow.emit(StatementDownloaded(by=actor, association_id=association.id, donor_id=donor_id, year=year, format=format))
    return document


def voucher(uow: UnitOfWork, actor: Actor, books: Books, number: str) -> list[VoucherDocument]:
    return _vouchers(uow, actor, books, number, [vouchers.voucher(uow, books, number)])


def batch_vouchers(uow: UnitOfWork, actor: Actor, books: Books, batch_id: int) -> list[VoucherDocument]:
    """Every voucher of a batch, one a page (its pending items have none yet)."""
    documents = vouchers.batch_vouchers(uow, books, batch_id)
    return _vouchers(uow, actor, books, batch_document_name(batch_id), documents)


def batch_document_name(batch_id: int) -> str:
    return f"batch-{batch_id}-vouchers"


def _vouchers(
    uow: UnitOfWork, actor: Actor, books: Books, name: str, documents: list[VoucherDocument]
) -> list[VoucherDocument]:
    uow.emit(VouchersDownloaded(by=actor, association_id=books.association.id, document=name, count=len(documents)))
    return documents


def signing_list(uow: UnitOfWork, actor: Actor, books: Books, batch_id: int) -> SigningListDocument:
    """A ceremony's signing list (danh sách ký nhận)."""
    document = vouchers.signing_list(uow, books, batch_id)
    uow.emit(SigningListDownloaded(by=actor, association_id=books.association.id, batch_id=batch_id))
    return document


def sponsorship_confirmation(
    uow: UnitOfWork, actor: Actor, code: str, donor_id: int, year: int
) -> SponsorshipConfirmationDocument:
    """A company donor's sponsorship confirmation of ``year`` (readers of the books, or the donor's own login)."""
    association = authorize_statement(uow, actor, code, donor_id)
    donor = parties.find_donor(uow, association, donor_id)
    document = sponsorship.sponsorship_confirmation(uow, association, donor, year)
    uow.emit(SponsorshipConfirmationDownloaded(by=actor, association_id=association.id, donor_id=donor_id, year=year))
    return document
