"""docs/benchmarks.md and docs/benchmarks.png from the figures of a run.

The chart is drawn with Pillow (installed with reportlab), not matplotlib: six bar panels
need no plotting library, and the project gains no dependency for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
FONT = ROOT / "ledger" / "documents" / "fonts" / "DejaVuSans.ttf"
BOLD = ROOT / "ledger" / "documents" / "fonts" / "DejaVuSans-Bold.ttf"
NOTES = Path(__file__).with_name("notes.md")
#: Cores busy with other work during a measurement above which its figures are marked as shared.
BUSY_CORES = 0.25
BUSY_CORES_POSTGRESQL = 1.25
COLOURS = {"sqlite": (52, 101, 164), "postgresql": (204, 102, 0)}
LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def n_label(n: int) -> str:
    exponent = len(str(n)) - 1
    return f"10^{exponent}" if n == 10**exponent else f"{n:,}"


def fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}"
    return f"{round(value):,}"


def _get(results: dict[str, Any], kind: str, n: int, phase: str, *keys: str) -> Any:
    value: Any = results["runs"].get(f"{kind}/{n}", {}).get(phase)
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _per_cpu(count: int, result: dict[str, Any]) -> str:
    """``count`` per second of the measuring process's own CPU time (``—`` when not recorded)."""
    cpu = result.get("cpu_seconds")
    return fmt(count / cpu) if cpu else "—"


