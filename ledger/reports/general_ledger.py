"""The general ledger (sổ cái) of one association, streamed: every line per account and fund, with running balances.

Built for exports of millions of lines in bounded memory: one query ordered by account,
fund and entry, read through the driver's cursor in large chunks (PostgreSQL's would fetch
100 rows per round trip otherwise, PERFORMANCE.md), each row handed on as soon as it is read.
The CSV export has a faster path of its own, :meth:`GeneralLedger.csv_chunks`
(docs/benchmarks.md, "The general ledger export").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from datetime import date
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    Select,
    String,
    and_,
    case,
    column,
    func,
    literal,
    null,
    select,
    union_all,
    values,
)
from sqlalchemy.dialects.postgresql import array

from ledger.domain.accounts import DEBIT_NORMAL
from ledger.persistence import pipeline
from ledger.persistence.cursors import driver_cursor
from ledger.persistence.models import Account, Association, Fund, JournalEntry, JournalLine
from ledger.services.unit_of_work import UnitOfWork

#: Rows fetched per round trip: large enough that the round trips stop mattering, small
#: enough that a chunk stays a few megabytes.
STREAM_CHUNK = 20_000
#: CSV records handed on together by :meth:`GeneralLedger.csv_chunks`: about 64 KiB.
CSV_CHUNK_LINES = 500


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
_Select = TypeVar("_Select", bound=Select[*tuple[Any, ...]])

#: ``kind`` of the row that carries an (account, fund)'s balance brought forward from before ``from_on``.
OPENING_KIND = "opening_balance"
#: ``memo`` of that row.
OPENING_MEMO = "Số dư đầu kỳ"


def general_ledger_rows(
    uow: UnitOfWork,
    association: Association,
    *,
    from_on: date | None = None,
    to_on: date | None = None,
    chunk: int = STREAM_CHUNK,
) -> GeneralLedger:
    """The ledger lines of ``association`` dated ``from_on``..``to_on`` (inclusive, either open),
    ordered by account code, fund code, then entry and line number: iterate the result for
    :class:`LedgerRow` s (each pass reads the database again).

    With ``from_on``, each (account, fund) that had a balance before it starts with an
    ``opening_balance`` row (seq 0). The lines come from one statement; for the openings and
    the lines to be one reading while others post, open the unit of work with ``snapshot=True``.
    """
    return GeneralLedger(uow, association, from_on=from_on, to_on=to_on, chunk=chunk)


class GeneralLedger:
    """One association's general ledger for a period, read when it is iterated."""

    def __init__(
        self,
        uow: UnitOfWork,
        association: Association,
        *,
        from_on: date | None = None,
        to_on: date | None = None,
        chunk: int = STREAM_CHUNK,
    ) -> None:
        self.uow = uow
        self.association = association
        self.from_on = from_on
        self.to_on = to_on
        self.chunk = chunk

    def __iter__(self) -> Iterator[LedgerRow]:
        chart = _Chart.read(self)
        text_dates = self.uow.session.connection().dialect.name == "sqlite"
        code = name = fund = ""
        balance = 0
        debit_side = True
        account_now = fund_now = None
        for batch in _batches(self.uow, _lines(self, chart), self.chunk):
            for account_id, fund_id, seq, entry_on, kind, memo, debit, credit, qty, unit, item in batch:
                # A new (account, fund) section starts exactly when the ids change: compared as
                # two integers, this is the only per-line bookkeeping besides the running balance.
                if account_id != account_now or fund_id != fund_now:
                    account_now, fund_now = account_id, fund_id
                    for key in chart.take_openings(account_id, fund_id):
                        yield chart.opening_row(key)
                    code, name, debit_side = chart.accounts[account_id]
                    fund = chart.funds[fund_id]
                    balance = chart.openings.get((account_id, fund_id), 0)
                balance += (debit - credit) if debit_side else (credit - debit)
                # sqlite3 hands dates back as the ISO text SQLAlchemy stored.
                on = date.fromisoformat(entry_on) if text_dates else entry_on
                yield LedgerRow(code, name, fund, seq, on, kind, memo, debit, credit, balance, qty, unit, item)
        for key in chart.take_openings(None, None):
            yield chart.opening_row(key)

    def csv_chunks(self) -> Iterator[tuple[bytes, int]]:
        """The rows as CSV records, byte for byte what ``csv.writer(out, lineterminator="\\r\\n")``
        writes for them encoded in UTF-8 (no BOM, no header): chunks of whole records with
        how many there are.

        The export's hot path (docs/benchmarks.md). On PostgreSQL the server writes the records
        (``COPY … TO STDOUT``, the running balance a window sum over the same order), so its
        sort and this process's work overlap instead of taking turns; elsewhere each row is
        rendered here with one f-string, fields quoted as csv.writer quotes them.
        """
        chart = _Chart.read(self)
        connection = self.uow.session.connection()
        driver: Any = connection.connection.driver_connection
        # COPY writes in the client encoding; the CSV is UTF-8 (and rendered here otherwise).
        if connection.dialect.name == "postgresql" and driver.info.encoding == "utf-8":
            yield from self._copied_csv(chart)
        else:
            yield from self._rendered_csv(chart)

    def _rendered_csv(self, chart: _Chart) -> Iterator[tuple[bytes, int]]:
        kinds = _CsvFields(_csv_field)
        tails = _CsvFields(_csv_tail)
        no_goods = _csv_tail((None, None, None))
        prefix = ""
        balance = 0
        debit_side = True
        account_now = fund_now = None
        for batch in _batches(self.uow, _lines(self, chart), self.chunk):
            for start in range(0, len(batch), CSV_CHUNK_LINES):
                records: list[str] = []
                append = records.append
                for account_id, fund_id, seq, entry_on, kind, memo, debit, credit, qty, unit, item in batch[
                    start : start + CSV_CHUNK_LINES
                ]:
                    if account_id != account_now or fund_id != fund_now:
                        account_now, fund_now = account_id, fund_id
                        for key in chart.take_openings(account_id, fund_id):
                            append(_csv_record(chart.opening_row(key)))
                        code, name, debit_side = chart.accounts[account_id]
                        prefix = _csv_record((code, name, chart.funds[fund_id], ""))[:-2]
                        balance = chart.openings.get((account_id, fund_id), 0)
                    balance += (debit - credit) if debit_side else (credit - debit)
                    # The memo is the one free text of every line, checked as _NEEDS_QUOTES
                    # would (four ``in`` cost less than a regular expression); the other text
                    # fields repeat and are rendered once each (``kinds``, ``tails``), most
                    # lines have no goods at all. The date, on SQLite, is the ISO text
                    # SQLAlchemy stored, which is what csv.writer writes for a date.
                    if memo[:1] in _FORMULA_FIRST and memo:
                        memo = "'" + memo
                    if "," in memo or '"' in memo or "\n" in memo or "\r" in memo:
                        memo = _quoted(memo)
                    tail = no_goods if qty is None and unit is None and item is None else tails[qty, unit, item]
                    append(f"{prefix}{seq},{entry_on},{kinds[kind]},{memo},{debit},{credit},{balance}{tail}")
                yield "".join(records).encode(), len(records)
        left = [_csv_record(chart.opening_row(key)) for key in chart.take_openings(None, None)]
        if left:
            yield "".join(left).encode(), len(left)

    def _copied_csv(self, chart: _Chart) -> Iterator[tuple[bytes, int]]:
        connection = self.uow.session.connection()
        pipeline.leave(connection, for_good=True)  # COPY cannot run in pipeline mode
        driver: Any = connection.connection.driver_connection
        iso_dates = (driver.info.parameter_status("DateStyle") or "").startswith("ISO")
        compiled = _copy_select(self, chart, iso_dates=iso_dates).compile(
            dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
        )
        # PostgreSQL's CSV quotes a field exactly when csv.writer does (a comma, a double quote,
        # CR or LF in it; quotes doubled) once empty strings are NULLs, which it writes bare;
        # it ends records with LF where csv.writer ends them with CRLF. Each record comes as
        # its own buffer, so the LF is swapped for CRLF without looking into the text.
        with driver.cursor() as cursor:
            # A consumer that stops early (a cancelled download) cancels the COPY, which fails
            # the transaction: the savepoint keeps the rest of the unit of work usable.
            cursor.execute("SAVEPOINT general_ledger_csv")
            try:
                with cursor.copy(f"COPY ({compiled}) TO STDOUT (FORMAT csv)", compiled.params) as copy:
                    records: list[Any] = []
                    append = records.append
                    for record in copy:
                        append(record[:-1])
                        if len(records) == CSV_CHUNK_LINES:
                            append(b"")
                            yield b"\r\n".join(records), CSV_CHUNK_LINES
                            records = []
                            append = records.append
                    if records:
                        count = len(records)
                        append(b"")
                        yield b"\r\n".join(records), count
            except BaseException:
                cursor.execute("ROLLBACK TO SAVEPOINT general_ledger_csv")
                raise
            cursor.execute("RELEASE SAVEPOINT general_ledger_csv")


