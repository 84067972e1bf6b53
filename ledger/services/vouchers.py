"""Accounting vouchers as documents (phiếu chi, ủy nhiệm chi, phiếu xuất kho, phiếu thu): what each shows, loaded from the books."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from ledger.documents.models import DocumentItem, SigningListDocument, SigningListRow, VoucherDocument
from ledger.domain.errors import NotFound
from ledger.domain.vouchers import CASH_RECEIPT
from ledger.persistence.models import (
    Account,
    Beneficiary,
    Disbursement,
    DisbursementBatch,
    Donation,
    Donor,
    JournalEntry,
    JournalLine,
    User,
)
from ledger.services.disbursements import command_of, disbursement_draft
from ledger.services.journal import Books
from ledger.services.signatories import signatories
from ledger.services.unit_of_work import UnitOfWork

#: Who made or approved a disbursement entered by the command line's system actor.
SYSTEM_NAME = "Hệ thống"


def voucher_items(description: str, quantity: int, unit: str, amount_vnd: int) -> tuple[DocumentItem, ...]:
    """Goods on a voucher, with unit values that add up to the amount exactly.

    Goods leave at average cost, which need not divide evenly by the quantity: then all units
    but the last are shown at the rounded-down unit value and the last one carries the rest,
    as the average-cost rule itself does (the last units take what value is left).
    """
    unit_value, remainder = divmod(amount_vnd, quantity)
    if not remainder:
        return (DocumentItem(description, quantity, unit, unit_value),)
    if quantity == 1:
        return (DocumentItem(description, 1, unit, amount_vnd),)
    return (
        DocumentItem(description, quantity - 1, unit, unit_value),
        DocumentItem(description, 1, unit, unit_value + remainder),
    )


def _void_reason(memo: str, seq: int) -> str:
    # A reversal's memo is "Đảo bút toán số <seq>: <reason>" (journal.reverse_entry).
    prefix = f"Đảo bút toán số {seq}: "
    return memo[len(prefix) :] if memo.startswith(prefix) else memo


def series_of(number: str) -> str:
    """The series a voucher number carries: ``QT-DH-UNC-2026-000001`` → ``UNC`` (the association
    code may contain dashes, so it is the third part from the end)."""
    return number.rsplit("-", 3)[1]


def entry_accounts(uow: UnitOfWork, association_id: int, seqs: set[int]) -> dict[int, tuple[list[str], list[str]]]:
    """The account codes each entry debits and credits, in line order ("Nợ 611 / Có 111")."""
    out: dict[int, tuple[list[str], list[str]]] = {seq: ([], []) for seq in seqs}
    for seq, code, debit in uow.session.execute(
        select(JournalLine.seq, Account.code, JournalLine.debit_vnd)
        .join(Account, Account.id == JournalLine.account_id)
        .where(JournalLine.association_id == association_id, JournalLine.seq.in_(seqs))
        .order_by(JournalLine.seq, JournalLine.line_no)
    ):
        side = out[seq][0 if debit else 1]
        if code not in side:
            side.append(code)
    return out


def display_names(uow: UnitOfWork, user_ids: set[int]) -> dict[int, str]:
    """Each user's name, or the login when no name is on record (who entered a voucher)."""
    return {
        user_id: name or email
        for user_id, name, email in uow.session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(user_ids))
        )
    }


