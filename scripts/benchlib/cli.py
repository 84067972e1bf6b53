"""The orchestrator: fresh databases per size, each measurement in a child process, then the report."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SIZES = (10_000, 100_000, 1_000_000)

DESCRIPTION = """\
Benchmark the Khuyến học Fund Ledger (issue 7) and write docs/benchmarks.md and docs/benchmarks.png.

For each size N it generates the same realistic journal (an association tree: donations,
scholarships, Tet gifts, bookcases; Vietnamese names; about 2.5 lines per entry) and, on a
temporary SQLite file and on a fresh PostgreSQL schema (made and dropped), measures:
  1. bulk posting through post_entries, 1,000 drafts per unit of work (entries/s, lines/s, peak RSS);
  2. single postings over HTTP: gunicorn, 2 workers, 16 concurrent clients on loopback (req/s, p50, p99);
  3. fund balances and the trial balance read from the materialised balances (latency);
  4. the general ledger as CSV (all of it) and as PDF (up to 100,000 lines): lines/s, peak RSS;
  5. donation receipts rendered (PDFs/s, once per run);
  6. hash-chain verification (entries/s);
  7. hledger balance, ledger balance, bean-check and bean-query on the same journal, the agreement
     of their balances with our trial balances, and "one more transaction, then the balance";
  8. the database's own limit for the same rows (PostgreSQL COPY, SQLite executemany; bare and keyed).
