"""The journal's store: reading positions, appending entries and lines, writing balances, moving the chain head.

Driver-level speed lives here and nowhere else (docs/benchmarks.md): PostgreSQL gets ``COPY``
for large batches and one multi-row ``INSERT`` otherwise, SQLite its driver's ``executemany``;
statements whose answer nobody reads wait for the next one (``pipeline.NO_ANSWER``). Every
path runs in the session's transaction and fires the same constraints and triggers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from ledger.domain.closing import CLOSING_KIND
from ledger.domain.entries import LINE_VALUE_FIELDS, line_values
from ledger.domain.posting import BalanceKey, ChartFacts, PendingGoods, Position, PostingPlan, SealedDraft, YearKey
from ledger.persistence import pipeline
from ledger.persistence.models import Balance, Disbursement, JournalEntry, JournalLine, LedgerHead
from ledger.persistence.pipeline import NO_ANSWER

#: Below this many rows one INSERT of all of them is as quick as the bulk paths (one entry from the API).
BULK_ROWS_MIN = 64

#: The columns of a journal entry row: its place, its header (``SealedDraft.header``), its links.
ENTRY_COLUMNS = (
    "association_id",
    "seq",
    "entry_on",
    "kind",
    "memo",
    "reverses_seq",
    "created_at",
    "created_by",
    "prev_hash",
    "hash",
)
#: The columns of a journal line row: its place, then the line's fields with ids for the codes.
LINE_COLUMNS = ("association_id", "seq", "line_no", "account_id", "fund_id", *LINE_VALUE_FIELDS)
#: The stored columns of a line's values, to select after its account and fund ids.
LINE_VALUE_COLUMNS = tuple(JournalLine.table().c[name] for name in LINE_VALUE_FIELDS)

_BALANCES = Balance.table()
_HEADS = LedgerHead.table()
# The statements of a posting, built once: the time under the ledger lock goes to the database
# rather than to building statements.
_READ_POSITIONS = select(
    _BALANCES.c.account_id,
    _BALANCES.c.fund_id,
    _BALANCES.c.item,
    _BALANCES.c.net_debit_vnd,
    _BALANCES.c.quantity,
    _BALANCES.c.reserved_vnd,
).where(
    _BALANCES.c.association_id == bindparam("association"), _BALANCES.c.fund_id.in_(bindparam("funds", expanding=True))
)
_UPDATE_BALANCE = (
    update(_BALANCES)
    .where(
        _BALANCES.c.account_id == bindparam("account"),
        _BALANCES.c.fund_id == bindparam("fund"),
        _BALANCES.c.item == bindparam("goods_item"),
    )
    .values(net_debit_vnd=bindparam("net"), quantity=bindparam("count"))
    .execution_options(**NO_ANSWER)
)
_INSERT_BALANCE = insert(_BALANCES).execution_options(**NO_ANSWER)
_MOVE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.association_id == bindparam("association"))
    .values(head_seq=bindparam("seq"), head_hash=bindparam("hash"), last_entry_on=bindparam("last"))
    .execution_options(**NO_ANSWER)
)


# --- Reading ---------------------------------------------------------------------------------------


def read_positions(session: Session, association_id: int, fund_ids: set[int]) -> dict[BalanceKey, Position]:
    """The stored balances of ``fund_ids`` as plain positions."""
    rows = session.connection().execute(_READ_POSITIONS, {"association": association_id, "funds": list(fund_ids)})
    return {(a, f, item): Position(net, quantity, reserved) for a, f, item, net, quantity, reserved in rows}


def load_balances(session: Session, association_id: int, fund_ids: set[int]) -> dict[BalanceKey, Balance]:
    """The stored balances of ``fund_ids`` as mapped rows, read afresh (reservations change them)."""
    rows = session.execute(
        select(Balance)
        .where(Balance.association_id == association_id, Balance.fund_id.in_(fund_ids))
        .execution_options(populate_existing=True)
    ).scalars()
    return {(b.account_id, b.fund_id, b.item): b for b in rows}


def pending_goods(session: Session, association_id: int) -> PendingGoods:
    """How many of each (fund id, goods item) pending disbursements are waiting to hand out."""
    rows = session.execute(
        select(Disbursement.fund_id, Disbursement.item, func.sum(Disbursement.quantity))
        .where(
            Disbursement.association_id == association_id,
            Disbursement.status == "pending",
            Disbursement.paid_from == "in_kind",
        )
        .group_by(Disbursement.fund_id, Disbursement.item)
    ).all()
    return {(fund_id, item or ""): int(quantity or 0) for fund_id, item, quantity in rows}


# --- Writing ---------------------------------------------------------------------------------------


def append(
    session: Session,
    association_id: int,
    sealed: Iterable[SealedDraft],
    chart: ChartFacts,
    *,
    count: int,
) -> list[SealedDraft]:
    """Write the ``count`` sealed entries and their lines; return them as written.

    Each entry's row is written as soon as it is sealed (PostgreSQL's ``COPY`` streams, so the
    database writes entries while the rest are hashed); the lines follow in one go.
    """
    written: list[SealedDraft] = []
    line_rows: list[tuple[Any, ...]] = []
    accounts, funds = chart.accounts, chart.funds

    def entry_rows() -> Iterator[tuple[Any, ...]]:
        for one in sealed:
            seq, draft = one.seq, one.draft
            written.append(one)
            for line_no, line in enumerate(draft.lines, start=1):
                line_rows.append(
                    (association_id, seq, line_no, accounts[line.account].id, funds[line.fund], *line_values(line))
                )
            yield (association_id, seq, *one.header, one.prev_hash, one.hash)

    insert_rows(session, JournalEntry.table(), ENTRY_COLUMNS, entry_rows(), count)
    insert_rows(session, JournalLine.table(), LINE_COLUMNS, line_rows, len(line_rows))
    return written


def write_balances(session: Session, association_id: int, plan: PostingPlan) -> None:
    """Write the positions a posting changed: one executemany of updates, one of inserts."""
    updates = [
        {"account": key[0], "fund": key[1], "goods_item": key[2], "net": pos.net_vnd, "count": pos.quantity}
        for key, pos in plan.positions.items()
        if key not in plan.new_keys
    ]
    inserts = [
        {
            "association_id": association_id,
            "account_id": key[0],
            "fund_id": key[1],
            "item": key[2],
            "net_debit_vnd": pos.net_vnd,
            "quantity": pos.quantity,
            "reserved_vnd": 0,
        }
        for key, pos in plan.positions.items()
        if key in plan.new_keys
    ]
    connection = session.connection()
    if updates:
        connection.execute(_UPDATE_BALANCE, updates)
    if inserts:
        connection.execute(_INSERT_BALANCE, inserts)


#: The same text on both databases (SQLite 3.24 and PostgreSQL 9.5 on): add to a year's totals,
#: creating the row the first time. Nothing reads its answer (``persistence/pipeline.py``).
_ADD_YEAR_TOTAL = text(
    "INSERT INTO year_totals (association_id, fund_id, account_id, beneficiary_id, year, debit_vnd, credit_vnd)"
    " VALUES (:association, :fund, :account, :beneficiary, :year, :debit, :credit)"
    " ON CONFLICT (association_id, fund_id, account_id, beneficiary_id, year) DO UPDATE SET"
    " debit_vnd = year_totals.debit_vnd + excluded.debit_vnd,"
    " credit_vnd = year_totals.credit_vnd + excluded.credit_vnd"
).execution_options(**NO_ANSWER)


def closing_seqs(session: Session, association_id: int, seqs: set[int]) -> set[int]:
    """Which of ``seqs`` are closing entries (their reversals do not count in the year totals)."""
    if not seqs:
        return set()
    return set(
        session.execute(
            select(JournalEntry.seq).where(
                JournalEntry.association_id == association_id,
                JournalEntry.seq.in_(sorted(seqs)),
                JournalEntry.kind == CLOSING_KIND,
            )
        ).scalars()
    )


def add_year_totals(session: Session, association_id: int, totals: dict[YearKey, tuple[int, int]]) -> None:
    """Add a posting's revenue and expense lines to their running totals per year (``YearTotal``)."""
    if not totals:
        return
    session.connection().execute(
        _ADD_YEAR_TOTAL,
        [
            {
                "association": association_id,
                "fund": fund_id,
                "account": account_id,
                "beneficiary": beneficiary_id,
                "year": year,
                "debit": debit,
                "credit": credit,
            }
            # In key order: two writers would take row locks in the same order (they queue on the
            # association's ledger lock anyway).
            for (fund_id, account_id, beneficiary_id, year), (debit, credit) in sorted(totals.items())
        ],
    )


