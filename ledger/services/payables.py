"""Awards payable (338): an award decided now (a disbursement ``paid_from: payable``, Dr 6xx /
Cr 338) is paid later from cash or bank (Dr 338 / Cr 111 or 112), with a voucher number.

Payables move only this way (DESIGN.md "Controls"): a hand-made entry never touches 338, so
nothing can be "owed" that no decided award put there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ledger.clock import today_vn
from ledger.domain.accounts import AWARDS_PAYABLE
from ledger.domain.entries import MEMO_MAX_CHARS
from ledger.domain.errors import LedgerError, ValidationFailed
from ledger.domain.events import AwardPaid
from ledger.domain.money import format_vnd, is_amount_vnd
from ledger.domain.templates import payment_entry
from ledger.domain.vouchers import PAYMENT_VOUCHER
from ledger.persistence.models import Beneficiary, JournalLine
from ledger.services.access import Actor
from ledger.services.journal import Books, EntryView, post_entries
from ledger.services.numbering import next_number
from ledger.services.unit_of_work import UnitOfWork

PAID_WITH = ("cash", "bank")


class MoreThanOwed(LedgerError):
    code = "more_than_owed"
    title = "More than the fund owes this beneficiary"

    def __init__(self, fund: str, beneficiary_id: int, owed_vnd: int, amount_vnd: int) -> None:
        super().__init__(
            f"Quỹ {fund} chỉ còn nợ người thụ hưởng số {beneficiary_id} {format_vnd(owed_vnd)} "
            f"(tài khoản 338), không thể trả {format_vnd(amount_vnd)}.",
            f"Fund {fund} owes beneficiary {beneficiary_id} only {format_vnd(owed_vnd, 'en')} (account 338); "
            f"{format_vnd(amount_vnd, 'en')} cannot be paid.",
            rule="payable_only_what_is_owed",
            owed=owed_vnd,
            amount=amount_vnd,
        )


@dataclass(frozen=True)
class PaymentCommand:
    fund: str
    beneficiary_id: int
    amount_vnd: int
    paid_from: str
    paid_on: date
    memo: str = ""


@dataclass(frozen=True)
class PaymentResult:
    entry: EntryView
    voucher_number: str
    owed_after_vnd: int


def owed(uow: UnitOfWork, books: Books, fund_id: int, beneficiary_id: int) -> int:
    """What fund ``fund_id`` still owes ``beneficiary_id`` on 338 (its credit balance for them)."""
    payable_id = books.accounts[AWARDS_PAYABLE].id
    total = uow.session.execute(
        select(func.coalesce(func.sum(JournalLine.credit_vnd - JournalLine.debit_vnd), 0)).where(
            JournalLine.association_id == books.association.id,
            JournalLine.account_id == payable_id,
            JournalLine.fund_id == fund_id,
            JournalLine.beneficiary_id == beneficiary_id,
        )
    ).scalar_one()
    return int(total)


def pay(uow: UnitOfWork, actor: Actor, books: Books, cmd: PaymentCommand) -> PaymentResult:
    """Pay (part of) an award a fund owes a beneficiary, from cash or bank, with a voucher number."""
    errors: dict[str, list[str]] = {}
    if cmd.fund not in books.funds:
        errors["fund"] = ["unknown fund"]
    if cmd.paid_from not in PAID_WITH:
        errors["paid_from"] = ["cash or bank"]
    if not is_amount_vnd(cmd.amount_vnd):
        errors["amount"] = ["must be a whole number of VND from 1 to 10^15"]
    if cmd.paid_on > today_vn(uow.clock()):
        errors["paid_on"] = ["a payment cannot be made in the future"]
    if len(cmd.memo) > MEMO_MAX_CHARS:
        errors["memo"] = [f"at most {MEMO_MAX_CHARS} characters"]
    known = uow.session.execute(
        select(Beneficiary.id).where(
            Beneficiary.association_id == books.association.id, Beneficiary.id == cmd.beneficiary_id
        )
    ).first()
    if known is None:
        errors["beneficiary_id"] = ["unknown beneficiary"]
    if errors:
        raise ValidationFailed(
            "Khoản trả có trường thiếu hoặc sai: xem chi tiết trong errors.",
            "The payment has fields that are missing or wrong: see errors.",
            errors=errors,
        )
    uow.lock_ledger(books.association.id)
    fund = books.funds[cmd.fund]
    outstanding = owed(uow, books, fund.id, cmd.beneficiary_id)
    if cmd.amount_vnd > outstanding:
        raise MoreThanOwed(fund.code, cmd.beneficiary_id, outstanding, cmd.amount_vnd)
    draft = payment_entry(
        fund=cmd.fund,
        beneficiary_id=cmd.beneficiary_id,
        paid_from=cmd.paid_from,
        amount_vnd=cmd.amount_vnd,
        paid_on=cmd.paid_on,
        memo=cmd.memo or f"Trả khoản khen thưởng đã quyết định (người thụ hưởng số {cmd.beneficiary_id})",
    )
    entry = post_entries(uow, books, [draft], created_by=actor.user_id)[0]
    number = next_number(uow, books.association, PAYMENT_VOUCHER[cmd.paid_from].series, cmd.paid_on.year)
    uow.emit(
        AwardPaid(
            by=actor,
            association_id=books.association.id,
            seq=entry.seq,
            fund=cmd.fund,
            beneficiary_id=cmd.beneficiary_id,
            amount_vnd=cmd.amount_vnd,
            voucher=number,
        )
    )
    return PaymentResult(entry, number, outstanding - cmd.amount_vnd)