def _mark(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


def _targets(results: dict[str, Any]) -> list[str]:
    sizes = results["sizes"]
    big, small = max(sizes), min(sizes)
    dbs = results["databases"]
    rows = [
        "| what (at the largest N measured, "
        + n_label(big)
        + ") | target | "
        + " | ".join(LABEL[d] for d in dbs)
        + " | met |"
    ]
    rows.append("| --- | --- | " + " | ".join("---:" for _ in dbs) + " | --- |")

    def row(what: str, target: str, values: list[str], ok: bool | None) -> None:
        rows.append(f"| {what} | {target} | " + " | ".join(values) + f" | {_mark(ok)} |")

    post = {d: _get(results, d, big, "post", "entries_per_s") for d in dbs}
    row(
        "bulk posting, entries/s",
        "≥ 30,000",
        [fmt(post[d]) for d in dbs],
        all(v is not None and v >= 30_000 for v in post.values()),
    )
    share = {}
    for d in dbs:
        raw_key = "copy_keyed" if d == "postgresql" else "executemany_keyed"
        raw = _get(results, d, big, "raw", raw_key, "entries_per_s")
        share[d] = post[d] / raw if post[d] and raw else None
    row(
        "bulk posting ÷ the database's own rate for the same rows with our keys",
        "≥ 25%",
        [f"{share[d]:.0%}" if share[d] is not None else "—" for d in dbs],
        all(v is not None and v >= 0.25 for v in share.values()),
    )
    hledger_seconds = ((results.get("external", {}).get(str(big)) or {}).get("hledger_balance") or {}).get("seconds")
    hledger_rate = big / hledger_seconds if hledger_seconds else None
    row(
        "bulk posting ÷ hledger's rate of reading the same journal (`hledger balance`, "
        + (f"{fmt(hledger_rate)} entries/s" if hledger_rate else "not measured")
        + ")",
        "≥ 3×",
        [f"{post[d] / hledger_rate:.1f}×" if post[d] and hledger_rate else "—" for d in dbs],
        all(v is not None and v / hledger_rate >= 3 for v in post.values()) if hledger_rate else None,
    )
    http = {d: results["runs"].get(f"{d}/{big}", {}).get("http") or {} for d in dbs}
    row(
        "HTTP single postings, requests/s (p99)",
        "≥ 500 req/s, p99 ≤ 50 ms on PostgreSQL",
        [f"{fmt(http[d].get('requests_per_s'))} ({fmt(http[d].get('p99_ms'), 1)} ms)" for d in dbs],
        (http.get("postgresql", {}).get("requests_per_s") or 0) >= 500
        and (http.get("postgresql", {}).get("p99_ms") or 1e9) <= 50
        if "postgresql" in dbs
        else None,
    )
    floor = results.get("floor") or {}
    if floor:
        cells = []
        for d in dbs:
            trips = (floor.get(d) or {}).get("round_trips") or {}
            ours = http[d].get("requests_per_s")
            limit = trips.get("requests_per_s")
            cells.append(
                f"{ours / limit:.0%} of {fmt(limit)} ({floor[d]['statements']} statements)" if ours and limit else "—"
            )
        row(
            "HTTP single postings ÷ the stack's own rate for as many statements doing nothing (section 2)",
            "(context: no target)",
            cells,
            None,
        )
    for what, key in (("fund balances read, p50 ms", "fund_balance"), ("trial balance read, p50 ms", "trial_balance")):
        values, oks = [], []
        for d in dbs:
            at_big = _get(results, d, big, "reads", key, "p50_ms")
            at_small = _get(results, d, small, "reads", key, "p50_ms")
            ratio = at_big / at_small if at_big and at_small else None
            values.append(f"{fmt(at_big, 2)} ({ratio:.1f}× of {n_label(small)})" if ratio else fmt(at_big, 2))
            oks.append(at_big is not None and at_big <= 10 and (ratio is None or ratio <= 2))
        row(what, f"≤ 10 ms and ≤ 2× of {n_label(small)}", values, all(oks))
    csv = {d: _get(results, d, big, "gl_csv") or {} for d in dbs}
    row(
        "general ledger CSV, lines/s (peak RSS)",
        "≥ 200,000 lines/s, < 200 MB",
        [f"{fmt(csv[d].get('lines_per_s'))} ({fmt(csv[d].get('maxrss_mb'))} MB)" for d in dbs],
        all((c.get("lines_per_s") or 0) >= 200_000 and (c.get("maxrss_mb") or 1e9) < 200 for c in csv.values()),
    )
    pdf = {d: _get(results, d, big, "gl_pdf") or {} for d in dbs}
    row(
        "general ledger PDF, seconds for its lines (peak RSS)",
        "100,000 lines ≤ 12 s",
        [
            f"{fmt(pdf[d].get('seconds'), 1)} s for {fmt(pdf[d].get('lines'))} ({fmt(pdf[d].get('maxrss_mb'))} MB)"
            for d in dbs
        ],
        all((p.get("seconds") or 1e9) <= 12 * max(p.get("lines") or 0, 1) / 100_000 for p in pdf.values()),
    )
    receipts = results.get("receipts") or {}
    rows.append(
        f"| receipts rendered, PDFs/s (one process) | ≥ 300 | {fmt(receipts.get('per_s'))} | | {_mark((receipts.get('per_s') or 0) >= 300)} |"
        if len(dbs) == 2
        else f"| receipts rendered, PDFs/s | ≥ 300 | {fmt(receipts.get('per_s'))} | {_mark((receipts.get('per_s') or 0) >= 300)} |"
    )
    verify = {d: _get(results, d, big, "verify", "entries_per_s") for d in dbs}
    row(
        "hash-chain verification, entries/s",
        "≥ 500,000",
        [fmt(verify[d]) for d in dbs],
        all((v or 0) >= 500_000 for v in verify.values()),
    )
    external = results.get("external", {}).get(str(big)) or {}
    hledger_more = (external.get("hledger_one_more") or {}).get("seconds")
    speedups = {}
    for d in dbs:
        ours = _get(results, d, big, "reads", "one_more_ms")
        speedups[d] = hledger_more * 1000 / ours if hledger_more and ours else None
    row(
        "one more transaction, then the balance: hledger's time ÷ ours",
        "≥ 100×",
        [f"{fmt(speedups[d])}×" if speedups[d] else "—" for d in dbs],
        all((v or 0) >= 100 for v in speedups.values()) if hledger_more else None,
    )
    return rows


def _table(header: list[str], body: list[list[str]]) -> list[str]:
    out = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---:" if i else "---" for i in range(len(header))) + " |",
    ]
    out += ["| " + " | ".join(cells) + " |" for cells in body]
    return out


