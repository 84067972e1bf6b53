"""Receipts a donor can trust: the PDF, the public verification page, the e-mail, the statement."""

from __future__ import annotations

import io
import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from ledger.clock import FixedClock
from ledger.persistence.models import OutboxMessage
from ledger.services.outbox import deliver_due
from tests.factories import (
    Books,
    auth,
    database,
    donate,
    make_donor,
    make_fund,
    reverse_approved,
    set_up_books,
    work,
)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def receipt_pdf(client: FlaskClient, books: Books, number: str) -> bytes:
    response = client.get(f"/api/v1/associations/{books.code}/receipts/{number}.pdf", headers=auth(books.treasurer))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


def test_the_receipt_pdf_carries_number_donor_amount_in_words_fund_and_hash(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    make_fund(app, books.code, "HOA-PHUONG-DO", preset="hoa_phuong_do")
    body = donate(client, books, 1_200_000, fund="HOA-PHUONG-DO").get_json()
    number = body["receipt"]["number"]
    text = pdf_text(receipt_pdf(client, books, number))
    assert number in text
    assert "Nguyễn Thị Hồng Nhung" in text
    assert "1.200.000 ₫" in text
    assert "Một triệu hai trăm nghìn đồng chẵn" in text
    assert "Quỹ học bổng Hoa Phượng Đỏ" in text
    digest = body["entry"]["hash"]
    assert digest in text.replace("\n", "") or (digest[:32] in text and digest[32:] in text)
    assert body["receipt"]["verify_url"].split("/verify/")[1] in text.replace("\n", "")


def test_the_same_receipt_renders_the_same_pdf_twice(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    number = donate(client, books, 50_000).get_json()["receipt"]["number"]
    assert receipt_pdf(client, books, number) == receipt_pdf(client, books, number)


def test_an_in_kind_receipt_lists_the_goods(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    items = [{"description": "Tủ sách khuyến học", "quantity": 17, "unit": "tủ", "unit_value": 8_500_000}]
    number = donate(client, books, 144_500_000, method="in_kind", items=items).get_json()["receipt"]["number"]
    text = pdf_text(receipt_pdf(client, books, number))
    assert "Tủ sách khuyến học" in text and "8.500.000" in text and "144.500.000 ₫" in text


def verify_token(body: dict[str, Any]) -> str:
    return str(body["receipt"]["verify_url"].rsplit("/", 1)[1])


def test_the_verification_page_says_genuine_for_a_valid_receipt_and_shows_no_donor(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    body = donate(client, books, 1_200_000).get_json()
    token = verify_token(body)
    page = client.get(f"/verify/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert 'data-status="valid"' in html and body["receipt"]["number"] in html and "1.200.000 ₫" in html
    assert "20/11/2026" in html
    assert "Nguyễn Thị Hồng Nhung" not in html
    # The entry hash printed on the paper receipt: every printed receipt witnesses the chain.
    assert f"<code>{body['entry']['hash']}</code>" in html
    as_json = client.get(f"/verify/{token}", headers={"Accept": "application/json"}).get_json()
    assert as_json == {
        "status": "valid",
        "number": body["receipt"]["number"],
        "date": "2026-11-20",
        "amount": 1_200_000,
        "fund": "Quỹ khuyến học chung",
        "association": f"Hội Khuyến học {books.code}",
        "entry_hash": body["entry"]["hash"],
    }
    english = client.get(f"/verify/{token}?lang=en").get_data(as_text=True)
    assert "Genuine and valid receipt" in english and "1,200,000 ₫" in english


def test_a_reversed_donation_voids_its_receipt_on_the_page_without_the_treasurers_reason(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    body = donate(client, books, 700_000).get_json()
    reason = "Bà Nguyễn Thị Hồng Nhung chuyển nhầm tài khoản"
    reversal = reverse_approved(client, books.code, body["entry"]["seq"], reason, books.treasurer, books.approver)
    token = verify_token(body)
    html = client.get(f"/verify/{token}").get_data(as_text=True)
    assert 'data-status="void"' in html and "Nguyễn" not in html and "nhầm" not in html
    assert 'data-field="voided_on"' in html and 'data-field="replaced_by"' not in html
    as_json = client.get(f"/verify/{token}", headers={"Accept": "application/json"}).get_json()
    assert as_json["status"] == "void" and "void_reason" not in as_json and reason not in str(as_json)
    assert as_json["voided_on"] == reversal["date"] and as_json["replaced_by"] is None
    # The treasurer's own PDF still says why it was voided.
    text = pdf_text(receipt_pdf(client, books, body["receipt"]["number"]))
    assert "ĐÃ HỦY" in text and "VOID" in text and "chuyển nhầm tài khoản" in text


def test_a_donation_recorded_to_correct_a_void_receipt_is_named_on_the_void_receipts_page(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    wrong = donate(client, books, 700_000).get_json()
    number = wrong["receipt"]["number"]
    early = donate(client, books, 7_000_000, replaces=number)
    assert early.status_code == 422 and early.get_json()["errors"]["replaces"] == [
        "only a voided receipt can be replaced"
    ]
    reverse_approved(client, books.code, wrong["entry"]["seq"], "Ghi nhầm số tiền", books.treasurer, books.approver)
    other_donor = make_donor(app, books.code, "Công ty TNHH Sao Mai", kind="organisation")
    foreign = donate(client, books, 7_000_000, replaces=number, donor_id=other_donor)
    assert foreign.get_json()["errors"]["replaces"] == ["the replaced receipt belongs to another donor"]
    right = donate(client, books, 7_000_000, replaces=number)
    assert right.status_code == 201
    again = donate(client, books, 7_000_000, replaces=number)
    assert again.get_json()["errors"]["replaces"] == ["this receipt has already been replaced"]
    token = verify_token(wrong)
    as_json = client.get(f"/verify/{token}", headers={"Accept": "application/json"}).get_json()
    assert as_json["status"] == "void" and as_json["replaced_by"] == right.get_json()["receipt"]["number"]
    html = client.get(f"/verify/{token}").get_data(as_text=True)
    assert f'data-field="replaced_by">{right.get_json()["receipt"]["number"]}<' in html
    valid = client.get(f"/verify/{verify_token(right.get_json())}", headers={"Accept": "application/json"})
    assert valid.get_json()["status"] == "valid" and "replaced_by" not in valid.get_json()


def test_an_unknown_token_is_a_404_page_with_no_hint(client: FlaskClient) -> None:
    page = client.get("/verify/not-a-real-token-at-all")
    assert page.status_code == 404 and 'data-status="unknown"' in page.get_data(as_text=True)
    as_json = client.get("/verify/not-a-real-token-at-all", headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and as_json.get_json() == {"status": "unknown"}


def test_the_verification_page_is_rate_limited(client: FlaskClient) -> None:
    statuses = [
        client.get("/verify/guessing", environ_base={"REMOTE_ADDR": "192.0.2.77"}).status_code for _ in range(61)
    ]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429


def test_a_donors_giving_statement_counts_valid_receipts_only(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    donate(client, books, 1_000_000, on="2026-03-01")
    void = donate(client, books, 400_000, on="2026-04-01").get_json()
    reverse_approved(client, books.code, void["entry"]["seq"], "ghi trùng", books.treasurer, books.approver)
    donate(client, books, 2_500_000, on="2026-09-09")
    url = f"/api/v1/associations/{books.code}/donors/{books.donor_id}/statement?year=2026"
    statement = client.get(url, headers=auth(books.treasurer)).get_json()
    assert statement["total"] == 3_500_000
    assert [(line["amount"], line["status"]) for line in statement["lines"]] == [
        (1_000_000, "valid"),
        (400_000, "void"),
        (2_500_000, "valid"),
    ]
    pdf = client.get(url + "&format=pdf", headers=auth(books.treasurer))
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Nguyễn Thị Hồng Nhung" in text and "3.500.000 ₫" in text


class Inbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it by this name
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def outbox_of(app: Flask, status: str) -> int:
    with work(app) as uow:
        return int(
            uow.session.execute(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status)
            ).scalar_one()
        )


@pytest.fixture
def smtp_port() -> int:
    return free_port()


def test_receipts_reach_a_real_smtp_server_exactly_once_even_after_it_was_down(
    app: Flask, client: FlaskClient, smtp_port: int, clock: FixedClock
) -> None:
    books = set_up_books(app)
    with_mail = make_donor(app, books.code, "Phạm Minh Tuấn", email="tuan.pham@example.vn")
    anonymous = make_donor(app, books.code, "Nhà hảo tâm", email="an.danh@example.vn", anonymous=True)
    smtp_url = f"smtp://127.0.0.1:{smtp_port}"
    db = database(app)
    # Deliver whatever earlier tests left queued first, so this test counts only its own.
    deliver_due(db, "smtp://127.0.0.1:1", "http://t", lambda: clock() + timedelta(days=3650), limit=10_000)
    pending_before = outbox_of(app, "pending")

    # The mail server is down: donations still post, the outbox keeps their receipts.
    numbers = []
    for amount in (100_000, 200_000, 300_000):
        response = client.post(
            f"/api/v1/associations/{books.code}/donations",
            json={
                "donor_id": with_mail,
                "fund": "GENERAL",
                "method": "cash",
                "amount": amount,
                "received_on": "2026-11-20",
            },
            headers=auth(books.treasurer),
        )
        assert response.status_code == 201
        numbers.append(response.get_json()["receipt"]["number"])
    # The factory's donor has no e-mail and the other asked to stay anonymous: nothing is queued for them.
    assert donate(client, books, 5_000).status_code == 201
    client.post(
        f"/api/v1/associations/{books.code}/donations",
        json={"donor_id": anonymous, "fund": "GENERAL", "method": "cash", "amount": 9_000, "received_on": "2026-11-20"},
        headers=auth(books.treasurer),
    )
    assert outbox_of(app, "pending") == pending_before + 3
    down = deliver_due(db, smtp_url, "http://ledger.test", clock)
    assert (down.sent, down.retried) == (0, 3)
    assert outbox_of(app, "pending") == pending_before + 3

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        clock.advance(timedelta(hours=1))  # past the back-off
        up = deliver_due(db, smtp_url, "http://ledger.test", clock)
        again = deliver_due(db, smtp_url, "http://ledger.test", clock)
    finally:
        controller.stop()
    assert (up.sent, again.sent) == (3, 0)
    assert len(inbox.messages) == 3
    subjects = [str(m["Subject"]) for m in inbox.messages]
    assert sorted(next(n for n in numbers if n in subject) for subject in subjects) == sorted(numbers)
    assert {str(m["To"]) for m in inbox.messages} == {"tuan.pham@example.vn"}
    first = inbox.messages[0]
    attachment = next(part for part in first.walk() if part.get_content_type() == "application/pdf")
    text = pdf_text(attachment.get_payload(decode=True))
    assert "Phạm Minh Tuấn" in text
    assert "http://ledger.test/verify/" in first.get_body().get_content()
    assert outbox_of(app, "pending") == pending_before


def test_writes_and_downloads_are_in_the_audit_log_with_who_and_what(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    number = donate(client, books, 80_000).get_json()["receipt"]["number"]
    receipt_pdf(client, books, number)
    log = client.get(f"/api/v1/associations/{books.code}/audit-log", headers=auth(books.treasurer)).get_json()
    actions = [(e["action"], e["object_id"]) for e in log["items"]]
    assert ("donation.record", number) in actions and ("receipt.download", number) in actions
    users = {e["user"] for e in log["items"] if e["action"] in ("donation.record", "receipt.download")}
    assert len(users) == 1 and users.pop().endswith("@example.vn")
