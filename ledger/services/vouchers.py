"""Disbursement vouchers (phiếu chi) as documents: what a voucher shows, loaded from the books."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from ledger.documents.models import DocumentItem, VoucherDocument
from ledger.domain.errors import NotFound
from ledger.persistence.models import Beneficiary, Disbursement, JournalEntry, User
from ledger.services.disbursements import command_of, disbursement_draft
from ledger.services.journal import Books
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
    beneficiary_ids = {r.beneficiary_id for r in rows if r.beneficiary_id is not None}
    beneficiaries = {
        b.id: b for b in uow.session.execute(select(Beneficiary).where(Beneficiary.id.in_(beneficiary_ids))).scalars()
    }
    user_ids = {u for r in rows for u in (r.maker_id, r.approver_id) if u is not None}
    names = {
        user_id: name or email
        for user_id, name, email in uow.session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(user_ids))
        )
    }
    documents: list[VoucherDocument] = []
    for row in rows:
        assert row.voucher_number is not None and row.entry_seq is not None, "only numbered disbursements"
        fund = books.funds_by_id[row.fund_id]
        entry = entries[row.entry_seq]
        beneficiary = beneficiaries.get(row.beneficiary_id) if row.beneficiary_id is not None else None
        reversal = entries.get(row.void_entry_seq) if row.void_entry_seq is not None else None
        documents.append(
            VoucherDocument(
                association_code=association.code,
                association_name=association.name,
                association_address=association.address,
                number=row.voucher_number,
                paid_on=row.paid_on,
                beneficiary_name=beneficiary.name if beneficiary else "",
                beneficiary_category=beneficiary.category if beneficiary else "",
                kind=row.kind,
                purpose=row.memo or disbursement_draft(command_of(books, row), row.amount_vnd).memo,
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
                items=voucher_items(row.item, row.quantity, row.unit or "", row.amount_vnd)
                if row.item is not None and row.quantity
                else (),
                status="void" if row.status == "void" else "valid",
                voided_on=reversal.entry_on if reversal is not None else None,
                void_reason=_void_reason(reversal.memo, row.entry_seq) if reversal is not None else None,
            )
        )
    return documents


def voucher(uow: UnitOfWork, books: Books, number: str) -> VoucherDocument:
    row = uow.session.execute(
        select(Disbursement).where(
            Disbursement.association_id == books.association.id, Disbursement.voucher_number == number
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"phiếu chi {number}", f"voucher {number}")
    return voucher_documents(uow, books, [row])[0]


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
