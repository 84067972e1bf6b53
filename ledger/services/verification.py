"""Proof that the books were not altered: the hash chain recomputed, balances recomputed from lines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select

from ledger.domain.chain import ChainReport, SealedEntry, verify_chain
from ledger.domain.entries import LineDraft
from ledger.persistence.models import (
    Account,
    Association,
    Balance,
    Disbursement,
    Donation,
    Fund,
    JournalEntry,
    JournalLine,
    LedgerHead,
)
from ledger.services.unit_of_work import UnitOfWork

#: Rows fetched per round trip when streaming the journal.
STREAM_CHUNK = 20_000


def _sealed_entries(uow: UnitOfWork, association: Association) -> Iterator[tuple[SealedEntry, str, str]]:
    """The journal in seq order, streamed, each entry with its lines, as the chain hashes it."""
    accounts = dict(
        uow.session.execute(select(Account.id, Account.code).where(Account.association_id == association.id)).all()
    )
    funds = dict(uow.session.execute(select(Fund.id, Fund.code).where(Fund.association_id == association.id)).all())
    entries = _driver_rows(
        uow,
        select(
            JournalEntry.seq,
            JournalEntry.entry_on,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalEntry.reverses_seq,
            JournalEntry.created_at,
            JournalEntry.created_by,
            JournalEntry.prev_hash,
            JournalEntry.hash,
        )
        .where(JournalEntry.association_id == association.id)
        .order_by(JournalEntry.seq),
        "verify_entries",
        dates=(1,),
        instants=(5,),
    )
    line_rows = _driver_rows(
        uow,
        select(
            JournalLine.seq,
            JournalLine.account_id,
            JournalLine.fund_id,
            JournalLine.debit_vnd,
            JournalLine.credit_vnd,
            JournalLine.quantity,
            JournalLine.unit,
            JournalLine.item,
            JournalLine.donor_id,
            JournalLine.beneficiary_id,
        )
        .where(JournalLine.association_id == association.id)
        .order_by(JournalLine.seq, JournalLine.line_no),
        "verify_lines",
    )
    try:
        yield from _pair_up(association.code, entries, line_rows, accounts, funds)
    finally:
        # A verification that stops at the first bad entry leaves the cursors half-read.
        entries.close()
        line_rows.close()


def _driver_rows(
    uow: UnitOfWork,
    stmt: Any,
    cursor_name: str,
    *,
    dates: tuple[int, ...] = (),
    instants: tuple[int, ...] = (),
) -> Generator[tuple[Any, ...], None, None]:
    """The rows of ``stmt`` from the driver's own cursor, :data:`STREAM_CHUNK` at a time.

    Verification reads every entry and line there is; SQLAlchemy's result rows (and the UTC
    column type's conversion) cost as much as the hashing (docs/benchmarks.md). PostgreSQL
    streams through a named server-side cursor; SQLite's cursor streams as it is, and its
    dates and instants, stored as ISO text, are parsed here as the column types would.
    """
    connection = uow.session.connection()
    dialect = connection.dialect
    compiled = stmt.compile(dialect=dialect)
    driver: Any = connection.connection.driver_connection
    if dialect.name == "postgresql":
        cursor = driver.cursor(name=cursor_name)
        cursor.itersize = STREAM_CHUNK
        cursor.execute(str(compiled), compiled.params)
    else:
        cursor = driver.cursor()
        cursor.execute(str(compiled), [compiled.params[name] for name in compiled.positiontup or ()])
    text_values = dialect.name == "sqlite" and bool(dates or instants)
    try:
        while batch := cursor.fetchmany(STREAM_CHUNK):
            if not text_values:
                yield from batch
                continue
            for row in batch:
                values = list(row)
                for i in dates:
                    values[i] = date.fromisoformat(values[i])
                for i in instants:
                    values[i] = datetime.fromisoformat(values[i])
                yield tuple(values)
    finally:
        cursor.close()


def _pair_up(
    code: str, entries: Any, lines: Iterator[Any], accounts: dict[int, str], funds: dict[int, str]
) -> Iterator[tuple[SealedEntry, str, str]]:
    pending = next(lines, None)
    for seq, entry_on, kind, memo, reverses, created_at, created_by, prev_hash, digest in entries:
        own: list[LineDraft] = []
        while pending is not None and pending[0] <= seq:
            if pending[0] == seq:
                _, acc, fund, debit, credit, qty, unit, item, donor, beneficiary = pending
                own.append(
                    LineDraft(
                        accounts.get(acc, f"?{acc}"),
                        funds.get(fund, f"?{fund}"),
                        debit,
                        credit,
                        qty,
                        unit,
                        item,
                        donor,
                        beneficiary,
                    )
                )
            pending = next(lines, None)
        yield (
            SealedEntry(code, seq, entry_on, kind, memo, reverses, created_at, created_by, tuple(own)),
            prev_hash,
            digest,
        )


def verify_association(uow: UnitOfWork, association: Association) -> ChainReport:
    """Recompute the association's chain and name the first entry that does not match."""
    head = uow.session.get(LedgerHead, association.id)
    expected = (head.head_seq, head.head_hash) if head is not None else None
    return verify_chain(_sealed_entries(uow, association), expected_head=expected)


