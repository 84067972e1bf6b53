"""Pending disbursements racing each other: however many arrive at once, they never reserve more
than the fund holds. Run on SQLite and on PostgreSQL (``DATABASE_URL``): the suite runs on both."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import auth, make_fund
from tests.spending_support import balances, give, open_office, pupil, stored_reservations

REQUESTS = 20
FUND_VND = 100_000_000
AMOUNT_VND = 15_000_000


def test_twenty_pending_disbursements_at_once_never_reserve_more_than_the_fund_holds(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    # A threshold of 0 sends every disbursement to an approver, so each one only reserves.
    make_fund(app, office.code, "BIG", restriction="restricted", name="Quỹ lớn", policy={"approval_threshold": 0})
    give(client, office, FUND_VND, fund="BIG")
    pupils = [pupil(app, office, name=f"Học sinh {i}") for i in range(REQUESTS)]
    start = threading.Barrier(REQUESTS)
    results: list[tuple[int, dict[str, Any]] | None] = [None] * REQUESTS

    def request(i: int) -> None:
        own = app.test_client()
        body = {
            "fund": "BIG",
            "kind": "support",
            "paid_from": "bank",
            "amount": AMOUNT_VND,
            "beneficiary_id": pupils[i],
            "paid_on": "2026-09-05",
        }
        start.wait(timeout=30)
        response = own.post(office.url("/disbursements"), json=body, headers=auth(office.treasurer))
        results[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=request, args=(i,)) for i in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(r is not None for r in results), "a request did not finish"
    done = [r for r in results if r is not None]
    accepted = [body for status, body in done if status == 202]
    refused = [body for status, body in done if status != 202]
    expected = FUND_VND // AMOUNT_VND
    assert len(accepted) == expected, done
    assert len(refused) == REQUESTS - expected
    assert {body["code"] for body in refused} == {"insufficient_funds"}
    assert all(body["status"] == "pending" and body["reserved"] == AMOUNT_VND for body in accepted)
    assert balances(client, office)["BIG"] == (FUND_VND, expected * AMOUNT_VND, FUND_VND - expected * AMOUNT_VND)
    assert stored_reservations(app, office) == (expected * AMOUNT_VND, expected * AMOUNT_VND)