hledger, ledger and beancount come from Debian (apt-get install when missing, as root).
"""


def _parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    if text.startswith("10^"):
        return 10 ** int(text[3:])
    if text.endswith("k"):
        return int(float(text[:-1]) * 1000)
    if text.endswith("m"):
        return int(float(text[:-1]) * 1_000_000)
    return int(float(text))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in SIZES),
        help="comma-separated journal sizes in entries, e.g. 10^4,10^5,10^6 or 10k,100k,1m (default: all three)",
    )
    parser.add_argument("--quick", action="store_true", help="10^4 entries only, shorter HTTP run (while developing)")
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql (default: both)"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL to make a fresh schema in (default: %(default)s)",
    )
    parser.add_argument("--http-seconds", type=float, default=10.0, help="measured seconds of HTTP load per run")
    parser.add_argument("--no-external", action="store_true", help="skip hledger, ledger and Beancount")
    parser.add_argument("--out", default=str(ROOT / "docs"), help="where benchmarks.md and benchmarks.png go")
    parser.add_argument(
        "--results",
        default=str(ROOT / "docs" / "bench-data" / "results.json"),
        help="the raw figures as JSON (default: %(default)s, not committed)",
    )
    parser.add_argument("--report-only", action="store_true", help="only render the report from --results")
    args = parser.parse_args(argv)
    args.size_list = [10_000] if args.quick else [_parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.quick:
        args.http_seconds = min(args.http_seconds, 5.0)
    args.database_list = [d.strip() for d in args.databases.split(",") if d.strip()]
    for name in args.database_list:
        if name not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {name!r}")
    return args


def log(message: str) -> None:
    sys.stderr.write(f"[bench {datetime.now():%H:%M:%S}] {message}\n")
    sys.stderr.flush()


def busy_cpu_seconds() -> float:
    """CPU time all processes of the machine have used since boot (``/proc/stat``), in seconds."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child(module: str, *argv: str, timeout: float = 3600) -> dict[str, Any]:
    """Run ``python -m module argv…`` and return the JSON object it printed last."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'scripts'}{os.pathsep}{ROOT}"}
    # The 1-minute load average before the phase: above ~1 something else was using the cores.
    load_before = os.getloadavg()[0]
    busy_before, ours_before = busy_cpu_seconds(), children_cpu_seconds()
    started = time.perf_counter()
    completed = subprocess.run(
        [PYTHON, "-m", module, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr[-4000:])
        return {"error": completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else "failed"}
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    result: dict[str, Any] = json.loads(lines[-1])
    wall = time.perf_counter() - started
    result.setdefault("phase_wall_seconds", wall)
    result["load_before"] = load_before
    # Cores kept busy during the phase by anything but the phase's own processes (and what
    # they started): the database server working for it, and whatever else runs on the machine.
    others = (busy_cpu_seconds() - busy_before) - (children_cpu_seconds() - ours_before)
    result["other_cores"] = max(others, 0.0) / wall if wall > 0 else 0.0
    return result


def phase(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return child("benchlib.phases", name, json.dumps(args))


def ensure_tools() -> None:
    missing = [
        pkg
        for tool, pkg in (("hledger", "hledger"), ("ledger", "ledger"), ("bean-check", "beancount"))
        if not shutil.which(tool)
    ]
    if not missing:
        return
    log(f"installing Debian packages: {' '.join(missing)}")
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "-n", "apt-get"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*apt, "update", "-qq"], check=False, env=env)
    subprocess.run([*apt, "install", "-y", "-qq", *missing], check=False, env=env)


def tool_version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not installed"


def machine(pg_url: str) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    pg = "unreachable"
    try:
        from sqlalchemy import create_engine

        engine = create_engine(pg_url)
        with engine.connect() as conn:
            pg = str(conn.exec_driver_sql("SHOW server_version").scalar())
            settings = dict(
                conn.exec_driver_sql(
                    "SELECT name, setting FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'work_mem')"
                ).all()
            )
        engine.dispose()
        pg += f" (shared_buffers={int(settings['shared_buffers']) * 8 // 1024} MB, work_mem={settings['work_mem']} kB, synchronous_commit={settings['synchronous_commit']})"
    except Exception as error:
        pg = f"unreachable ({error.__class__.__name__})"
    import timeit

    import reportlab
    import sqlalchemy

    python_sum_ms = min(timeit.repeat("sum(range(10**6))", number=10, repeat=5)) / 10 * 1000
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python_sum_ms": python_sum_ms,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_gib, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
        "sqlalchemy": sqlalchemy.__version__,
        "reportlab": reportlab.Version,
        "hledger": tool_version(["hledger", "--version"]),
        "ledger": tool_version(["ledger", "--version"]),
        "beancount": tool_version(["bean-check", "--version"]),
    }


def http_floor(url: str, token: str, donor_id: int, seconds: float) -> dict[str, Any]:
    """The stack's own limit for the HTTP benchmark (``benchlib.floor_app``): how many statements
    one donation runs, then wrk against an app that runs that many statements doing nothing, and
    against one that runs none (the framework alone)."""
    given = {"url": url, "token": token, "donor_id": donor_id, "seconds": seconds}
    counted = child("benchlib.http_load", json.dumps({**given, "count_statements": True}))
    floor: dict[str, Any] = {
        "statements": counted.get("statements"),
        "answered": counted.get("answered"),
        "error": counted.get("error"),
    }
    if counted.get("statements") is None:
        return floor
    for name, statements in (("round_trips", counted["statements"]), ("framework", 0)):
        log(f"floor: {name} ({statements} statements)")
        floor[name] = child("benchlib.http_load", json.dumps({**given, "floor": statements}))
        log(f"floor: {name} → {_brief(floor[name])}")
    floor.pop("error")
    return floor


def save(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False))


def run(args: argparse.Namespace) -> dict[str, Any]:
    from benchlib.database import create_target, drop_target, people, set_up_tree
    from benchlib.generate import MAIN

    results_path = Path(args.results)
    if not args.no_external:
        ensure_tools()
    results: dict[str, Any] = {
        "machine": machine(args.pg_url),
        "sizes": args.size_list,
        "databases": args.database_list,
        "http_seconds": args.http_seconds,
        "runs": {},
        "external": {},
    }
    started = time.perf_counter()
    log("receipts")
    results["receipts"] = phase("receipts", {"count": 300 if args.quick else 1000})
    save(results, results_path)
    scratch = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    try:
        for n in args.size_list:
            dumps: dict[str, str] = {}
            for kind in args.database_list:
                key = f"{kind}/{n}"
                run_result: dict[str, Any] = {}
                results["runs"][key] = run_result
                log(f"{key}: fresh database")
                try:
                    target = create_target(kind, args.pg_url)
                except Exception as error:  # the report says which database could not be had
                    run_result["error"] = " ".join(f"{error.__class__.__name__}: {error}".split())[:300]
                    log(f"{key}: no database ({run_result['error']})")
                    save(results, results_path)
                    continue
                try:
                    db = target.database()
                    token = set_up_tree(db)
                    donor_id = people(db).donors[MAIN][0]
                    db.engine.dispose()
                    common = {"kind": kind, "url": target.url, "handle": target.handle}
                    dumps[kind] = str(scratch / f"trial-balances-{kind}-{n}.json")
                    steps: list[tuple[str, dict[str, Any]]] = [
                        ("post", {**common, "n": n}),
                        ("reads", {**common, "dump": dumps[kind], "repeats": 200}),
                        ("statements", {**common, "repeats": 50}),
                        ("verify", common),
                        ("gl_csv", common),
                        ("gl_pdf", common),
                        ("raw", common),
                    ]
                    for name, phase_args in steps:
                        log(f"{key}: {name}")
                        run_result[name] = phase(name, phase_args)
                        log(f"{key}: {name} → {_brief(run_result[name])}")
                        save(results, results_path)
                    log(f"{key}: http")
                    run_result["http"] = child(
                        "benchlib.http_load",
                        json.dumps(
                            {"url": target.url, "token": token, "donor_id": donor_id, "seconds": args.http_seconds}
                        ),
                    )
                    log(f"{key}: http → {_brief(run_result['http'])}")
                    save(results, results_path)
                    if n == args.size_list[0]:
                        results.setdefault("floor", {})[kind] = http_floor(
                            target.url, token, donor_id, args.http_seconds
                        )
                        save(results, results_path)
                finally:
                    drop_target(target, args.pg_url)
            if not args.no_external:
                log(f"external tools at {n}")
                first = next(iter(dumps.values()), "")
                external = child("benchlib.plaintext", str(n), str(scratch), first, timeout=7200)
                if "error" not in external:
                    from benchlib.plaintext import compare, ours_by_name

                    # Every database's trial balances must agree with the tools (and so with each other).
                    external["agreement_by_database"] = {
                        kind: compare(
                            ours_by_name(json.loads(Path(path).read_text())),
                            ours_by_name(json.loads(Path(first).read_text())),
                        )["agree"]
                        for kind, path in dumps.items()
                        if Path(path).exists()
                    }
                results["external"][str(n)] = external
                log(f"external tools at {n} → {_brief(external)}")
                save(results, results_path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["total_seconds"] = time.perf_counter() - started
    save(results, results_path)
    return results


def _brief(result: dict[str, Any]) -> str:
    keys = ("entries_per_s", "lines_per_s", "per_s", "requests_per_s", "p99_ms", "seconds", "maxrss_mb", "error")
    parts = []
    for key in keys:
        if key in result and result[key] is not None:
            value = result[key]
            parts.append(f"{key}={value:,.1f}" if isinstance(value, float) else f"{key}={value}")
    for key in ("fund_balance", "trial_balance", "trial_balance_past", "fund_statement_year", "consolidated_tree"):
        if key in result:
            parts.append(f"{key}.p50={result[key]['p50_ms']:.2f}ms")
    for key in ("hledger_balance", "ledger_balance", "bean_check", "bean_query_balance"):
        if key in result:
            parts.append(f"{key}={result[key]['seconds']:.2f}s")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from benchlib.report import render

    results_path = Path(args.results)
    results = json.loads(results_path.read_text()) if args.report_only else run(args)
    markdown, png = render(results, Path(args.out))
    log(f"wrote {markdown} and {png} ({results.get('total_seconds', 0):.0f} s)")