@dataclass(frozen=True)
class BalanceMismatch:
    account: str
    fund: str
    item: str
    materialised_vnd: int
    recomputed_vnd: int
    materialised_quantity: int
    recomputed_quantity: int


def check_balances(uow: UnitOfWork, association: Association) -> list[BalanceMismatch]:
    """Recompute every (account, fund, item) balance from the lines and compare with the stored ones."""
    accounts = {
        a.id: a for a in uow.session.execute(select(Account).where(Account.association_id == association.id)).scalars()
    }
    funds = dict(uow.session.execute(select(Fund.id, Fund.code).where(Fund.association_id == association.id)).all())
    recomputed: dict[tuple[int, int, str], list[int]] = defaultdict(lambda: [0, 0])
    rows = uow.session.execute(
        select(
            JournalLine.account_id,
            JournalLine.fund_id,
            JournalLine.item,
            func.sum(JournalLine.debit_vnd - JournalLine.credit_vnd),
            func.sum(
                func.coalesce(JournalLine.quantity, 0)
                * (func.sign(JournalLine.debit_vnd) - func.sign(JournalLine.credit_vnd))
            ),
        )
        .where(JournalLine.association_id == association.id)
        .group_by(JournalLine.account_id, JournalLine.fund_id, JournalLine.item)
    )
    for account_id, fund_id, item, net, qty in rows:
        goods = accounts[account_id].holds_goods
        key = (account_id, fund_id, (item or "") if goods else "")
        recomputed[key][0] += int(net or 0)
        if goods:
            recomputed[key][1] += int(qty or 0)
    stored = {
        (b.account_id, b.fund_id, b.item): (b.net_debit_vnd, b.quantity)
        for b in uow.session.execute(select(Balance).where(Balance.association_id == association.id)).scalars()
    }
    out: list[BalanceMismatch] = []
    for key in sorted(set(recomputed) | set(stored)):
        net, qty = recomputed.get(key, [0, 0])
        s_net, s_qty = stored.get(key, (0, 0))
        if (net, qty) != (s_net, s_qty):
            account_id, fund_id, item = key
            out.append(
                BalanceMismatch(accounts[account_id].code, funds.get(fund_id, "?"), item, s_net, net, s_qty, qty)
            )
    return out


def check_documents(uow: UnitOfWork, association: Association) -> list[str]:
    """Receipts and vouchers must say what their (hashed) entries say.

    A document row is not covered by the hash chain, so its amount, date and fund are
    compared with its entry: a receipt changed behind the service's back is caught here.
    """
    lines = (
        select(
            JournalLine.seq.label("seq"),
            func.sum(JournalLine.debit_vnd).label("debit"),
            func.min(JournalLine.fund_id).label("fund_min"),
            func.max(JournalLine.fund_id).label("fund_max"),
        )
        .where(JournalLine.association_id == association.id)
        .group_by(JournalLine.seq)
        .subquery()
    )
    problems: list[str] = []
    documents = (
        (
            "receipt",
            Donation.receipt_number,
            Donation.entry_seq,
            Donation.amount_vnd,
            Donation.received_on,
            Donation.fund_id,
            Donation.association_id,
            None,
        ),
        (
            "voucher",
            Disbursement.voucher_number,
            Disbursement.entry_seq,
            Disbursement.amount_vnd,
            Disbursement.paid_on,
            Disbursement.fund_id,
            Disbursement.association_id,
            Disbursement.entry_seq.is_not(None),
        ),
    )
    for kind, number, entry_seq, amount, on, fund_id, assoc, posted in documents:
        stmt = (
            select(
                number,
                entry_seq,
                amount,
                on,
                fund_id,
                lines.c.debit,
                lines.c.fund_min,
                lines.c.fund_max,
                JournalEntry.entry_on,
            )
            .outerjoin(lines, lines.c.seq == entry_seq)
            .outerjoin(JournalEntry, and_(JournalEntry.association_id == assoc, JournalEntry.seq == entry_seq))
            .where(assoc == association.id)
        )
        if posted is not None:
            stmt = stmt.where(posted)
        for doc_number, seq, amount_vnd, doc_on, doc_fund, debit, fund_min, fund_max, entry_on in uow.session.execute(
            stmt
        ):
            if entry_on is None:
                problems.append(f"{kind} {doc_number}: its entry {seq} is missing")
            elif (int(debit or 0), doc_on, doc_fund, doc_fund) != (amount_vnd, entry_on, fund_min, fund_max):
                problems.append(f"{kind} {doc_number} does not match entry {seq} (amount, date or fund)")
    return problems
