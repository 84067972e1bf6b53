"""The e-mail outbox under faults: a bad message, two senders and a slow server, a voided receipt,
header injection, and who starts the sender (issue 16, items 4 and 7)."""

from __future__ import annotations

import asyncio
import runpy
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from ledger import create_app
from ledger.clock import FixedClock
from ledger.persistence.models import OutboxMessage
from ledger.services import outbox
from ledger.services.outbox import MAX_ATTEMPTS, deliver_due
from tests.api.test_receipts import Inbox, free_port
from tests.factories import Books, auth, database, make_donor, reverse_approved, set_up_books, work


class SlowInbox(Inbox):
    """An SMTP server that takes ``seconds`` to accept each message."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp() -> Iterator[Callable[[Inbox], str]]:
    controllers: list[Controller] = []

    def serve(inbox: Inbox) -> str:
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return f"smtp://127.0.0.1:{port}"

    yield serve
    for controller in controllers:
        controller.stop()


def park_earlier_messages(app: Flask, clock: FixedClock) -> None:
    """Messages queued by earlier tests are pushed far into the future: each test counts its own."""
    deliver_due(database(app), "smtp://127.0.0.1:1", "http://t", lambda: clock() + timedelta(days=3650), 10_000)


def donate_with_mail(client: FlaskClient, books: Books, donor: int, amount: int) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/associations/{books.code}/donations",
        json={"donor_id": donor, "fund": "GENERAL", "method": "cash", "amount": amount, "received_on": "2026-11-20"},
        headers=auth(books.treasurer),
    )
    assert response.status_code == 201
    body: dict[str, Any] = response.get_json()
    return body


def statuses(app: Flask, code: str) -> list[tuple[str, int]]:
    with work(app) as uow:
        rows = uow.session.execute(
            text(
                "SELECT m.status, m.attempts FROM outbox_messages m JOIN associations a ON a.id = m.association_id "
                "WHERE a.code = :c ORDER BY m.id"
            ),
            {"c": code},
        ).all()
        return [(status, attempts) for status, attempts in rows]


def test_one_unbuildable_message_among_good_ones_fails_alone_and_each_good_one_is_delivered_once(
    app: Flask, client: FlaskClient, smtp: Callable[[Inbox], str], clock: FixedClock
) -> None:
    park_earlier_messages(app, clock)
    books = set_up_books(app)
    donor = make_donor(app, books.code, "Phạm Minh Tuấn", email="tuan.pham@example.vn")
    first = donate_with_mail(client, books, donor, 100_000)
    # A row queued before names were checked: a line break in the subject cannot be a header.
    with database(app).engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO outbox_messages (association_id, kind, recipient, subject, body, status, attempts, "
                "next_attempt_at, created_at) SELECT association_id, kind, recipient, :s, body, status, 0, "
                "next_attempt_at, created_at FROM outbox_messages WHERE donation_id = :d"
            ),
            {"s": "Giấy biên nhận\r\nBcc: all@example.vn", "d": _donation_id(app, first)},
        )
    later = [donate_with_mail(client, books, donor, amount)["receipt"]["number"] for amount in (200_000, 300_000)]
    inbox = Inbox()
    url = smtp(inbox)

    report = deliver_due(database(app), url, "http://ledger.test", clock)
    assert (report.sent, report.retried) == (3, 1)
    subjects = sorted(str(m["Subject"]) for m in inbox.messages)
    assert [first["receipt"]["number"], *later] == [s.split()[5] for s in subjects]
    for _ in range(2, MAX_ATTEMPTS + 1):
        clock.advance(timedelta(hours=7))  # past the longest back-off
        deliver_due(database(app), url, "http://ledger.test", clock)
    assert len(inbox.messages) == 3
    assert statuses(app, books.code) == [("sent", 1), ("failed", MAX_ATTEMPTS), ("sent", 1), ("sent", 1)]
    with work(app) as uow:
        error = (
            uow.session.execute(
                select(OutboxMessage.last_error)
                .where(OutboxMessage.status == "failed")
                .order_by(OutboxMessage.id.desc())
            )
            .scalars()
            .first()
        )
    assert error is not None and error.startswith("cannot build the message: ValueError")


def _donation_id(app: Flask, body: dict[str, Any]) -> int:
    with work(app) as uow:
        return int(
            uow.session.execute(
                text("SELECT id FROM donations WHERE receipt_number = :n"), {"n": body["receipt"]["number"]}
            ).scalar_one()
        )


def test_two_senders_against_a_server_taking_6_5_s_a_message_deliver_each_message_once(
    app: Flask, client: FlaskClient, smtp: Callable[[Inbox], str], clock: FixedClock
) -> None:
    park_earlier_messages(app, clock)
    books = set_up_books(app)
    donor = make_donor(app, books.code, "Lê Văn Hùng", email="hung.le@example.vn")
    for amount in (100_000, 200_000):
        donate_with_mail(client, books, donor, amount)
    inbox = SlowInbox(6.5)
    url = smtp(inbox)
    db = database(app)
    # A lease (10 s) longer than one message takes (6.5 s) and shorter than two: a sender that
    # leased both would still be sending the second when the other sender may take it again.
    # The senders' clock runs, from the app's fixed "now", as fast as real time.
    started = time.monotonic()
    deadline = started + 15

    def running() -> datetime:
        return clock() + timedelta(seconds=time.monotonic() - started)

    def sender() -> None:
        while time.monotonic() < deadline and any(s == "pending" for s, _ in statuses(app, books.code)):
            deliver_due(db, url, "http://ledger.test", running, lease=timedelta(seconds=10))
            time.sleep(0.2)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [str(m["Message-ID"]) for m in inbox.messages]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert statuses(app, books.code) == [("sent", 1), ("sent", 1)]


def test_a_sender_that_dies_holding_its_lease_parks_one_message_not_a_batch(
    app: Flask, client: FlaskClient, smtp: Callable[[Inbox], str], clock: FixedClock
) -> None:
    park_earlier_messages(app, clock)
    books = set_up_books(app)
    donor = make_donor(app, books.code, "Đỗ Minh Châu", email="chau.do@example.vn")
    for amount in (100_000, 200_000, 300_000):
        donate_with_mail(client, books, donor, amount)
    # A sender takes its lease and is killed before it sends anything.
    assert outbox._lease_one(database(app), clock, outbox.LEASE) is not None
    inbox = Inbox()
    report = deliver_due(database(app), smtp(inbox), "http://ledger.test", clock)
    assert (report.sent, len(inbox.messages)) == (2, 2)
    assert [status for status, _ in statuses(app, books.code)].count("pending") == 1


def test_the_thank_you_of_a_receipt_voided_before_it_left_is_dropped(
    app: Flask, client: FlaskClient, smtp: Callable[[Inbox], str], clock: FixedClock
) -> None:
    park_earlier_messages(app, clock)
    books = set_up_books(app)
    donor = make_donor(app, books.code, "Trần Thu Hà", email="ha.tran@example.vn")
    body = donate_with_mail(client, books, donor, 500_000)
    reverse_approved(client, books.code, body["entry"]["seq"], "Nhập nhầm số tiền", books.treasurer, books.approver)
    inbox = Inbox()
    report = deliver_due(database(app), smtp(inbox), "http://ledger.test", clock)
    # The thank-you is dropped; the donor gets the void notice instead (issue 15).
    assert (report.sent, report.dropped) == (1, 1)
    assert len(inbox.messages) == 1 and "hủy giấy biên nhận" in str(inbox.messages[0]["Subject"])
    assert ("dropped", 0) in statuses(app, books.code)


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "a@example.vn\r\nBcc: all@example.vn"), ("name", "Nguyễn Văn A\nBcc: all@example.vn")],
)
def test_a_donor_field_with_a_line_break_is_refused(app: Flask, client: FlaskClient, field: str, value: str) -> None:
    books = set_up_books(app)
    response = client.post(
        f"/api/v1/associations/{books.code}/donors",
        json={"kind": "person", "name": "Nguyễn Văn A", field: value},
        headers=auth(books.treasurer),
    )
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_an_association_name_with_a_line_break_is_refused(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["associations", "create", "--code", "CRLF-1", "--name", "Hội\r\nBcc: x", "--level", "commune"]
    )
    assert result.exit_code == 2 and "must be one line" in result.output


def test_create_app_never_starts_the_sender_and_the_gunicorn_hook_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path
) -> None:
    before = {t.name for t in threading.enumerate()}
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SMTP_URL": "smtp://127.0.0.1:1",
            "SEND_MAIL_IN_BACKGROUND": "1",
        },
        instance_path=str(tmp_path),
    )
    assert {t.name for t in threading.enumerate()} - before == set()
    started: list[Flask] = []
    monkeypatch.setattr("ledger.mail_worker.start_background_work", lambda served: started.append(served))
    hooks = runpy.run_path(str(repo_root / "gunicorn.conf.py"))
    hooks["post_worker_init"](SimpleNamespace(wsgi=app))
    assert started == [app]
