"""Corrections: a posted entry is never changed; it is reversed, and its documents are voided."""

from __future__ import annotations

from datetime import date

from ledger.clock import today_vn
from ledger.domain.closing import CLOSING_KIND
from ledger.domain.errors import ValidationFailed
from ledger.domain.events import EntryReversed
from ledger.domain.reasons import reason_given
from ledger.services import disbursements, donations, pledges
from ledger.services.access import Actor
from ledger.services.journal import Books, EntryView, get_entry, reverse_entry
from ledger.services.unit_of_work import UnitOfWork


def reverse(
    uow: UnitOfWork, actor: Actor, books: Books, seq: int, reason: str, reversed_on: date | None = None
) -> EntryView:
    """Reverse entry ``seq`` with a reason, and void the receipt or voucher it carried."""
    reason = reason_given(reason, act_vi="đảo bút toán", act_en="reversal")
    if get_entry(uow, books, seq).kind == CLOSING_KIND:
        raise ValidationFailed(
            "Bút toán kết chuyển cuối năm chỉ được đảo bằng cách mở lại năm tài chính.",
            "A year-end closing entry is reversed only by reopening its fiscal year.",
            errors={"seq": ["a closing entry; reopen the year instead"]},
        )
    on = reversed_on or today_vn(uow.clock())
    reversal = reverse_entry(uow, books, seq, reason=reason, reversed_on=on, created_by=actor.user_id)
    donations.void_receipt_of(uow, actor, books, seq, reversal, reason)
    disbursements.void_disbursement_of(uow, actor, books, seq, reversal, reason)
    pledges.undo_for_reversal(uow, actor, books, seq, reversal)
    uow.emit(
        EntryReversed(by=actor, association_id=books.association.id, seq=seq, reversal_seq=reversal.seq, reason=reason)
    )
    return reversal
