"""The posting service: the only way anything reaches the journal, and the journal's reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, select

from ledger.clock import today_vn
from ledger.domain import posting
from ledger.domain.accounts import AccountType
from ledger.domain.dated import check_after_lock
from ledger.domain.entries import EntryDraft, LineDraft, validate_entry
from ledger.domain.errors import InsufficientFunds, NotFound, ValidationFailed
from ledger.domain.events import EntryPosted
from ledger.domain.posting import AccountFacts, BalanceKey, ChartFacts, at_item
from ledger.domain.templates import check_general_entry, reversal_entry
from ledger.persistence import journal_store
from ledger.persistence.models import (
    Account,
    Association,
    Balance,
    Beneficiary,
    Donor,
    Fund,
    JournalEntry,
    JournalLine,
)
from ledger.services.access import Actor
from ledger.services.dated_balances import check_on_their_dates
from ledger.services.unit_of_work import UnitOfWork

__all__ = ["BalanceKey", "Books", "EntryView", "at_item", "post_entries"]


class EntryView(NamedTuple):
    """A posted entry as the API and documents show it (a named tuple: one is made for every
    posted entry, and a frozen dataclass takes longer to make than the entry takes to hash)."""

    association: str
    seq: int
    entry_on: date
    memo: str
    kind: str
    lines: tuple[LineDraft, ...]
    hash: str
    prev_hash: str
    reverses: int | None
    reversed_by: int | None
    created_at: datetime
    created_by: int | None


class Books:
    """One association's chart and funds, loaded once per unit of work.

    A caller that has them already (the API keeps each chart per process and reads the funds
    with the association: ``services/charts.py``) passes them in instead.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        association: Association,
        *,
        accounts: Iterable[Account] | None = None,
        funds: Iterable[Fund] | None = None,
    ) -> None:
        self.uow = uow
        self.association = association
        if accounts is None:
            accounts = uow.session.execute(select(Account).where(Account.association_id == association.id)).scalars()
        self.accounts: dict[str, Account] = {a.code: a for a in accounts}
        self.accounts_by_id = {a.id: a for a in self.accounts.values()}
        if funds is None:
            funds = uow.session.execute(select(Fund).where(Fund.association_id == association.id)).scalars()
        self.funds: dict[str, Fund] = {f.code: f for f in funds}
        self.funds_by_id = {f.id: f for f in self.funds.values()}
        #: The chart as the posting rules read it (``ledger.domain.posting``).
        self.chart = ChartFacts(
            accounts={
                code: AccountFacts(a.id, a.holds_goods, a.non_negative, AccountType(a.type))
                for code, a in self.accounts.items()
            },
            funds={code: f.id for code, f in self.funds.items()},
        )
        #: Donors this unit of work has found to be the association's (``donations.known_donor``).
        self.known_donors: set[int] = set()

    def fund(self, code: str) -> Fund:
        fund = self.funds.get(code)
        if fund is None:
            raise NotFound(f"quỹ {code}", f"fund {code}")
        return fund

    def account(self, code: str) -> Account:
        account = self.accounts.get(code)
        if account is None:
            raise NotFound(f"tài khoản {code}", f"account {code}")
        return account


def _check_parties(uow: UnitOfWork, books: Books, drafts: Sequence[EntryDraft]) -> None:
    """Refuse donors and beneficiaries that are not this association's (one query per kind).

    A line naming another association's donor would credit them with this association's
    money, and would tell the poster that such a donor exists.
    """
    association_id = books.association.id
    donors = {line.donor_id for d in drafts for line in d.lines if line.donor_id is not None}
    beneficiaries = {line.beneficiary_id for d in drafts for line in d.lines if line.beneficiary_id is not None}
    wanted = {
        "donor_id": (donors, books.known_donors, _KNOWN_DONORS),
        "beneficiary_id": (beneficiaries, set(), _KNOWN_BENEFICIARIES),
    }
    for field_name, (ids, found_before, query) in wanted.items():
        asked = ids - found_before
        if not asked:
            continue
        params = {"association": association_id, "ids": list(asked)}
        known = found_before | set(uow.session.connection().execute(query, params).scalars())
        if ids <= known:
            continue
        for index, draft in enumerate(drafts):
            for i, line in enumerate(draft.lines):
                if getattr(line, field_name) not in known | {None}:
                    error = ValidationFailed(
                        "Bút toán nhắc đến nhà tài trợ hoặc người thụ hưởng không có trong sổ của hội.",
                        "The entry names a donor or beneficiary this association does not have.",
                        errors={f"lines.{i}.{field_name}": ["unknown in this association"]},
                    )
                    raise at_item(error, index) if len(drafts) > 1 else error