class _Chart:
    """The association's accounts and funds in code order, and its balances brought forward."""

    def __init__(self, accounts: Sequence[Any], funds: Sequence[Any], from_on: date | None) -> None:
        self.from_on = from_on
        debit_normal = {t.value for t in DEBIT_NORMAL}
        #: id → (code, name, whether its balance is on the debit side)
        self.accounts = {row.id: (row.code, row.name, row.type in debit_normal) for row in accounts}
        self.funds: dict[int, str] = {row.id: row.code for row in funds}
        #: id → place in code order, from 1 (PostgreSQL's arrays are numbered from 1).
        self.account_ranks = {row.id: rank for rank, row in enumerate(accounts, start=1)}
        self.fund_ranks = {row.id: rank for rank, row in enumerate(funds, start=1)}
        #: (account id, fund id) → the balance before ``from_on`` on the account's normal side, if not zero.
        self.openings: dict[tuple[int, int], int] = {}
        # Still to be shown, last first: an (account, fund) with a balance brought forward
        # and no line in the period gets its opening row where its section would be.
        self._pending: list[tuple[int, int]] = []

    @classmethod
    def read(cls, ledger: GeneralLedger) -> _Chart:
        session = ledger.uow.session
        association_id = ledger.association.id
        chart = cls(
            session.execute(
                select(Account.id, Account.code, Account.name, Account.type)
                .where(Account.association_id == association_id)
                .order_by(Account.code)
            ).all(),
            session.execute(
                select(Fund.id, Fund.code).where(Fund.association_id == association_id).order_by(Fund.code)
            ).all(),
            ledger.from_on,
        )
        if ledger.from_on is not None:
            before = session.execute(
                _joined(
                    select(
                        JournalLine.account_id,
                        JournalLine.fund_id,
                        func.sum(JournalLine.debit_vnd - JournalLine.credit_vnd),
                    )
                )
                .where(JournalLine.association_id == association_id, JournalEntry.entry_on < ledger.from_on)
                .group_by(JournalLine.account_id, JournalLine.fund_id)
            )
            for account_id, fund_id, net in before:
                if net:
                    chart.openings[(account_id, fund_id)] = int(net) if chart.accounts[account_id][2] else -int(net)
            chart._pending = sorted(chart.openings, key=chart.rank, reverse=True)
        return chart

    def rank(self, key: tuple[int, int]) -> tuple[int, int]:
        """Where the section of (account id, fund id) comes in the ledger."""
        return (
            self.account_ranks.get(key[0], len(self.account_ranks) + 1),
            self.fund_ranks.get(key[1], len(self.fund_ranks) + 1),
        )

    def take_openings(self, account_id: int | None, fund_id: int | None) -> list[tuple[int, int]]:
        """The openings due when the section of (``account_id``, ``fund_id``) starts, in order: those
        ranked before it, then its own; with ``None``, all that are left (the ledger has ended)."""
        pending = self._pending
        if account_id is None or fund_id is None:
            due = pending[::-1]
            pending.clear()
            return due
        rank = self.rank((account_id, fund_id))
        due = []
        while pending and self.rank(pending[-1]) <= rank:
            due.append(pending.pop())
        return due

    def opening_row(self, key: tuple[int, int]) -> LedgerRow:
        """The row that brings the balance of (account id, fund id) forward to ``from_on``."""
        code, name, _debit_side = self.accounts[key[0]]
        assert self.from_on is not None
        return LedgerRow(
            code,
            name,
            self.funds[key[1]],
            0,
            self.from_on,
            OPENING_KIND,
            OPENING_MEMO,
            0,
            0,
            self.openings[key],
            None,
            None,
            None,
        )

    def account_rank(self, account_id: Any) -> Any:
        return case(self.account_ranks, value=account_id, else_=len(self.account_ranks) + 1)

    def fund_rank(self, fund_id: Any) -> Any:
        return case(self.fund_ranks, value=fund_id, else_=len(self.fund_ranks) + 1)


