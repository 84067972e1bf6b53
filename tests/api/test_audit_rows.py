"""The audit rows events write: who, what, which object and the detail, as auditors read them."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import auth, donate, set_up_books


def test_a_donation_and_a_statement_download_each_write_one_row_with_their_detail(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    number = donate(client, books, 750_000, method="bank").get_json()["receipt"]["number"]
    statement = client.get(
        f"/api/v1/associations/{books.code}/donors/{books.donor_id}/statement?year=2026&format=pdf",
        headers=auth(books.treasurer),
    )
    assert statement.status_code == 200 and statement.mimetype == "application/pdf"
    log = client.get(f"/api/v1/associations/{books.code}/audit-log", headers=auth(books.treasurer)).get_json()
    rows = [r for r in log["items"] if r["action"] in ("donation.record", "statement.download")]
    email = rows[0]["user"]
    assert [(r["action"], r["object_type"], r["object_id"]) for r in rows] == [
        ("donation.record", "receipt", number),
        ("statement.download", "donor", str(books.donor_id)),
    ]
    entry_seq = rows[0]["detail"]["entry_seq"]
    assert isinstance(entry_seq, int)
    assert rows[0]["detail"] == {
        "actor": email,
        "entry_seq": entry_seq,
        "amount_vnd": 750_000,
        "fund": "GENERAL",
        "method": "bank",
    }
    assert rows[1]["detail"] == {"actor": email, "year": 2026, "format": "pdf"}
    assert rows[1]["user"] == email and "@" in email


def test_a_refused_download_writes_no_row(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    before = client.get(f"/api/v1/associations/{books.code}/audit-log", headers=auth(books.treasurer)).get_json()
    missing = client.get(
        f"/api/v1/associations/{books.code}/receipts/BN-2026-999999.pdf", headers=auth(books.treasurer)
    )
    assert missing.status_code == 404
    after = client.get(f"/api/v1/associations/{books.code}/audit-log", headers=auth(books.treasurer)).get_json()
    assert after["items"] == before["items"]