_KNOWN_DONORS = select(Donor.id).where(
    Donor.association_id == bindparam("association"), Donor.id.in_(bindparam("ids", expanding=True))
)
_KNOWN_BENEFICIARIES = select(Beneficiary.id).where(
    Beneficiary.association_id == bindparam("association"), Beneficiary.id.in_(bindparam("ids", expanding=True))
)


def post_entries(
    uow: UnitOfWork,
    books: Books,
    drafts: Sequence[EntryDraft],
    *,
    created_by: int | None,
) -> list[EntryView]:
    """Validate, number, chain and write ``drafts`` in order, all or nothing.

    Every check runs before the first write (``ledger.domain.posting``): the entry balances per
    fund, names only this association's accounts, funds and parties, falls in an open period,
    and leaves no cash, bank or goods position below zero once pending reservations are
    counted. Balances are updated in the same transaction so that reading one never scans history.
    """
    association, chart, session = books.association, books.chart, uow.session
    # What needs no lock is checked before taking it: every other writer of the association
    # waits from the moment it is taken until this transaction commits.
    posting.check_drafts(drafts, chart)
    _check_parties(uow, books, drafts)
    ledger = uow.lock_ledger(association.id)
    # The lock date covers every closed year; it is named first, with the day it locks through.
    check_after_lock([draft.entry_on for draft in drafts], ledger.lock_on)
    posting.check_open_periods(drafts, ledger.closed_years)
    check_on_their_dates(uow, association.id, drafts, ledger.last_entry_on, chart)
    session.flush()  # what the ORM holds back (a reservation, say) is read with the balances
    positions = journal_store.read_positions(session, association.id, posting.fund_ids_of(drafts, chart))
    # Goods promised to pending disbursements are not free to leave by any other way either.
    goods_out = posting.credits_goods(drafts, chart)
    pending = journal_store.pending_goods(session, association.id) if goods_out else posting.NO_PENDING_GOODS
    plan = posting.apply_drafts(positions, drafts, chart, pending)
    created_at = uow.clock()
    sealed = posting.seal(drafts, (ledger.head_seq, ledger.head_hash), association.code, created_at, created_by)
    written = journal_store.append(session, association.id, sealed, chart, count=len(drafts))
    journal_store.write_balances(session, association.id, plan)
    reversed_seqs = {d.reverses_seq for d in drafts if d.reverses_seq is not None}
    closings = journal_store.closing_seqs(session, association.id, reversed_seqs)
    journal_store.add_year_totals(session, association.id, posting.year_totals(drafts, chart, closings))
    if written:
        ledger.head_seq, ledger.head_hash = written[-1].seq, written[-1].hash
        newest = max(draft.entry_on for draft in drafts)
        if ledger.last_entry_on is None or newest > ledger.last_entry_on:
            ledger.last_entry_on = newest
        journal_store.move_head(session, association.id, ledger.head_seq, ledger.head_hash, ledger.last_entry_on)
    code = association.code
    return [
        EntryView(
            code, seq, d.entry_on, d.memo, d.kind, d.lines, digest, prev, d.reverses_seq, None, created_at, created_by
        )
        for seq, prev, digest, d, _ in written
    ]