def _floor_section(results: dict[str, Any]) -> list[str]:
    """The stack's own limit for the HTTP postings (``benchlib/floor_app.py``), once per database."""
    floor = results.get("floor") or {}
    dbs = [d for d in results["databases"] if (floor.get(d) or {}).get("round_trips")]
    if not dbs:
        return []
    first = min(results["sizes"])
    body = []
    for d in dbs:
        f = floor[d]
        ours = _get(results, d, first, "http") or {}
        for name, what in (("framework", "the framework alone: parse the body, answer"), ("round_trips", "")):
            h = f.get(name) or {}
            if "requests_per_s" not in h:
                continue
            label = what or (
                f"{f['statements']} statements `SELECT 1` in one transaction, as many as one donation runs"
                + (
                    f" ({f['answered']} of them wait for their answer, the others go with the next one)"
                    if d == "postgresql" and f.get("answered") not in (None, f["statements"])
                    else ""
                )
            )
            body.append(
                [
                    LABEL[d],
                    label,
                    fmt(h["requests_per_s"]),
                    fmt(h["p99_ms"], 1),
                    fmt(h.get("worker_cpu_ms_per_request"), 2),
                ]
            )
        if ours.get("requests_per_s"):
            body.append(
                [
                    LABEL[d],
                    f"**a donation** (section 2 at {n_label(first)}, for comparison)",
                    fmt(ours["requests_per_s"]),
                    fmt(ours["p99_ms"], 1),
                    fmt(ours.get("worker_cpu_ms_per_request"), 2),
                ]
            )
    return [
        "",
        "**The stack's own limit.** The same gunicorn settings and the same wrk load (body, 16 "
        "connections, seconds) against `scripts/benchlib/floor_app.py`: a Flask app on the ledger's engine "
        "that reads the body and answers, first doing nothing else, then running as many statements as one "
        "donation runs (counted by the engine's events; each a `SELECT 1`, in one transaction, committed). "
        "No code can post a donation with that many statements faster than the second line on this machine; "
        "the targets table gives our rate as a share of it. Each of these `SELECT 1` waits for its answer; "
        "a donation on PostgreSQL sends the statements whose answer it does not read (its rows, balances, "
        "chain head, outbox and audit rows) with the next one (`ledger/persistence/pipeline.py`), so it "
        "waits for the server fewer times than the floor app does.",
        "",
        *_table(["database", "the app does", "requests/s", "p99 ms", "worker CPU ms/request"], body),
        "",
    ]


