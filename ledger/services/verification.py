"""Proof that the books were not altered: the hash chain recomputed, balances recomputed from lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, String, and_, func, select, type_coerce
from sqlalchemy.pool import NullPool

from ledger.domain.chain import (
    GENESIS_HASH,
    ChainReport,
    StoredEntry,
    canonical_line,
    canonical_text,
    json_string,
    utc_text,
    verify_chain,
)
from ledger.persistence import journal_store
from ledger.persistence.cursors import driver_cursor
from ledger.persistence.engine import make_engine
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
#: What a verifying process is given: association id and code, first and last seq (None: to the
#: end), the (seq, stored hash) before the first, the (seq, stored hash) it must end at, and
#: the PostgreSQL snapshot to read.
Stretch = tuple[int, str, int, "int | None", tuple[int, str], tuple[int, str], "str | None"]
_ROOT = Path(__file__).resolve().parents[2]
#: Below this many entries per process, starting another process costs more than it saves.
MIN_ENTRIES_PER_WORKER = 50_000


def verify_association(
    uow: UnitOfWork,
    association: Association,
    *,
    workers: int = 1,
    min_per_worker: int = MIN_ENTRIES_PER_WORKER,
) -> ChainReport:
    """Recompute the association's chain and name the first entry that does not match.

    With ``workers`` > 1 and a long enough journal, the chain is cut into consecutive
    stretches of seq numbers verified side by side, each in a process of its own: an entry's
    hash depends only on its own values and the stored hash before it, so each stretch starts
    from the stored hash of the entry before it and must end at the stored hash of its last
    entry, and the first stretch that fails names the same entry a single pass would. On
    PostgreSQL the processes read the snapshot of ``uow`` (``pg_export_snapshot``); a SQLite
    reader reads the file as it was when it started, and entries appended meanwhile lie past
    the recorded head this unit of work read.
    """
    head = uow.session.get(LedgerHead, association.id)
    expected = (head.head_seq, head.head_hash) if head is not None else None
    connection = uow.session.connection()
    url = connection.engine.url
    parts = min(workers, (expected[0] if expected else 0) // max(min_per_worker, 1))
    if parts <= 1 or expected is None or url.database in (None, "", ":memory:"):
        return verify_chain(
            _stored_entries(connection, association.id, association.code, 1, None), expected_head=expected
        )
    bounds = [expected[0] * k // parts for k in range(parts + 1)]
    stored_hashes = dict(
        uow.session.execute(
            select(JournalEntry.seq, JournalEntry.hash).where(
                JournalEntry.association_id == association.id, JournalEntry.seq.in_(bounds[1:-1])
            )
        ).all()
    )
    snapshot = None
    if connection.dialect.name == "postgresql":
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    stretches: list[Stretch] = []
    for k in range(parts):
        lo, hi = bounds[k] + 1, bounds[k + 1]
        start = (bounds[k], stored_hashes.get(bounds[k], "") if k else GENESIS_HASH)
        last = k == parts - 1
        end = expected if last else (hi, stored_hashes.get(hi, ""))
        stretches.append((association.id, association.code, lo, None if last else hi, start, end, snapshot))
    return _joined(_run_stretches(url.render_as_string(hide_password=False), stretches))


def _run_stretches(url: str, stretches: list[Stretch]) -> list[ChainReport]:
    """Each stretch in a Python process of its own (``python -m ledger.services.verification``),
    told what to read on its standard input (the URL may hold a password: not on the command
    line), answering with its report as JSON. Plain child processes rather than
    ``multiprocessing``, which would re-run the parent's main module in each child."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
    children = []
    for stretch in stretches:
        errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed once the child is read
        child = subprocess.Popen(
            [sys.executable, "-m", "ledger.services.verification"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        assert child.stdin is not None
        child.stdin.write(json.dumps({"url": url, "stretch": stretch}).encode())
        child.stdin.close()
        children.append((child, errors))
    reports = []
    for child, errors in children:
        assert child.stdout is not None
        with child.stdout:
            out = child.stdout.read()
        child.wait()
        errors.seek(0)
        said = errors.read().decode(errors="replace").strip()
        errors.close()
        if child.returncode != 0:
            raise RuntimeError(f"a verifying process failed: {said[-2000:]}")
        reports.append(ChainReport(**json.loads(out)))
    return reports


def _joined(reports: list[ChainReport]) -> ChainReport:
    """The stretches' reports as one: the first bad stretch names the first bad entry."""
    read = 0
    for report in reports:
        read += report.entries
        if not report.ok:
            return replace(report, entries=read)
    return replace(reports[-1], entries=read)


def _verify_stretch(url: str, stretch: Stretch) -> ChainReport:
    """One stretch of the chain, with a connection of its own."""
    association_id, code, lo, hi, (start_seq, start_hash), (end_seq, end_hash), snapshot = stretch
    start, end = (start_seq, start_hash), (end_seq, end_hash)
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if snapshot is not None:
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            report = verify_chain(
                _stored_entries(connection, association_id, code, lo, hi), start=start, expected_head=end
            )
            connection.rollback()
            return report
    finally:
        engine.dispose()


def _stored_entries(
    connection: Connection, association_id: int, code: str, lo: int, hi: int | None
) -> Iterator[StoredEntry]:
    """The entries ``lo``..``hi`` (to the end when ``hi`` is None) in seq order, streamed, each
    with the canonical text its stored values give (:func:`ledger.domain.chain.canonical_text`).

    Read from the driver's own cursors, :data:`STREAM_CHUNK` rows a round trip: SQLAlchemy's
    result rows cost as much as the hashing (docs/benchmarks.md). Dates and instants reach
    the text without becoming Python objects where the stored form already is the canonical
    one: PostgreSQL formats them (``to_char``), SQLite keeps them as fixed-width ISO text.
    """
    accounts = {
        account_id: json_string(account_code)
        for account_id, account_code in connection.execute(
            select(Account.id, Account.code).where(Account.association_id == association_id)
        )
    }
    funds = {
        fund_id: json_string(fund_code)
        for fund_id, fund_code in connection.execute(
            select(Fund.id, Fund.code).where(Fund.association_id == association_id)
        )
    }
    postgres = connection.dialect.name == "postgresql"
    entry_on: Any = JournalEntry.entry_on
    created_at: Any = JournalEntry.created_at
    if postgres:
        entry_on = func.to_char(JournalEntry.entry_on, "YYYY-MM-DD")
        created_at = func.to_char(func.timezone("UTC", JournalEntry.created_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    else:
        created_at = type_coerce(JournalEntry.created_at, String)
    in_range = [JournalEntry.association_id == association_id, JournalEntry.seq >= lo]
    lines_in_range = [JournalLine.association_id == association_id, JournalLine.seq >= lo]
    if hi is not None:
        in_range.append(JournalEntry.seq <= hi)
        lines_in_range.append(JournalLine.seq <= hi)
    entry_cursor = driver_cursor(
        connection,
        select(
            JournalEntry.seq,
            entry_on,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalEntry.reverses_seq,
            created_at,
            JournalEntry.created_by,
            JournalEntry.prev_hash,
            JournalEntry.hash,
        )
        .where(*in_range)
        .order_by(JournalEntry.seq),
        name=f"verify_entries_{lo}",
        itersize=STREAM_CHUNK,
    )
    line_cursor = driver_cursor(
        connection,
        select(
            JournalLine.seq,
            JournalLine.account_id,
            JournalLine.fund_id,
            *journal_store.LINE_VALUE_COLUMNS,
        )
        .where(*lines_in_range)
        .order_by(JournalLine.seq, JournalLine.line_no),
        name=f"verify_lines_{lo}",
        itersize=STREAM_CHUNK,
    )
    # Flattened in C (chain.from_iterable over fetchmany): a generator per row costs more.
    entries = chain.from_iterable(iter(partial(entry_cursor.fetchmany, STREAM_CHUNK), []))
    lines = chain.from_iterable(iter(partial(line_cursor.fetchmany, STREAM_CHUNK), []))
    try:
        pending = next(lines, None)
        for seq, on, kind, memo, reverses, created, created_by, prev_hash, digest in entries:
            own: list[str] = []
            while pending is not None and pending[0] <= seq:
                if pending[0] == seq:
                    account_id, fund_id = pending[1], pending[2]
                    account = accounts.get(account_id) or json_string(f"?{account_id}")
                    fund = funds.get(fund_id) or json_string(f"?{fund_id}")
                    own.append(canonical_line(account, fund, *pending[3:]))
                pending = next(lines, None)
            if postgres:
                pass
            elif type(created) is str and len(created) == 32 and created[26:] == "+00:00" and type(on) is str:
                created = created[:26] + "Z"
            else:
                on, created = _sqlite_texts(on, created)
            yield (
                seq,
                prev_hash,
                digest,
                canonical_text(code, seq, on, kind, memo, reverses, created, created_by, ",".join(own)),
            )
    finally:
        # A verification that stops at the first bad entry leaves the cursors half-read.
        entry_cursor.close()
        line_cursor.close()


def _sqlite_texts(on: Any, created: Any) -> tuple[str, str]:
    """SQLite's stored date and instant as the chain's text. The column types store
    ``YYYY-MM-DD`` and ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``; the caller turns the latter into the
    canonical text by dropping the offset; anything else is parsed here as the column types
    would read it. A value that parses to nothing stays as it is: its entry's hash will not
    match, and the entry is named."""
    if not (isinstance(on, str) and len(on) == 10):
        on = _parsed(date.fromisoformat, on, date.isoformat)
    if isinstance(created, str) and len(created) == 32 and created.endswith("+00:00"):
        created = created[:26] + "Z"
    else:
        created = _parsed(datetime.fromisoformat, created, utc_text)
    return on, created


def _parsed(parse: Callable[[str], Any], value: Any, text: Callable[[Any], str]) -> str:
    try:
        return text(parse(str(value)))
    except (TypeError, ValueError):
        return str(value)


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
        # A line may name an account that is not this association's (written behind the
        # service's back): it is reported, not a reason to stop.
        account = accounts.get(account_id)
        goods = account is not None and account.holds_goods
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
            account = accounts.get(account_id)
            out.append(
                BalanceMismatch(
                    account.code if account is not None else f"?{account_id}",
                    funds.get(fund_id, f"?{fund_id}"),
                    item,
                    s_net,
                    net,
                    s_qty,
                    qty,
                )
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


def _main() -> None:
    """A verifying child process: a stretch in on stdin, its report out on stdout as JSON."""
    task = json.load(sys.stdin)
    report = _verify_stretch(task["url"], tuple(task["stretch"]))
    json.dump(asdict(report), sys.stdout)


if __name__ == "__main__":
    _main()
