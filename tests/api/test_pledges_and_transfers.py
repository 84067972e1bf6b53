"""Pledges and their collection with receipts, and transfers between funds where the source allows it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import auth, make_fund, reverse_approved
from tests.spending_support import Office, Snapshot, audit_events, balances, give, open_office, refused


def pledge(client: FlaskClient, office: Office, amount: int, fund: str = "GENERAL", **extra: Any) -> Any:
    body = {"donor_id": office.donor_id, "fund": fund, "amount": amount, "pledged_on": "2026-03-01", **extra}
    return client.post(office.url("/pledges"), json=body, headers=auth(office.treasurer))


def collect(client: FlaskClient, office: Office, pledge_id: int, amount: int, **extra: Any) -> Any:
    body = {"amount": amount, "method": "bank", "received_on": "2026-04-01", **extra}
    return client.post(office.url(f"/pledges/{pledge_id}/collect"), json=body, headers=auth(office.treasurer))


def lines_of(entry: dict[str, Any]) -> set[tuple[str, str, int, int]]:
    return {(line["account"], line["fund"], line["debit"], line["credit"]) for line in entry["lines"]}


def test_a_pledge_is_income_now_and_its_collections_are_receipted(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    response = pledge(client, office, 10_000_000, due_on="2026-12-31", memo="Cam kết tài trợ năm học mới")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["entry"]["kind"] == "pledge"
    assert lines_of(body["entry"]) == {("138", "GENERAL", 10_000_000, 0), ("511", "GENERAL", 0, 10_000_000)}
    pledge_id = body["pledge"]["id"]
    assert (body["pledge"]["status"], body["pledge"]["outstanding"]) == ("open", 10_000_000)
    # A donation before it takes receipt number 1; the collections continue the same series.
    give(client, office, 500_000)
    first = collect(client, office, pledge_id, 4_000_000, method="cash")
    assert first.status_code == 201, first.get_json()
    assert lines_of(first.get_json()["entry"]) == {("111", "GENERAL", 4_000_000, 0), ("138", "GENERAL", 0, 4_000_000)}
    receipt = first.get_json()["receipt"]
    assert (receipt["number"], receipt["amount"], receipt["method"], receipt["status"]) == (
        f"{office.code}-2026-000002",
        4_000_000,
        "cash",
        "valid",
    )
    assert first.get_json()["pledge"]["collected"] == 4_000_000
    shown = client.get(office.url(f"/receipts/{receipt['number']}"), headers=auth(office.treasurer))
    assert shown.status_code == 200 and shown.get_json()["donor_id"] == office.donor_id
    rest = collect(client, office, pledge_id, 6_000_000)
    assert rest.get_json()["pledge"]["status"] == "collected"
    assert rest.get_json()["receipt"]["number"] == f"{office.code}-2026-000003"
    # The pledge was income once; collecting it only turned the receivable into money.
    assert balances(client, office)["GENERAL"] == (10_500_000, 0, 10_500_000)
    listed = client.get(office.url("/pledges?status=collected"), headers=auth(office.treasurer)).get_json()
    assert [p["id"] for p in listed["items"]] == [pledge_id]
    assert ("pledge.collect", str(pledge_id)) in audit_events(app, office)


def test_collecting_more_than_was_pledged_is_refused(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    pledge_id = pledge(client, office, 1_000_000).get_json()["pledge"]["id"]
    assert collect(client, office, pledge_id, 600_000).status_code == 201
    before = Snapshot(app, client, office)
    over = collect(client, office, pledge_id, 400_001)
    problem = refused(over, "validation_error")
    assert problem["outstanding"] == 400_000 and problem["errors"] == {"amount": ["at most 400000 is outstanding"]}
    assert refused(collect(client, office, pledge_id, 1, method="in_kind"), "validation_error")
    assert refused(collect(client, office, pledge_id, 1, received_on="2026-02-01"), "validation_error")
    missing = collect(client, office, 999_999_999, 1)
    assert missing.status_code == 404
    before.unchanged()
    assert collect(client, office, pledge_id, 400_000).get_json()["pledge"]["status"] == "collected"
    closed = collect(client, office, pledge_id, 1)
    assert refused(closed, "conflict")["pledge_status"] == "collected"


def test_reversing_a_collection_reopens_the_pledge_and_voids_its_receipt(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    pledge_id = pledge(client, office, 1_000_000).get_json()["pledge"]["id"]
    collected = collect(client, office, pledge_id, 1_000_000).get_json()
    assert collected["pledge"]["status"] == "collected"
    reverse_approved(
        client, office.code, collected["entry"]["seq"], "Ngân hàng trả lại giao dịch", office.treasurer, office.approver
    )
    shown = client.get(office.url(f"/pledges/{pledge_id}"), headers=auth(office.treasurer)).get_json()
    assert (shown["status"], shown["collected"], shown["outstanding"]) == ("open", 0, 1_000_000)
    receipt = client.get(
        office.url(f"/receipts/{collected['receipt']['number']}"), headers=auth(office.treasurer)
    ).get_json()
    assert receipt["status"] == "void"
    # The pledge itself can be reversed only once nothing of it is collected; then it is cancelled.
    again = collect(client, office, pledge_id, 300_000).get_json()
    before = Snapshot(app, client, office)
    blocked = client.post(
        office.url(f"/entries/{shown['entry_seq']}/reverse"),
        json={"reason": "Hủy cam kết"},
        headers=auth(office.treasurer),
    )
    assert refused(blocked, "conflict")["collected"] == 300_000
    before.unchanged()
    reverse_approved(client, office.code, again["entry"]["seq"], "Trả lại", office.treasurer, office.approver)
    cancelled = client.post(
        office.url(f"/entries/{shown['entry_seq']}/reverse"),
        json={"reason": "Hủy cam kết"},
        headers=auth(office.treasurer),
    )
    assert cancelled.status_code == 201, cancelled.get_json()
    assert client.get(office.url(f"/pledges/{pledge_id}"), headers=auth(office.treasurer)).get_json()["status"] == (
        "cancelled"
    )
    assert balances(client, office)["GENERAL"] == (0, 0, 0)


def transfer(client: FlaskClient, office: Office, source: str, target: str, amount: int, **extra: Any) -> Any:
    body = {"from_fund": source, "to_fund": target, "amount": amount, "account": "112", "on": "2026-05-01", **extra}
    return client.post(office.url("/transfers"), json=body, headers=auth(office.treasurer))


def test_money_moves_from_the_general_fund_to_a_purpose_and_each_fund_still_balances(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000)
    response = transfer(client, office, "GENERAL", "HPD", 4_000_000, memo="Bổ sung quỹ học bổng")
    assert response.status_code == 201, response.get_json()
    entry = response.get_json()
    assert entry["kind"] == "transfer"
    assert lines_of(entry) == {
        ("112", "GENERAL", 0, 4_000_000),
        ("431", "GENERAL", 4_000_000, 0),
        ("112", "HPD", 4_000_000, 0),
        ("431", "HPD", 0, 4_000_000),
    }
    funds = balances(client, office)
    assert (funds["GENERAL"][0], funds["HPD"][0]) == (6_000_000, 4_000_000)
    assert ("transfer.post", str(entry["seq"])) in audit_events(app, office)


def test_restricted_and_endowment_money_never_leaves_its_fund(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    make_fund(app, office.code, "TALENT", preset="talent_endowment")
    give(client, office, 5_000_000, fund="HPD")
    give(client, office, 5_000_000, fund="TALENT")
    give(client, office, 1_000_000)
    before = Snapshot(app, client, office)
    restricted = refused(
        transfer(client, office, "HPD", "GENERAL", 1_000), "purpose_violation", "transfers_out_allowed"
    )
    assert restricted["restriction"] == "restricted"
    refused(transfer(client, office, "TALENT", "GENERAL", 1_000), "purpose_violation", "transfers_out_allowed")
    refused(transfer(client, office, "GENERAL", "HPD", 1_000_001), "insufficient_funds")
    same = refused(transfer(client, office, "GENERAL", "GENERAL", 1_000), "validation_error")
    assert "to_fund" in same["errors"]
    goods = refused(transfer(client, office, "GENERAL", "HPD", 1_000, account="156"), "validation_error")
    assert "account" in goods["errors"]
    before.unchanged()
