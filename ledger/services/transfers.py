"""Moving money between two funds of an association, where the fund it leaves allows it.

Every fund balances by itself (fund accounting), so a transfer is four lines: the money
leaves the source fund's cash or bank account and enters the target fund's, and the fund
balance account 431 records that the source fund's net assets went down and the target's up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.clock import today_vn
from ledger.domain.accounts import BANK, CASH, parent_code
from ledger.domain.entries import MEMO_MAX_CHARS
from ledger.domain.errors import ValidationFailed
from ledger.domain.events import TransferPosted
from ledger.domain.money import is_amount_vnd
from ledger.domain.policy import check_transfer_out
from ledger.domain.templates import transfer_entry
from ledger.services.access import Actor
from ledger.services.funds import policies_in_force
from ledger.services.journal import Books, EntryView, post_entries
from ledger.services.unit_of_work import UnitOfWork

#: Only money moves between funds; goods stay with the fund they were given to.
TRANSFER_ACCOUNTS = (CASH, BANK)


@dataclass(frozen=True)
class TransferCommand:
    from_fund: str
    to_fund: str
    amount_vnd: int
    #: ``111`` or ``112`` (or one of their sub-accounts, e.g. ``112.1``).
    account: str
    on: date
    memo: str = ""


def transfer(uow: UnitOfWork, actor: Actor, books: Books, cmd: TransferCommand) -> EntryView:
    """Post a transfer between funds; refused out of a fund whose money is bound to its purpose.

    Restricted and endowment funds never give money to another fund unless their policy says
    so (Decree 03/2026/NĐ-CP: use for the purpose given); the source fund's cash or bank may
    not go below zero, pending reservations counted.
    """
    errors: dict[str, list[str]] = {}
    if cmd.from_fund not in books.funds:
        errors["from_fund"] = ["unknown fund"]
    if cmd.to_fund not in books.funds:
        errors["to_fund"] = ["unknown fund"]
    if cmd.from_fund == cmd.to_fund:
        errors["to_fund"] = ["must be another fund than from_fund"]
    if cmd.account not in books.accounts or parent_code(cmd.account) not in TRANSFER_ACCOUNTS:
        errors["account"] = ["must be a cash (111) or bank (112) account of this association"]
    if not is_amount_vnd(cmd.amount_vnd):
        errors["amount"] = ["must be a whole number of VND from 1 to 10^15"]
    if cmd.on > today_vn(uow.clock()):
        errors["on"] = ["a transfer cannot be made in the future"]
    if len(cmd.memo) > MEMO_MAX_CHARS:
        errors["memo"] = [f"at most {MEMO_MAX_CHARS} characters"]
    if errors:
        raise ValidationFailed(
            "Chuyển tiền giữa các quỹ: có trường thiếu hoặc sai, xem chi tiết trong errors.",
            "The transfer between funds has fields that are missing or wrong: see errors.",
            errors=errors,
        )
    uow.lock_ledger(books.association.id)
    source = books.funds[cmd.from_fund]
    _, policy = policies_in_force(uow, [source.id])[source.id]
    check_transfer_out(source.restriction, policy)
    draft = transfer_entry(
        from_fund=cmd.from_fund,
        to_fund=cmd.to_fund,
        account=cmd.account,
        amount_vnd=cmd.amount_vnd,
        on=cmd.on,
        memo=cmd.memo or f"Chuyển tiền từ quỹ {cmd.from_fund} sang quỹ {cmd.to_fund}",
    )
    entry = post_entries(uow, books, [draft], created_by=actor.user_id)[0]
    uow.emit(
        TransferPosted(
            by=actor,
            association_id=books.association.id,
            seq=entry.seq,
            from_fund=cmd.from_fund,
            to_fund=cmd.to_fund,
            amount_vnd=cmd.amount_vnd,
            account=cmd.account,
        )
    )
    return entry
