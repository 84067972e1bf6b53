"""Batches of disbursements: all or nothing, each item checked against the books the items before it leave."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import auth, make_fund
from tests.spending_support import Office, Snapshot, balances, give, open_office, pupil, refused, spend_body


def batch(client: FlaskClient, office: Office, items: list[dict[str, Any]], memo: str = "") -> Any:
    return client.post(
        office.url("/disbursements/batch"), json={"items": items, "memo": memo}, headers=auth(office.treasurer)
    )


def scholarship_office(app: Flask, client: FlaskClient, amount: int = 20_000_000) -> Office:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, amount, fund="HPD")
    return office


def test_a_batch_posts_every_item_with_its_own_entry_and_voucher(app: Flask, client: FlaskClient) -> None:
    office = scholarship_office(app, client)
    pupils = [pupil(app, office, name=f"Học sinh {i}") for i in range(5)]
    response = batch(
        client, office, [spend_body("HPD", 1_500_000, p) for p in pupils], memo="Lễ trao học bổng Hoa Phượng Đỏ"
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["count"], body["total"]) == (5, 7_500_000)
    assert body["vouchers_pdf_url"].endswith(f"/disbursements/batches/{body['batch_id']}/vouchers.pdf")
    numbers = [d["voucher_number"] for d in body["disbursements"]]
    assert numbers == [f"{office.code}-UNC-2026-{n:06d}" for n in range(1, 6)]
    assert [d["beneficiary_id"] for d in body["disbursements"]] == pupils
    assert {d["batch_id"] for d in body["disbursements"]} == {body["batch_id"]}
    seqs = [d["entry_seq"] for d in body["disbursements"]]
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    assert balances(client, office)["HPD"] == (12_500_000, 0, 12_500_000)
    listed = client.get(office.url(f"/disbursements?batch_id={body['batch_id']}"), headers=auth(office.treasurer))
    assert len(listed.get_json()["items"]) == 5
    assert client.get(office.url("/verify"), headers=auth(office.treasurer)).get_json()["ok"] is True


def test_a_batch_refusal_names_the_item_index_and_rule_and_writes_nothing(app: Flask, client: FlaskClient) -> None:
    office = scholarship_office(app, client)
    mai, nam = pupil(app, office), pupil(app, office, name="Lê Văn Nam")
    before = Snapshot(app, client, office)
    # Each item is within the yearly cap of 3.000.000 ₫ alone; Mai's two together are not.
    items = [spend_body("HPD", 2_000_000, mai), spend_body("HPD", 2_000_000, nam), spend_body("HPD", 1_500_000, mai)]
    response = batch(client, office, items)
    problem = refused(response, "purpose_violation", "max_per_beneficiary_per_year")
    assert problem["index"] == 2 and problem["paid"] == 2_000_000
    assert list(problem["errors"]) == ["items.2"]
    before.unchanged()


def test_a_batch_refused_when_the_money_runs_out_names_the_item(app: Flask, client: FlaskClient) -> None:
    office = scholarship_office(app, client, amount=5_000_000)
    pupils = [pupil(app, office, name=f"Học sinh {i}") for i in range(3)]
    before = Snapshot(app, client, office)
    response = batch(client, office, [spend_body("HPD", 2_000_000, p) for p in pupils])
    problem = refused(response, "insufficient_funds")
    assert (problem["index"], problem["available"], problem["requested"]) == (2, 1_000_000, 2_000_000)
    before.unchanged()


def test_a_batch_item_with_a_bad_field_is_refused_by_its_index(app: Flask, client: FlaskClient) -> None:
    office = scholarship_office(app, client)
    mai = pupil(app, office)
    before = Snapshot(app, client, office)
    bad_type = batch(client, office, [spend_body("HPD", 1_000, mai), spend_body("HPD", 1_000, mai, kind="lottery")])
    problem = refused(bad_type, "validation_error")
    assert problem["index"] == 1 and "items.1.kind" in problem["errors"]
    unknown = batch(client, office, [spend_body("HPD", 1_000, mai), spend_body("HPD", 1_000, 999_999_999)])
    assert refused(unknown, "validation_error")["errors"] == {"items.1.beneficiary_id": ["unknown beneficiary"]}
    no_amount = batch(client, office, [spend_body("HPD", None, mai)])
    assert refused(no_amount, "validation_error")["errors"] == {
        "items.0.amount": ["required when paying in cash or from the bank"]
    }
    not_an_object = batch(client, office, [spend_body("HPD", 1_000, mai), 42])  # type: ignore[list-item]
    assert refused(not_an_object, "validation_error")["index"] == 1
    too_many = batch(client, office, [spend_body("HPD", 1_000, mai)] * 1001)
    assert refused(too_many, "validation_error")["errors"]["items"]
    assert refused(batch(client, office, []), "validation_error")
    before.unchanged()


def test_a_batch_whose_total_is_above_the_threshold_waits_whole_with_its_amount_reserved(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(
        app, office.code, "SCH", restriction="restricted", name="Trường", policy={"approval_threshold": 5_000_000}
    )
    give(client, office, 20_000_000, fund="SCH")
    school = pupil(app, office, "school", name="Trường Tiểu học Kim Đồng")
    items = [
        spend_body("SCH", 4_000_000, school, kind="bookcase"),
        spend_body("SCH", 9_000_000, school, kind="bookcase"),
        spend_body("SCH", 5_000_000, school, kind="bookcase"),
    ]
    response = batch(client, office, items)
    assert response.status_code == 201, response.get_json()
    statuses = [
        (d["status"], d["voucher_number"] is not None, d["reserved"]) for d in response.get_json()["disbursements"]
    ]
    # 18M in one ceremony is one decision above the 5M threshold, whatever each item is.
    assert statuses == [("pending", False, 4_000_000), ("pending", False, 9_000_000), ("pending", False, 5_000_000)]
    assert balances(client, office)["SCH"] == (20_000_000, 18_000_000, 2_000_000)
    # The reservations count against the next batch as well.
    before = Snapshot(app, client, office)
    short = batch(client, office, [spend_body("SCH", 2_000_001, school, kind="bookcase")])
    assert refused(short, "insufficient_funds")["available"] == 2_000_000
    before.unchanged()