def markdown(results: dict[str, Any], png_name: str) -> str:
    m = results["machine"]
    sizes = results["sizes"]
    dbs = results["databases"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `scripts/bench` on {m['date']} in {results.get('total_seconds', 0) / 60:.0f} min "
        f"(sizes {', '.join(n_label(n) for n in sizes)}; databases {', '.join(LABEL[d] for d in dbs)}). "
        "Rerun with `scripts/bench` (all sizes, both databases, a quarter of an hour on this machine) or `scripts/bench --quick`; "
        "`scripts/bench --help` says what each figure is.",
        "",
        f"- Machine: {m['cpu']}, **{m['cores']} cores**, {m['memory_gib']} GiB, Linux {m['kernel']}"
        + (
            f"; a fixed Python workload (`sum(range(10**6))`, best of 5) took {m['python_sum_ms']:.1f} ms: "
            "the hosts of this machine kind differ in speed from day to day, and every figure below moves with it"
            if m.get("python_sum_ms")
            else ""
        ),
        f"- Python {m['python']}, SQLAlchemy {m['sqlalchemy']}, reportlab {m['reportlab']}, SQLite {m['sqlite']}",
        f"- PostgreSQL {m['postgresql']}, on the same machine",
        f"- {m['hledger']}; {m['ledger']}; {m['beancount']} (Debian packages)",
        "- The journal: an association tree (province `QT`, city `QT-DH` with 60% of the entries, two wards, a "
        "school board), five funds each, 300 donors and 800 beneficiaries each; donations in cash, by bank and in kind, "
        "scholarships, Tet gifts, bookcases, support, running costs, deposits and interest over five years; "
        "Vietnamese names and memos; about 2.5 lines per entry. The same seed gives the same journal on both "
        "databases and in the plain-text files.",
        "- **The HTTP load generator runs on the same 2-core machine** as gunicorn and the database, and takes "
        "part of the CPU it measures.",
        "",
        "![Benchmarks](" + png_name + ")",
        "",
        "## Against the targets of issue 7",
        "",
        *_targets(results),
        "",
    ]

    def per_size(title: str, intro: str, header: list[str], make: Any) -> None:
        lines.extend([f"## {title}", "", intro, ""])
        body = []
        for n in sizes:
            for d in dbs:
                cells = make(d, n)
                if cells is not None:
                    body.append([n_label(n), LABEL[d], *cells])
        lines.extend(_table(["N", "database", *header], body))
        lines.append("")

    def post_cells(d: str, n: int) -> list[str] | None:
        p = _get(results, d, n, "post")
        if not p or "error" in p:
            return None
        return [
            fmt(p["entries"]),
            fmt(p["lines"]),
            fmt(p["seconds"], 1),
            fmt(p["entries_per_s"]),
            fmt(p["lines_per_s"]),
            _per_cpu(p["entries"], p),
            fmt(p["maxrss_mb"]),
        ]

    per_size(
        "1. Bulk posting through the service",
        "`post_entries` with 1,000 drafts per unit of work: validation, per-fund balance check, the writer "
        "lock, numbering, the hash chain, entries and lines, materialised balances, commit. Only the units of "
        "work are timed; peak RSS is the posting process's. *Per CPU-s* divides by the CPU time of the "
        "posting process alone (not PostgreSQL's): it moves less than the wall-clock rate when other work "
        "shares the cores, and on SQLite, which runs inside the process, it is the rate on an idle core.",
        ["entries", "lines", "seconds", "entries/s", "lines/s", "entries per CPU-s", "peak RSS MB"],
        post_cells,
    )

    def http_cells(d: str, n: int) -> list[str] | None:
        h = _get(results, d, n, "http")
        if not h or "error" in h:
            return None
        return [
            fmt(h["requests"]),
            fmt(h["requests_per_s"]),
            fmt(h["p50_ms"], 1),
            fmt(h["p99_ms"], 1),
            fmt(h["max_ms"], 1),
            fmt(h["errors"]),
            fmt(h.get("worker_cpu_ms_per_request"), 2),
        ]

    served = next(
        (
            h
            for n in sizes
            for d in dbs
            if (h := _get(results, d, n, "http")) and "error" not in h and "worker_class" in h
        ),
        {},
    )
    server = (
        f"{served['workers']} {served['worker_class']} workers"
        + (f" of {served['threads']} threads each" if served.get("worker_class") == "gthread" else "")
        if served
        else "2 workers"
    )
    per_size(
        "2. Single postings over HTTP",
        f"`POST /api/v1/associations/QT-DH/donations` (a cash donation with its receipt number, audit event and "
        f"outbox row) under gunicorn with {server} (`gunicorn.conf.py`, as `scripts/run` serves), 16 connections "
        f"from `wrk` on loopback, {results.get('http_seconds', 10):.0f} s measured "
        "after 2 s of warm-up. **wrk runs on the same 2-core machine** as gunicorn and PostgreSQL and takes "
        "part of the CPU it measures"
        + (
            f" ({fmt(served['wrk_cpu_ms_per_request'], 2)} ms per request)"
            if served.get("wrk_cpu_ms_per_request")
            else ""
        )
        + ". Any answer but a 2xx counts as an error (the "
        "run fails when most are). All clients post to one association, so every request queues on that "
        "association's writer lock. *Worker CPU* is the gunicorn workers' CPU time per request (the database "
        "server's not counted).",
        ["requests", "requests/s", "p50 ms", "p99 ms", "max ms", "errors", "worker CPU ms/request"],
        http_cells,
    )
    lines += _floor_section(results)

    def read_cells(d: str, n: int) -> list[str] | None:
        r = _get(results, d, n, "reads")
        if not r or "error" in r:
            return None
        f, t = r["fund_balance"], r["trial_balance"]
        return [
            fmt(f["p50_ms"], 2),
            fmt(f["p95_ms"], 2),
            fmt(t["p50_ms"], 2),
            fmt(t["p95_ms"], 2),
            fmt(r["trial_balance_rows"]),
            fmt(r["one_more_ms"], 1),
        ]

    per_size(
        "3. Reading balances",
        "Each read is a whole unit of work (session, connection from the pool, queries, close), 200 times after "
        "one warm-up: the city's fund balances (`funds.list_funds`, what `GET …/funds` serves) and its trial "
        "balance (`ledger.reports.trial_balance`). Both read the materialised `balances` table, so N does not "
        "enter. *One more* is posting one entry and reading the new trial balance, in milliseconds.",
        ["funds p50 ms", "funds p95 ms", "trial balance p50 ms", "p95 ms", "TB rows (tree)", "one more, ms"],
        read_cells,
    )

    def statement_cells(d: str, n: int) -> list[str] | None:
        r = _get(results, d, n, "statements")
        if not r or "error" in r:
            return None
        return [
            fmt(r["catch_up_s"], 2),
            fmt(r["trial_balance_past"]["p50_ms"], 2),
            fmt(r["fund_statement_past"]["p50_ms"], 2),
            fmt(r["fund_statement_year"]["p50_ms"], 2),
            fmt(r["cash_book_month"]["p50_ms"], 2),
            f"{fmt(r['consolidated_tree']['p50_ms'], 1)} ({r['members']})",
        ]

    per_size(
        "3b. Statements at past dates",
        "Issue 17: the statements are read from the day and month movements (`ledger/reports/snapshots.py`), "
        "never by adding up the journal. *Catch-up* is taking the whole journal into them once (later reports "
        "take only the entries posted since). Then, each a whole snapshot unit of work, 50 times: the city's "
        "trial balance and fund statement at a date half-way through the journal (targets ≤ 50 ms), its fund "
        "statement for that year and a month of its cash book (≤ 200 ms), and the consolidation of the "
        "benchmark's tree (members in brackets).",
        [
            "catch-up s",
            "TB past p50 ms",
            "fund st. past p50 ms",
            "fund st. year p50 ms",
            "cash book month p50 ms",
            "consolidated p50 ms",
        ],
        statement_cells,
    )

    def gl_cells(d: str, n: int) -> list[str] | None:
        c, p = _get(results, d, n, "gl_csv"), _get(results, d, n, "gl_pdf")
        if not c or "error" in c:
            return None
        pdf = (
            [fmt(p.get("lines")), fmt(p.get("seconds"), 1), fmt(p.get("maxrss_mb"))]
            if p and "error" not in p
            else ["—"] * 3
        )
        return [
            fmt(c["lines"]),
            fmt(c["lines_per_s"]),
            _per_cpu(c["lines"], c),
            fmt(c["mb"]),
            fmt(c["maxrss_mb"]),
            *pdf,
        ]

    per_size(
        "4. Exporting the general ledger",
        "CSV: every association's general ledger (`ledger.reports.general_ledger` → `ledger.reports.export`), "
        "ordered by account, fund and entry with running balances, streamed from a server-side cursor in chunks "
        "of 20,000 rows to a file. PDF: the city's ledger up to its limit of 100,000 lines, A4, drawn page by page.",
        [
            "CSV lines",
            "CSV lines/s",
            "lines per CPU-s",
            "CSV MB",
            "CSV peak RSS MB",
            "PDF lines",
            "PDF s",
            "PDF peak RSS MB",
        ],
        gl_cells,
    )

    receipts = results.get("receipts") or {}
    lines += [
        "## 5. Rendering receipts",
        "",
        "`ledger.documents.receipt_pdf.render_receipt` on different donations (names, amounts, QR codes), one "
        "process, fonts registered once.",
        "",
        *_table(
            ["receipts", "seconds", "PDFs/s", "KiB each", "peak RSS MB"],
            [
                [
                    fmt(receipts.get("count")),
                    fmt(receipts.get("seconds"), 2),
                    fmt(receipts.get("per_s")),
                    fmt(receipts.get("kb_each"), 1),
                    fmt(receipts.get("maxrss_mb")),
                ]
            ],
        ),
        "",
    ]

    def verify_cells(d: str, n: int) -> list[str] | None:
        v = _get(results, d, n, "verify")
        if not v or "error" in v:
            return None
        return [
            fmt(v["entries"]),
            fmt(v["seconds"], 1),
            fmt(v["entries_per_s"]),
            _per_cpu(v["entries"], v),
            "yes" if v["ok"] else "**no**",
            fmt(v["maxrss_mb"]),
        ]

    per_size(
        "6. Verifying the hash chain",
        "`verification.verify_association` for every association of the tree, as `ledger verify` runs it: the "
        "journal streamed back in seq order with its lines, the canonical bytes rebuilt and SHA-256 recomputed for "
        "every entry; a chain of more than 100,000 entries in stretches verified side by side, one process per core "
        "(here two). *Per CPU-s* counts the measuring process alone, not the stretches' processes.",
        ["entries", "seconds", "entries/s", "entries per CPU-s", "chain ok", "peak RSS MB"],
        verify_cells,
    )

    lines += [
        "## 7. The same journal in hledger, ledger and Beancount",
        "",
        "The generated journal written as an hledger/ledger journal and a Beancount file (accounts "
        "`Assets:QT-DH:111:HPD`, one commodity `VND`). Each tool is timed from start to exit with its peak RSS "
        "(GNU time); the balances it prints are compared, leaf account by leaf account, with our trial balances "
        "(bean-query uses `sum(number)`: `sum(position)` fails on VND balances above 10^9). *One more* appends one "
        "transaction to the file and asks for the balance again; ours posts it and reads the materialised balance.",
        "",
    ]
    body = []
    for n in sizes:
        e = results.get("external", {}).get(str(n))
        if not e or "error" in e:
            continue
        agreement = e.get("agreement", {})
        for name, label in (
            ("hledger_balance", "`hledger balance`"),
            ("ledger_balance", "`ledger balance`"),
            ("bean_check", "`bean-check`"),
            ("bean_query_balance", "`bean-query` balance"),
            ("hledger_one_more", "hledger: one more, then balance"),
            ("ledger_one_more", "ledger: one more, then balance"),
        ):
            run = e.get(name) or {}
            ours = [_get(results, d, n, "reads", "trial_balance", "p50_ms") for d in dbs]
            if "one_more" in name:
                ours = [_get(results, d, n, "reads", "one_more_ms") for d in dbs]
            ratio = [f"{run['seconds'] * 1000 / o:,.0f}×" if o and run.get("seconds") else "—" for o in ours]
            agree = agreement.get(name, {})
            body.append(
                [
                    n_label(n),
                    label,
                    fmt(run.get("seconds"), 2),
                    fmt(run.get("maxrss_mb")),
                    " / ".join(ratio),
                    ("yes" if agree.get("agree") else "**no**") if agree else "",
                ]
            )
        body.append(
            [
                n_label(n),
                "file sizes",
                f"{e.get('ledger_file_mb', 0):,.0f} MB journal, {e.get('beancount_file_mb', 0):,.0f} MB beancount",
                "",
                "",
                "",
            ]
        )
    lines += _table(
        [
            "N",
            "tool",
            "seconds",
            "peak RSS MB",
            "÷ our trial balance (" + " / ".join(LABEL[d] for d in dbs) + ")",
            "balances agree",
        ],
        body,
    )
    lines.append("")

    def raw_cells(d: str, n: int) -> list[str] | None:
        r = _get(results, d, n, "raw")
        p = _get(results, d, n, "post", "entries_per_s")
        if not r or "error" in r:
            return None
        bare = r.get("copy_bare") or r.get("executemany_bare") or {}
        keyed = r.get("copy_keyed") or r.get("executemany_keyed") or {}
        how = "COPY" if d == "postgresql" else "executemany, one transaction"
        share_keyed = f"{p / keyed['entries_per_s']:.0%}" if p and keyed.get("entries_per_s") else "—"
        share_bare = f"{p / bare['entries_per_s']:.0%}" if p and bare.get("entries_per_s") else "—"
        return [how, fmt(bare.get("entries_per_s")), fmt(keyed.get("entries_per_s")), fmt(p), share_keyed, share_bare]

    per_size(
        "8. The database's own limit for the same rows",
        "The entry and line rows the service wrote, read back and written again by the database's fastest path "
        "in one transaction: into bare tables (no key, no index), and into tables with the journal's own primary "
        "keys, unique key, checks, indexes, foreign keys and (PostgreSQL) reference-checking triggers, copied from "
        "the catalog (migration 0004). Our rate is bulk posting's (section 1).",
        ["path", "bare entries/s", "keyed entries/s", "ours entries/s", "ours ÷ keyed", "ours ÷ bare"],
        raw_cells,
    )
    failed = []
    for key, run_result in results["runs"].items():
        kind, n = key.split("/")
        if "error" in run_result:
            failed.append(f"{LABEL[kind]} {n_label(int(n))}: {run_result['error']}")
        for name, value in run_result.items():
            if isinstance(value, dict) and "error" in value:
                failed.append(f"{LABEL[kind]} {n_label(int(n))} {name}: {value['error']}")
    if failed:
        lines += ["## What could not be measured", "", *(f"- {item}" for item in failed), ""]
    phases = ("post", "reads", "verify", "gl_csv", "gl_pdf", "raw", "http")
    load_rows = []
    for n in sizes:
        for d in dbs:
            run_result = results["runs"].get(f"{d}/{n}", {})
            cells = []
            for name in phases:
                value = (run_result.get(name) or {}).get("other_cores")
                busy = value is not None and value > (BUSY_CORES_POSTGRESQL if d == "postgresql" else BUSY_CORES)
                cells.append("—" if value is None else (f"**{value:.2f}**" if busy else f"{value:.2f}"))
            load_rows.append([n_label(n), LABEL[d], *cells])
    others = [f"receipts {fmt((results.get('receipts') or {}).get('other_cores'), 2)}"]
    for n, external in sorted((results.get("external") or {}).items(), key=lambda item: int(item[0])):
        others.append(f"plain-text tools at {n_label(int(n))} {fmt(external.get('other_cores'), 2)}")
    lines += [
        "## Machine load during the run",
        "",
        "How many of the two cores, on average, were busy during each measurement with something other than "
        "the measuring process and what it started (from `/proc/stat` less the processes' own CPU time). On SQLite "
        "that is other work on the machine; on PostgreSQL it includes the database server working for the "
        "measurement (up to about one core). In bold: more than "
        f"{BUSY_CORES} core on SQLite or {BUSY_CORES_POSTGRESQL} on PostgreSQL, i.e. the machine was shared "
        "with other engineers' test runs and that measurement's wall-clock figures are pessimistic.",
        "",
        *_table(["N", "database", *phases], load_rows),
        "",
        "Also: " + "; ".join(others) + ".",
        "",
    ]
    if NOTES.exists():
        lines += [NOTES.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines)


