"""Controls one person cannot get around (issue 15, items 4–7 and 12): each test first does what
an insider would have done alone, then shows the refusal or the second person it now takes."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from ledger.persistence.models import Association, OutboxMessage
from tests.factories import auth, make_fund, make_user, unique_code, work
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
)

BILLION = 10**15


def patch_policy(client: FlaskClient, office: Office, fund: str, body: dict[str, Any], token: str) -> Any:
    return client.patch(office.url(f"/funds/{fund}/policy"), json=body, headers=auth(token))


def approve(client: FlaskClient, office: Office, request_id: str, token: str) -> Any:
    return client.post(office.url(f"/approvals/{request_id}/approve"), json={}, headers=auth(token))


def second_approver(app: Flask, office: Office) -> str:
    return make_user(app, office.code, "approver")[1]


# --- 7. Separation of duties --------------------------------------------------------------------


def test_one_person_is_never_given_maker_and_approver_or_treasurer_and_accountant(
    app: Flask, runner: FlaskCliRunner
) -> None:
    office = open_office(app)
    email = f"{unique_code('u').lower()}@example.vn"
    created = runner.invoke(args=["users", "create", "--email", email, "--password-stdin"], input="mật khẩu dài đủ\n")
    assert created.exit_code == 0, created.output
    granted = runner.invoke(
        args=["users", "grant", "--email", email, "--association", office.code, "--role", "treasurer"]
    )
    assert granted.exit_code == 0, granted.output
    for role in ("approver", "accountant"):
        refused_grant = runner.invoke(
            args=["users", "grant", "--email", email, "--association", office.code, "--role", role]
        )
        assert refused_grant.exit_code == 2, refused_grant.output
        assert "incompatible_roles" in refused_grant.output and "art. 52" in refused_grant.output
    # In another association the same person may approve: the rule is per association.
    other = open_office(app)
    elsewhere = runner.invoke(
        args=["users", "grant", "--email", email, "--association", other.code, "--role", "approver"]
    )
    assert elsewhere.exit_code == 0, elsewhere.output


def test_an_accountant_keeps_the_books_but_does_not_approve(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    _, accountant = make_user(app, office.code, "accountant")
    give(client, office, 2_000_000)
    moved = client.post(
        office.url("/entries"),
        json={
            "date": "2026-03-01",
            "memo": "Nộp tiền mặt vào ngân hàng",
            "lines": [
                {"account": "111", "fund": "GENERAL", "debit": 1_000},
                {"account": "112", "fund": "GENERAL", "credit": 1_000},
            ],
        },
        headers=auth(accountant),
    )
    assert moved.status_code == 201, moved.get_json()
    closing = client.post(office.url("/periods/2025/close"), json={}, headers=auth(accountant))
    assert closing.status_code == 403 and "kế toán" in closing.get_json()["detail"]


# --- 4. Policy changes --------------------------------------------------------------------------


def test_tightening_a_policy_takes_effect_at_once_and_keeps_the_other_keys(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    tightened = patch_policy(client, office, "HPD", {"max_per_disbursement": 1_500_000}, office.treasurer)
    assert tightened.status_code == 200, tightened.get_json()
    policy = tightened.get_json()["policy"]
    # PATCH, not replacement: the categories and yearly cap did not silently vanish.
    assert policy["max_per_disbursement"] == 1_500_000
    assert policy["max_per_beneficiary_per_year"] == 3_000_000
    assert "orphan" in policy["beneficiary_categories"]
    assert tightened.get_json()["policy_version"] == 2


def test_one_approver_cannot_loosen_a_restricted_fund_alone(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 50_000_000, fund="HPD")
    before = Snapshot(app, client, office)
    # What issue 15 reproduced: a threshold of 10^15 and transfers out, by one approver.
    loosen = {"approval_threshold": BILLION, "transfers_out_allowed": True}
    no_consent = patch_policy(client, office, "HPD", loosen, office.approver)
    problem = refused(no_consent, "consent_required")
    assert problem["rule"] == "donor_consent" and problem["loosens"] == ["approval_threshold", "transfers_out_allowed"]
    assert "văn bản đồng ý của nhà tài trợ" in problem["detail"]
    english = client.patch(
        office.url("/funds/HPD/policy"), json=loosen, headers=auth(office.approver, **{"Accept-Language": "en"})
    )
    assert "donor's written consent" in english.get_json()["detail"]
    before.unchanged()

    consent = {"document": "CV-15/2026/TS", "date": "2026-11-02"}
    asked = patch_policy(client, office, "HPD", {**loosen, "consent": consent}, office.approver)
    assert asked.status_code == 202, asked.get_json()
    request = asked.get_json()
    assert (request["kind"], request["status"], request["fund"]) == ("policy_change", "pending", "HPD")
    assert request["details"]["consent"] == consent
    # Nothing changed yet: the fund still refuses transfers out.
    still = client.post(
        office.url("/transfers"),
        json={"from_fund": "HPD", "to_fund": "GENERAL", "amount": 1_000_000, "account": "112", "on": "2026-11-03"},
        headers=auth(office.treasurer),
    )
    refused(still, "purpose_violation", "transfers_out_allowed")
    listed = client.get(office.url("/approvals?type=request"), headers=auth(office.approver)).get_json()["items"]
    assert [i["id"] for i in listed] == [request["id"]]
    refused(approve(client, office, request["id"], office.approver), "self_approval")
    assert approve(client, office, request["id"], office.treasurer).status_code == 403

    approved = approve(client, office, request["id"], second_approver(app, office))
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["outcome"] == {"policy_version": 2}
    versions = client.get(office.url("/funds/HPD/policy/versions"), headers=auth(office.treasurer)).get_json()["items"]
    assert [(v["version"], v["in_force"], v["consent"]) for v in versions] == [(1, False, None), (2, True, consent)]
    assert versions[1]["created_by"] == office.approver_id and versions[1]["approved_by"] not in (
        None,
        office.approver_id,
    )
    assert versions[1]["policy"]["approval_threshold"] == BILLION
    assert ("request.approve", request["id"].removeprefix("req-")) in audit_events(app, office)


def test_loosening_an_unrestricted_fund_needs_a_second_person_but_no_consent(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(
        app, office.code, "OPS", restriction="unrestricted", name="Hoạt động", policy={"max_per_disbursement": 1_000}
    )
    asked = patch_policy(client, office, "OPS", {"max_per_disbursement": None}, office.treasurer)
    assert asked.status_code == 202, asked.get_json()
    assert asked.get_json()["details"]["loosens"] == ["max_per_disbursement"]
    rejected = client.post(
        office.url(f"/approvals/{asked.get_json()['id']}/reject"),
        json={"reason": "Không cần"},
        headers=auth(office.approver),
    )
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    fund = client.get(office.url("/funds/OPS"), headers=auth(office.treasurer)).get_json()
    assert (fund["policy_version"], fund["policy"]) == (1, {"max_per_disbursement": 1_000})


def test_a_proposal_made_on_an_older_policy_is_not_approved_over_a_newer_one(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(
        app, office.code, "OPS", restriction="unrestricted", name="Hoạt động", policy={"max_per_disbursement": 1_000}
    )
    asked = patch_policy(client, office, "OPS", {"max_per_disbursement": 5_000}, office.treasurer).get_json()
    assert patch_policy(client, office, "OPS", {"max_per_disbursement": 500}, office.treasurer).status_code == 200
    stale = approve(client, office, asked["id"], office.approver)
    assert refused(stale, "stale_request")["policy_version"] == 2


# --- 6. Reversals that void a document ----------------------------------------------------------


def _outbox_kinds(app: Flask, office: Office) -> list[str]:
    with work(app) as uow:
        association_id = uow.session.execute(select(Association.id).where(Association.code == office.code)).scalar_one()
        return list(
            uow.session.execute(
                select(OutboxMessage.kind)
                .where(OutboxMessage.association_id == association_id)
                .order_by(OutboxMessage.id)
            ).scalars()
        )


def test_a_treasurer_alone_cannot_void_a_receipt(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    with work(app) as uow:
        from ledger.persistence.models import Donor

        donor = uow.session.get(Donor, office.donor_id)
        assert donor is not None
        donor.email = "nhung@example.vn"
        uow.commit()
    wrong = give(client, office, 3_000_000, on="2026-06-01")
    right = give(client, office, 300_000, on="2026-06-01")
    before = Snapshot(app, client, office)
    asked = client.post(
        office.url(f"/entries/{wrong['entry']['seq']}/reverse"),
        json={"reason": "Ghi thừa một số 0", "replacement": right["receipt"]["number"]},
        headers=auth(office.treasurer),
    )
    assert asked.status_code == 202, asked.get_json()
    request = asked.get_json()
    assert (request["kind"], request["entry_seq"], request["details"]["voids"]) == (
        "reversal",
        wrong["entry"]["seq"],
        wrong["receipt"]["number"],
    )
    assert balances(client, office) == before.balances
    receipt = client.get(office.url(f"/receipts/{wrong['receipt']['number']}"), headers=auth(office.treasurer))
    assert receipt.get_json()["status"] == "valid"
    twice = client.post(
        office.url(f"/entries/{wrong['entry']['seq']}/reverse"),
        json={"reason": "lần nữa"},
        headers=auth(office.treasurer),
    )
    assert refused(twice, "conflict")["request_id"] == request["id"]
    assert approve(client, office, request["id"], office.treasurer).status_code == 403

    approved = approve(client, office, request["id"], office.approver)
    assert approved.status_code == 200, approved.get_json()
    assert (
        client.get(office.url(f"/receipts/{wrong['receipt']['number']}"), headers=auth(office.treasurer)).get_json()[
            "status"
        ]
        == "void"
    )
    assert balances(client, office)["GENERAL"][0] == 300_000
    # The donor hears of the void (pointing to the replacement), not the thanks again.
    assert _outbox_kinds(app, office) == ["receipt_email", "receipt_email", "void_notice"]
    with work(app) as uow:
        notice = (
            uow.session.execute(
                select(OutboxMessage).where(OutboxMessage.kind == "void_notice").order_by(OutboxMessage.id.desc())
            )
            .scalars()
            .first()
        )
        assert notice is not None and right["receipt"]["number"] in notice.body


def test_a_reversal_that_could_never_post_is_refused_at_once(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    seq = give(client, office, 1_000_000)["entry"]["seq"]
    assert disburse(client, office, spend_body("GENERAL", 600_000, None, kind="operating")).status_code == 201
    before = Snapshot(app, client, office)
    response = client.post(
        office.url(f"/entries/{seq}/reverse"), json={"reason": "trả lại"}, headers=auth(office.treasurer)
    )
    refused(response, "insufficient_funds")
    before.unchanged()


def test_an_admin_who_asks_for_a_reversal_does_not_approve_it(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 5_000_000, fund="HPD")
    posted = disburse(client, office, spend_body("HPD", 1_000_000, pupil(app, office))).get_json()
    asked = client.post(
        office.url(f"/entries/{posted['entry']['seq']}/reverse"),
        json={"reason": "Trả nhầm"},
        headers=auth(office.admin),
    )
    assert asked.status_code == 202 and asked.get_json()["details"]["voids"] == posted["voucher"]["number"]
    refused(approve(client, office, asked.get_json()["id"], office.admin), "self_approval")
    assert approve(client, office, asked.get_json()["id"], office.approver).status_code == 200
    shown = client.get(office.url(f"/disbursements/{posted['id']}"), headers=auth(office.treasurer)).get_json()
    assert shown["status"] == "void"


def test_a_reversal_that_voids_no_document_is_posted_at_once(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    give(client, office, 1_000_000, method="cash")
    moved = client.post(
        office.url("/entries"),
        json={
            "date": "2026-02-01",
            "memo": "Nộp tiền mặt vào ngân hàng",
            "lines": [
                {"account": "112", "fund": "GENERAL", "debit": 400_000},
                {"account": "111", "fund": "GENERAL", "credit": 400_000},
            ],
        },
        headers=auth(office.treasurer),
    ).get_json()
    reversal = client.post(
        office.url(f"/entries/{moved['seq']}/reverse"), json={"reason": "Nhầm"}, headers=auth(office.treasurer)
    )
    assert reversal.status_code == 201 and reversal.get_json()["reverses"] == moved["seq"]


# --- 5. Threshold splitting ---------------------------------------------------------------------


def test_ten_spends_of_4_9_million_in_one_batch_wait_for_approval_as_49_million(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(
        app, office.code, "SCH", restriction="restricted", name="Học bổng", policy={"approval_threshold": 5_000_000}
    )
    give(client, office, 60_000_000, fund="SCH")
    items = [spend_body("SCH", 4_900_000, pupil(app, office, name=f"Học sinh {i}")) for i in range(10)]
    response = client.post(office.url("/disbursements/batch"), json={"items": items}, headers=auth(office.treasurer))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {d["status"] for d in body["disbursements"]} == {"pending"}
    assert balances(client, office)["SCH"] == (60_000_000, 49_000_000, 11_000_000)
    own = client.post(
        office.url(f"/disbursements/batches/{body['batch_id']}/approve"), json={}, headers=auth(office.treasurer)
    )
    assert own.status_code == 403
    approved = client.post(
        office.url(f"/disbursements/batches/{body['batch_id']}/approve"), json={}, headers=auth(office.approver)
    )
    assert approved.status_code == 200, approved.get_json()
    assert {d["status"] for d in approved.get_json()["disbursements"]} == {"posted"}
    assert balances(client, office)["SCH"] == (11_000_000, 0, 11_000_000)


def test_two_same_day_spends_to_one_beneficiary_count_together(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(
        app, office.code, "SCH", restriction="restricted", name="Học bổng", policy={"approval_threshold": 5_000_000}
    )
    give(client, office, 20_000_000, fund="SCH")
    mai = pupil(app, office)
    first = disburse(client, office, spend_body("SCH", 4_900_000, mai, paid_on="2026-09-05"))
    assert first.status_code == 201
    second = disburse(client, office, spend_body("SCH", 4_900_000, mai, paid_on="2026-09-05"))
    assert second.status_code == 202 and second.get_json()["status"] == "pending"
    # Another day, or another beneficiary, is another decision.
    assert disburse(client, office, spend_body("SCH", 4_900_000, mai, paid_on="2026-09-06")).status_code == 201
    assert (
        disburse(client, office, spend_body("SCH", 4_900_000, pupil(app, office, name="Lê Văn Nam"))).status_code == 201
    )


def test_a_hoa_phuong_do_ceremony_reaches_the_chair(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 30_000_000, fund="HPD")
    items = [spend_body("HPD", 2_000_000, pupil(app, office, name=f"Em {i}")) for i in range(6)]
    response = client.post(office.url("/disbursements/batch"), json={"items": items}, headers=auth(office.treasurer))
    assert {d["status"] for d in response.get_json()["disbursements"]} == {"pending"}


# --- 12. Tet windows ----------------------------------------------------------------------------


def test_a_tet_gift_fund_pays_in_the_lunar_tet_season_without_listed_dates(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "TET", preset="tet_gifts")
    give(client, office, 5_000_000, fund="TET", on="2025-12-01")
    fund = client.get(office.url("/funds/TET"), headers=auth(office.treasurer)).get_json()
    assert fund["policy"]["tet_window"] is True and "windows" not in fund["policy"]
    child = pupil(app, office)
    gift = {"kind": "tet_gift"}
    # Tết Bính Ngọ: 17/02/2026, so the season runs 15/12/2025 – 03/03/2026 (Rằm tháng Giêng).
    for day in ("2025-12-15", "2026-03-03"):
        assert disburse(client, office, spend_body("TET", 100_000, child, paid_on=day, **gift)).status_code == 201
    late = disburse(client, office, spend_body("TET", 100_000, child, paid_on="2026-03-04", **gift))
    problem = refused(late, "purpose_violation", "windows")
    assert "Rằm tháng Giêng" in problem["detail"] and "15/12/2026–20/02/2027" in problem["detail"]
