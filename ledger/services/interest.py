"""Interest a fund's bank deposit earned: what an endowment may spend, since its principal is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.clock import today_vn
from ledger.domain.accounts import BANK, parent_code
from ledger.domain.entries import MEMO_MAX_CHARS
from ledger.domain.errors import ValidationFailed
from ledger.domain.events import InterestPosted
from ledger.domain.money import is_amount_vnd
from ledger.domain.templates import interest_entry
from ledger.services.access import Actor
from ledger.services.journal import Books, EntryView, post_entries
from ledger.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class InterestCommand:
    fund: str
    amount_vnd: int
    on: date
    #: ``112`` or one of its sub-accounts: interest is paid into a bank account.
    account: str = BANK
    memo: str = ""


def record_interest(uow: UnitOfWork, actor: Actor, books: Books, cmd: InterestCommand) -> EntryView:
    """Post interest earned by a fund: Dr 112 bank deposits, Cr 515 interest income."""
    errors: dict[str, list[str]] = {}
    if cmd.fund not in books.funds:
        errors["fund"] = ["unknown fund"]
    if cmd.account not in books.accounts or parent_code(cmd.account) != BANK:
        errors["account"] = ["must be a bank account (112) of this association"]
    if not is_amount_vnd(cmd.amount_vnd):
        errors["amount"] = ["must be a whole number of VND from 1 to 10^15"]
    if cmd.on > today_vn(uow.clock()):
        errors["on"] = ["interest cannot be earned in the future"]
    if len(cmd.memo) > MEMO_MAX_CHARS:
        errors["memo"] = [f"at most {MEMO_MAX_CHARS} characters"]
    if errors:
        raise ValidationFailed(
            "Lãi tiền gửi: có trường thiếu hoặc sai, xem chi tiết trong errors.",
            "The interest has fields that are missing or wrong: see errors.",
            errors=errors,
        )
    draft = interest_entry(
        fund=cmd.fund,
        account=cmd.account,
        amount_vnd=cmd.amount_vnd,
        on=cmd.on,
        memo=cmd.memo or f"Lãi tiền gửi của quỹ {cmd.fund}",
    )
    entry = post_entries(uow, books, [draft], created_by=actor.user_id)[0]
    uow.emit(
        InterestPosted(
            by=actor, association_id=books.association.id, seq=entry.seq, fund=cmd.fund, amount_vnd=cmd.amount_vnd
        )
    )
    return entry
