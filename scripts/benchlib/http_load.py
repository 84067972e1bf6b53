"""Single postings through the HTTP API: gunicorn with 2 workers, 16 concurrent connections from wrk on the same machine.

The server is started as ``scripts/run`` starts it (``gunicorn -c gunicorn.conf.py``: 2 sync
workers). The load comes from Debian's ``wrk`` (installed with apt-get when missing), which is
written in C and takes far less of the two cores than a Python load generator would; it still
shares them with gunicorn and the database, which the report says. Each of its 16 connections
posts one donation (``POST /api/v1/associations/QT-DH/donations``) after another (a sync worker
closes the connection after each answer and wrk opens the next), first for a warm-up that is not counted,
then for the measured seconds. A small Lua script sets the body and the bearer token and counts
the responses by status: anything but a 2xx is an error, and the run fails when most requests
are errors rather than reporting the speed of answering them.

The same run against ``benchlib.floor_app`` (with ``"floor": <statements>``) measures the stack's
own limit: an app that runs as many statements as a donation, each doing nothing; and
``"count_statements": true`` counts how many statements one donation runs.

``python -m benchlib.http_load '{"url": ..., "token": ..., "donor_id": ...}'`` prints JSON.
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ledger.clock import today_vn

ROOT = Path(__file__).resolve().parents[2]
#: gunicorn's settings, shared with scripts/run (workers, worker class, threads).
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
CONNECTIONS = 16
#: wrk's own threads: one per core is what wrk recommends.
WRK_THREADS = 2
#: Hard limits: the run stops at whichever comes first (wrk stops on time only).
MAX_SECONDS = 60.0
#: Above this share of errors the run fails instead of reporting a speed.
MAX_ERROR_SHARE = 0.5

#: Sets method, body and headers; counts responses per status in each wrk thread and prints
#: the totals with the latency percentiles as one JSON line when wrk is done.
LUA = r"""
local body_file = assert(io.open(os.getenv("LEDGER_BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = body_file:read("*a")
body_file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LEDGER_BENCH_TOKEN")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    '\nWRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"mean_us": %.1f, "socket_errors": %d, "timeouts": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    latency.mean, e.connect + e.read + e.write, e.timeout, table.concat(parts, ", ")))
end
"""


def _workers_cpu_seconds(master: int) -> float:
    """CPU seconds (user and system) the gunicorn workers of ``master`` have used so far."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The fields after the command name (which may hold spaces): state, ppid, … utime, stime.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == master:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before it was ready")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def ensure_wrk() -> str:
    """The path of ``wrk``, installing Debian's package first when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "-n", "apt-get"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sys.stderr.write("installing Debian package: wrk\n")
    subprocess.run([*apt, "update", "-qq"], check=False, env=env, stdout=sys.stderr)
    subprocess.run([*apt, "install", "-y", "-qq", "wrk"], check=False, env=env, stdout=sys.stderr)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found


def gunicorn_settings() -> dict[str, Any]:
    """Workers, worker class and threads from gunicorn.conf.py, for the report."""
    settings = runpy.run_path(str(GUNICORN_CONF))
    return {key: settings[key] for key in ("workers", "worker_class", "threads") if key in settings}


def donation_body(donor_id: int) -> dict[str, Any]:
    return {
        "donor_id": donor_id,
        "fund": "HPD",
        "method": "cash",
        "amount": 500_000,
        "received_on": today_vn().isoformat(),
        "memo": "Tài trợ qua API (đo hiệu năng)",
    }


def count_statements(args: dict[str, Any]) -> dict[str, int]:
    """How many statements one donation through the API runs, and how many of them wait for
    their answer (on PostgreSQL the others travel with the next one: ``ledger/persistence/pipeline.py``).

    One donation is posted in this process through Flask's test client while the engine's
    ``before_cursor_execute`` events are counted (SQLite's ``BEGIN IMMEDIATE`` included, the
    commit not: the floor app commits as well).
    """
    from sqlalchemy import event

    from ledger import create_app
    from ledger.persistence.pipeline import NO_ANSWER_OPTION

    os.environ.update({"DATABASE_URL": args["url"], "SECRET_KEY": "benchmark-secret-key-not-for-production"})
    app = create_app()
    client = app.test_client()
    url = f"/api/v1/associations/{args.get('association', 'QT-DH')}/donations"
    headers = {"Authorization": f"Bearer {args['token']}"}
    # The first request of a process reads the chart (kept per process afterwards): not counted.
    assert client.post(url, json=donation_body(args["donor_id"]), headers=headers).status_code == 201
    count = answered = 0

    def counted(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool) -> None:
        nonlocal count, answered
        count += 1
        answered += not context.execution_options.get(NO_ANSWER_OPTION)

    engine = app.extensions["ledger.db"].engine
    event.listen(engine, "before_cursor_execute", counted)
    assert client.post(url, json=donation_body(args["donor_id"]), headers=headers).status_code == 201
    event.remove(engine, "before_cursor_execute", counted)
    engine.dispose()
    return {"statements": count, "answered": answered}


def run(args: dict[str, Any]) -> dict[str, Any]:
    """Serve the ledger (or, with ``floor``, the floor app running that many statements) and load it with wrk."""
    seconds = min(float(args.get("seconds", 10.0)), MAX_SECONDS)
    warmup = float(args.get("warmup", 2.0))
    wrk = ensure_wrk()
    port = _free_port()
    floor = args.get("floor")
    env = {
        **os.environ,
        "DATABASE_URL": args["url"],
        "SECRET_KEY": "benchmark-secret-key-not-for-production",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    if floor is not None:
        env.update({"FLOOR_STATEMENTS": str(floor), "PYTHONPATH": f"{ROOT / 'scripts'}{os.pathsep}{ROOT}"})
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--config",
            str(GUNICORN_CONF),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "benchlib.floor_app:app" if floor is not None else "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_ready(port, server)
        with tempfile.TemporaryDirectory(prefix="ledger-wrk-") as scratch:
            result = _load(wrk, Path(scratch), port, server.pid, args, seconds, warmup)
        return {**gunicorn_settings(), **result, **({"statements": floor} if floor is not None else {})}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wrk(wrk: str, script: Path, env: dict[str, str], url: str, seconds: float) -> dict[str, Any]:
    completed = subprocess.run(
        [
            wrk,
            "--threads",
            str(WRK_THREADS),
            "--connections",
            str(CONNECTIONS),
            "--duration",
            f"{max(round(seconds), 1)}s",
            "--timeout",
            "30s",
            "--latency",
            "--script",
            str(script),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    marked = [line for line in completed.stdout.splitlines() if line.startswith("WRK_RESULT ")]
    if completed.returncode != 0 or not marked:
        raise RuntimeError(
            f"wrk failed (exit {completed.returncode}): {(completed.stderr or completed.stdout)[-2000:]}"
        )
    parsed: dict[str, Any] = json.loads(marked[-1].removeprefix("WRK_RESULT "))
    return parsed


def _load(
    wrk: str, scratch: Path, port: int, master: int, args: dict[str, Any], seconds: float, warmup: float
) -> dict[str, Any]:
    path = (
        "/floor"
        if args.get("floor") is not None
        else f"/api/v1/associations/{args.get('association', 'QT-DH')}/donations"
    )
    url = f"http://127.0.0.1:{port}{path}"
    body = scratch / "body.json"
    body.write_text(json.dumps(donation_body(args["donor_id"]), ensure_ascii=False), encoding="utf-8")
    script = scratch / "donation.lua"
    script.write_text(LUA)
    env = {**os.environ, "LEDGER_BENCH_BODY": str(body), "LEDGER_BENCH_TOKEN": args["token"]}
    if warmup > 0:
        _wrk(wrk, script, env, url, warmup)
    workers_before, wrk_before = _workers_cpu_seconds(master), _children_cpu_seconds()
    measured = _wrk(wrk, script, env, url, seconds)
    workers_cpu, wrk_cpu = _workers_cpu_seconds(master) - workers_before, _children_cpu_seconds() - wrk_before
    statuses: dict[str, int] = measured["statuses"] if isinstance(measured["statuses"], dict) else {}
    answered = sum(statuses.values())
    not_2xx = sum(count for status, count in statuses.items() if not 200 <= int(status) < 300)
    errors = not_2xx + measured["socket_errors"] + measured["timeouts"]
    count = int(measured["requests"])
    elapsed = measured["duration_us"] / 1e6
    if count == 0 or errors > MAX_ERROR_SHARE * max(count, answered):
        raise RuntimeError(
            f"most requests failed: {errors} errors of {count} requests (statuses {statuses}, "
            f"{measured['socket_errors']} socket errors, {measured['timeouts']} timeouts)"
        )
    return {
        "load_generator": "wrk",
        "clients": CONNECTIONS,
        "seconds": elapsed,
        "requests": count,
        "requests_per_s": count / elapsed,
        "p50_ms": measured["p50_us"] / 1000,
        "p99_ms": measured["p99_us"] / 1000,
        "max_ms": measured["max_us"] / 1000,
        "mean_ms": measured["mean_us"] / 1000,
        "statuses": statuses,
        "errors": errors,
        # CPU per request of the gunicorn workers (the database server's is not counted) and of wrk.
        "worker_cpu_ms_per_request": workers_cpu * 1000 / count,
        "wrk_cpu_ms_per_request": wrk_cpu * 1000 / count,
    }


if __name__ == "__main__":
    given = json.loads(sys.argv[1])
    result = count_statements(given) if given.get("count_statements") else run(given)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