def reserve(uow: UnitOfWork, books: Books, amounts: Mapping[BalanceKey, int]) -> None:
    """Set ``amounts`` aside on their (account, fund, item) balances for pending disbursements.

    Each pair must have that much available (posted balance less what is already reserved),
    else ``InsufficientFunds`` and nothing changes; a pair with no balance row yet gets one.
    Called under the ledger lock, so two pending spends can never promise the same money:
    ``post_entries`` then counts the reservations when it checks that nothing goes below zero.
    """
    association_id = books.association.id
    assert uow.holds_lock(association_id), "reservations change under the ledger lock"
    wanted = {key: amount for key, amount in amounts.items() if amount}
    if not wanted:
        return
    stored = journal_store.load_balances(uow.session, association_id, {key[1] for key in wanted})
    for key, amount in sorted(wanted.items()):
        assert amount > 0, amount
        row = stored.get(key)
        available = row.net_debit_vnd - row.reserved_vnd if row is not None else 0
        if available < amount:
            account_id, fund_id, item = key
            raise InsufficientFunds(
                books.accounts_by_id[account_id].code, books.funds_by_id[fund_id].code, available, amount, item
            )
    for key, amount in wanted.items():
        row = stored.get(key)
        if row is None:
            account_id, fund_id, item = key
            uow.session.add(
                Balance(
                    association_id=association_id,
                    account_id=account_id,
                    fund_id=fund_id,
                    item=item,
                    net_debit_vnd=0,
                    quantity=0,
                    reserved_vnd=amount,
                )
            )
        else:
            row.reserved_vnd += amount
    uow.session.flush()


def release(uow: UnitOfWork, books: Books, key: BalanceKey, amount_vnd: int) -> None:
    """Give back what a pending disbursement had set aside (it was approved or rejected)."""
    association_id = books.association.id
    assert uow.holds_lock(association_id), "reservations change under the ledger lock"
    row = journal_store.load_balances(uow.session, association_id, {key[1]}).get(key)
    # A reservation is only ever released by the disbursement that made it, so it is there.
    assert row is not None and row.reserved_vnd >= amount_vnd, (key, amount_vnd)
    row.reserved_vnd -= amount_vnd
    uow.session.flush()


def entry_lines(uow: UnitOfWork, books: Books, seqs: Sequence[int]) -> dict[int, list[LineDraft]]:
    """The lines of the entries ``seqs``, in line order, with codes rather than ids."""
    rows = uow.session.execute(
        select(JournalLine.seq, JournalLine.account_id, JournalLine.fund_id, *journal_store.LINE_VALUE_COLUMNS)
        .where(JournalLine.association_id == books.association.id, JournalLine.seq.in_(seqs))
        .order_by(JournalLine.seq, JournalLine.line_no)
    )
    accounts, funds = books.accounts_by_id, books.funds_by_id
    out: dict[int, list[LineDraft]] = defaultdict(list)
    for seq, account_id, fund_id, *values in rows:
        out[seq].append(LineDraft.of(accounts[account_id].code, funds[fund_id].code, tuple(values)))
    return out


def _views(uow: UnitOfWork, books: Books, entries: Sequence[JournalEntry]) -> list[EntryView]:
    seqs = [e.seq for e in entries]
    if not seqs:
        return []
    lines = entry_lines(uow, books, seqs)
    reversed_by = dict(
        uow.session.execute(
            select(JournalEntry.reverses_seq, JournalEntry.seq).where(
                JournalEntry.association_id == books.association.id,
                JournalEntry.reverses_seq.in_(seqs),
            )
        ).all()
    )
    return [
        EntryView(
            association=books.association.code,
            seq=e.seq,
            entry_on=e.entry_on,
            memo=e.memo,
            kind=e.kind,
            lines=tuple(lines[e.seq]),
            hash=e.hash,
            prev_hash=e.prev_hash,
            reverses=e.reverses_seq,
            reversed_by=reversed_by.get(e.seq),
            created_at=e.created_at,
            created_by=e.created_by,
        )
        for e in entries
    ]


def get_entry(uow: UnitOfWork, books: Books, seq: int) -> EntryView:
    entry = uow.session.get(JournalEntry, (books.association.id, seq))
    if entry is None:
        raise NotFound(f"bút toán số {seq}", f"entry {seq}")
    return _views(uow, books, [entry])[0]