def voucher_documents(uow: UnitOfWork, books: Books, rows: Sequence[Disbursement]) -> list[VoucherDocument]:
    """The vouchers of posted (or voided) disbursements, in the order given."""
    association = books.association
    seqs = {r.entry_seq for r in rows if r.entry_seq is not None} | {
        r.void_entry_seq for r in rows if r.void_entry_seq is not None
    }
    entries = {
        e.seq: e
        for e in uow.session.execute(
            select(JournalEntry).where(JournalEntry.association_id == association.id, JournalEntry.seq.in_(seqs))
        ).scalars()
    }
    accounts = entry_accounts(uow, association.id, {r.entry_seq for r in rows if r.entry_seq is not None})
    beneficiary_ids = {r.beneficiary_id for r in rows if r.beneficiary_id is not None}
    beneficiaries = {
        b.id: b for b in uow.session.execute(select(Beneficiary).where(Beneficiary.id.in_(beneficiary_ids))).scalars()
    }
    names = display_names(uow, {u for r in rows for u in (r.maker_id, r.approver_id) if u is not None})
    # An item of a ceremony without a memo of its own says what the ceremony was.
    batch_ids = {r.batch_id for r in rows if r.batch_id is not None and not r.memo}
    batch_memos = dict(
        uow.session.execute(
            select(DisbursementBatch.id, DisbursementBatch.memo).where(DisbursementBatch.id.in_(batch_ids))
        ).all()
    )
    signing = signatories(uow, association.id)
    documents: list[VoucherDocument] = []
    for row in rows:
        assert row.voucher_number is not None and row.entry_seq is not None, "only numbered disbursements"
        fund = books.funds_by_id[row.fund_id]
        entry = entries[row.entry_seq]
        beneficiary = beneficiaries.get(row.beneficiary_id) if row.beneficiary_id is not None else None
        reversal = entries.get(row.void_entry_seq) if row.void_entry_seq is not None else None
        debits, credits = accounts[row.entry_seq]
        documents.append(
            VoucherDocument(
                association_code=association.code,
                association_name=association.name,
                association_address=association.address,
                number=row.voucher_number,
                series=series_of(row.voucher_number),
                paid_on=row.paid_on,
                beneficiary_name=beneficiary.name if beneficiary else "",
                beneficiary_category=beneficiary.category if beneficiary else "",
                beneficiary_kind=beneficiary.kind if beneficiary else "",
                beneficiary_is_minor=beneficiary.is_minor if beneficiary else False,
                guardian_name=beneficiary.guardian_name if beneficiary else "",
                guardian_relation=beneficiary.guardian_relation if beneficiary else "",
                payee_name=row.payee_name,
                payee_address=row.payee_address,
                reference=row.reference,
                kind=row.kind,
                purpose=row.memo
                or (batch_memos.get(row.batch_id) if row.batch_id is not None else None)
                or disbursement_draft(command_of(books, row), row.amount_vnd).memo,
                fund_code=fund.code,
                fund_name=fund.name,
                amount_vnd=row.amount_vnd,
                paid_from=row.paid_from,  # type: ignore[arg-type]
                maker_name=names.get(row.maker_id, SYSTEM_NAME) if row.maker_id is not None else SYSTEM_NAME,
                entry_seq=entry.seq,
                entry_hash=entry.hash,
                created_at=entry.created_at,
                beneficiary_address=beneficiary.address if beneficiary else "",
                school=(beneficiary.school or None) if beneficiary else None,
                grade=(beneficiary.grade or None) if beneficiary else None,
                approver_name=names.get(row.approver_id) if row.approver_id is not None else None,
                chair_name=signing.chair,
                accountant_name=signing.accountant,
                treasurer_name=signing.treasurer,
                debit_accounts=tuple(debits),
                credit_accounts=tuple(credits),
                items=voucher_items(row.item, row.quantity, row.unit or "", row.amount_vnd)
                if row.item is not None and row.quantity
                else (),
                status="void" if row.status == "void" else "valid",
                voided_on=reversal.entry_on if reversal is not None else None,
                void_reason=_void_reason(reversal.memo, row.entry_seq) if reversal is not None else None,
            )
        )
    return documents


def cash_receipt_voucher(uow: UnitOfWork, books: Books, donation: Donation) -> VoucherDocument:
    """The cash phiếu thu (form 01-TT) of money received in cash, beside the donor's receipt."""
    association = books.association
    assert donation.cash_voucher_number is not None, "only cash received after migration 0005 has a phiếu thu"
    donor = uow.session.get(Donor, donation.donor_id)
    entry = uow.session.get(JournalEntry, (association.id, donation.entry_seq))
    assert donor is not None and entry is not None
    fund = books.funds_by_id[donation.fund_id]
    debits, credits = entry_accounts(uow, association.id, {entry.seq})[entry.seq]
    signing = signatories(uow, association.id)
    maker = display_names(uow, {donation.created_by}).get(donation.created_by) if donation.created_by else None
    return VoucherDocument(
        association_code=association.code,
        association_name=association.name,
        association_address=association.address,
        number=donation.cash_voucher_number,
        series=CASH_RECEIPT.series,
        paid_on=donation.received_on,
        beneficiary_name="",
        beneficiary_category="",
        kind="",
        purpose=donation.memo or entry.memo,
        fund_code=fund.code,
        fund_name=fund.name,
        amount_vnd=donation.amount_vnd,
        paid_from="cash",
        maker_name=maker or SYSTEM_NAME,
        entry_seq=entry.seq,
        entry_hash=entry.hash,
        created_at=entry.created_at,
        payer_name=donor.name,
        payer_address=donor.address,
        reference=donation.reference,
        receipt_number=donation.receipt_number,
        chair_name=signing.chair,
        accountant_name=signing.accountant,
        treasurer_name=signing.treasurer,
        debit_accounts=tuple(debits),
        credit_accounts=tuple(credits),
        status="void" if donation.status == "void" else "valid",
        voided_on=donation.voided_on if donation.status == "void" else None,
        void_reason=donation.void_reason if donation.status == "void" else None,
    )


