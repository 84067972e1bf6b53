"""Receipt and voucher registers: every number in order, voids with date and reason, gaps flagged."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from ledger.reports.registers import MISSING, with_gaps
from tests.factories import Books, auth, donate, make_user, set_up_books, spend


def reverse(client: FlaskClient, books: Books, seq: int, reason: str) -> None:
    """Reverse entry ``seq``; when a second person must agree (a void receipt), an approver does."""
    url = f"/api/v1/associations/{books.code}/entries/{seq}/reverse"
    response = client.post(url, json={"reason": reason}, headers=auth(books.treasurer))
    if response.status_code == 202:
        _, approver = make_user(client.application, books.code, "approver")
        request_id = response.get_json()["id"]
        decided = client.post(
            f"/api/v1/associations/{books.code}/approvals/{request_id}/approve", json={}, headers=auth(approver)
        )
        assert decided.status_code in (200, 201), decided.get_json()
    else:
        assert response.status_code == 201, response.get_json()


def register(client: FlaskClient, token: str, code: str, name: str, **params: Any) -> Any:
    return client.get(f"/api/v1/associations/{code}/reports/{name}", query_string=params, headers=auth(token)).json


def test_the_receipt_register_lists_every_number_and_marks_a_void_with_date_and_reason(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    first = donate(client, books, 1_000_000, on="2026-11-02").get_json()
    assert donate(client, books, 2_000_000, on="2026-11-03").status_code == 201
    reverse(client, books, first["entry"]["seq"], "Ghi nhầm nhà tài trợ")
    _, auditor = make_user(app, books.code, "auditor")
    body = register(client, auditor, books.code, "receipt-register")
    assert [r["number"] for r in body["rows"]] == [f"{books.code}-2026-000001", f"{books.code}-2026-000002"]
    void, valid = body["rows"]
    assert (void["status"], void["void_reason"], valid["status"]) == ("void", "Ghi nhầm nhà tài trợ", "valid")
    assert void["voided_on"] is not None and body["gaps"] == []
    assert body["totals"]["amount"] == 2_000_000 and body["totals"]["void"] == 1


def test_the_voucher_register_lists_the_vouchers(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    assert donate(client, books, 1_000_000, on="2026-11-02").status_code == 201
    for amount in (100_000, 200_000):
        assert spend(client, books, amount, on="2026-11-04").status_code == 201
    _, auditor = make_user(app, books.code, "auditor")
    body = register(client, auditor, books.code, "voucher-register", format="json")
    assert [(r["amount"], r["status"]) for r in body["rows"]] == [(100_000, "posted"), (200_000, "posted")]
    assert body["rows"][0]["number"].endswith("-000001") and body["gaps"] == []


def test_a_number_missing_from_a_series_is_flagged() -> None:
    rows = [
        {"number": "QT-2026-000001", "date": None, "status": "valid"},
        {"number": "QT-2026-000003", "date": None, "status": "valid"},
        {"number": "QT-PC-2026-000002", "date": None, "status": "posted"},
    ]
    ordered, gaps = with_gaps(rows)
    assert gaps == ["QT-2026-000002", "QT-PC-2026-000001"]
    assert [(r["number"], r["status"]) for r in ordered] == [
        ("QT-2026-000001", "valid"),
        ("QT-2026-000002", MISSING),
        ("QT-2026-000003", "valid"),
        ("QT-PC-2026-000001", MISSING),
        ("QT-PC-2026-000002", "posted"),
    ]