@dataclass(frozen=True)
class EntryFilter:
    from_on: date | None = None
    to_on: date | None = None
    fund: str | None = None
    account: str | None = None
    after_seq: int = 0
    limit: int = 100


def list_entries(uow: UnitOfWork, books: Books, flt: EntryFilter) -> tuple[list[EntryView], int | None]:
    """A page of entries in seq order, and the seq to continue after (``None`` at the end)."""
    stmt = select(JournalEntry).where(
        JournalEntry.association_id == books.association.id, JournalEntry.seq > flt.after_seq
    )
    if flt.from_on:
        stmt = stmt.where(JournalEntry.entry_on >= flt.from_on)
    if flt.to_on:
        stmt = stmt.where(JournalEntry.entry_on <= flt.to_on)
    if flt.fund or flt.account:
        lines = select(JournalLine.seq).where(JournalLine.association_id == books.association.id)
        if flt.fund:
            if flt.fund not in books.funds:
                raise ValidationFailed(
                    f"Hội không có quỹ {flt.fund}.", f"No fund {flt.fund} here.", errors={"fund": ["unknown fund"]}
                )
            lines = lines.where(JournalLine.fund_id == books.funds[flt.fund].id)
        if flt.account:
            if flt.account not in books.accounts:
                raise ValidationFailed(
                    f"Hội không có tài khoản {flt.account}.",
                    f"No account {flt.account} here.",
                    errors={"account": ["unknown account"]},
                )
            lines = lines.where(JournalLine.account_id == books.accounts[flt.account].id)
        stmt = stmt.where(JournalEntry.seq.in_(lines))
    rows = list(uow.session.execute(stmt.order_by(JournalEntry.seq).limit(flt.limit + 1)).scalars())
    more = len(rows) > flt.limit
    rows = rows[: flt.limit]
    return _views(uow, books, rows), (rows[-1].seq if more and rows else None)


def reverse_entry(
    uow: UnitOfWork,
    books: Books,
    seq: int,
    *,
    reason: str,
    reversed_on: date,
    created_by: int | None,
) -> EntryView:
    """Post the entry that undoes entry ``seq``; an entry is reversed at most once.

    The journal is append-only: the original stays as it was and the reversal points to
    it. Reversing is refused when what it gives back has already been spent (cash, bank or
    goods would go below zero), as any other posting would be.
    """
    uow.lock_ledger(books.association.id)
    original = get_entry(uow, books, seq)
    draft = reversal_entry(original, reason=reason, reversed_on=reversed_on, today=today_vn(uow.clock()))
    return post_entries(uow, books, [draft], created_by=created_by)[0]


def post_general_entry(uow: UnitOfWork, actor: Actor, books: Books, draft: EntryDraft) -> EntryView:
    """Post a hand-made entry: a move between cash and bank inside a fund, or opening balances.

    It never spends nor earns (``domain/templates.check_general_entry``): income is a donation,
    pledge or interest, spending a disbursement, a move between funds a transfer (checked against
    the source fund's policy), receivables and payables move through pledges and awards.
    """
    association = books.association
    # Debits ≠ credits is said first, with each fund's difference, before any other rule speaks.
    validate_entry(draft)
    head = uow.lock_ledger(association.id)
    # Only an opening entry may raise net assets, and only before the first transaction.
    opening_late = draft.kind == "opening" and _has_transactions(uow, association.id, head.head_seq)
    check_general_entry(draft, books.chart, today=today_vn(uow.clock()), has_transactions=opening_late)
    entry = post_entries(uow, books, [draft], created_by=actor.user_id)[0]
    uow.emit(EntryPosted(by=actor, association_id=association.id, seq=entry.seq, kind=draft.kind))
    return entry


def _has_transactions(uow: UnitOfWork, association_id: int, head_seq: int) -> bool:
    """Whether anything but opening balances was posted already."""
    if head_seq == 0:
        return False
    return (
        uow.session.execute(
            select(JournalEntry.seq)
            .where(JournalEntry.association_id == association_id, JournalEntry.kind != "opening")
            .limit(1)
        ).first()
        is not None
    )
