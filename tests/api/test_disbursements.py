"""Disbursements through the API: posting with vouchers, goods at average cost, pending spends and
their approval (maker–checker), policy versions, reversal, listing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger.domain.policy import PRESETS
from tests.factories import TOMORROW, auth, dated, make_fund, make_user, reverse_approved, row_counts
from tests.spending_support import (
    Office,
    Snapshot,
    audit_events,
    balances,
    disburse,
    give,
    open_office,
    pupil,
    refused,
    spend_body,
    stored_reservations,
)


def test_a_posted_scholarship_debits_its_expense_credits_the_bank_and_numbers_its_voucher(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD", on="2025-11-01")
    mai = pupil(app, office)
    first = disburse(client, office, spend_body("HPD", 1_500_000, mai, memo="Học bổng Hoa Phượng Đỏ 2026"))
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    number = f"{office.code}-UNC-2026-000001"
    assert body["status"] == "posted"
    assert body["voucher"] == {
        "number": number,
        "pdf_url": f"http://127.0.0.1:5000/api/v1/associations/{office.code}/vouchers/{number}.pdf",
    }
    lines = {
        (line["account"], line["debit"], line["credit"], line["beneficiary_id"]) for line in body["entry"]["lines"]
    }
    assert lines == {("611", 1_500_000, 0, mai), ("112", 0, 1_500_000, mai)}
    assert body["entry"]["kind"] == "disbursement" and body["entry"]["memo"] == "Học bổng Hoa Phượng Đỏ 2026"
    disbursement = body["disbursement"]
    assert disbursement["policy_version"] == 1 and disbursement["entry_seq"] == body["entry"]["seq"]
    assert disbursement["maker_id"] == office.treasurer_id and disbursement["voucher_number"] == number
    second = disburse(client, office, spend_body("HPD", 1_000_000, mai, paid_on="2026-10-01"))
    assert second.get_json()["voucher"]["number"] == f"{office.code}-UNC-2026-000002"
    # A new year starts a new series.
    third = disburse(client, office, spend_body("HPD", 1_000_000, mai, paid_on="2025-12-01"))
    assert third.get_json()["voucher"]["number"] == f"{office.code}-UNC-2025-000001"
    fetched = client.get(office.url(f"/disbursements/{disbursement['id']}"), headers=auth(office.treasurer))
    assert fetched.get_json() == disbursement
    assert balances(client, office)["HPD"] == (6_500_000, 0, 6_500_000)
    assert "disbursement.post" in [action for action, _ in audit_events(app, office)]


def test_goods_handed_out_are_valued_at_their_average_cost(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "TET", restriction="restricted", name="Quà Tết", policy={"allowed_kinds": ["tet_gift"]})
    package = "Gói quà Tết"
    give(client, office, 4_000_000, fund="TET", method="in_kind", items=[_goods(package, 10, 400_000)])
    give(client, office, 10_000_000, fund="TET", method="in_kind", items=[_goods(package, 20, 500_000)])
    mai = pupil(app, office)
    pick = {
        "kind": "tet_gift",
        "paid_from": "in_kind",
        "items": [{"description": package, "quantity": 3, "unit": "gói"}],
    }
    before = Snapshot(app, client, office)
    wrong = disburse(client, office, spend_body("TET", 1_500_000, mai, **pick))
    problem = refused(wrong, "validation_error")
    assert problem["errors"] == {"amount": ["the goods are worth 1400000 VND at average cost"]}
    too_many = {**pick, "items": [{"description": package, "quantity": 31, "unit": "gói"}]}
    short = refused(disburse(client, office, spend_body("TET", None, mai, **too_many)), "insufficient_funds")
    assert (short["held"], short["requested"], short["item"]) == (30, 31, package)
    before.unchanged()
    # 30 packages worth 14.000.000 ₫: three of them are worth 1.400.000 ₫.
    posted = disburse(client, office, spend_body("TET", None, mai, **pick))
    assert posted.status_code == 201, posted.get_json()
    goods = next(line for line in posted.get_json()["entry"]["lines"] if line["account"] == "156")
    assert (goods["credit"], goods["quantity"], goods["unit"], goods["item"]) == (1_400_000, 3, "gói", package)
    assert posted.get_json()["disbursement"]["items"] == [{"description": package, "quantity": 3, "unit": "gói"}]
    same = disburse(client, office, spend_body("TET", 1_400_000, mai, **pick))
    assert same.status_code == 201
    # Handing out the last ones takes exactly the value that is left.
    rest = {**pick, "items": [{"description": package, "quantity": 24, "unit": "gói"}]}
    last = disburse(client, office, spend_body("TET", None, mai, **rest))
    assert last.get_json()["disbursement"]["amount"] == 14_000_000 - 2 * 1_400_000
    assert balances(client, office)["TET"] == (0, 0, 0)


def _goods(description: str, quantity: int, unit_value: int) -> dict[str, Any]:
    return {"description": description, "quantity": quantity, "unit": "gói", "unit_value": unit_value}


def pending_office(app: Flask, client: FlaskClient, amount: int = 30_000_000) -> tuple[Office, int]:
    office = open_office(app)
    make_fund(
        app, office.code, "BIG", restriction="restricted", name="Quỹ lớn", policy={"approval_threshold": 10_000_000}
    )
    give(client, office, 50_000_000, fund="BIG")
    response = disburse(client, office, spend_body("BIG", amount, pupil(app, office)))
    assert response.status_code == 202, response.get_json()
    return office, response.get_json()["id"]


def test_a_pending_disbursement_reserves_its_amount_and_posts_nothing(app: Flask, client: FlaskClient) -> None:
    office, pending_id = pending_office(app, client)
    assert balances(client, office)["BIG"] == (50_000_000, 30_000_000, 20_000_000)
    assert stored_reservations(app, office) == (30_000_000, 30_000_000)
    waiting = client.get(office.url("/approvals"), headers=auth(office.approver)).get_json()
    assert [d["id"] for d in waiting["items"]] == [pending_id] and waiting["next_cursor"] is None
    # The reservation counts against everything else paid from the same balance.
    before = Snapshot(app, client, office)
    over = client.post(
        office.url("/entries"),
        json={
            "date": "2026-09-06",
            "memo": "chi",
            "lines": [
                {"account": "111", "fund": "BIG", "debit": 20_000_001},
                {"account": "112", "fund": "BIG", "credit": 20_000_001},
            ],
        },
        headers=auth(office.treasurer),
    )
    problem = refused(over, "insufficient_funds")
    assert problem["available"] == 20_000_000
    before.unchanged()


def test_an_approver_posts_a_pending_disbursement_with_the_next_voucher_number(app: Flask, client: FlaskClient) -> None:
    office, pending_id = pending_office(app, client)
    approved = client.post(office.url(f"/approvals/{pending_id}/approve"), json={}, headers=auth(office.approver))
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert body["voucher"]["number"] == f"{office.code}-UNC-2026-000001"
    disbursement = body["disbursement"]
    assert (disbursement["status"], disbursement["approver_id"], disbursement["reserved"]) == (
        "posted",
        office.approver_id,
        0,
    )
    assert disbursement["decided_at"] is not None and disbursement["entry_seq"] == body["entry"]["seq"]
    assert balances(client, office)["BIG"] == (20_000_000, 0, 20_000_000)
    assert stored_reservations(app, office) == (0, 0)
    assert client.get(office.url("/approvals"), headers=auth(office.approver)).get_json()["items"] == []
    actions = [action for action, _ in audit_events(app, office)]
    assert "disbursement.request" in actions and "disbursement.approve" in actions


def test_a_maker_cannot_approve_their_own_disbursement(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "BIG", restriction="restricted", name="Quỹ lớn", policy={"approval_threshold": 0})
    give(client, office, 5_000_000, fund="BIG")
    # An administrator may make a spend, and still may not check it: a second person does.
    made = disburse(client, office, spend_body("BIG", 1_000_000, pupil(app, office)), token=office.admin)
    assert made.status_code == 202
    before = Snapshot(app, client, office)
    own = client.post(office.url(f"/approvals/{made.get_json()['id']}/approve"), json={}, headers=auth(office.admin))
    assert own.status_code == 403
    refused(own, "self_approval")
    before.unchanged()
    treasurer = client.post(
        office.url(f"/approvals/{made.get_json()['id']}/approve"), json={}, headers=auth(office.treasurer)
    )
    assert treasurer.status_code == 403 and treasurer.get_json()["code"] == "forbidden"
    before.unchanged()
    other = client.post(
        office.url(f"/approvals/{made.get_json()['id']}/approve"), json={}, headers=auth(office.approver)
    )
    assert other.status_code == 200


def test_a_rejected_disbursement_leaves_balances_as_before(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(
        app, office.code, "BIG", restriction="restricted", name="Quỹ lớn", policy={"approval_threshold": 10_000_000}
    )
    give(client, office, 50_000_000, fund="BIG")
    mai = pupil(app, office)
    before = balances(client, office)
    entries_before = row_counts(app)["journal_entries"]
    pending_id = disburse(client, office, spend_body("BIG", 30_000_000, mai)).get_json()["id"]
    rejected = client.post(
        office.url(f"/approvals/{pending_id}/reject"),
        json={"reason": "Hồ sơ chưa đủ giấy xác nhận hộ nghèo"},
        headers=auth(office.approver),
    )
    assert rejected.status_code == 200, rejected.get_json()
    body = rejected.get_json()
    assert (body["status"], body["reserved"], body["decision_reason"], body["approver_id"]) == (
        "rejected",
        0,
        "Hồ sơ chưa đủ giấy xác nhận hộ nghèo",
        office.approver_id,
    )
    assert balances(client, office) == before
    assert row_counts(app)["journal_entries"] == entries_before
    assert stored_reservations(app, office) == (0, 0)
    # The money it held is free again: the whole 50.000.000 ₫ can be reserved by another.
    again = disburse(client, office, spend_body("BIG", 50_000_000, mai))
    assert again.status_code == 202, again.get_json()
    assert "disbursement.reject" in [action for action, _ in audit_events(app, office)]


def test_deciding_a_disbursement_that_is_not_pending_is_an_invalid_transition(app: Flask, client: FlaskClient) -> None:
    office, pending_id = pending_office(app, client)
    reject = client.post(
        office.url(f"/approvals/{pending_id}/reject"), json={"reason": "Sai"}, headers=auth(office.approver)
    )
    assert reject.status_code == 200
    before = Snapshot(app, client, office)
    for action, body in (("approve", {}), ("reject", {"reason": "lần nữa"})):
        response = client.post(
            office.url(f"/approvals/{pending_id}/{action}"), json=body, headers=auth(office.approver)
        )
        assert response.status_code == 409
        problem = refused(response, "invalid_transition")
        assert (problem["status"], problem["current_status"]) == (409, "rejected")
    before.unchanged()
    office, posted_id = pending_office(app, client)
    assert (
        client.post(office.url(f"/approvals/{posted_id}/approve"), json={}, headers=auth(office.approver)).status_code
        == 200
    )
    twice = client.post(office.url(f"/approvals/{posted_id}/approve"), json={}, headers=auth(office.approver))
    assert twice.status_code == 409 and twice.get_json()["current_status"] == "posted"
    missing = client.post(office.url("/approvals/999999999/approve"), json={}, headers=auth(office.approver))
    assert missing.status_code == 404


def test_an_approval_checks_the_spend_again_against_the_policy_of_today(app: Flask, client: FlaskClient) -> None:
    office, pending_id = pending_office(app, client)
    lower = client.put(
        office.url("/funds/BIG/policy"),
        json={"approval_threshold": 10_000_000, "max_per_disbursement": 25_000_000},
        headers=auth(office.approver),
    )
    assert lower.status_code == 200 and lower.get_json()["policy_version"] == 2
    before = Snapshot(app, client, office)
    response = client.post(office.url(f"/approvals/{pending_id}/approve"), json={}, headers=auth(office.approver))
    refused(response, "purpose_violation", "max_per_disbursement")
    before.unchanged()
    still = client.get(office.url(f"/disbursements/{pending_id}"), headers=auth(office.approver)).get_json()
    assert (still["status"], still["reserved"]) == ("pending", 30_000_000)


def test_a_policy_change_is_a_new_version_and_each_disbursement_keeps_its_own(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    mai = pupil(app, office)
    old = disburse(client, office, spend_body("HPD", 1_000_000, mai)).get_json()["disbursement"]
    url = office.url("/funds/HPD/policy")
    before = Snapshot(app, client, office)
    # PUT replaces the whole document: dropping the other limits loosens a restricted fund.
    by_treasurer = client.put(url, json={"max_per_disbursement": 500_000}, headers=auth(office.treasurer))
    assert by_treasurer.status_code == 422 and by_treasurer.get_json()["code"] == "consent_required"
    malformed = client.put(url, json={"max_per_disbursement": "500000", "colour": "red"}, headers=auth(office.approver))
    assert malformed.status_code == 422
    bad_kind = client.put(url, json={"allowed_kinds": ["lottery"]}, headers=auth(office.approver))
    assert bad_kind.status_code == 422 and "policy.allowed_kinds" in bad_kind.get_json()["errors"]
    before.unchanged()
    changed = client.patch(
        url, json={"allowed_kinds": ["scholarship"], "max_per_disbursement": 500_000}, headers=auth(office.admin)
    )
    assert changed.status_code == 200, changed.get_json()
    fund = changed.get_json()
    assert fund["policy_version"] == 2 and fund["policy"] == {
        **PRESETS["hoa_phuong_do"].policy.to_document(),
        "allowed_kinds": ["scholarship"],
        "max_per_disbursement": 500_000,
    }
    refused(disburse(client, office, spend_body("HPD", 500_001, mai)), "purpose_violation", "max_per_disbursement")
    new = disburse(client, office, spend_body("HPD", 500_000, mai)).get_json()["disbursement"]
    assert (old["policy_version"], new["policy_version"]) == (1, 2)
    assert "fund.policy" in [action for action, _ in audit_events(app, office)]


def test_reversing_a_posted_disbursement_voids_it(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    posted = disburse(client, office, spend_body("HPD", 2_000_000, pupil(app, office))).get_json()
    seq = posted["entry"]["seq"]
    reversal = reverse_approved(client, office.code, seq, "Trả nhầm người", office.treasurer, office.approver)
    voided = client.get(office.url(f"/disbursements/{posted['id']}"), headers=auth(office.treasurer)).get_json()
    assert (voided["status"], voided["void_entry_seq"]) == ("void", reversal["seq"])
    assert voided["voucher_number"] == posted["voucher"]["number"]
    assert balances(client, office)["HPD"] == (10_000_000, 0, 10_000_000)
    # The voucher number stays taken; the next disbursement gets the next one.
    again = disburse(client, office, spend_body("HPD", 1_000_000, pupil(app, office, name="Lê Văn Nam"))).get_json()
    assert again["voucher"]["number"].endswith("-000002")
    assert "disbursement.void" in [action for action, _ in audit_events(app, office)]


def test_disbursements_are_listed_in_pages_by_status_and_fund(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    make_fund(app, office.code, "BIG", restriction="restricted", name="Quỹ lớn", policy={"approval_threshold": 0})
    give(client, office, 10_000_000, fund="HPD")
    give(client, office, 10_000_000, fund="BIG")
    mai = pupil(app, office)
    ids = [disburse(client, office, spend_body("HPD", 500_000, mai)).get_json()["id"] for _ in range(3)]
    waiting = disburse(client, office, spend_body("BIG", 500_000, mai)).get_json()["id"]
    url = office.url("/disbursements")
    page = client.get(f"{url}?limit=2", headers=auth(office.treasurer)).get_json()
    assert [d["id"] for d in page["items"]] == ids[:2] and page["next_cursor"] == str(ids[1])
    rest = client.get(f"{url}?limit=2&cursor={page['next_cursor']}", headers=auth(office.treasurer)).get_json()
    assert [d["id"] for d in rest["items"]] == [ids[2], waiting] and rest["next_cursor"] is None
    pending = client.get(f"{url}?status=pending", headers=auth(office.treasurer)).get_json()
    assert [d["id"] for d in pending["items"]] == [waiting]
    by_fund = client.get(f"{url}?fund=HPD&status=posted", headers=auth(office.treasurer)).get_json()
    assert [d["id"] for d in by_fund["items"]] == ids
    assert client.get(f"{url}?status=lost", headers=auth(office.treasurer)).status_code == 422
    assert client.get(f"{url}?fund=NOPE", headers=auth(office.treasurer)).status_code == 422


def test_another_associations_disbursements_are_not_found(app: Flask, client: FlaskClient) -> None:
    office, pending_id = pending_office(app, client)
    other = open_office(app)
    for response in (
        client.get(other.url(f"/disbursements/{pending_id}"), headers=auth(other.treasurer)),
        client.post(other.url(f"/approvals/{pending_id}/approve"), json={}, headers=auth(other.approver)),
        client.get(office.url(f"/disbursements/{pending_id}"), headers=auth(other.treasurer)),
    ):
        assert response.status_code == 404 and response.get_json()["code"] == "not_found"
    _, auditor = make_user(app, office.code, "auditor")
    assert client.get(office.url(f"/disbursements/{pending_id}"), headers=auth(auditor)).status_code == 200
    before = Snapshot(app, client, office)
    by_auditor = disburse(client, office, spend_body("BIG", 1_000, None, kind="operating"), token=auditor)
    assert by_auditor.status_code == 403
    before.unchanged()


BAD_BODIES = [
    ("float amount", {"amount": 1_000_000.0}, "amount"),
    ("string amount", {"amount": "1000000"}, "amount"),
    ("negative amount", {"amount": -1}, "amount"),
    ("no amount for a bank payment", {"amount": None}, "amount"),
    ("items for a bank payment", {"items": [{"description": "Sách", "quantity": 1, "unit": "cuốn"}]}, "items"),
    ("goods without an item", {"paid_from": "in_kind"}, "items"),
    ("unknown kind", {"kind": "lottery"}, "kind"),
    ("unknown paid_from", {"paid_from": "crypto"}, "paid_from"),
    ("a date in the future", {"paid_on": TOMORROW}, "paid_on"),
    ("unknown field", {"colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_disbursements_are_refused_as_field_errors_and_write_nothing(
    app: Flask, client: FlaskClient, case: str, change: dict[str, Any], field: str, today: date
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    mai = pupil(app, office)
    before = Snapshot(app, client, office)
    response = disburse(client, office, {**spend_body("HPD", 1_000_000, mai), **dated(change, today)})
    problem = refused(response, "validation_error")
    assert field in problem["errors"], (case, problem)
    before.unchanged()


def test_the_same_idempotency_key_replays_a_disbursement(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    body = spend_body("HPD", 1_000_000, pupil(app, office))
    headers = auth(office.treasurer, **{"Idempotency-Key": "hb-2026-0001"})
    first = client.post(office.url("/disbursements"), json=body, headers=headers)
    before = Snapshot(app, client, office)
    again = client.post(office.url("/disbursements"), json=body, headers=headers)
    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json())
    before.unchanged()


def test_pending_disbursements_count_toward_the_yearly_cap_so_two_cannot_exceed_it(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    policy = {"approval_threshold": 0, "max_per_beneficiary_per_year": 3_000_000, "running_cost_cap_pct": 10}
    make_fund(app, office.code, "CAP", restriction="unrestricted", name="Quỹ có hạn mức", policy=policy)
    give(client, office, 20_000_000, fund="CAP")
    mai = pupil(app, office)
    assert disburse(client, office, spend_body("CAP", 2_000_000, mai)).status_code == 202
    operating = {"kind": "operating", "paid_on": "2026-09-05"}
    assert disburse(client, office, spend_body("CAP", 1_500_000, None, **operating)).status_code == 202
    before = Snapshot(app, client, office)
    second = refused(
        disburse(client, office, spend_body("CAP", 1_000_001, mai)), "purpose_violation", "max_per_beneficiary_per_year"
    )
    assert second["paid"] == 2_000_000
    # 10% of 20.000.000 is 2.000.000 of running costs; 1.500.000 of them already wait for approval.
    over = refused(
        disburse(client, office, spend_body("CAP", 500_001, None, **operating)),
        "purpose_violation",
        "running_cost_cap_pct",
    )
    assert over["running_costs"] == 1_500_000
    before.unchanged()


def test_goods_waiting_for_approval_are_held_back_and_valued_again_when_approved(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "GIFTS", restriction="restricted", name="Quà", policy={"approval_threshold": 1_000_000})
    bike = "Xe đạp"
    give(client, office, 10_000_000, fund="GIFTS", method="in_kind", items=[_goods(bike, 5, 2_000_000)])
    mai = pupil(app, office)
    three = {
        "kind": "support",
        "paid_from": "in_kind",
        "items": [{"description": bike, "quantity": 3, "unit": "chiếc"}],
    }
    waiting = disburse(client, office, spend_body("GIFTS", None, mai, **three))
    assert waiting.status_code == 202, waiting.get_json()
    assert waiting.get_json()["reserved"] == 6_000_000
    assert balances(client, office)["GIFTS"] == (10_000_000, 6_000_000, 4_000_000)
    # Only two bicycles are free: the three waiting are not handed out twice.
    before = Snapshot(app, client, office)
    three_more = refused(disburse(client, office, spend_body("GIFTS", None, mai, **three)), "insufficient_funds")
    assert (three_more["held"], three_more["requested"]) == (2, 3)
    before.unchanged()
    # Two more bicycles arrive at a higher value before the chair approves: the three leave at the
    # average cost of the shelf as it is then, (10 + 5) million for 7, so 6.428.571 ₫.
    give(client, office, 5_000_000, fund="GIFTS", method="in_kind", items=[_goods(bike, 2, 2_500_000)])
    approved = client.post(
        office.url(f"/approvals/{waiting.get_json()['id']}/approve"), json={}, headers=auth(office.approver)
    )
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["disbursement"]["amount"] == 15_000_000 * 3 // 7
    assert balances(client, office)["GIFTS"] == (15_000_000 - 6_428_571, 0, 15_000_000 - 6_428_571)


def test_the_openapi_document_describes_the_spending_endpoints(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path, method in (
        ("/api/v1/associations/{code}/disbursements", "post"),
        ("/api/v1/associations/{code}/disbursements", "get"),
        ("/api/v1/associations/{code}/disbursements/batch", "post"),
        ("/api/v1/associations/{code}/disbursements/{disbursement_id}", "get"),
        ("/api/v1/associations/{code}/approvals", "get"),
        ("/api/v1/associations/{code}/approvals/{disbursement_id}/approve", "post"),
        ("/api/v1/associations/{code}/approvals/{disbursement_id}/reject", "post"),
        ("/api/v1/associations/{code}/funds/{fund_code}/policy", "put"),
        ("/api/v1/associations/{code}/periods", "get"),
        ("/api/v1/associations/{code}/periods/{year}/close", "post"),
        ("/api/v1/associations/{code}/periods/{year}/reopen", "post"),
        ("/api/v1/associations/{code}/pledges", "post"),
        ("/api/v1/associations/{code}/pledges/{pledge_id}/collect", "post"),
        ("/api/v1/associations/{code}/transfers", "post"),
        ("/api/v1/associations/{code}/interest", "post"),
    ):
        assert method in paths.get(path, {}), (path, method)
    responses = paths["/api/v1/associations/{code}/disbursements"]["post"]["responses"]
    assert {"201", "202"} <= set(responses)
    schemas = spec["components"]["schemas"]
    assert {"DisbursementIn", "DisbursementOut", "BatchIn", "BatchOut", "PolicyIn", "TransferIn"} <= set(schemas)


def test_goods_promised_to_a_pending_gift_cannot_leave_by_a_reversal_and_its_approval_still_posts(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    policy = {"allowed_kinds": ["tet_gift"], "approval_threshold": 0}
    make_fund(app, office.code, "TET", restriction="restricted", name="Quà Tết", policy=policy)
    package = "Gói quà Tết"
    give(client, office, 10_000, fund="TET", method="in_kind", items=[_goods(package, 10, 1_000)])
    cheap = give(client, office, 10, fund="TET", method="in_kind", items=[_goods(package, 10, 1)])
    pick = {
        "kind": "tet_gift",
        "paid_from": "in_kind",
        "items": [{"description": package, "quantity": 15, "unit": "gói"}],
    }
    waiting = disburse(client, office, spend_body("TET", None, pupil(app, office), **pick))
    assert waiting.status_code == 202, waiting.get_json()
    before = Snapshot(app, client, office)
    # Taking the cheap packages back would leave 10 for a gift of 15 that was promised.
    reversal = client.post(
        office.url(f"/entries/{cheap['entry']['seq']}/reverse"),
        json={"reason": "trả lại"},
        headers=auth(office.treasurer),
    )
    problem = refused(reversal, "insufficient_funds")
    assert (problem["item"], problem["held"], problem["requested"]) == (package, 5, 10)
    before.unchanged()
    approved = client.post(
        office.url(f"/approvals/{waiting.get_json()['id']}/approve"), json={}, headers=auth(office.approver)
    )
    assert approved.status_code == 200, approved.get_json()
    goods = next(line for line in approved.get_json()["entry"]["lines"] if line["account"] == "156")
    assert goods["quantity"] == 15
