"""Each measurement, run in a child process of its own so that its peak memory is its own.

``python -m benchlib.phases NAME '{json args}'`` prints one JSON object on its last line.
"""

from __future__ import annotations

import io
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from benchlib.database import Target, people
from benchlib.generate import BATCH_SIZE, MAIN, TREE, JournalGenerator, person_name
from sqlalchemy import select

from ledger.domain.entries import EntryDraft, LineDraft
from ledger.persistence import journal_store
from ledger.persistence.engine import SQLITE_PRAGMAS
from ledger.persistence.models import Association
from ledger.reports.export import PDF_MAX_LINES, write_general_ledger_csv, write_general_ledger_pdf
from ledger.reports.general_ledger import general_ledger_rows
from ledger.reports.trial_balance import trial_balance
from ledger.services import funds, verification
from ledger.services.journal import Books, post_entries
from ledger.services.unit_of_work import Database, UnitOfWork


def maxrss_mb() -> float:
    """This process's peak resident memory so far.

    ``VmHWM`` rather than ``getrusage``'s ``ru_maxrss``: Linux carries ru_maxrss over from the
    parent across fork and exec, so a child would report the orchestrator's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _db(args: dict[str, Any]) -> Database:
    return Target(args["kind"], args["url"], args.get("handle", "")).database()


def _association(uow: UnitOfWork, code: str) -> Association:
    return uow.session.execute(select(Association).where(Association.code == code)).scalar_one()


# --- 1. bulk posting ------------------------------------------------------------------------------


def post(args: dict[str, Any]) -> dict[str, Any]:
    """Post ``n`` generated entries through ``post_entries`` in units of work of ``batch`` drafts.

    Only the units of work are timed (generating the drafts is not posting). On PostgreSQL the
    journal tables are ANALYZEd each time they double, as autovacuum would do on its own a
    minute later: see docs/benchmarks.md ("a fresh PostgreSQL database").
    """
    db = _db(args)
    n, batch = int(args["n"]), int(args.get("batch", BATCH_SIZE))
    generator = JournalGenerator(people(db))
    busy = 0.0
    entries = lines = 0
    next_analyze = 1000
    started = time.perf_counter()
    cpu = 0.0
    for code, drafts in generator.batches(n, batch):
        t0, c0 = time.perf_counter(), time.process_time()
        with UnitOfWork(db) as uow:
            association = _association(uow, code)
            post_entries(uow, Books(uow, association), drafts, created_by=None)
            uow.commit()
        busy += time.perf_counter() - t0
        cpu += time.process_time() - c0
        entries += len(drafts)
        lines += sum(len(d.lines) for d in drafts)
        if args["kind"] == "postgresql" and entries >= next_analyze:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE journal_entries")
                conn.exec_driver_sql("ANALYZE journal_lines")
                conn.commit()
            next_analyze *= 2
    return {
        "entries": entries,
        "lines": lines,
        "seconds": busy,
        "wall_seconds": time.perf_counter() - started,
        "entries_per_s": entries / busy,
        "lines_per_s": lines / busy,
        "cpu_seconds": cpu,
        "maxrss_mb": maxrss_mb(),
        "settle_seconds": _settle(db, args["kind"]),
    }


def _settle(db: Database, kind: str) -> float:
    """Let PostgreSQL do what autovacuum would do after a bulk load, before anything else is
    measured: a run once had autovacuum working through the 2.5 million new lines while the
    balances were read, and the reads shared the cores with it. Not timed with the posting."""
    if kind != "postgresql":
        return 0.0
    started = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE) journal_entries, journal_lines, balances")
    return time.perf_counter() - started


# --- 3. reads from the materialised balances ------------------------------------------------------


def _latencies(call: Callable[[], object], repeats: int) -> dict[str, float]:
    call()  # the first call warms the connection pool and the statement caches
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "p50_ms": statistics.median(samples),
        "p95_ms": samples[int(len(samples) * 0.95) - 1],
        "max_ms": samples[-1],
        "repeats": repeats,
    }


def reads(args: dict[str, Any]) -> dict[str, Any]:
    """Fund balances (GET /funds) and the trial balance of the city, each in its own unit of work;
    then one more transaction and its new balance; the trial balances of the tree go to ``dump``."""
    db = _db(args)
    repeats = int(args.get("repeats", 200))

    def fund_balance() -> object:
        with UnitOfWork(db, write=False) as uow:
            return funds.list_funds(uow, _association(uow, MAIN))

    def tb() -> object:
        with UnitOfWork(db, write=False) as uow:
            return trial_balance(uow, _association(uow, MAIN))

    result: dict[str, Any] = {
        "fund_balance": _latencies(fund_balance, repeats),
        "trial_balance": _latencies(tb, repeats),
    }

    reports = []
    with UnitOfWork(db, write=False) as uow:
        for code, *_ in TREE:
            report = trial_balance(uow, _association(uow, code))
            assert report.total_debit_vnd == report.total_credit_vnd
            reports.append(report.as_json())
    Path(args["dump"]).write_text(json.dumps(reports, ensure_ascii=False))
    result["trial_balance_rows"] = sum(len(r["rows"]) for r in reports)

    # One more transaction, then its new balance: we post it and read the materialised balance.
    draft = EntryDraft(
        entry_on=date(2026, 1, 5),
        memo="Tài trợ thêm một khoản",
        kind="donation",
        lines=(LineDraft("111", "HPD", debit_vnd=1_000_000), LineDraft("511", "HPD", credit_vnd=1_000_000)),
    )
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        with UnitOfWork(db) as uow:
            association = _association(uow, MAIN)
            post_entries(uow, Books(uow, association), [draft], created_by=None)
            uow.commit()
        with UnitOfWork(db, write=False) as uow:
            report = trial_balance(uow, _association(uow, MAIN))
        samples.append((time.perf_counter() - t0) * 1000)
        assert report.head_seq > 0
    result["one_more_ms"] = statistics.median(samples)
    result["maxrss_mb"] = maxrss_mb()
    return result


# --- 3b. statements at past dates (issue 17) ------------------------------------------------------


def statements(args: dict[str, Any]) -> dict[str, Any]:
    """The statements read from the day and month movements: catching them up once over the whole
    journal, then a trial balance and a fund statement at a past date, a year's fund statement and
    statement of activities, a month of the cash book, and the tree's consolidation."""
    from sqlalchemy import func

    from ledger.clock import now_utc
    from ledger.persistence.models import JournalEntry
    from ledger.reports import books, consolidated
    from ledger.reports import statements as st
    from ledger.reports.downloads import Runtime, bring_up_to_date
    from ledger.services.associations import subtree

    db = _db(args)
    repeats = int(args.get("repeats", 50))
    with UnitOfWork(db, write=False) as uow:
        main = _association(uow, MAIN)
        ids = [a.id for a in subtree(uow, _association(uow, TREE[0][0]))]
        first, last = uow.session.execute(
            select(func.min(JournalEntry.entry_on), func.max(JournalEntry.entry_on)).where(
                JournalEntry.association_id == main.id
            )
        ).one()
    t0 = time.perf_counter()
    bring_up_to_date(Runtime(db, now_utc), ids)
    catch_up_s = time.perf_counter() - t0
    past = first + (last - first) / 2
    year = st.Period(date(past.year, 1, 1), date(past.year, 12, 31))
    month = st.Period(date(past.year, past.month, 1), date(past.year, past.month, 28))

    def read(build: Callable[[UnitOfWork, Any], Any]) -> Callable[[], object]:
        def call() -> object:
            with UnitOfWork(db, write=False, snapshot=True) as uow:
                report = build(uow, _association(uow, MAIN))
                return list(report.rows)

        return call

    def tree(uow: UnitOfWork, _main: Any) -> Any:
        root = _association(uow, TREE[0][0])
        return consolidated.consolidated(uow, root, year, generated_at=now_utc())

    at = now_utc()
    result: dict[str, Any] = {
        "catch_up_s": catch_up_s,
        "members": len(ids),
        "past": past.isoformat(),
        "trial_balance_past": _latencies(read(lambda u, a: st.trial_balance(u, a, past, generated_at=at)), repeats),
        "fund_statement_past": _latencies(
            read(lambda u, a: st.fund_statement(u, a, st.Period(None, past), today=last, generated_at=at)), repeats
        ),
        "fund_statement_year": _latencies(
            read(lambda u, a: st.fund_statement(u, a, year, today=last, generated_at=at)), repeats
        ),
        "cash_book_month": _latencies(read(lambda u, a: books.cash_book(u, a, month, "111", generated_at=at)), repeats),
        "consolidated_tree": _latencies(read(tree), max(5, repeats // 10)),
        "maxrss_mb": maxrss_mb(),
    }
    return result


# --- 4. the general ledger as CSV and PDF ---------------------------------------------------------


def gl_csv(args: dict[str, Any]) -> dict[str, Any]:
    """Every association's general ledger as CSV into one temporary file, streamed."""
    db = _db(args)
    lines = 0
    with tempfile.NamedTemporaryFile(prefix="gl-", suffix=".csv") as handle:
        t0, c0 = time.perf_counter(), time.process_time()
        for code, *_ in TREE:
            with UnitOfWork(db, write=False) as uow:
                lines += write_general_ledger_csv(general_ledger_rows(uow, _association(uow, code)), handle)
        handle.flush()
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        size = os.path.getsize(handle.name)
    return {
        "cpu_seconds": cpu,
        "lines": lines,
        "seconds": seconds,
        "lines_per_s": lines / seconds,
        "mb": size / 2**20,
        "maxrss_mb": maxrss_mb(),
    }


def gl_pdf(args: dict[str, Any]) -> dict[str, Any]:
    """The city's general ledger as PDF, up to its limit of lines."""
    db = _db(args)
    max_lines = int(args.get("max_lines", PDF_MAX_LINES))
    out = io.BytesIO()
    t0, c0 = time.perf_counter(), time.process_time()
    with UnitOfWork(db, write=False) as uow:
        association = _association(uow, MAIN)
        drawn = write_general_ledger_pdf(
            general_ledger_rows(uow, association),
            out,
            association_code=association.code,
            association_name=association.name,
            generated_at=datetime.now(UTC),
            max_lines=max_lines,
        )
    seconds = time.perf_counter() - t0
    return {
        "cpu_seconds": time.process_time() - c0,
        "lines": drawn,
        "seconds": seconds,
        "lines_per_s": drawn / seconds,
        "mb": len(out.getvalue()) / 2**20,
        "maxrss_mb": maxrss_mb(),
    }


# --- 5. receipts ----------------------------------------------------------------------------------


def receipts(args: dict[str, Any]) -> dict[str, Any]:
    """Render ``count`` different donation receipts with ``render_receipt``."""
    import random

    from ledger.documents.models import ReceiptDocument
    from ledger.documents.receipt_pdf import render_receipt

    rng = random.Random(3)
    count = int(args.get("count", 600))
    docs = [
        ReceiptDocument(
            association_code="QT-DH",
            association_name="Hội Khuyến học thành phố Đông Hà",
            association_address="Số 10 Hùng Vương, phường Đông Hà, tỉnh Quảng Trị",
            number=f"QT-DH-2026-{i + 1:06d}",
            received_on=date(2026, 11, 1 + i % 23),
            donor_name=person_name(rng),
            donor_address=f"Số {rng.randint(1, 200)} Lê Lợi, Đông Hà, Quảng Trị",
            amount_vnd=rng.randint(1, 500) * 100_000,
            method=rng.choice(("cash", "bank")),
            fund_code="HPD",
            fund_name="Quỹ học bổng Hoa Phượng Đỏ",
            purpose="Học bổng cho học sinh nghèo vượt khó",
            treasurer_name="Trần Văn Bình",
            chair_name="Lê Thị Thu Hà",
            verify_url=f"https://khuyenhoc.example.vn/verify/{rng.getrandbits(96):024x}",
            entry_seq=i + 1,
            entry_hash=f"{rng.getrandbits(256):064x}",
            created_at=datetime(2026, 11, 23, 7, 5, tzinfo=UTC),
        )
        for i in range(count)
    ]
    render_receipt(docs[0])  # fonts are registered once per process
    t0, c0 = time.perf_counter(), time.process_time()
    size = sum(len(render_receipt(doc)) for doc in docs)
    seconds = time.perf_counter() - t0
    return {
        "cpu_seconds": time.process_time() - c0,
        "count": count,
        "seconds": seconds,
        "per_s": count / seconds,
        "kb_each": size / count / 1024,
        "maxrss_mb": maxrss_mb(),
    }


# --- 6. chain verification ------------------------------------------------------------------------


#: Processes for verification, as `ledger verify` takes by default.
WORKERS = min(os.cpu_count() or 1, 8)


def verify(args: dict[str, Any]) -> dict[str, Any]:
    db = _db(args)
    entries = 0
    ok = True
    t0, c0 = time.perf_counter(), time.process_time()
    for code, *_ in TREE:
        # One snapshot per association, as `ledger verify` reads it.
        with UnitOfWork(db, write=False, snapshot=True) as uow:
            # As `ledger verify` does by default: long chains in stretches, one process per core,
            # then the checkpoints, the balances and every document against its entry.
            report = verification.verify_books(uow, _association(uow, code), workers=WORKERS)
        entries += report.chain.entries
        # The generated journal posts donations and spends without their receipt and voucher
        # rows: the documents are compared (and timed) but their findings are not the chain's.
        ok = ok and report.chain.ok and not report.anchor_problems and not report.balance_mismatches
    seconds = time.perf_counter() - t0
    return {
        "cpu_seconds": time.process_time() - c0,
        "entries": entries,
        "seconds": seconds,
        "entries_per_s": entries / seconds,
        "ok": ok,
        "workers": WORKERS,
        "maxrss_mb": maxrss_mb(),
    }


# --- 8. the database's own limit for the same rows ------------------------------------------------

ENTRY_COLUMNS = ", ".join(journal_store.ENTRY_COLUMNS)
LINE_COLUMNS = ", ".join(journal_store.LINE_COLUMNS)


def _as_raw(sql: str) -> str:
    return sql.replace("journal_entries", "raw_k_entries").replace("journal_lines", "raw_k_lines")


def _pg_keys(driver: Any) -> list[str]:
    """What the journal tables have beyond ``LIKE … INCLUDING ALL`` (keys, checks, indexes):
    their foreign keys and the triggers that check references once per statement (migration
    0004), read from the catalog and pointed at the raw tables. The append-only triggers,
    which fire on UPDATE and DELETE, are left out."""
    ddl = [
        f"ALTER TABLE {_as_raw(table)} ADD {_as_raw(definition)}"
        for table, definition in driver.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid IN ('journal_entries'::regclass, 'journal_lines'::regclass)"
        )
    ]
    for number, (function, trigger) in enumerate(
        driver.execute(
            "SELECT pg_get_functiondef(t.tgfoid), pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "WHERE NOT t.tgisinternal AND t.tgname NOT LIKE '%append_only' "
            "AND t.tgrelid IN ('journal_entries'::regclass, 'journal_lines'::regclass)"
        ).fetchall()
    ):
        name = trigger.split(" EXECUTE FUNCTION ")[1].split("(")[0]
        # The function's own name may hold a table's name: set it aside while the tables are renamed.
        ddl.append(_as_raw(function.replace(f"{name}(", "\0(")).replace("\0(", f"raw_k_check_{number}("))
        ddl.append(
            _as_raw(trigger.replace(f"FUNCTION {name}(", "FUNCTION \0(")).replace("\0(", f"raw_k_check_{number}(")
        )
    return ddl


def raw(args: dict[str, Any]) -> dict[str, Any]:
    """The same entry and line rows written by the database's fastest path, into bare tables and
    into tables with our keys, checks, indexes and foreign keys."""
    if args["kind"] == "postgresql":
        return _raw_postgresql(args)
    return _raw_sqlite(args)


def _raw_postgresql(args: dict[str, Any]) -> dict[str, Any]:
    db = _db(args)
    folder = Path(tempfile.mkdtemp(prefix="ledger-bench-raw-"))
    result: dict[str, Any] = {}
    try:
        with db.engine.connect() as conn:
            driver: Any = conn.connection.driver_connection
            entries = driver.execute("SELECT count(*) FROM journal_entries").fetchone()[0]
            for table, columns in (("journal_entries", ENTRY_COLUMNS), ("journal_lines", LINE_COLUMNS)):
                query = f"COPY (SELECT {columns} FROM {table} ORDER BY association_id, seq) TO STDOUT"
                with (folder / table).open("wb") as out, driver.cursor() as cur, cur.copy(query) as copy:
                    for block in copy:
                        out.write(block)
            driver.commit()
            for variant in ("bare", "keyed"):
                prefix = "raw_b_" if variant == "bare" else "raw_k_"
                including = "ALL" if variant == "keyed" else "DEFAULTS"
                driver.execute(f"CREATE TABLE {prefix}entries (LIKE journal_entries INCLUDING {including})")
                driver.execute(f"CREATE TABLE {prefix}lines (LIKE journal_lines INCLUDING {including})")
                if variant == "keyed":
                    for ddl in _pg_keys(driver):
                        driver.execute(ddl)
                driver.commit()
                t0 = time.perf_counter()
                for table, columns in (("entries", ENTRY_COLUMNS), ("lines", LINE_COLUMNS)):
                    source = "journal_entries" if table == "entries" else "journal_lines"
                    query = f"COPY {prefix}{table} ({columns}) FROM STDIN"
                    with (folder / source).open("rb") as handle, driver.cursor() as cur, cur.copy(query) as copy:
                        while block := handle.read(1 << 20):
                            copy.write(block)
                    if table == "entries" and variant == "keyed":
                        # Else the lines' foreign-key checks plan for an empty table (a sequential scan).
                        driver.execute("ANALYZE raw_k_entries")
                driver.commit()
                seconds = time.perf_counter() - t0
                result[f"copy_{variant}"] = {"seconds": seconds, "entries_per_s": entries / seconds}
                driver.execute(f"DROP TABLE {prefix}lines")
                driver.execute(f"DROP TABLE {prefix}entries")
                driver.commit()
    finally:
        for name in os.listdir(folder):
            os.unlink(folder / name)
        os.rmdir(folder)
    result["entries"] = entries
    result["maxrss_mb"] = maxrss_mb()
    return result


def _raw_sqlite(args: dict[str, Any]) -> dict[str, Any]:
    import sqlite3

    path = args["url"].removeprefix("sqlite:///")
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:  # the ledger's own settings
        conn.execute(pragma)
    entries = conn.execute("SELECT count(*) FROM journal_entries").fetchone()[0]
    result: dict[str, Any] = {"entries": entries}
    for variant in ("bare", "keyed"):
        prefix = "raw_b_" if variant == "bare" else "raw_k_"
        if variant == "bare":
            conn.execute("CREATE TABLE raw_b_entries AS SELECT * FROM journal_entries WHERE 0")
            conn.execute("CREATE TABLE raw_b_lines AS SELECT * FROM journal_lines WHERE 0")
        else:
            # The journal's own tables and indexes (keys, checks, foreign keys), renamed; not
            # its append-only triggers, which fire on UPDATE and DELETE.
            for (ddl,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name IN ('journal_entries', 'journal_lines') "
                "AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY tbl_name, type DESC"
            ).fetchall():
                conn.execute(_as_raw(ddl))
        busy = 0.0
        conn.execute("BEGIN")
        for table, columns in (("entries", ENTRY_COLUMNS), ("lines", LINE_COLUMNS)):
            source = conn.cursor()
            source.execute(f"SELECT {columns} FROM journal_{table} ORDER BY association_id, seq")
            marks = ", ".join("?" * len(columns.split(",")))
            while rows := source.fetchmany(50_000):
                t0 = time.perf_counter()
                conn.executemany(f"INSERT INTO {prefix}{table} ({columns}) VALUES ({marks})", rows)
                busy += time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.execute("COMMIT")
        busy += time.perf_counter() - t0
        result[f"executemany_{variant}"] = {"seconds": busy, "entries_per_s": entries / busy}
        conn.execute(f"DROP TABLE {prefix}lines")
        conn.execute(f"DROP TABLE {prefix}entries")
    conn.close()
    result["maxrss_mb"] = maxrss_mb()
    return result


PHASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "post": post,
    "reads": reads,
    "statements": statements,
    "gl_csv": gl_csv,
    "gl_pdf": gl_pdf,
    "receipts": receipts,
    "verify": verify,
    "raw": raw,
}


def main() -> None:
    name = sys.argv[1]
    args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    result = PHASES[name](args)
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