def _period(ledger: GeneralLedger) -> list[Any]:
    """The conditions on the lines of ``ledger``'s period.

    They include the range of entry numbers the period spans (one look-up in an index, read
    like the openings: one reading with the lines under ``snapshot=True``). As a filter it
    changes nothing, but on SQLite it makes the planner walk the lines in their primary key's
    order, next to their entries, instead of along ix_journal_lines_assoc_fund_account, which
    visits both tables in random order: 2.5 instead of 3.2 µs a line (docs/benchmarks.md).
    """
    association_id = ledger.association.id
    dated: list[Any] = [JournalEntry.association_id == association_id]
    if ledger.from_on is not None:
        dated.append(JournalEntry.entry_on >= ledger.from_on)
    if ledger.to_on is not None:
        dated.append(JournalEntry.entry_on <= ledger.to_on)
    first, last = ledger.uow.session.execute(
        select(
            select(func.min(JournalEntry.seq)).where(*dated).scalar_subquery(),
            select(func.max(JournalEntry.seq)).where(*dated).scalar_subquery(),
        )
    ).one()
    return [
        JournalLine.association_id == association_id,
        # An empty period: no line is numbered between 1 and 0.
        JournalLine.seq.between(first if first is not None else 1, last if last is not None else 0),
        *dated[1:],
    ]


