"""The general ledger (sổ cái) of one association, streamed: every line per account and fund, with running balances.

Built for exports of millions of lines in bounded memory: one query ordered by account,
fund and entry, read through a server-side cursor in large chunks (PostgreSQL's would fetch
100 rows per round trip otherwise, PERFORMANCE.md), each row handed on as soon as it is read.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Iterator
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, select

from ledger.domain.accounts import DEBIT_NORMAL
from ledger.persistence.models import Account, Association, Fund, JournalEntry, JournalLine
from ledger.services.unit_of_work import UnitOfWork

#: Rows fetched per round trip: large enough that the round trips stop mattering, small
#: enough that a chunk stays a few megabytes.
STREAM_CHUNK = 20_000


class LedgerRow(NamedTuple):
    """One line of the general ledger; ``balance_vnd`` is the running balance on the account's normal side.

    A plain tuple, so that a CSV writer takes it as it is and millions cost little.
    """

    account: str
    account_name: str
    fund: str
    seq: int
    entry_on: date
    kind: str
    memo: str
    debit_vnd: int
    credit_vnd: int
    balance_vnd: int
    quantity: int | None
    unit: str | None
    item: str | None


_cursor_numbers = itertools.count(1)

#: ``kind`` of the row that carries an (account, fund)'s balance brought forward from before ``from_on``.
OPENING_KIND = "opening_balance"


def general_ledger_rows(
    uow: UnitOfWork,
    association: Association,
    *,
    from_on: date | None = None,
    to_on: date | None = None,
    chunk: int = STREAM_CHUNK,
) -> Iterator[LedgerRow]:
    """The ledger lines of ``association`` dated ``from_on``..``to_on`` (inclusive, either open),
    ordered by account code, fund code, then entry and line number.

    With ``from_on``, each (account, fund) that had a balance before it starts with an
    ``opening_balance`` row (seq 0). The lines come from one statement; for the openings and
    the lines to be one reading while others post, open the unit of work with ``snapshot=True``.
    """
    session = uow.session
    debit_normal = {t.value for t in DEBIT_NORMAL}
    opening: dict[tuple[str, str], tuple[str, str, int]] = {}
    if from_on is not None:
        before = session.execute(
            select(
                Account.code,
                Account.name,
                Account.type,
                Fund.code,
                func.sum(JournalLine.debit_vnd - JournalLine.credit_vnd),
            )
            .join(Account, Account.id == JournalLine.account_id)
            .join(Fund, Fund.id == JournalLine.fund_id)
            .join(
                JournalEntry,
                and_(JournalEntry.association_id == JournalLine.association_id, JournalEntry.seq == JournalLine.seq),
            )
            .where(JournalLine.association_id == association.id, JournalEntry.entry_on < from_on)
            .group_by(Account.code, Account.name, Account.type, Fund.code)
        )
        for code, name, account_type, fund, net in before:
            if net:
                signed = int(net) if account_type in debit_normal else -int(net)
                opening[(code, fund)] = (name, account_type, signed)

    # The lines are sorted by the rank of their account and fund codes, computed here from the
    # small chart: the sort then compares integers and carries no names (the database sorted
    # wide rows by text before, and spilled them to disk sooner).
    accounts = session.execute(
        select(Account.id, Account.code, Account.name, Account.type)
        .where(Account.association_id == association.id)
        .order_by(Account.code)
    ).all()
    funds = session.execute(
        select(Fund.id, Fund.code).where(Fund.association_id == association.id).order_by(Fund.code)
    ).all()
    account_of = {row.id: (row.code, row.name, row.type) for row in accounts}
    fund_of = {row.id: row.code for row in funds}
    stmt = (
        select(
            JournalLine.account_id,
            JournalLine.fund_id,
            JournalLine.seq,
            JournalEntry.entry_on,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalLine.debit_vnd,
            JournalLine.credit_vnd,
            JournalLine.quantity,
            JournalLine.unit,
            JournalLine.item,
        )
        .join(
            JournalEntry,
            and_(JournalEntry.association_id == JournalLine.association_id, JournalEntry.seq == JournalLine.seq),
        )
        .where(JournalLine.association_id == association.id)
        .order_by(
            case(
                {row.id: rank for rank, row in enumerate(accounts)}, value=JournalLine.account_id, else_=len(accounts)
            ),
            case({row.id: rank for rank, row in enumerate(funds)}, value=JournalLine.fund_id, else_=len(funds)),
            JournalLine.seq,
            JournalLine.line_no,
        )
    )
    if from_on is not None:
        stmt = stmt.where(JournalEntry.entry_on >= from_on)
    if to_on is not None:
        stmt = stmt.where(JournalEntry.entry_on <= to_on)

    pending = sorted(opening)
    balance = 0
    debit_side = True
    rows = _stream(uow, stmt, chunk)
    try:
        code = name = fund = ""
        account_now = fund_now = None
        for account_id, fund_id, seq, entry_on, kind, memo, debit, credit, qty, unit, item in rows:
            # A new (account, fund) section starts exactly when the ids change: compared as
            # two integers, this is the only per-line bookkeeping besides the running balance.
            if account_id != account_now or fund_id != fund_now:
                account_now, fund_now = account_id, fund_id
                code, name, account_type = account_of[account_id]
                fund = fund_of[fund_id]
                key = (code, fund)
                # Accounts with a balance brought forward but no line in the period still show it.
                while pending and pending[0] <= key:
                    early = pending.pop(0)
                    if early != key:
                        yield _opening_row(early, opening[early], from_on)
                debit_side = account_type in debit_normal
                balance = opening[key][2] if key in opening else 0
                if key in opening:
                    yield _opening_row(key, opening[key], from_on)
            balance += (debit - credit) if debit_side else (credit - debit)
            yield LedgerRow(code, name, fund, seq, entry_on, kind, memo, debit, credit, balance, qty, unit, item)
        for early in pending:
            yield _opening_row(early, opening[early], from_on)
    finally:
        # A consumer that stops early (a cancelled download) must not leave the cursor open.
        rows.close()


def _stream(uow: UnitOfWork, stmt: Any, chunk: int) -> Generator[tuple[Any, ...], None, None]:
    """The rows of ``stmt`` straight from the driver's cursor, ``chunk`` at a time.

    SQLAlchemy's result rows cost more than fetching them (profiled in docs/benchmarks.md),
    so this export reads the driver's cursor: a named (server-side) cursor on PostgreSQL,
    sqlite3's own cursor on SQLite, whose dates come back as ISO text and are parsed here.
    It runs in the unit of work's transaction, like any other statement of it.
    """
    connection = uow.session.connection()
    dialect = connection.dialect
    compiled = stmt.compile(dialect=dialect)
    driver: Any = connection.connection.driver_connection
    if dialect.name == "postgresql":
        # A name of its own: two ledgers may be streamed in one transaction (a consolidation).
        cursor = driver.cursor(name=f"general_ledger_{next(_cursor_numbers)}")
        cursor.itersize = chunk
        cursor.execute(str(compiled), compiled.params)
    else:
        cursor = driver.cursor()
        cursor.execute(str(compiled), [compiled.params[name] for name in compiled.positiontup or ()])
    text_dates = dialect.name == "sqlite"
    try:
        while batch := cursor.fetchmany(chunk):
            if text_dates:
                for row in batch:
                    yield (*row[:3], date.fromisoformat(row[3]), *row[4:])
            else:
                yield from batch
    finally:
        cursor.close()


def _opening_row(key: tuple[str, str], value: tuple[str, str, int], from_on: date | None) -> LedgerRow:
    name, _account_type, balance = value
    assert from_on is not None
    return LedgerRow(key[0], name, key[1], 0, from_on, OPENING_KIND, "Số dư đầu kỳ", 0, 0, balance, None, None, None)
