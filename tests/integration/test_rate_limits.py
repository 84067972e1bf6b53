"""Rate limits (issue 16, item 5): per API token, and per association on ``GET …/verify``, which past
its limit answers the last result with its time. Counted in Redis, they hold across gunicorn workers."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask

from ledger.clock import FixedClock
from tests.factories import auth, make_association, make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def settings_with(app: Flask) -> Iterator[Any]:
    """Change the app's settings for one test."""
    original = app.extensions["ledger.settings"]

    def change(**values: Any) -> None:
        app.extensions["ledger.settings"] = replace(original, **values)

    yield change
    app.extensions["ledger.settings"] = original


def test_the_api_is_limited_per_token(app: Flask, settings_with: Any) -> None:
    settings_with(api_rate_limit="3 per minute")
    code = make_association(app)
    _, first = make_user(app, code, "treasurer")
    _, second = make_user(app, code, "treasurer")
    client = app.test_client()
    url = f"/api/v1/associations/{code}/funds"
    assert [client.get(url, headers=auth(first)).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url, headers=auth(first))
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    # Another token has its own count.
    assert client.get(url, headers=auth(second)).status_code == 200


def test_chain_verification_past_its_limit_answers_the_last_result_with_its_time(
    app: Flask, settings_with: Any
) -> None:
    settings_with(verify_chain_rate="2 per minute")
    code, other = make_association(app), make_association(app)
    _, auditor = make_user(app, code, "auditor")
    _, outsider = make_user(app, other, "auditor")
    client = app.test_client()
    url = f"/api/v1/associations/{code}/verify"
    fresh = [client.get(url, headers=auth(auditor)).get_json() for _ in range(2)]
    assert [r["from_cache"] for r in fresh] == [False, False]
    cached = client.get(url, headers=auth(auditor))
    assert cached.status_code == 200
    body = cached.get_json()
    assert body["from_cache"] is True and body["verified_at"] == fresh[1]["verified_at"]
    assert {k: v for k, v in body.items() if k != "from_cache"} == {
        k: v for k, v in fresh[1].items() if k != "from_cache"
    }
    # Another association has its own count; and no one sees a result of books they cannot read.
    assert client.get(f"/api/v1/associations/{other}/verify", headers=auth(outsider)).get_json()["from_cache"] is False
    assert client.get(url, headers=auth(outsider)).status_code == 404


# --- Across gunicorn workers, counted in Redis ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(
    app: Flask, database_url: str, repo_root: Path, tmp_path_factory: pytest.TempPathFactory, app_clock: FixedClock
) -> Iterator[str]:
    """The app under gunicorn with 2 sync workers, counting in Redis under a prefix of its own (one per module)."""
    tmp_path = tmp_path_factory.mktemp("served")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not running at {REDIS_URL}: the README says how to start one")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PASSWORD_HASH_COST": "test",
        "LEDGER_TEST_NOW": app_clock.start.isoformat(),
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "API_RATE_LIMIT": "5 per minute",
        "VERIFY_CHAIN_RATE": "1 per minute",
    }
    with open(tmp_path / "gunicorn.log", "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--chdir",
                str(repo_root),
                "tests.served.limits_app:app",
            ],
            env=env,
            cwd=str(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_both_workers(base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)


def _wait_for_both_workers(base: str) -> None:
    """Until each worker has loaded the app and answered once (the master listens before they are ready)."""
    import urllib.error
    import urllib.request

    def knock() -> str | None:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=5) as response:
                return str(response.headers["X-Worker-Pid"])
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
            return None

    seen: set[str] = set()
    deadline = time.monotonic() + 90
    with ThreadPoolExecutor(max_workers=4) as pool:
        while len(seen) < 2 and time.monotonic() < deadline:
            seen.update(pid for pid in pool.map(lambda _: knock(), range(4)) if pid)
    assert len(seen) == 2, "gunicorn's two workers answered"


def _get(url: str, token: str) -> tuple[int, str, dict[str, Any]]:
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers=auth(token))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["X-Worker-Pid"], json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Worker-Pid"], json.loads(error.read())


def _until_both_workers(call: Any) -> list[tuple[int, str, dict[str, Any]]]:
    """Call in parallel until both workers have answered (sync workers take one request each at a time)."""
    answers: list[tuple[int, str, dict[str, Any]]] = []
    with ThreadPoolExecutor(max_workers=6) as pool:
        while len({pid for _, pid, _ in answers}) < 2 and len(answers) < 120:
            answers.extend(pool.map(lambda _: call(), range(6)))
    assert len({pid for _, pid, _ in answers}) == 2, "both workers answered"
    return answers


def test_a_tokens_limit_holds_across_two_gunicorn_workers(app: Flask, served: str) -> None:
    code = make_association(app)
    _, token = make_user(app, code, "treasurer")
    answers = _until_both_workers(lambda: _get(f"{served}/api/v1/associations/{code}/funds", token))
    statuses = [status for status, _, _ in answers]
    # Each worker counting alone would let up to 5 through each.
    assert statuses.count(200) == 5, statuses
    assert set(statuses) == {200, 429}


def test_the_last_chain_verification_is_shared_by_both_workers(app: Flask, served: str) -> None:
    code = make_association(app)
    # Several auditors, so that the limit per token (5 a minute here) is not what answers.
    auditors = itertools.cycle([make_user(app, code, "auditor")[1] for _ in range(6)])
    lock = threading.Lock()

    def verify() -> tuple[int, str, dict[str, Any]]:
        with lock:
            token = next(auditors)
        return _get(f"{served}/api/v1/associations/{code}/verify", token)

    status, _, first = verify()
    assert status == 200 and first["from_cache"] is False
    # The limit (once a minute here) is used up: every worker answers the result the first one stored.
    answers = _until_both_workers(verify)
    assert {status for status, _, _ in answers} == {200}
    assert {body["from_cache"] for _, _, body in answers} == {True}
    assert {body["verified_at"] for _, _, body in answers} == {first["verified_at"]}
