"""A donor's own pages: receipts with PDFs, the year's statement, what their restricted fund spent."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from ledger.clock import FixedClock
from ledger.persistence.models import Donor, OutboxMessage
from ledger.services import donor_portal
from ledger.services.outbox import deliver_due
from tests.api.test_receipts import Inbox, free_port
from tests.donor_support import donor_scene, sign_in
from tests.factories import auth, database, work


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_donor_with_an_account_sees_their_receipts_statement_and_what_the_fund_spent_without_names(
    app: Flask, client: FlaskClient
) -> None:
    scene = donor_scene(app, client)
    sign_in(client, scene.user_id)
    assert client.get("/donor/").headers["Location"].endswith(f"/donor/{scene.office.code}")
    page = client.get(f"/donor/{scene.office.code}?year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    shown = re.findall(r'data-receipt="([^"]+)"', html)
    assert sorted(shown) == sorted([*scene.hpd, scene.general, scene.void, scene.replacement])
    assert scene.others_receipt not in html
    # 6 + 4 + 1 + 5 million; the void 500.000 is not counted.
    assert 'data-field="year_total">16.000.000 ₫<' in html
    assert 'data-status="void"' in html and f"thay bằng {scene.replacement}" in html
    assert "Trần Văn Hùng" not in html and "nhầm" not in html
    # The scholarship fund in 2026 (not its 2025 payment): 2.5 million in scholarships, 500.000 in awards, two pupils.
    assert 'data-field="given">10.000.000 ₫<' in html
    assert 'data-kind="scholarship">2.500.000 ₫<' in html and 'data-kind="award">500.000 ₫<' in html
    assert 'data-field="spent">3.000.000 ₫<' in html and 'data-field="beneficiaries">2<' in html
    assert not any(name in html for name in scene.pupils)
    english = client.get(f"/donor/{scene.office.code}?year=2026&lang=en").get_data(as_text=True)
    assert "People helped" in english and "16,000,000 ₫" in english


def test_a_donor_downloads_their_own_receipts_and_statement_but_never_another_donors_receipt(
    app: Flask, client: FlaskClient
) -> None:
    scene = donor_scene(app, client)
    code = scene.office.code
    sign_in(client, scene.user_id)
    receipt = client.get(f"/donor/{code}/receipts/{scene.hpd[0]}.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    assert scene.hpd[0] in pdf_text(receipt.data) and "6.000.000 ₫" in pdf_text(receipt.data)
    statement = pdf_text(client.get(f"/donor/{code}/statement/2026.pdf").data)
    assert "Nguyễn Thị Hồng Nhung" in statement and "16.000.000 ₫" in statement
    assert client.get(f"/donor/{code}/receipts/{scene.others_receipt}.pdf").status_code == 404
    # Another association's donor pages do not exist for this account.
    assert client.get("/donor/NO-SUCH-ASSOC").status_code == 404
    # The API: the donor's own receipt PDF (403 before), never another donor's (404, as if it did not exist).
    own = client.get(f"/api/v1/associations/{code}/receipts/{scene.hpd[1]}.pdf", headers=auth(scene.token))
    assert own.status_code == 200 and scene.hpd[1] in pdf_text(own.data)
    foreign = client.get(f"/api/v1/associations/{code}/receipts/{scene.others_receipt}.pdf", headers=auth(scene.token))
    assert foreign.status_code == 404
    # Nor the books: a donor login is not a reader.
    assert client.get(f"/api/v1/associations/{code}/entries", headers=auth(scene.token)).status_code == 403
    statement_of_other = client.get(
        f"/api/v1/associations/{code}/donors/{scene.other_donor}/statement?year=2026", headers=auth(scene.token)
    )
    assert statement_of_other.status_code == 403
    log = client.get(f"/api/v1/associations/{code}/audit-log", headers=auth(scene.office.admin)).get_json()
    downloads = [(row["action"], row["object_id"]) for row in log["items"] if row["action"].endswith(".download")]
    assert ("receipt.download", scene.hpd[0]) in downloads and (
        "statement.download",
        str(scene.office.donor_id),
    ) in downloads


def set_email(app: Flask, donor_id: int, email: str) -> None:
    with work(app) as uow:
        donor = uow.session.get(Donor, donor_id)
        assert donor is not None
        donor.email = email
        uow.commit()


def test_a_signed_link_opens_the_donors_pages_until_it_expires_or_the_email_on_record_changes(
    app: Flask, client: FlaskClient, clock: FixedClock
) -> None:
    scene = donor_scene(app, client)
    code = scene.office.code
    assert _sent_to_log_in(client.get(f"/donor/{code}"))
    set_email(app, scene.office.donor_id, "nhung@example.vn")
    with work(app) as uow:
        token = donor_portal.issue_link(uow, app.config["SECRET_KEY"], code, scene.office.donor_id)
    followed = client.get(f"/donor/link/{token}")
    assert followed.status_code == 302 and followed.headers["Location"].endswith(f"/donor/{code}")
    html = client.get(f"/donor/{code}?year=2026").get_data(as_text=True)
    assert scene.hpd[0] in html and scene.others_receipt not in html
    assert client.get(f"/donor/{code}/receipts/{scene.hpd[0]}.pdf").status_code == 200
    assert client.get(f"/donor/{code}/receipts/{scene.others_receipt}.pdf").status_code == 404
    assert client.get(f"/donor/link/{token[:-2]}xx").status_code == 404
    clock.advance(timedelta(seconds=donor_portal.LINK_MAX_AGE + 60))
    # A stale link is refused with the reason (the link has expired), not sent to a log-in it never had.
    assert client.get(f"/donor/{code}?year=2026").status_code == 401
    clock.reset()
    set_email(app, scene.office.donor_id, "someone.else@example.vn")
    assert client.get(f"/donor/link/{token}").status_code == 401


def _sent_to_log_in(response: Any) -> bool:
    """A visitor with neither a log-in nor a valid link is sent to log in, and sees nothing of the books."""
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_treasurer_emails_the_donor_a_link_that_a_real_smtp_server_receives_and_that_opens_their_page(
    app: Flask, client: FlaskClient, clock: FixedClock
) -> None:
    scene = donor_scene(app, client)
    code = scene.office.code
    url = f"/api/v1/associations/{code}/donors/{scene.office.donor_id}/link"
    no_email = client.post(url, json={}, headers=auth(scene.office.treasurer))
    assert no_email.status_code == 422 and "email" in no_email.get_json()["errors"]
    assert client.post(url, json={}, headers=auth(scene.token)).status_code == 403
    set_email(app, scene.office.donor_id, "nhung.link@example.vn")
    db = database(app)
    # Whatever earlier tests left queued goes first (to nowhere), so the inbox holds this test's mail only.
    deliver_due(db, "smtp://127.0.0.1:1", "http://t", lambda: clock() + timedelta(days=3650), limit=10_000)
    sent = client.post(url, json={}, headers=auth(scene.office.treasurer))
    assert sent.status_code == 202 and sent.get_json() == {"sent_to": "nhung.link@example.vn"}
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert deliver_due(db, f"smtp://127.0.0.1:{port}", "http://ledger.test", clock).sent == 1
    finally:
        controller.stop()
    (message,) = inbox.messages
    assert str(message["To"]) == "nhung.link@example.vn"
    body = message.get_content()
    link = re.search(r"http://127\.0\.0\.1:5000(/donor/link/\S+)", body)
    assert link is not None, body
    assert client.get(link.group(1)).status_code == 302
    assert scene.hpd[0] in client.get(f"/donor/{code}?year=2026").get_data(as_text=True)
    log = client.get(f"/api/v1/associations/{code}/audit-log", headers=auth(scene.office.admin)).get_json()
    sent_rows = [row for row in log["items"] if row["action"] == "donor.link"]
    assert len(sent_rows) == 1 and link.group(1).rsplit("/", 1)[1] not in str(sent_rows)


def links_queued_to(app: Flask, email: str) -> list[str]:
    with work(app) as uow:
        return list(
            uow.session.execute(
                select(OutboxMessage.body).where(OutboxMessage.recipient == email, OutboxMessage.kind == "donor_link")
            ).scalars()
        )


def test_a_donor_without_an_account_asks_for_a_link_by_email_and_the_answer_never_says_whether_it_is_on_record(
    app: Flask, client: FlaskClient
) -> None:
    scene = donor_scene(app, client)
    address = f"{scene.office.code.lower()}@example.vn"
    set_email(app, scene.office.donor_id, address.upper())
    form = client.get("/donor/link")
    assert form.status_code == 200 and 'name="email"' in form.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))
    assert csrf is not None
    unknown = client.post(
        "/donor/link",
        data={"email": "nobody.at.all@example.vn", "csrf_token": csrf.group(1)},
        environ_base={"REMOTE_ADDR": "192.0.2.31"},
    )
    known = client.post(
        "/donor/link",
        data={"email": f" {address} ", "csrf_token": csrf.group(1)},
        environ_base={"REMOTE_ADDR": "192.0.2.32"},
    )
    assert unknown.status_code == known.status_code == 200
    assert unknown.get_data(as_text=True) == known.get_data(as_text=True)
    assert links_queued_to(app, "nobody.at.all@example.vn") == []
    (body,) = links_queued_to(app, address.upper())
    link = re.search(r"(/donor/link/\S+)", body)
    assert link is not None and client.get(link.group(1)).status_code == 302
    assert scene.hpd[0] in client.get(f"/donor/{scene.office.code}?year=2026").get_data(as_text=True)
    # Each request may send mail: a client address may ask five times an hour.
    statuses = [
        client.post(
            "/donor/link",
            data={"email": "x@example.vn", "csrf_token": csrf.group(1)},
            environ_base={"REMOTE_ADDR": "192.0.2.33"},
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
