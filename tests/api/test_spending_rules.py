"""Every rule of a fund's spending policy: a spend just inside it posts, one just outside is refused
with ``purpose_violation`` naming the rule, and the refused one changes no row and no balance."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import auth, make_fund
from tests.spending_support import (
    Snapshot,
    balances,
    disburse,
    give,
    open_office,
    pupil,
    refused,
    spend_body,
)


def test_a_scholarship_fund_pays_scholarships_and_refuses_running_costs(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    inside = disburse(client, office, spend_body("HPD", 1_000_000, pupil(app, office)))
    assert inside.status_code == 201, inside.get_json()
    before = Snapshot(app, client, office)
    outside = disburse(client, office, spend_body("HPD", 1_000_000, None, kind="operating"))
    problem = refused(outside, "purpose_violation", "allowed_kinds")
    assert "chi hoạt động" in problem["detail"]
    before.unchanged()


def test_only_beneficiaries_of_the_funds_categories_are_paid(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    orphan = pupil(app, office, "orphan")
    teacher = pupil(app, office, "teacher", name="Trần Văn Giáo")
    assert disburse(client, office, spend_body("HPD", 1_000_000, orphan)).status_code == 201
    before = Snapshot(app, client, office)
    problem = refused(disburse(client, office, spend_body("HPD", 1_000_000, teacher)), "purpose_violation")
    assert problem["rule"] == "beneficiary_categories" and problem["category"] == "teacher"
    nobody = disburse(client, office, spend_body("HPD", 1_000_000, None))
    refused(nobody, "purpose_violation", "beneficiary_categories")
    before.unchanged()


def test_a_disbursement_may_reach_the_per_disbursement_cap_but_not_pass_it(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    assert disburse(client, office, spend_body("HPD", 2_000_000, pupil(app, office))).status_code == 201
    nam = pupil(app, office, name="Lê Văn Nam")
    before = Snapshot(app, client, office)
    problem = refused(
        disburse(client, office, spend_body("HPD", 2_000_001, nam)),
        "purpose_violation",
        "max_per_disbursement",
    )
    assert (problem["limit"], problem["amount"]) == (2_000_000, 2_000_001)
    before.unchanged()


def test_a_beneficiary_may_reach_the_yearly_cap_but_not_pass_it(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    # The money came in before the last spend's date: a spend is covered on its own date.
    give(client, office, 10_000_000, fund="HPD", on="2025-11-01")
    mai = pupil(app, office)
    assert disburse(client, office, spend_body("HPD", 2_000_000, mai, paid_on="2026-03-01")).status_code == 201
    assert disburse(client, office, spend_body("HPD", 1_000_000, mai, paid_on="2026-09-05")).status_code == 201
    before = Snapshot(app, client, office)
    problem = refused(
        disburse(client, office, spend_body("HPD", 1, mai, paid_on="2026-10-01")),
        "purpose_violation",
        "max_per_beneficiary_per_year",
    )
    assert (problem["paid"], problem["limit"], problem["year"]) == (3_000_000, 3_000_000, 2026)
    assert "3.000.000 ₫" in problem["detail"]
    before.unchanged()
    # The cap is per fiscal year: the same pupil is paid again in the next one.
    assert disburse(client, office, spend_body("HPD", 1_000_000, mai, paid_on="2025-12-31")).status_code == 201


def test_a_tet_gift_is_paid_inside_its_window_and_refused_the_day_after(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    window = {"windows": [{"from": "2026-01-20", "to": "2026-02-20"}]}
    make_fund(app, office.code, "TET", restriction="restricted", name="Quà Tết", policy=window)
    give(client, office, 5_000_000, fund="TET")
    last_day = spend_body("TET", 500_000, pupil(app, office), kind="tet_gift", paid_on="2026-02-20")
    assert disburse(client, office, last_day).status_code == 201
    before = Snapshot(app, client, office)
    day_after = {**last_day, "paid_on": "2026-02-21"}
    problem = refused(disburse(client, office, day_after), "purpose_violation", "windows")
    assert problem["paid_on"] == "2026-02-21"
    day_before = {**last_day, "paid_on": "2026-01-19"}
    refused(disburse(client, office, day_before), "purpose_violation", "windows")
    before.unchanged()


def test_running_costs_may_reach_their_share_of_what_the_fund_received_but_not_pass_it(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "OPS", restriction="unrestricted", name="Quỹ chung", policy={"running_cost_cap_pct": 5})
    give(client, office, 6_000_000, fund="OPS", method="cash")
    give(client, office, 4_000_000, fund="OPS")
    # 5% of the 10.000.000 received this year is 500.000, spent in two goes.
    operating = {"kind": "operating", "paid_from": "cash", "paid_on": "2026-03-01"}
    assert disburse(client, office, spend_body("OPS", 300_000, None, **operating)).status_code == 201
    assert disburse(client, office, spend_body("OPS", 200_000, None, **operating)).status_code == 201
    before = Snapshot(app, client, office)
    problem = refused(
        disburse(client, office, spend_body("OPS", 1, None, **operating)), "purpose_violation", "running_cost_cap_pct"
    )
    assert (problem["received"], problem["running_costs"], problem["pct"]) == (10_000_000, 500_000, 5)
    english = client.post(
        office.url("/disbursements"),
        json=spend_body("OPS", 1, None, **operating),
        headers=auth(office.treasurer, **{"Accept-Language": "en"}),
    )
    assert "running costs" in english.get_json()["detail"]
    before.unchanged()


def test_an_endowment_spends_its_income_but_never_its_principal(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "TALENT", preset="talent_endowment")
    give(client, office, 100_000_000, fund="TALENT")
    gifted = pupil(app, office, "excellent_achievement", name="Lê Minh Khang")
    before_income = Snapshot(app, client, office)
    principal = spend_body("TALENT", 1, gifted, kind="award", paid_on="2026-07-01")
    refused(disburse(client, office, principal), "purpose_violation", "endowment_income")
    before_income.unchanged()
    interest = client.post(
        office.url("/interest"),
        json={"fund": "TALENT", "amount": 2_000_000, "on": "2026-06-30"},
        headers=auth(office.treasurer),
    )
    assert interest.status_code == 201, interest.get_json()
    assert {(line["account"], line["debit"], line["credit"]) for line in interest.get_json()["lines"]} == {
        ("112", 2_000_000, 0),
        ("515", 0, 2_000_000),
    }
    assert disburse(client, office, {**principal, "amount": 2_000_000}).status_code == 201
    before = Snapshot(app, client, office)
    problem = refused(disburse(client, office, principal), "purpose_violation", "endowment_income")
    assert (problem["income"], problem["spent"]) == (2_000_000, 2_000_000)
    before.unchanged()
    assert balances(client, office)["TALENT"][0] == 100_000_000


def test_a_disbursement_at_the_threshold_posts_and_one_dong_above_waits_for_approval(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(
        app, office.code, "BIG", restriction="restricted", name="Quỹ lớn", policy={"approval_threshold": 5_000_000}
    )
    give(client, office, 20_000_000, fund="BIG")
    at = disburse(client, office, spend_body("BIG", 5_000_000, pupil(app, office)))
    assert at.status_code == 201 and at.get_json()["status"] == "posted"
    nam = pupil(app, office, name="Lê Văn Nam")
    before = Snapshot(app, client, office)
    above = disburse(client, office, spend_body("BIG", 5_000_001, nam))
    assert above.status_code == 202, above.get_json()
    body = above.get_json()
    assert (body["status"], body["reserved"], body["voucher_number"], body["entry_seq"]) == (
        "pending",
        5_000_001,
        None,
        None,
    )
    after = Snapshot(app, client, office)
    # Nothing was posted: the journal, balances and vouchers are as before; only the request and its
    # audit event were stored, and the amount is reserved.
    changed = {t for t in after.counts if after.counts[t] != before.counts[t]}
    assert changed == {"disbursements", "audit_events"}
    assert after.balances["BIG"] == (15_000_000, 5_000_001, 9_999_999)


def test_unknown_funds_and_beneficiaries_are_field_errors(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    other = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    theirs = pupil(app, other)
    mine = pupil(app, office)
    before = Snapshot(app, client, office)
    no_fund = refused(disburse(client, office, spend_body("NO-SUCH", 1_000, mine)), "validation_error")
    assert no_fund["errors"] == {"fund": ["unknown fund"]}
    no_one = refused(disburse(client, office, spend_body("HPD", 1_000, theirs)), "validation_error")
    assert no_one["errors"] == {"beneficiary_id": ["unknown beneficiary"]}
    before.unchanged()