def _joined(stmt: _Select) -> _Select:
    return stmt.join(
        JournalEntry,
        and_(JournalEntry.association_id == JournalLine.association_id, JournalEntry.seq == JournalLine.seq),
    )


def _lines(ledger: GeneralLedger, chart: _Chart) -> Any:
    """The period's lines with their entries' date, kind and memo, in ledger order.

    The lines are sorted by the rank of their account and fund codes, computed from the small
    chart: the sort then compares integers and carries no names (the database sorted wide
    rows by text before, and spilled them to disk sooner).
    """
    return (
        _joined(
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
        )
        .where(*_period(ledger))
        .order_by(
            chart.account_rank(JournalLine.account_id),
            chart.fund_rank(JournalLine.fund_id),
            JournalLine.seq,
            JournalLine.line_no,
        )
    )


def _copy_select(ledger: GeneralLedger, chart: _Chart, *, iso_dates: bool) -> Any:
    """The CSV's columns, as PostgreSQL's ``COPY … (FORMAT csv)`` is to write them.

    The same lines and order as :func:`_lines`, each with its amount on its account's normal
    side; the running balance is the window sum of those amounts over its (account, fund)
    section, which the opening rows (from the chart) enter first with the balance brought
    forward. The sort carries the ranks of the account and fund, not their codes and names:
    those are looked up by rank in arrays after it (a CASE per row cost more).
    """
    debit_normal = [account_id for account_id, (_c, _n, debit_side) in chart.accounts.items() if debit_side]
    lines = _joined(
        select(
            chart.account_rank(JournalLine.account_id).label("account_rank"),
            chart.fund_rank(JournalLine.fund_id).label("fund_rank"),
            JournalLine.seq,
            JournalLine.line_no,
            JournalEntry.entry_on,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalLine.debit_vnd,
            JournalLine.credit_vnd,
            case(
                (JournalLine.account_id.in_(debit_normal), JournalLine.debit_vnd - JournalLine.credit_vnd),
                else_=JournalLine.credit_vnd - JournalLine.debit_vnd,
            ).label("amount_vnd"),
            JournalLine.quantity,
            JournalLine.unit,
            JournalLine.item,
        )
    ).where(*_period(ledger))
    if chart.openings:
        brought = values(
            column("account_rank", Integer),
            column("fund_rank", Integer),
            column("amount_vnd", BigInteger),
            name="brought",
        ).data([(*chart.rank(key), amount) for key, amount in chart.openings.items()])
        zero = literal(0, BigInteger)
        openings = select(
            brought.c.account_rank,
            brought.c.fund_rank,
            zero,
            zero,
            literal(ledger.from_on, Date),
            literal(OPENING_KIND, String),
            literal(OPENING_MEMO, String),
            zero,
            zero,
            brought.c.amount_vnd,
            null(),
            null(),
            null(),
        )
        rows = union_all(lines, openings).subquery("ledger")
    else:
        rows = lines.subquery("ledger")
    accounts = sorted(chart.accounts, key=chart.account_ranks.__getitem__)
    funds = sorted(chart.funds, key=chart.fund_ranks.__getitem__)
    sections = (rows.c.account_rank, rows.c.fund_rank)

    def by_rank(texts: list[str]) -> Any:
        # csv.writer writes an empty string bare, COPY quotes it (to tell it from NULL): NULL it.
        return array([("'" + text if text[:1] in _FORMULA_FIRST else text) if text else None for text in texts])

    def bare(text: Any) -> Any:
        # Defused as _csv_field defuses it, then NULL when empty.
        first = func.substr(text, 1, 1)
        defused = case((first.in_(list(_FORMULA_FIRST)), literal("'") + text), else_=text)
        return func.nullif(defused, "")

    return select(
        by_rank([chart.accounts[a][0] for a in accounts])[rows.c.account_rank],
        by_rank([chart.accounts[a][1] for a in accounts])[rows.c.account_rank],
        by_rank([chart.funds[f] for f in funds])[rows.c.fund_rank],
        rows.c.seq,
        # What str(date) gives; a session with another DateStyle gets it spelled out.
        rows.c.entry_on if iso_dates else func.to_char(rows.c.entry_on, "YYYY-MM-DD"),
        bare(rows.c.kind),
        bare(rows.c.memo),
        rows.c.debit_vnd,
        rows.c.credit_vnd,
        func.sum(rows.c.amount_vnd).over(partition_by=sections, order_by=(rows.c.seq, rows.c.line_no), rows=(None, 0)),
        rows.c.quantity,
        bare(rows.c.unit),
        bare(rows.c.item),
    ).order_by(*sections, rows.c.seq, rows.c.line_no)