def voucher(uow: UnitOfWork, books: Books, number: str) -> VoucherDocument:
    """The voucher numbered ``number``: a disbursement's (PC, UNC, PX) or a cash phiếu thu (PT)."""
    row = uow.session.execute(
        select(Disbursement).where(
            Disbursement.association_id == books.association.id, Disbursement.voucher_number == number
        )
    ).scalar_one_or_none()
    if row is not None:
        return voucher_documents(uow, books, [row])[0]
    donation = uow.session.execute(
        select(Donation).where(Donation.association_id == books.association.id, Donation.cash_voucher_number == number)
    ).scalar_one_or_none()
    if donation is None:
        raise NotFound(f"phiếu {number}", f"voucher {number}")
    return cash_receipt_voucher(uow, books, donation)


def batch_vouchers(uow: UnitOfWork, books: Books, batch_id: int) -> list[VoucherDocument]:
    """Every voucher of a batch (its pending items have none yet), in the batch's order."""
    rows = list(
        uow.session.execute(
            select(Disbursement)
            .where(
                Disbursement.association_id == books.association.id,
                Disbursement.batch_id == batch_id,
                Disbursement.voucher_number.is_not(None),
            )
            .order_by(Disbursement.id)
        ).scalars()
    )
    if not rows:
        raise NotFound(f"phiếu chi của đợt chi {batch_id}", f"vouchers of batch {batch_id}")
    return voucher_documents(uow, books, rows)


def signing_list(uow: UnitOfWork, books: Books, batch_id: int) -> SigningListDocument:
    """The signing list of a batch: its posted (and voided) items in the batch's order, with the
    guardian on record of each minor, and the organisers on record to sign it."""
    association = books.association
    batch = uow.session.execute(
        select(DisbursementBatch).where(
            DisbursementBatch.association_id == association.id, DisbursementBatch.id == batch_id
        )
    ).scalar_one_or_none()
    if batch is None:
        raise NotFound(f"đợt chi {batch_id}", f"batch {batch_id}")
    rows = list(
        uow.session.execute(
            select(Disbursement)
            .where(Disbursement.association_id == association.id, Disbursement.batch_id == batch_id)
            .order_by(Disbursement.id)
        ).scalars()
    )
    listed = [r for r in rows if r.voucher_number is not None]
    if not listed:
        raise NotFound(f"danh sách ký nhận của đợt chi {batch_id}", f"signing list of batch {batch_id}")
    beneficiary_ids = {r.beneficiary_id for r in listed if r.beneficiary_id is not None}
    beneficiaries = {
        b.id: b for b in uow.session.execute(select(Beneficiary).where(Beneficiary.id.in_(beneficiary_ids))).scalars()
    }
    lines: list[SigningListRow] = []
    for row in listed:
        assert row.voucher_number is not None
        b = beneficiaries.get(row.beneficiary_id) if row.beneficiary_id is not None else None
        lines.append(
            SigningListRow(
                recipient_name=(b.name if b else row.payee_name) or "—",
                school=b.school if b else "",
                grade=b.grade if b else "",
                guardian_name=b.guardian_name if b is not None and b.is_minor else "",
                amount_vnd=row.amount_vnd,
                voucher_number=row.voucher_number,
                item=row.item if row.quantity else None,
                quantity=row.quantity if row.item is not None else None,
                unit=row.unit,
                status="void" if row.status == "void" else "valid",
            )
        )
    signing = signatories(uow, association.id)
    preparer = display_names(uow, {batch.created_by}).get(batch.created_by) if batch.created_by else None
    dates = [r.paid_on for r in listed]
    return SigningListDocument(
        association_code=association.code,
        association_name=association.name,
        association_address=association.address,
        batch_id=batch.id,
        title=batch.memo,
        first_on=min(dates),
        last_on=max(dates),
        fund_names=tuple(dict.fromkeys(books.funds_by_id[r.fund_id].name for r in listed)),
        rows=tuple(lines),
        total_vnd=sum(line.amount_vnd for line in lines if line.status == "valid"),
        pending_count=sum(1 for r in rows if r.status == "pending"),
        # The batch's own instant: the same list renders the same bytes until an item changes.
        created_at=max([batch.created_at, *(r.decided_at for r in listed if r.decided_at is not None)]),
        preparer_name=preparer,
        treasurer_name=signing.treasurer,
        accountant_name=signing.accountant,
        chair_name=signing.chair,
    )
