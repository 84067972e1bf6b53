"""Corrections: a posted entry is never changed; it is reversed, and its documents are voided.

A reversal that voids a receipt or a voucher takes a second person (DESIGN.md "Controls"):
the treasurer's reversal becomes a request that an approver who is not its maker approves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ledger.clock import today_vn
from ledger.domain.closing import CLOSING_KIND
from ledger.domain.errors import Conflict, ValidationFailed
from ledger.domain.events import EntryReversed
from ledger.domain.reasons import reason_given
from ledger.persistence.models import Disbursement, Donation
from ledger.services import disbursements, donations, pledges, requests
from ledger.services.access import Actor
from ledger.services.journal import Books, EntryView, get_entry, reverse_entry
from ledger.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ReversalOutcome:
    """The reversal entry when it was posted at once, else the request waiting for an approver."""

    entry: EntryView | None
    request: requests.RequestView | None


def voided_document(uow: UnitOfWork, books: Books, seq: int) -> str | None:
    """The receipt or voucher number that reversing entry ``seq`` would void, if any."""
    association_id = books.association.id
    receipt = uow.session.execute(
        select(Donation.receipt_number).where(
            Donation.association_id == association_id, Donation.entry_seq == seq, Donation.status == "valid"
        )
    ).scalar_one_or_none()
    if receipt is not None:
        return receipt
    voucher = uow.session.execute(
        select(Disbursement.voucher_number).where(
            Disbursement.association_id == association_id,
            Disbursement.entry_seq == seq,
            Disbursement.status == "posted",
        )
    ).scalar_one_or_none()
    return voucher


def reverse(
    uow: UnitOfWork,
    actor: Actor,
    books: Books,
    seq: int,
    reason: str,
    reversed_on: date | None = None,
    *,
    replacement: str | None = None,
) -> ReversalOutcome:
    """Reverse entry ``seq`` with a reason, or ask for it when it would void a receipt or voucher.

    A request is checked as the reversal would be (already reversed, date, balances) before it
    is stored, so that a reversal that could never post is refused at once; it is checked again
    when approved. ``replacement`` names the receipt that replaces a voided one (the donor's
    void notice points to it).
    """
    reason = reason_given(reason, act_vi="đảo bút toán", act_en="reversal")
    if get_entry(uow, books, seq).kind == CLOSING_KIND:
        raise ValidationFailed(
            "Bút toán kết chuyển cuối năm chỉ được đảo bằng cách mở lại năm tài chính.",
            "A year-end closing entry is reversed only by reopening its fiscal year.",
            errors={"seq": ["a closing entry; reopen the year instead"]},
        )
    on = reversed_on or today_vn(uow.clock())
    ledger = uow.lock_ledger(books.association.id)
    document = voided_document(uow, books, seq)
    if replacement is not None:
        _check_replacement(uow, books, seq, replacement)
    if document is None:
        return ReversalOutcome(reverse_now(uow, actor, books, seq, reason, on, replacement=replacement), None)
    waiting = requests.pending_for_entry(uow, books, seq)
    if waiting is not None:
        raise Conflict(
            f"Bút toán số {seq} đã có đề nghị đảo đang chờ duyệt ({requests.public_id(waiting)}).",
            f"Entry {seq} already has a reversal request waiting for approval ({requests.public_id(waiting)}).",
            request_id=requests.public_id(waiting),
        )
    # The reversal is tried and rolled back, so that what would refuse it refuses the request now.
    head = (ledger.head_seq, ledger.head_hash)
    savepoint = uow.session.begin_nested()
    try:
        reverse_entry(uow, books, seq, reason=reason, reversed_on=on, created_by=actor.user_id)
    finally:
        savepoint.rollback()
        ledger.head_seq, ledger.head_hash = head
    payload = {"reason": reason, "date": on.isoformat(), "voids": document, "replacement": replacement}
    request = requests.open_request(uow, actor, books, "reversal", payload, entry_seq=seq)
    return ReversalOutcome(None, request)


def _check_replacement(uow: UnitOfWork, books: Books, seq: int, number: str) -> None:
    """A replacement receipt is a valid receipt of this association other than the voided one."""
    found = uow.session.execute(
        select(Donation.entry_seq, Donation.status).where(
            Donation.association_id == books.association.id, Donation.receipt_number == number
        )
    ).one_or_none()
    if found is None or found[0] == seq or found[1] != "valid":
        raise ValidationFailed(
            f"Biên nhận thay thế {number} không có hoặc không còn hiệu lực.",
            f"The replacement receipt {number} does not exist or is not valid.",
            errors={"replacement": ["a valid receipt of this association, other than the one voided"]},
        )


def reverse_now(
    uow: UnitOfWork,
    actor: Actor,
    books: Books,
    seq: int,
    reason: str,
    on: date,
    *,
    replacement: str | None = None,
) -> EntryView:
    """Post the reversal of entry ``seq`` and void the receipt or voucher it carried."""
    reversal = reverse_entry(uow, books, seq, reason=reason, reversed_on=on, created_by=actor.user_id)
    donations.void_receipt_of(uow, actor, books, seq, reversal, reason, replacement=replacement)
    disbursements.void_disbursement_of(uow, actor, books, seq, reversal, reason)
    pledges.undo_for_reversal(uow, actor, books, seq, reversal)
    uow.emit(
        EntryReversed(by=actor, association_id=books.association.id, seq=seq, reversal_seq=reversal.seq, reason=reason)
    )
    return reversal