def _batches(uow: UnitOfWork, stmt: Any, chunk: int) -> Generator[list[tuple[Any, ...]], None, None]:
    """The rows of ``stmt`` from the driver's cursor (:func:`driver_cursor`), ``chunk`` at a
    time; on SQLite their dates come back as ISO text."""
    # A cursor name of its own: two ledgers may be streamed in one transaction (a consolidation).
    cursor = driver_cursor(
        uow.session.connection(), stmt, name=f"general_ledger_{next(_cursor_numbers)}", itersize=chunk
    )
    try:
        while batch := cursor.fetchmany(chunk):
            yield batch
    finally:
        # A consumer that stops early (a cancelled download) must not leave the cursor open.
        cursor.close()


# --- CSV fields, as csv.writer (the excel dialect, QUOTE_MINIMAL) writes them inside a record -----

#: What makes csv.writer quote a field: the delimiter, the quote character, CR or LF.
_NEEDS_QUOTES = re.compile('[",\r\n]').search


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


#: First characters that make a spreadsheet run a cell as a formula (OWASP, CSV injection): such
#: text gets an apostrophe in front, as ``documents/report_files.defuse`` does.
_FORMULA_FIRST = "=+-@\t\r"


def _csv_field(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text[:1] in _FORMULA_FIRST and text:
        text = "'" + text
    return _quoted(text) if _NEEDS_QUOTES(text) else text


def _csv_record(values: Iterable[object]) -> str:
    return ",".join(map(_csv_field, values)) + "\r\n"


def _csv_tail(key: tuple[int | None, str | None, str | None]) -> str:
    """``,quantity,unit,item`` and the end of the record."""
    return "," + _csv_record(key)


class _CsvFields(dict[Any, str]):
    """Rendered fields by value, for the few values a column repeats; a bounded cache."""

    LIMIT = 10_000

    def __init__(self, render: Any) -> None:
        super().__init__()
        self.render = render

    def __missing__(self, key: Any) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        rendered: str = self.render(key)
        self[key] = rendered
        return rendered
