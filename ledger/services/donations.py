"""Donations in cash, by bank transfer or in kind, each with a gapless receipt number."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select

from ledger.clock import today_vn
from ledger.domain.errors import NotFound, ValidationFailed
from ledger.domain.events import DonationRecorded, ReceiptIssued, ReceiptVoided
from ledger.domain.money import AMOUNT_VND_MAX
from ledger.domain.states import RECEIPT_STEPS, step
from ledger.domain.templates import GoodsIn, donation_entry
from ledger.domain.vouchers import CASH_RECEIPT, REFERENCE_MAX_CHARS
from ledger.persistence.models import Donation, DonationItem, Donor
from ledger.persistence.pipeline import NO_ANSWER
from ledger.services.access import Actor
from ledger.services.journal import Books, EntryView, post_entries
from ledger.services.numbering import next_number
from ledger.services.unit_of_work import UnitOfWork

METHODS = ("cash", "bank", "in_kind")
_DONATIONS = Donation.table()
_INSERT_DONATION = insert(_DONATIONS).returning(_DONATIONS.c.id)
_INSERT_ITEM = insert(DonationItem.table()).execution_options(**NO_ANSWER)
MAX_ITEMS = 100


@dataclass(frozen=True)
class ItemCommand:
    description: str
    quantity: int
    unit: str
    unit_value_vnd: int

    @property
    def value_vnd(self) -> int:
        return self.quantity * self.unit_value_vnd


@dataclass(frozen=True)
class DonationCommand:
    donor_id: int
    fund: str
    method: str
    amount_vnd: int
    received_on: date
    items: tuple[ItemCommand, ...] = field(default_factory=tuple)
    memo: str = ""
    #: The bank's or payer's reference ("UNC số 0912"), printed on the receipt.
    reference: str = ""
    #: The number of a voided receipt of the same donor that this donation is recorded again to
    #: correct; the public verification page of the voided receipt then names this one.
    replaces: str | None = None


@dataclass(frozen=True)
class ReceiptView:
    """A receipt as the API shows it."""

    receipt_number: str
    received_on: date
    amount_vnd: int
    fund: str
    donor_id: int
    method: str
    status: str
    verify_token: str
    entry_seq: int
    voided_on: date | None = None
    void_reason: str | None = None
    #: The cash phiếu thu (``<A>-PT-…``) of money received in cash, else ``None``.
    cash_voucher_number: str | None = None


def receipt_view(donation: Donation, fund: str) -> ReceiptView:
    return ReceiptView(
        receipt_number=donation.receipt_number,
        received_on=donation.received_on,
        amount_vnd=donation.amount_vnd,
        fund=fund,
        donor_id=donation.donor_id,
        method=donation.method,
        status=donation.status,
        verify_token=donation.verify_token,
        entry_seq=donation.entry_seq,
        voided_on=donation.voided_on,
        void_reason=donation.void_reason,
        cash_voucher_number=donation.cash_voucher_number,
    )


@dataclass(frozen=True)
class DonationView:
    id: int
    entry: EntryView
    receipt: ReceiptView


def _check(cmd: DonationCommand, today: date) -> None:
    errors: dict[str, list[str]] = {}
    if cmd.method not in METHODS:
        errors["method"] = [f"must be one of {', '.join(METHODS)}"]
    if cmd.received_on > today:
        errors["received_on"] = ["a donation cannot be received in the future"]
    if cmd.method == "in_kind":
        if not cmd.items:
            errors["items"] = ["an in-kind donation lists its items with quantity and unit value"]
        elif len(cmd.items) > MAX_ITEMS:
            errors["items"] = [f"at most {MAX_ITEMS} items"]
        else:
            total = sum(i.value_vnd for i in cmd.items)
            if total > AMOUNT_VND_MAX:
                errors["items"] = ["the items are worth more than 10^15 VND"]
            elif total != cmd.amount_vnd:
                errors["amount"] = [f"amount must equal the sum of quantity × unit_value of the items ({total})"]
    elif cmd.items:
        errors["items"] = ["only in-kind donations list items"]
    if len(cmd.reference) > REFERENCE_MAX_CHARS:
        errors["reference"] = [f"at most {REFERENCE_MAX_CHARS} characters"]
    if errors:
        raise ValidationFailed("Thông tin khoản tài trợ không hợp lệ.", "The donation has wrong fields.", errors=errors)


def known_donor(uow: UnitOfWork, books: Books, donor_id: int) -> Donor:
    """The donor ``donor_id`` of this association, else a field error on ``donor_id``."""
    donor = uow.session.get(Donor, donor_id)
    if donor is None or donor.association_id != books.association.id:
        raise ValidationFailed(
            "Không tìm thấy nhà tài trợ này trong sổ của hội.",
            "No such donor in this association.",
            errors={"donor_id": ["unknown donor"]},
        )
    books.known_donors.add(donor_id)
    return donor


def known_fund(books: Books, fund: str) -> None:
    """Refuse a fund code this association does not have, as a field error on ``fund``."""
    if fund not in books.funds:
        raise ValidationFailed(
            f"Hội không có quỹ {fund}.",
            f"This association has no fund {fund}.",
            errors={"fund": ["unknown fund"]},
        )


@dataclass(frozen=True)
class ReceiptFacts:
    """What a receipt records about money or goods that came in with a posted entry."""

    donor_id: int
    fund: str
    method: str
    amount_vnd: int
    received_on: date
    memo: str = ""
    items: tuple[ItemCommand, ...] = ()
    #: Set when the money is a pledge being collected.
    pledge_id: int | None = None
    reference: str = ""
    #: The voided receipt (its row id) that this one replaces.
    replaces_donation_id: int | None = None


def issue_receipt(uow: UnitOfWork, actor: Actor, books: Books, entry: EntryView, facts: ReceiptFacts) -> Donation:
    """Number the receipt of a posted ``entry`` (the next of its year) and store it.

    Donations and collected pledges both end here, so every receipt comes from one gapless
    series per association and year, and a reversal voids it the same way. Money received in
    cash also gets the cashier's phiếu thu (form 01-TT) from the ``PT`` series.
    """
    number = next_number(uow, books.association, "receipt", facts.received_on.year)
    cash_voucher = (
        next_number(uow, books.association, CASH_RECEIPT.series, facts.received_on.year)
        if facts.method == "cash"
        else None
    )
    values = {
        "association_id": books.association.id,
        "entry_seq": entry.seq,
        "donor_id": facts.donor_id,
        "fund_id": books.funds[facts.fund].id,
        "method": facts.method,
        "amount_vnd": facts.amount_vnd,
        "received_on": facts.received_on,
        "memo": facts.memo,
        "reference": facts.reference,
        "receipt_number": number,
        "cash_voucher_number": cash_voucher,
        "verify_token": secrets.token_urlsafe(24),
        "status": "valid",
        "pledge_id": facts.pledge_id,
        "replaces_donation_id": facts.replaces_donation_id,
        "created_by": actor.user_id,
        "created_at": entry.created_at,
    }
    # A Core INSERT … RETURNING id under the ledger lock, rather than the ORM's flush
    # (docs/benchmarks.md, section 2). The object returned is the stored row as written,
    # outside the session: read it, never change it (a void reads the row again).
    donation_id = uow.session.connection().execute(_INSERT_DONATION, values).scalar_one()
    donation = Donation(id=donation_id, **values)
    if facts.items:
        uow.session.connection().execute(
            _INSERT_ITEM,
            [
                {
                    "donation_id": donation.id,
                    "description": i.description,
                    "quantity": i.quantity,
                    "unit": i.unit,
                    "unit_value_vnd": i.unit_value_vnd,
                }
                for i in facts.items
            ],
        )
    # Its handler queues the e-mail in the same transaction, so a receipt never exists without it.
    uow.emit(
        ReceiptIssued(
            by=actor,
            association_id=books.association.id,
            donation_id=donation.id,
            receipt_number=number,
            donor_id=facts.donor_id,
            fund_id=donation.fund_id,
            amount_vnd=facts.amount_vnd,
            received_on=facts.received_on,
        )
    )
    return donation


def record_donation(uow: UnitOfWork, actor: Actor, books: Books, cmd: DonationCommand) -> DonationView:
    """Post a donation into a fund and give it the next receipt number of its year."""
    association = books.association
    _check(cmd, today_vn(uow.clock()))
    donor = known_donor(uow, books, cmd.donor_id)
    known_fund(books, cmd.fund)
    replaced = replaceable_receipt(uow, books, cmd.replaces, cmd.donor_id) if cmd.replaces else None
    draft = donation_entry(
        fund=cmd.fund,
        method=cmd.method,
        amount_vnd=cmd.amount_vnd,
        donor_id=cmd.donor_id,
        received_on=cmd.received_on,
        memo=cmd.memo or f"Tài trợ của {donor.name}",
        goods=[GoodsIn(i.description, i.quantity, i.unit, i.value_vnd) for i in cmd.items],
    )
    entry = post_entries(uow, books, [draft], created_by=actor.user_id)[0]
    donation = issue_receipt(
        uow,
        actor,
        books,
        entry,
        ReceiptFacts(
            cmd.donor_id,
            cmd.fund,
            cmd.method,
            cmd.amount_vnd,
            cmd.received_on,
            cmd.memo,
            cmd.items,
            reference=cmd.reference,
            replaces_donation_id=replaced.id if replaced is not None else None,
        ),
    )
    number = donation.receipt_number
    uow.emit(
        DonationRecorded(
            by=actor,
            association_id=association.id,
            receipt_number=number,
            entry_seq=entry.seq,
            amount_vnd=cmd.amount_vnd,
            fund=cmd.fund,
            method=cmd.method,
        )
    )
    return _view(donation, entry, cmd.fund)


def replaceable_receipt(uow: UnitOfWork, books: Books, number: str, donor_id: int) -> Donation:
    """The voided receipt ``number`` of the same donor, not replaced yet, else a field error on ``replaces``."""
    donation = uow.session.execute(
        select(Donation).where(Donation.association_id == books.association.id, Donation.receipt_number == number)
    ).scalar_one_or_none()
    problem = None
    if donation is None:
        problem = "unknown receipt"
    elif donation.status != "void":
        problem = "only a voided receipt can be replaced"
    elif donation.donor_id != donor_id:
        problem = "the replaced receipt belongs to another donor"
    elif uow.session.execute(select(Donation.id).where(Donation.replaces_donation_id == donation.id)).first():
        problem = "this receipt has already been replaced"
    if problem is not None or donation is None:
        raise ValidationFailed(
            f"Không thể thay biên nhận {number}.",
            f"Receipt {number} cannot be replaced.",
            errors={"replaces": [problem or "unknown receipt"]},
        )
    return donation


def _view(donation: Donation, entry: EntryView, fund: str) -> DonationView:
    return DonationView(id=donation.id, entry=entry, receipt=receipt_view(donation, fund))


def void_receipt_of(
    uow: UnitOfWork,
    actor: Actor,
    books: Books,
    seq: int,
    reversal: EntryView,
    reason: str,
    *,
    replacement: str | None = None,
) -> None:
    """A reversed donation voids its receipt; the number stays taken forever.

    The donor is told with a void notice (pointing to the ``replacement`` receipt, if any),
    never with the original thanks again (``outbox.queue_void_notice``).
    """
    donation = uow.session.execute(
        select(Donation).where(Donation.association_id == books.association.id, Donation.entry_seq == seq)
    ).scalar_one_or_none()
    if donation is None:
        return
    donation.status = step(RECEIPT_STEPS, "receipt", donation.status, "void")
    donation.voided_on = reversal.entry_on
    donation.void_reason = reason[:500]
    donation.void_entry_seq = reversal.seq
    uow.emit(
        ReceiptVoided(
            by=actor,
            association_id=books.association.id,
            receipt_number=donation.receipt_number,
            reason=reason,
            reversal_seq=reversal.seq,
            replacement=replacement,
            donation_id=donation.id,
        )
    )


def get_receipt(uow: UnitOfWork, books: Books, number: str) -> Donation:
    return find_receipt(uow, books.association.id, number)


def find_receipt(uow: UnitOfWork, association_id: int, number: str) -> Donation:
    donation = uow.session.execute(
        select(Donation).where(Donation.association_id == association_id, Donation.receipt_number == number)
    ).scalar_one_or_none()
    if donation is None:
        raise NotFound(f"biên nhận {number}", f"receipt {number}")
    return donation


def receipt(uow: UnitOfWork, books: Books, number: str) -> ReceiptView:
    donation = get_receipt(uow, books, number)
    return receipt_view(donation, books.funds_by_id[donation.fund_id].code)
