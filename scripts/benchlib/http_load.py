"""Single postings through the HTTP API: gunicorn with 2 workers, 16 concurrent clients on the same machine.

The load generator is a small thread pool on loopback, bounded in time and in count: each
client posts one donation (``POST /api/v1/associations/QT-DH/donations``) after another on a
fresh connection (gunicorn's sync workers close it after each response). It shares the two
cores with gunicorn and the database, which the report says.

``python -m benchlib.http_load '{"url": ..., "token": ..., "donor_id": ...}'`` prints JSON.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ledger.clock import today_vn

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
CLIENTS = 16
#: Hard limits: the run stops at whichever comes first.
MAX_SECONDS = 60.0
MAX_REQUESTS = 100_000


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


def run(args: dict[str, Any]) -> dict[str, Any]:
    seconds = min(float(args.get("seconds", 10.0)), MAX_SECONDS)
    warmup = float(args.get("warmup", 2.0))
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args["url"],
        "SECRET_KEY": "benchmark-secret-key-not-for-production",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_ready(port, server)
        return _load(port, args, seconds, warmup)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _load(port: int, args: dict[str, Any], seconds: float, warmup: float) -> dict[str, Any]:
    path = f"/api/v1/associations/{args.get('association', 'QT-DH')}/donations"
    body = json.dumps(
        {
            "donor_id": args["donor_id"],
            "fund": "HPD",
            "method": "cash",
            "amount": 500_000,
            "received_on": today_vn().isoformat(),
            "memo": "Tài trợ qua API (đo hiệu năng)",
        },
        ensure_ascii=False,
    ).encode()
    headers = {"Authorization": f"Bearer {args['token']}", "Content-Type": "application/json"}
    started = time.monotonic()
    measure_from = started + warmup
    stop_at = measure_from + seconds
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    issued = [0]
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                if issued[0] >= MAX_REQUESTS or time.monotonic() >= stop_at:
                    return
                issued[0] += 1
            t0 = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                status = response.status
            except OSError:
                status = 0
            t1 = time.monotonic()
            with lock:
                if t0 >= measure_from and t1 <= stop_at:
                    latencies.append((t1 - t0) * 1000)
                    statuses[status] = statuses.get(status, 0) + 1
                if status != 201:
                    errors[0] += 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    count = len(latencies)
    return {
        "workers": WORKERS,
        "clients": CLIENTS,
        "seconds": seconds,
        "requests": count,
        "requests_per_s": count / seconds,
        "p50_ms": latencies[count // 2] if count else None,
        "p99_ms": latencies[max(0, int(count * 0.99) - 1)] if count else None,
        "max_ms": latencies[-1] if count else None,
        "statuses": {str(k): v for k, v in statuses.items()},
        "errors": errors[0],
    }


if __name__ == "__main__":
    result = run(json.loads(sys.argv[1]))
    sys.stdout.write("\n" + json.dumps(result) + "\n")