def move_head(session: Session, association_id: int, seq: int, hash_: str, last_entry_on: date | None) -> None:
    """Point the association's chain head at its new last entry, and keep the journal's last date."""
    session.connection().execute(
        _MOVE_HEAD, {"association": association_id, "seq": seq, "hash": hash_, "last": last_entry_on}
    )


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    count: int,
) -> None:
    """Write the ``count`` ``rows`` (values in ``columns`` order) into ``table`` inside the
    session's transaction, by the fastest path there is.

    Profiling the bulk posting (docs/benchmarks.md) found the ORM bulk insert taking most of a
    batch: per-row statements with their parameter processing. PostgreSQL gets ``COPY`` instead,
    SQLite the driver's own ``executemany`` with values converted by the columns' types (once
    per distinct value: a batch shares its instant and most of its dates).
    """
    columns = tuple(columns)
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection
        if count >= BULK_ROWS_MIN:
            pipeline.leave(connection)  # COPY cannot run in pipeline mode: what waits is sent first
            with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # One statement for all the rows, as the driver takes them (PostgreSQL checks the
            # lines' references once per statement, migration 0004): its text is the same for
            # the same count, so the server prepares it once per connection.
            rows = list(rows)
            connection.exec_driver_sql(
                _values_sql(table.name, columns, len(rows)),
                tuple(v for r in rows for v in r),
                execution_options=NO_ANSWER,
            )
        return
    if dialect.name != "sqlite":
        connection.execute(insert(table).values([dict(zip(columns, row, strict=True)) for row in rows]))
        return
    rows = list(rows)
    for i, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is None:
            continue
        converted: dict[Any, Any] = {}
        values = []
        for row in rows:
            value = row[i]
            text = converted.get(value)
            if text is None:
                text = converted[value] = processor(value)
            values.append(text)
        rows = [(*row[:i], text, *row[i + 1 :]) for row, text in zip(rows, values, strict=True)]
    connection.exec_driver_sql(_values_sql(table.name, columns, 1, "?"), rows, execution_options=NO_ANSWER)


@functools.cache
def _values_sql(table: str, columns: tuple[str, ...], count: int, mark: str = "%s") -> str:
    """``INSERT INTO table (columns) VALUES (%s, …), …`` for ``count`` rows, with the driver's
    placeholder ``mark`` (psycopg's ``%s``, sqlite3's ``?``)."""
    row = f"({', '.join([mark] * len(columns))})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * count)}"