# --- The chart ------------------------------------------------------------------------------------


def _panel(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    title: str,
    sizes: list[int],
    series: dict[str, list[float | None]],
    target: float | None,
    unit: str,
    fonts: tuple[Any, Any],
) -> None:
    font, bold = fonts
    x0, y0, x1, y1 = box
    draw.text((x0 + 10, y0 + 6), title, fill=(20, 20, 25), font=bold)
    left, right, top, bottom = x0 + 70, x1 - 15, y0 + 40, y1 - 40
    values = [v for vs in series.values() for v in vs if v is not None]
    peak = max(values + ([target] if target else []) + [1e-9]) * 1.15
    draw.line((left, bottom, right, bottom), fill=(80, 80, 80))
    draw.line((left, top, left, bottom), fill=(80, 80, 80))
    for i in range(5):
        value = peak * i / 4
        y = bottom - (bottom - top) * i / 4
        draw.line((left - 4, y, left, y), fill=(80, 80, 80))
        label = f"{value / 1000:,.0f}k" if peak >= 10_000 else (f"{value:,.1f}" if peak < 100 else f"{value:,.0f}")
        draw.text((x0 + 8, y - 7), label, fill=(60, 60, 60), font=font)
    group = (right - left) / max(len(sizes), 1)
    width = group * 0.7 / max(len(series), 1)
    for g, n in enumerate(sizes):
        gx = left + g * group + group * 0.15
        for s, (name, vs) in enumerate(series.items()):
            value = vs[g]
            if value is None:
                continue
            bx = gx + s * width
            by = bottom - (bottom - top) * value / peak
            draw.rectangle((bx, by, bx + width - 3, bottom), fill=COLOURS.get(name.split()[0].lower(), (120, 120, 120)))
            if value >= 10_000:
                text = f"{value / 1000:,.0f}k"
            elif value >= 1000:
                text = f"{value / 1000:,.1f}k"
            else:
                text = f"{value:,.2f}" if value < 10 else f"{value:,.0f}"
            draw.text((bx, by - 15), text, fill=(30, 30, 30), font=font)
        draw.text((left + g * group + group / 2 - 18, bottom + 6), n_label(n), fill=(30, 30, 30), font=font)
    if target:
        ty = bottom - (bottom - top) * target / peak
        for x in range(int(left), int(right), 12):
            draw.line((x, ty, x + 6, ty), fill=(200, 30, 30), width=2)
        # Named under the axis, where no bar's label can cover it.
        label = f"- - target {target:,.0f} {unit}".replace(".0 ", " ")
        draw.text((right - 7 * len(label), y1 - 20), label, fill=(200, 30, 30), font=font)
    draw.text((left, y1 - 20), "entries in the journal", fill=(90, 90, 90), font=font)


