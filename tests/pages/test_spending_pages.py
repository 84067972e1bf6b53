"""Spending from the pages: goods handed out from what a fund holds, and what a spend form needs."""

from __future__ import annotations

from flask import Flask

from tests.factories import auth, donate, set_up_books
from tests.pages.test_sessions import csrf_token, email_of, log_in


def test_a_treasurer_hands_out_tet_gift_packages_the_fund_holds_valued_at_their_cost(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    gifts = [{"description": "Gói quà Tết", "quantity": 100, "unit": "gói", "unit_value": 300_000}]
    assert donate(client, books, 30_000_000, method="in_kind", items=gifts).status_code == 201
    log_in(client, email_of(app, books.treasurer_id))
    page = client.get(f"/a/{books.code}/disbursements/new?fund=GENERAL").get_data(as_text=True)
    assert 'list="goods-held"' in page and '<option value="Gói quà Tết">' in page
    form = {
        "fund": "GENERAL",
        "kind": "tet_gift",
        "beneficiary_id": "",
        "paid_from": "in_kind",
        "paid_on": "21/11/2026",
        "csrf_token": csrf_token(page),
        "submit": "1",
    }
    missing = client.post(f"/a/{books.code}/disbursements/new", data=form)
    assert missing.status_code == 422 and 'id="quantity-error"' in missing.get_data(as_text=True)
    done = client.post(
        f"/a/{books.code}/disbursements/new", data={**form, "item": "Gói quà Tết", "quantity": "10", "unit": "gói"}
    )
    assert done.status_code == 302 and "voucher=" in done.headers["Location"]
    [spent] = client.get(f"/api/v1/associations/{books.code}/disbursements", headers=auth(books.treasurer)).get_json()[
        "items"
    ]
    assert (spent["amount"], spent["paid_from"], spent["items"][0]["quantity"]) == (3_000_000, "in_kind", 10)


def test_cash_paid_out_needs_its_amount_said_next_to_the_field(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    log_in(client, email_of(app, books.treasurer_id))
    page = client.get(f"/a/{books.code}/disbursements/new").get_data(as_text=True)
    answer = client.post(
        f"/a/{books.code}/disbursements/new",
        data={
            "fund": "GENERAL",
            "kind": "operating",
            "paid_from": "cash",
            "paid_on": "21/11/2026",
            "csrf_token": csrf_token(page),
            "submit": "1",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="amount-error"' in html and "Ghi số tiền đã chi" in html


def test_a_bank_donation_keeps_the_banks_reference_on_its_receipt(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    log_in(client, email_of(app, books.treasurer_id))
    page = client.get(f"/a/{books.code}/donations/new").get_data(as_text=True)
    form = {
        "donor_id": str(books.donor_id),
        "fund": "GENERAL",
        "method": "bank",
        "amount": "5.000.000",
        "received_on": "20/11/2026",
        "csrf_token": csrf_token(page),
        "submit": "1",
    }
    without = client.post(f"/a/{books.code}/donations/new", data=form)
    assert without.status_code == 422 and 'id="bank_reference-error"' in without.get_data(as_text=True)
    done = client.post(f"/a/{books.code}/donations/new", data={**form, "bank_reference": "UNC số 0912"})
    assert done.status_code == 302
    receipt = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "UNC số 0912" in receipt and "5.000.000 ₫" in receipt
