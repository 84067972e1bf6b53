"""Pledges: a promised donation is income of its fund and a receivable (138) until the money comes in.

Each collection is receipted like a donation (the same gapless receipt series), and a
pledge is ``collected`` once all of it came in. Reversing a collection reopens the pledge;
reversing the pledge itself cancels it, once nothing of it was collected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ledger.clock import today_vn
from ledger.domain.entries import MEMO_MAX_CHARS
from ledger.domain.errors import Conflict, NotFound, ValidationFailed
from ledger.domain.events import PledgeCancelled, PledgeCollected, PledgeRecorded, PledgeUncollected
from ledger.domain.money import format_vnd, is_amount_vnd
from ledger.domain.states import step
from ledger.domain.templates import pledge_collection_entry, pledge_entry
from ledger.persistence.models import Donation, Pledge
from ledger.services.access import Actor
from ledger.services.donations import ReceiptFacts, ReceiptView, issue_receipt, known_donor, known_fund, receipt_view
from ledger.services.journal import Books, EntryView, post_entries
from ledger.services.unit_of_work import UnitOfWork

#: A pledge is open until all of it is collected; a reversed collection opens it again, and a
#: reversed pledge (with nothing collected) is cancelled for good.
PLEDGE_STEPS: dict[str, frozenset[str]] = {
    "open": frozenset({"collected", "cancelled"}),
    "collected": frozenset({"open"}),
    "cancelled": frozenset(),
}
#: Money of a pledge comes in cash or by bank transfer (goods are donated in kind instead).
COLLECTION_METHODS = ("cash", "bank")


@dataclass(frozen=True)
class PledgeCommand:
    donor_id: int
    fund: str
    amount_vnd: int
    pledged_on: date
    due_on: date | None = None
    memo: str = ""


@dataclass(frozen=True)
class CollectCommand:
    amount_vnd: int
    method: str
    received_on: date
    memo: str = ""


@dataclass(frozen=True)
class PledgeView:
    id: int
    donor_id: int
    fund: str
    amount_vnd: int
    collected_vnd: int
    pledged_on: date
    due_on: date | None
    status: str
    entry_seq: int
    memo: str
    created_at: datetime

    @property
    def outstanding_vnd(self) -> int:
        return self.amount_vnd - self.collected_vnd


@dataclass(frozen=True)
class PledgeResult:
    pledge: PledgeView
    entry: EntryView


@dataclass(frozen=True)
class CollectionResult:
    pledge: PledgeView
    entry: EntryView
    receipt: ReceiptView


def _invalid(errors: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(
        "Thông tin cam kết tài trợ có trường thiếu hoặc sai: xem chi tiết trong errors.",
        "The pledge has fields that are missing or wrong: see errors.",
        errors=errors,
    )


def record_pledge(uow: UnitOfWork, actor: Actor, books: Books, cmd: PledgeCommand) -> PledgeResult:
    """Post a pledge: Dr 138 pledges receivable, Cr 511 donations of the fund."""
    errors: dict[str, list[str]] = {}
    if not is_amount_vnd(cmd.amount_vnd):
        errors["amount"] = ["must be a whole number of VND from 1 to 10^15"]
    if cmd.pledged_on > today_vn(uow.clock()):
        errors["pledged_on"] = ["a pledge cannot be made in the future"]
    if cmd.due_on is not None and cmd.due_on < cmd.pledged_on:
        errors["due_on"] = ["cannot be before pledged_on"]
    if len(cmd.memo) > MEMO_MAX_CHARS:
        errors["memo"] = [f"at most {MEMO_MAX_CHARS} characters"]
    if errors:
        raise _invalid(errors)
    donor = known_donor(uow, books, cmd.donor_id)
    known_fund(books, cmd.fund)
    draft = pledge_entry(
        fund=cmd.fund,
        amount_vnd=cmd.amount_vnd,
        donor_id=donor.id,
        pledged_on=cmd.pledged_on,
        memo=cmd.memo or f"Cam kết tài trợ của {donor.name}",
    )
    entry = post_entries(uow, books, [draft], created_by=actor.user_id)[0]
    pledge = Pledge(
        association_id=books.association.id,
        donor_id=donor.id,
        fund_id=books.funds[cmd.fund].id,
        amount_vnd=cmd.amount_vnd,
        collected_vnd=0,
        pledged_on=cmd.pledged_on,
        due_on=cmd.due_on,
        status="open",
        entry_seq=entry.seq,
        memo=cmd.memo,
        created_by=actor.user_id,
        created_at=entry.created_at,
    )
    uow.session.add(pledge)
    uow.session.flush()
    uow.emit(
        PledgeRecorded(
            by=actor,
            association_id=books.association.id,
            pledge_id=pledge.id,
            donor_id=donor.id,
            fund=cmd.fund,
            amount_vnd=cmd.amount_vnd,
            entry_seq=entry.seq,
        )
    )
    return PledgeResult(view_of(books, pledge), entry)


def collect_pledge(
    uow: UnitOfWork, actor: Actor, books: Books, pledge_id: int, cmd: CollectCommand
) -> CollectionResult:
    """Receive (part of) a pledge: Dr 111/112, Cr 138, and a numbered receipt for the donor.

    More than is still outstanding is refused: a donor who gives more makes a new donation.
    """
    errors: dict[str, list[str]] = {}
    if cmd.method not in COLLECTION_METHODS:
        errors["method"] = [f"must be one of {', '.join(COLLECTION_METHODS)}"]
    if not is_amount_vnd(cmd.amount_vnd):
        errors["amount"] = ["must be a whole number of VND from 1 to 10^15"]
    if cmd.received_on > today_vn(uow.clock()):
        errors["received_on"] = ["money cannot be received in the future"]
    if len(cmd.memo) > MEMO_MAX_CHARS:
        errors["memo"] = [f"at most {MEMO_MAX_CHARS} characters"]
    if errors:
        raise _invalid(errors)
    uow.lock_ledger(books.association.id)
    pledge = _find(uow, books, pledge_id, fresh=True)
    if pledge.status != "open":
        raise Conflict(
            f"Cam kết số {pledge.id} không còn mở (trạng thái «{pledge.status}»).",
            f"Pledge {pledge.id} is not open (status '{pledge.status}').",
            pledge_status=pledge.status,
        )
    outstanding = pledge.amount_vnd - pledge.collected_vnd
    if cmd.amount_vnd > outstanding:
        raise ValidationFailed(
            f"Cam kết chỉ còn {format_vnd(outstanding)} chưa thu; không thể thu {format_vnd(cmd.amount_vnd)}. "
            "Phần nhiều hơn hãy ghi thành một khoản tài trợ mới.",
            f"Only {format_vnd(outstanding, 'en')} of the pledge is outstanding; {format_vnd(cmd.amount_vnd, 'en')} cannot be "
            "collected. Record anything more as a new donation.",
            errors={"amount": [f"at most {outstanding} is outstanding"]},
            outstanding=outstanding,
        )
    if cmd.received_on < pledge.pledged_on:
        raise _invalid({"received_on": ["cannot be before the pledge was made"]})
    fund = books.funds_by_id[pledge.fund_id].code
    donor = known_donor(uow, books, pledge.donor_id)
    draft = pledge_collection_entry(
        fund=fund,
        method=cmd.method,
        amount_vnd=cmd.amount_vnd,
        donor_id=donor.id,
        received_on=cmd.received_on,
        memo=cmd.memo or f"Thu tiền cam kết tài trợ số {pledge.id} của {donor.name}",
    )
    entry = post_entries(uow, books, [draft], created_by=actor.user_id)[0]
    receipt = issue_receipt(
        uow,
        actor,
        books,
        entry,
        ReceiptFacts(donor.id, fund, cmd.method, cmd.amount_vnd, cmd.received_on, cmd.memo, pledge_id=pledge.id),
    )
    pledge.collected_vnd += cmd.amount_vnd
    if pledge.collected_vnd == pledge.amount_vnd:
        pledge.status = step(PLEDGE_STEPS, "pledge", pledge.status, "collected")
    uow.session.flush()
    uow.emit(
        PledgeCollected(
            by=actor,
            association_id=books.association.id,
            pledge_id=pledge.id,
            amount_vnd=cmd.amount_vnd,
            method=cmd.method,
            receipt=receipt.receipt_number,
            entry_seq=entry.seq,
            collected_vnd=pledge.collected_vnd,
        )
    )
    view = view_of(books, pledge)
    return CollectionResult(view, entry, receipt_view(receipt, view.fund))


def undo_for_reversal(uow: UnitOfWork, actor: Actor, books: Books, seq: int, reversal: EntryView) -> None:
    """Keep pledges true to the journal when entry ``seq`` is reversed.

    A reversed collection is no longer collected (its receipt is voided by the donations
    service); a reversed pledge is cancelled, which is refused while money of it is still
    collected — reverse the collections first.
    """
    association_id = books.association.id
    pledge = uow.session.execute(
        select(Pledge).where(Pledge.association_id == association_id, Pledge.entry_seq == seq)
    ).scalar_one_or_none()
    if pledge is not None:
        if pledge.collected_vnd:
            raise Conflict(
                f"Cam kết số {pledge.id} đã thu {format_vnd(pledge.collected_vnd)}: hãy đảo các bút toán thu trước.",
                f"{format_vnd(pledge.collected_vnd, 'en')} of pledge {pledge.id} was collected: reverse the collections first.",
                collected=pledge.collected_vnd,
            )
        pledge.status = step(PLEDGE_STEPS, "pledge", pledge.status, "cancelled")
        uow.emit(
            PledgeCancelled(by=actor, association_id=association_id, pledge_id=pledge.id, reversal_seq=reversal.seq)
        )
        return
    collection = uow.session.execute(
        select(Donation).where(
            Donation.association_id == association_id, Donation.entry_seq == seq, Donation.pledge_id.is_not(None)
        )
    ).scalar_one_or_none()
    if collection is None or collection.pledge_id is None:
        return
    pledge = uow.session.get(Pledge, collection.pledge_id)
    assert pledge is not None
    if pledge.status == "collected":
        pledge.status = step(PLEDGE_STEPS, "pledge", pledge.status, "open")
    pledge.collected_vnd -= collection.amount_vnd
    uow.emit(
        PledgeUncollected(
            by=actor,
            association_id=association_id,
            pledge_id=pledge.id,
            amount_vnd=collection.amount_vnd,
            receipt=collection.receipt_number,
            reversal_seq=reversal.seq,
        )
    )


def view_of(books: Books, pledge: Pledge) -> PledgeView:
    return PledgeView(
        id=pledge.id,
        donor_id=pledge.donor_id,
        fund=books.funds_by_id[pledge.fund_id].code,
        amount_vnd=pledge.amount_vnd,
        collected_vnd=pledge.collected_vnd,
        pledged_on=pledge.pledged_on,
        due_on=pledge.due_on,
        status=pledge.status,
        entry_seq=pledge.entry_seq,
        memo=pledge.memo,
        created_at=pledge.created_at,
    )


def _find(uow: UnitOfWork, books: Books, pledge_id: int, *, fresh: bool = False) -> Pledge:
    stmt = select(Pledge).where(Pledge.id == pledge_id, Pledge.association_id == books.association.id)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    pledge = uow.session.execute(stmt).scalar_one_or_none()
    if pledge is None:
        raise NotFound(f"cam kết tài trợ {pledge_id}", f"pledge {pledge_id}")
    return pledge


def get_pledge(uow: UnitOfWork, books: Books, pledge_id: int) -> PledgeView:
    return view_of(books, _find(uow, books, pledge_id))


def list_pledges(
    uow: UnitOfWork, books: Books, *, status: str | None = None, after_id: int = 0, limit: int = 100
) -> tuple[list[PledgeView], int | None]:
    """A page of pledges in id order, and the id to continue after (``None`` at the end)."""
    stmt = select(Pledge).where(Pledge.association_id == books.association.id, Pledge.id > after_id)
    if status is not None:
        stmt = stmt.where(Pledge.status == status)
    rows = list(uow.session.execute(stmt.order_by(Pledge.id).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return [view_of(books, p) for p in rows], (rows[-1].id if more and rows else None)
