"""Log-in, sessions and the guards every page has: CSRF, another association's books, throttling, headers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger import create_app
from ledger.demo import DEMO_PASSWORD
from ledger.services import users
from tests.factories import PASSWORD, SYSTEM, make_association, make_user, row_counts, set_up_books, work

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1) or found.group(2)


def email_of(app: Flask, user_id: int) -> str:
    from ledger.services.logins import login_view

    with work(app) as uow:
        view = login_view(uow, user_id)
        assert view is not None
        return view.email


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, **environ: str) -> object:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base=environ,
    )


def test_a_treasurer_logs_in_to_their_dashboard_and_out_again(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    response = log_in(client, email_of(app, books.treasurer_id))
    assert response.status_code == 302 and response.headers["Location"] == f"/a/{books.code}/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = client.get(f"/a/{books.code}/")
    assert page.status_code == 200 and "Quỹ khuyến học chung" in page.get_data(as_text=True)
    token = csrf_token(page.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get(f"/a/{books.code}/").headers["Location"].startswith("/login")


def test_a_wrong_password_is_refused_with_the_sentence_next_to_the_field(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    response = log_in(client, email_of(app, books.treasurer_id), "not the password", REMOTE_ADDR="10.9.0.1")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert 'id="password-error"' in html and "mật khẩu không đúng" in html
    assert 'aria-describedby="password-error"' in html and 'aria-invalid="true"' in html


def test_the_session_cookie_is_secure_when_the_service_is_served_over_https(database_url: str, tmp_path: Path) -> None:
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "x" * 32, "PUBLIC_BASE_URL": "https://khuyenhoc.example"},
        instance_path=str(tmp_path),
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    app.extensions["ledger.db"].engine.dispose()


def test_a_form_posted_without_its_csrf_token_is_refused_and_writes_nothing(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    log_in(client, email_of(app, books.treasurer_id))
    before = row_counts(app)
    response = client.post(
        f"/a/{books.code}/donations/new",
        data={
            "donor_id": str(books.donor_id),
            "fund": "GENERAL",
            "method": "cash",
            "amount": "500.000",
            "received_on": "20/11/2026",
        },
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert row_counts(app) == before


def test_a_treasurer_opening_another_associations_page_gets_404(app: Flask) -> None:
    mine = set_up_books(app)
    other = make_association(app)
    client = app.test_client()
    log_in(client, email_of(app, mine.treasurer_id))
    for path in (f"/a/{other}/", f"/a/{other}/donations/new", f"/a/{other}/approvals", f"/a/NO-SUCH-{other}/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "text/html"
        assert other not in response.get_data(as_text=True).replace(path, "")


def test_log_in_is_refused_for_a_while_after_five_failures_for_one_account(app: Flask) -> None:
    books = set_up_books(app)
    email = email_of(app, books.treasurer_id)
    client = app.test_client()
    for _ in range(5):
        assert log_in(client, email, "wrong password!", REMOTE_ADDR="10.9.1.1").status_code == 401  # type: ignore[attr-defined]
    # Even the right password, and from another address: the account is throttled.
    throttled = log_in(client, email, PASSWORD, REMOTE_ADDR="10.9.1.2")
    assert throttled.status_code == 429  # type: ignore[attr-defined]
    assert "Đăng nhập sai quá nhiều lần" in throttled.get_data(as_text=True)  # type: ignore[attr-defined]
    # Another account from the same address is not held back by this one's failures.
    other_id, _ = make_user(app, books.code, "auditor")
    assert log_in(client, email_of(app, other_id), PASSWORD, REMOTE_ADDR="10.9.1.1").status_code == 302  # type: ignore[attr-defined]


def test_a_seeded_demo_account_must_change_its_password_outside_demo_mode(app: Flask) -> None:
    code = make_association(app)
    email = f"demo-{uuid.uuid4().hex[:8]}@khuyenhoc.vn"
    with work(app) as uow:
        users.create_user(uow, SYSTEM, email, DEMO_PASSWORD, name="Thủ quỹ trình diễn")
        users.grant(uow, SYSTEM, email, code, "treasurer")
        uow.commit()
    client = app.test_client()
    response = log_in(client, email, DEMO_PASSWORD)
    assert response.headers["Location"] == "/password"  # type: ignore[attr-defined]
    assert client.get(f"/a/{code}/").headers["Location"] == "/password"
    page = client.get("/password").get_data(as_text=True)
    assert "data-forced" in page
    changed = client.post(
        "/password",
        data={
            "current_password": DEMO_PASSWORD,
            "new_password": "a password of my own",
            "repeat_password": "a password of my own",
            "csrf_token": csrf_token(page),
        },
    )
    assert changed.status_code == 302
    assert client.get(f"/a/{code}/").status_code == 200
    with work(app) as uow:
        assert users.check_password(uow, email, "a password of my own") is not None
        assert users.check_password(uow, email, DEMO_PASSWORD) is None


def test_every_page_carries_the_security_headers_and_no_template_has_inline_script_or_style(
    client: FlaskClient, repo_root: Path
) -> None:
    for path in ("/", "/login", "/verify/no-such-token"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    for template in (repo_root / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert "<style" not in text and " style=" not in text and " on" + "click=" not in text, template


# --- Two workers, one count -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def two_workers(app: Flask, database_url: str, repo_root: Path, tmp_path: Path) -> Iterator[list[str]]:
    """Two server processes of the same service, sharing nothing but the database and Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "two-workers-secret-key-0123456789",
        "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    ports = [_free_port(), _free_port()]
    log = (tmp_path / "workers.log").open("wb")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=repo_root,
            env=env,
            stdout=log,
            stderr=log,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process in zip(urls, processes, strict=True):
            for _ in range(200):
                try:
                    with build_opener().open(f"{url}/login", timeout=2):
                        break
                except OSError:
                    assert process.poll() is None, (tmp_path / "workers.log").read_text()
                    time.sleep(0.05)
        yield urls
    finally:
        for process in processes:
            process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
            process.wait(timeout=10)
        log.close()


def _post_login(url: str, email: str, password: str) -> int:
    opener = build_opener(HTTPCookieProcessor(CookieJar()))
    with opener.open(f"{url}/login", timeout=10) as page:
        html = page.read().decode()
    body = urlencode({"email": email, "password": password, "csrf_token": csrf_token(html)}).encode()
    try:
        with opener.open(Request(f"{url}/login", data=body), timeout=10) as answer:
            return int(answer.status)
    except HTTPError as error:
        error.close()
        return error.code


def test_log_in_failures_are_counted_across_two_workers_through_redis(app: Flask, two_workers: list[str]) -> None:
    books = set_up_books(app)
    email = email_of(app, books.treasurer_id)
    first, second = two_workers
    # Five failures split over the two processes: each alone has seen fewer than five.
    statuses = [_post_login(url, email, "wrong password!") for url in (first, second, first, second, first)]
    assert statuses == [401] * 5
    assert _post_login(second, email, PASSWORD) == 429
    assert _post_login(first, email, PASSWORD) == 429