def chart(results: dict[str, Any], path: Path) -> None:
    sizes = results["sizes"]
    dbs = results["databases"]
    image = Image.new("RGB", (1800, 900), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    fonts = (ImageFont.truetype(str(FONT), 13), ImageFont.truetype(str(BOLD), 15))

    def series(phase: str, *keys: str) -> dict[str, list[float | None]]:
        return {LABEL[d]: [_get(results, d, n, phase, *keys) for n in sizes] for d in dbs}

    panels = (
        ("1. Bulk posting, entries/s", series("post", "entries_per_s"), 30_000, "entries/s"),
        ("2. HTTP postings, requests/s (2 workers, 16 connections)", series("http", "requests_per_s"), 500, "req/s"),
        ("3. Trial balance read, p50 ms", series("reads", "trial_balance", "p50_ms"), 10, "ms"),
        ("4. General ledger CSV, lines/s", series("gl_csv", "lines_per_s"), 200_000, "lines/s"),
        ("6. Chain verification, entries/s", series("verify", "entries_per_s"), 500_000, "entries/s"),
        ("3. Fund balances read, p50 ms", series("reads", "fund_balance", "p50_ms"), 10, "ms"),
    )
    for index, (title, values, target, unit) in enumerate(panels):
        x0, y0 = (index % 3) * 600, 40 + (index // 3) * 430
        _panel(draw, (x0, y0, x0 + 600, y0 + 430), title, sizes, values, target, unit, fonts)
    title_font = ImageFont.truetype(str(BOLD), 18)
    draw.text(
        (20, 10),
        f"Khuyến học Fund Ledger benchmarks — {results['machine']['date']}, {results['machine']['cores']} cores",
        fill=(10, 10, 10),
        font=title_font,
    )
    x = 1300
    for d in dbs:
        draw.rectangle((x, 14, x + 14, 28), fill=COLOURS[d])
        draw.text((x + 20, 12), LABEL[d], fill=(10, 10, 10), font=fonts[0])
        x += 140
    image.save(path, optimize=True)


def render(results: dict[str, Any], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    png = out / "benchmarks.png"
    chart(results, png)
    md = out / "benchmarks.md"
    md.write_text(markdown(results, png.name) + "\n", encoding="utf-8")
    return md, png
