"""Closing and reopening fiscal years: who may, and what a closed year refuses."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import auth, make_fund
from tests.spending_support import Snapshot, audit_events, disburse, give, open_office, pupil, refused, spend_body


def test_an_approver_closes_an_ended_year_and_it_takes_no_more_entries(
    app: Flask, client: FlaskClient, today: date
) -> None:
    this_year, last_year = today.year, today.year - 1
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD", on=f"{last_year}-06-01")
    mai = pupil(app, office)
    before = Snapshot(app, client, office)
    by_treasurer = client.post(office.url(f"/periods/{last_year}/close"), json={}, headers=auth(office.treasurer))
    assert by_treasurer.status_code == 403
    not_ended = client.post(office.url(f"/periods/{this_year}/close"), json={}, headers=auth(office.approver))
    assert refused(not_ended, "validation_error")["errors"] == {"year": ["only a year that has ended can be closed"]}
    before.unchanged()
    closed = client.post(office.url(f"/periods/{last_year}/close"), json={}, headers=auth(office.approver))
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    assert (body["year"], body["closed"], body["closed_by"], body["pending_disbursements"]) == (
        last_year,
        True,
        office.approver_id,
        0,
    )
    before = Snapshot(app, client, office)
    late = disburse(client, office, spend_body("HPD", 1_000_000, mai, paid_on=f"{last_year}-12-31"))
    assert refused(late, "period_closed")["year"] == last_year
    twice = client.post(office.url(f"/periods/{last_year}/close"), json={}, headers=auth(office.admin))
    refused(twice, "invalid_transition")
    before.unchanged()
    first_day = date(this_year, 1, 1).isoformat()
    assert disburse(client, office, spend_body("HPD", 1_000_000, mai, paid_on=first_day)).status_code == 201
    years = client.get(office.url("/periods"), headers=auth(office.treasurer)).get_json()["items"]
    assert [(p["year"], p["closed"]) for p in years] == [(last_year, True), (this_year, False)]


def test_a_year_with_disbursements_waiting_for_approval_cannot_be_closed(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "BIG", restriction="restricted", name="Quỹ lớn", policy={"approval_threshold": 0})
    give(client, office, 10_000_000, fund="BIG", on="2025-03-01")
    waiting = disburse(client, office, spend_body("BIG", 1_000_000, pupil(app, office), paid_on="2025-12-20"))
    assert waiting.status_code == 202
    before = Snapshot(app, client, office)
    response = client.post(office.url("/periods/2025/close"), json={}, headers=auth(office.approver))
    assert response.status_code == 409
    assert refused(response, "conflict")["pending"] == 1
    before.unchanged()
    listed = client.get(office.url("/periods"), headers=auth(office.approver)).get_json()["items"]
    assert listed[0] == {
        "year": 2025,
        "closed": False,
        "closed_at": None,
        "closed_by": None,
        "pending_disbursements": 1,
        "closing_entries": [],
    }
    rejected = client.post(
        office.url(f"/approvals/{waiting.get_json()['id']}/reject"),
        json={"reason": "Sai"},
        headers=auth(office.approver),
    )
    assert rejected.status_code == 200
    assert client.post(office.url("/periods/2025/close"), json={}, headers=auth(office.approver)).status_code == 200


def test_a_year_is_reopened_only_when_a_second_person_approves_and_it_is_audited(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    give(client, office, 1_000_000, on="2025-03-01")
    assert client.post(office.url("/periods/2025/close"), json={}, headers=auth(office.approver)).status_code == 200
    before = Snapshot(app, client, office)
    by_treasurer = client.post(office.url("/periods/2025/reopen"), json={}, headers=auth(office.treasurer))
    assert by_treasurer.status_code == 403
    open_year = client.post(office.url("/periods/2024/reopen"), json={}, headers=auth(office.approver))
    refused(open_year, "invalid_transition")
    before.unchanged()
    asked = client.post(
        office.url("/periods/2025/reopen"),
        json={"reason": "Bổ sung chứng từ theo kiểm toán"},
        headers=auth(office.approver),
    )
    assert asked.status_code == 202, asked.get_json()
    request = asked.get_json()
    assert (request["kind"], request["status"], request["year"]) == ("period_reopen", "pending", 2025)
    listed = client.get(office.url("/approvals"), headers=auth(office.approver)).get_json()["items"]
    assert [item["id"] for item in listed if item["type"] == "request"] == [request["id"]]
    still_closed = client.post(
        office.url("/donations"),
        json={
            "donor_id": office.donor_id,
            "fund": "GENERAL",
            "method": "cash",
            "amount": 1_000,
            "received_on": "2025-12-31",
        },
        headers=auth(office.treasurer),
    )
    refused(still_closed, "period_closed")
    own = client.post(office.url(f"/approvals/{request['id']}/approve"), json={}, headers=auth(office.approver))
    refused(own, "self_approval")
    approved = client.post(office.url(f"/approvals/{request['id']}/approve"), json={}, headers=auth(office.admin))
    assert approved.status_code == 200, approved.get_json()
    outcome = approved.get_json()["outcome"]
    assert (approved.get_json()["status"], outcome["year"], len(outcome["closing_entries"])) == ("approved", 2025, 1)
    assert give(client, office, 1_000, on="2025-12-31")["entry"]["date"] == "2025-12-31"
    events = audit_events(app, office)
    assert ("period.close", "2025") in events and ("period.reopen", "2025") in events


def test_closing_a_year_locks_every_earlier_date_and_the_year_list_stays_short(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    give(client, office, 1_000_000, on="2025-03-01")
    assert client.post(office.url("/periods/2025/close"), json={}, headers=auth(office.approver)).status_code == 200
    before = Snapshot(app, client, office)
    # Issue 15: these posted after 2025 was closed, and the year list grew to 2,026 rows.
    for day in ("2024-06-01", "1999-12-31", "0001-01-01", "2025-12-31"):
        body = {"donor_id": office.donor_id, "fund": "GENERAL", "method": "cash", "amount": 1_000, "received_on": day}
        response = client.post(office.url("/donations"), json=body, headers=auth(office.treasurer))
        problem = refused(response, "period_closed", "lock_date")
        assert (problem["lock_on"], problem["date"]) == ("2025-12-31", day)
    before.unchanged()
    listed = client.get(office.url("/periods"), headers=auth(office.treasurer)).get_json()
    assert listed["lock_on"] == "2025-12-31" and [p["year"] for p in listed["items"]] == [2025]
    assert give(client, office, 1_000, on="2026-01-01")["entry"]["date"] == "2026-01-01"


def test_an_approver_locks_a_month_that_has_ended(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    give(client, office, 1_000_000, on="2026-01-10")
    url = office.url("/periods/lock")
    assert client.post(url, json={"through": "2026-01-31"}, headers=auth(office.treasurer)).status_code == 403
    not_month_end = client.post(url, json={"through": "2026-01-30"}, headers=auth(office.approver))
    assert refused(not_month_end, "validation_error")["errors"] == {
        "through": ["the last day of a month that has ended"]
    }
    locked = client.post(url, json={"through": "2026-01-31"}, headers=auth(office.approver))
    assert locked.status_code == 200 and locked.get_json() == {"lock_on": "2026-01-31"}
    backwards = client.post(url, json={"through": "2025-12-31"}, headers=auth(office.approver))
    refused(backwards, "conflict")
    body = {
        "donor_id": office.donor_id,
        "fund": "GENERAL",
        "method": "cash",
        "amount": 1_000,
        "received_on": "2026-01-31",
    }
    refused(
        client.post(office.url("/donations"), json=body, headers=auth(office.treasurer)), "period_closed", "lock_date"
    )
    assert give(client, office, 1_000, on="2026-02-01")["entry"]["date"] == "2026-02-01"
    assert ("period.lock", "2026-01-31") in audit_events(app, office)
