"""The HTTP contract of the ledger core (API.md): postings, refusals, reversals, auth."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import (
    TOMORROW,
    auth,
    dated,
    donate,
    make_association,
    make_fund,
    make_user,
    move_entry,
    reverse_approved,
    row_counts,
    set_up_books,
    spend,
)


def funds_of(client: FlaskClient, code: str, token: str) -> dict[str, dict]:
    response = client.get(f"/api/v1/associations/{code}/funds", headers=auth(token))
    assert response.status_code == 200
    return {f["code"]: f for f in response.get_json()["items"]}


def test_a_new_association_has_the_standard_chart_and_a_general_fund(app: Flask, client: FlaskClient) -> None:
    _, admin = make_user(app, None, None, admin=True)
    response = client.post(
        "/api/v1/associations",
        json={"code": "QT-CL", "name": "Hội Khuyến học huyện Cam Lộ", "level": "district"},
        headers=auth(admin),
    )
    assert response.status_code == 201, response.get_json()
    accounts = client.get("/api/v1/associations/QT-CL/accounts", headers=auth(admin)).get_json()["items"]
    assert [a["code"] for a in accounts] == [
        "111",
        "112",
        "138",
        "156",
        "338",
        "421",
        "431",
        "511",
        "512",
        "515",
        "611",
        "612",
        "613",
        "614",
        "615",
        "642",
        "911",
    ]
    assert {a["code"]: a["type"] for a in accounts}["431"] == "fund_balance"
    funds = funds_of(client, "QT-CL", admin)
    assert list(funds) == ["GENERAL"]
    assert funds["GENERAL"]["restriction"] == "unrestricted"
    assert funds["GENERAL"]["posted_balance"] == 0


def test_a_cash_donation_posts_a_balanced_entry_and_numbers_its_receipt(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    first = donate(client, books, 1_200_000)
    second = donate(client, books, 500_000, method="bank")
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["receipt"]["number"] == f"{books.code}-2026-000001"
    assert second.get_json()["receipt"]["number"] == f"{books.code}-2026-000002"
    lines = body["entry"]["lines"]
    assert sum(line["debit"] for line in lines) == sum(line["credit"] for line in lines) == 1_200_000
    assert {line["account"] for line in lines} == {"111", "511"}
    assert body["entry"]["prev_hash"] == "0" * 64
    assert second.get_json()["entry"]["prev_hash"] == body["entry"]["hash"]
    general = funds_of(client, books.code, books.treasurer)["GENERAL"]
    assert general["posted_balance"] == general["available_balance"] == 1_700_000


def test_an_in_kind_donation_counts_the_goods_and_values_them(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    items = [{"description": "Gói quà Tết", "quantity": 400, "unit": "gói", "unit_value": 450_000}]
    response = donate(client, books, 180_000_000, method="in_kind", items=items)
    assert response.status_code == 201, response.get_json()
    goods = [line for line in response.get_json()["entry"]["lines"] if line["account"] == "156"]
    assert goods == [
        {
            "account": "156",
            "fund": "GENERAL",
            "debit": 180_000_000,
            "credit": 0,
            "quantity": 400,
            "unit": "gói",
            "item": "Gói quà Tết",
            "donor_id": books.donor_id,
            "beneficiary_id": None,
        }
    ]
    wrong_total = donate(client, books, 1_000, method="in_kind", items=items)
    assert wrong_total.status_code == 422
    assert "amount" in wrong_total.get_json()["errors"]


BAD_DONATIONS = [
    ("float amount", {"amount": 1200000.5}, 422, "validation_error"),
    ("float that looks whole", {"amount": 1200000.0}, 422, "validation_error"),
    ("string amount", {"amount": "1200000"}, 422, "validation_error"),
    ("negative amount", {"amount": -5}, 422, "validation_error"),
    ("zero amount", {"amount": 0}, 422, "validation_error"),
    ("boolean amount", {"amount": True}, 422, "validation_error"),
    ("more than 10^15", {"amount": 10**16}, 422, "validation_error"),
    ("unknown fund", {"fund": "NO-SUCH-FUND"}, 422, "validation_error"),
    ("unknown method", {"method": "crypto"}, 422, "validation_error"),
    ("unknown field", {"colour": "red"}, 422, "validation_error"),
    ("memo of 1 MB", {"memo": "x" * 1_000_000}, 422, "validation_error"),
    ("bad date", {"received_on": "23/11/2026"}, 422, "validation_error"),
    ("a date in the future", {"received_on": TOMORROW}, 422, "validation_error"),
]


@pytest.mark.parametrize(("case", "change", "status", "code"), BAD_DONATIONS, ids=[c[0] for c in BAD_DONATIONS])
def test_bad_donations_are_refused_with_problem_json_and_nothing_is_written(
    app: Flask, client: FlaskClient, case: str, change: dict, status: int, code: str, today: date
) -> None:
    books = set_up_books(app)
    before = row_counts(app)
    response = donate(client, books, **{"amount": 1_000_000, **dated(change, today)})
    assert response.status_code == status, (case, response.get_json())
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["code"] == code and problem["status"] == status
    assert {"type", "title", "detail"} <= set(problem)
    assert "Traceback" not in response.get_data(as_text=True)
    assert row_counts(app) == before


def test_malformed_json_and_wrong_content_type_are_refused(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    before = row_counts(app)
    url = f"/api/v1/associations/{books.code}/donations"
    malformed = client.post(
        url, data='{"amount": 1,', headers=auth(books.treasurer, **{"Content-Type": "application/json"})
    )
    assert malformed.status_code == 422 and malformed.get_json()["code"] == "validation_error"
    form = client.post(url, data={"amount": "1"}, headers=auth(books.treasurer))
    assert form.status_code == 415 and form.mimetype == "application/problem+json"
    huge = client.post(
        url, data="[" + "1," * 3_000_000 + "1]", headers=auth(books.treasurer, **{"Content-Type": "application/json"})
    )
    assert huge.status_code == 413 and huge.get_json()["code"] == "payload_too_large"
    assert row_counts(app) == before


def test_another_associations_fund_is_unknown_here(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    other = make_association(app)
    make_fund(app, other, "THEIRS", preset="hoa_phuong_do")
    before = row_counts(app)
    response = donate(client, books, 1_000, fund="THEIRS")
    assert response.status_code == 422 and response.get_json()["errors"] == {"fund": ["unknown fund"]}
    assert row_counts(app) == before


def test_an_unbalanced_entry_is_refused_naming_the_fund(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    make_fund(app, books.code, "TU-SACH", preset="bookcases")
    donate(client, books, 5_000_000)
    before = row_counts(app)
    # Balanced in total, but money moves from GENERAL to TU-SACH without passing through both funds.
    body = {
        "date": "2026-11-21",
        "memo": "sai quỹ",
        "lines": [
            {"account": "112", "fund": "TU-SACH", "debit": 1_000},
            {"account": "111", "fund": "GENERAL", "credit": 1_000},
        ],
    }
    response = client.post(f"/api/v1/associations/{books.code}/entries", json=body, headers=auth(books.treasurer))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "unbalanced_entry" and problem["fund"] == "GENERAL"
    assert "không cân đối" in problem["detail"]
    english = client.post(
        f"/api/v1/associations/{books.code}/entries",
        json=body,
        headers=auth(books.treasurer, **{"Accept-Language": "en"}),
    )
    assert "does not balance" in english.get_json()["detail"]
    assert row_counts(app) == before


def test_unknown_accounts_and_both_sides_on_a_line_are_refused(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    donate(client, books, 5_000_000)
    before = row_counts(app)
    url = f"/api/v1/associations/{books.code}/entries"
    unknown = move_entry(1_000, to_account="999")
    both = move_entry(1_000)
    both["lines"][0]["credit"] = 1_000
    for body in (unknown, both):
        response = client.post(url, json=body, headers=auth(books.treasurer))
        assert response.status_code == 422 and response.get_json()["code"] == "validation_error"
    assert row_counts(app) == before


def test_cash_may_not_go_below_zero_in_a_fund(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    donate(client, books, 1_000_000)
    before = row_counts(app)
    response = spend(client, books, 1_000_001)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "insufficient_funds"
    assert (problem["account"], problem["fund"], problem["available"]) == ("111", "GENERAL", 1_000_000)
    assert "1.000.000 ₫" in problem["detail"]
    assert row_counts(app) == before
    moved = client.post(
        f"/api/v1/associations/{books.code}/entries", json=move_entry(1_000_001), headers=auth(books.treasurer)
    )
    assert moved.status_code == 422 and moved.get_json()["code"] == "insufficient_funds"
    assert row_counts(app) == before
    assert spend(client, books, 1_000_000).status_code == 201


def test_a_reversal_points_to_its_entry_voids_the_receipt_and_happens_once(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    donation = donate(client, books, 2_000_000).get_json()
    seq = donation["entry"]["seq"]
    url = f"/api/v1/associations/{books.code}/entries/{seq}/reverse"
    body = reverse_approved(client, books.code, seq, "Ghi nhầm số tiền", books.treasurer, books.approver)
    assert body["reverses"] == seq and body["kind"] == "reversal"
    original = client.get(f"/api/v1/associations/{books.code}/entries/{seq}", headers=auth(books.treasurer)).get_json()
    assert original["reversed_by"] == body["seq"]
    receipt = client.get(
        f"/api/v1/associations/{books.code}/receipts/{donation['receipt']['number']}", headers=auth(books.treasurer)
    ).get_json()
    assert (receipt["status"], receipt["void_reason"]) == ("void", "Ghi nhầm số tiền")
    again = client.post(url, json={"reason": "lần nữa"}, headers=auth(books.treasurer))
    assert again.status_code == 409 and again.get_json()["code"] == "already_reversed"
    assert funds_of(client, books.code, books.treasurer)["GENERAL"]["posted_balance"] == 0
    # The next donation gets the next number: a void number is never reused.
    assert donate(client, books, 10_000).get_json()["receipt"]["number"].endswith("-000002")


def test_reversing_a_donation_already_spent_is_refused(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    seq = donate(client, books, 1_000_000).get_json()["entry"]["seq"]
    assert spend(client, books, 600_000).status_code == 201
    response = client.post(
        f"/api/v1/associations/{books.code}/entries/{seq}/reverse",
        json={"reason": "trả lại"},
        headers=auth(books.treasurer),
    )
    assert response.status_code == 422 and response.get_json()["code"] == "insufficient_funds"


def test_a_closed_period_refuses_entries_dated_inside_it(app: Flask, client: FlaskClient) -> None:
    from sqlalchemy import select

    from ledger.persistence.models import Association, Period
    from tests.factories import work

    books = set_up_books(app)
    with work(app) as uow:
        assoc = uow.session.execute(select(Association).where(Association.code == books.code)).scalar_one()
        uow.session.add(Period(association_id=assoc.id, year=2025, closed=True))
        uow.commit()
    response = donate(client, books, 1_000, on="2025-12-31")
    assert response.status_code == 422 and response.get_json()["code"] == "period_closed"
    assert donate(client, books, 1_000, on="2026-01-01").status_code == 201


def test_tokens_never_reach_another_associations_books(app: Flask, client: FlaskClient) -> None:
    mine = set_up_books(app)
    theirs = set_up_books(app)
    seq = donate(client, theirs, 1_000).get_json()["entry"]["seq"]
    for path in (
        f"/api/v1/associations/{theirs.code}",
        f"/api/v1/associations/{theirs.code}/funds",
        f"/api/v1/associations/{theirs.code}/entries",
        f"/api/v1/associations/{theirs.code}/entries/{seq}",
        f"/api/v1/associations/{theirs.code}/donors/{theirs.donor_id}",
        f"/api/v1/associations/{mine.code}/donors/{theirs.donor_id}",
        f"/api/v1/associations/{theirs.code}/verify",
        "/api/v1/associations/NO-SUCH-ASSOCIATION",
    ):
        response = client.get(path, headers=auth(mine.treasurer))
        assert response.status_code == 404, path
        assert response.get_json()["code"] == "not_found"
    before = row_counts(app)
    response = client.post(
        f"/api/v1/associations/{theirs.code}/donations",
        json={
            "donor_id": theirs.donor_id,
            "fund": "GENERAL",
            "method": "cash",
            "amount": 5,
            "received_on": "2026-11-20",
        },
        headers=auth(mine.treasurer),
    )
    assert response.status_code == 404
    assert row_counts(app) == before


def test_auditors_read_their_subtree_and_never_write(app: Flask, client: FlaskClient) -> None:
    province = make_association(app, level="province")
    city = make_association(app, parent=province)
    _, auditor = make_user(app, province, "auditor")
    _, treasurer = make_user(app, city, "treasurer")
    assert client.get(f"/api/v1/associations/{city}/funds", headers=auth(auditor)).status_code == 200
    assert client.get(f"/api/v1/associations/{city}/verify", headers=auth(auditor)).get_json()["ok"] is True
    before = row_counts(app)
    response = client.post(f"/api/v1/associations/{city}/donors", json={"name": "Trần Văn A"}, headers=auth(auditor))
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden"
    assert row_counts(app) == before
    # A treasurer of the city does not reach up to the province.
    assert client.get(f"/api/v1/associations/{province}/funds", headers=auth(treasurer)).status_code == 404


def test_missing_or_invalid_tokens_are_401(client: FlaskClient) -> None:
    for headers in ({}, {"Authorization": "Bearer khl_not-a-real-token"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/associations/QT/funds", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_same_idempotency_key_replays_the_first_response(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    key = {"Idempotency-Key": "donation-2026-11-20-001"}
    body = {
        "donor_id": books.donor_id,
        "fund": "GENERAL",
        "method": "cash",
        "amount": 250_000,
        "received_on": "2026-11-20",
    }
    url = f"/api/v1/associations/{books.code}/donations"
    first = client.post(url, json=body, headers=auth(books.treasurer, **key))
    before = row_counts(app)
    again = client.post(url, json=body, headers=auth(books.treasurer, **key))
    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json())
    assert row_counts(app) == before
    other = client.post(url, json={**body, "amount": 260_000}, headers=auth(books.treasurer, **key))
    assert other.status_code == 409 and other.get_json()["code"] == "idempotency_conflict"
    assert row_counts(app) == before


def test_entries_are_listed_in_pages_and_filtered(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    make_fund(app, books.code, "TU-SACH", preset="bookcases")
    for i in range(5):
        donate(client, books, 1_000 + i, fund="TU-SACH" if i % 2 else "GENERAL", on=f"2026-11-{10 + i}")
    url = f"/api/v1/associations/{books.code}/entries"
    page = client.get(f"{url}?limit=2", headers=auth(books.treasurer)).get_json()
    assert [e["seq"] for e in page["items"]] == [1, 2] and page["next_cursor"] == "2"
    rest = client.get(f"{url}?limit=10&cursor=2", headers=auth(books.treasurer)).get_json()
    assert [e["seq"] for e in rest["items"]] == [3, 4, 5] and rest["next_cursor"] is None
    by_fund = client.get(f"{url}?fund=TU-SACH", headers=auth(books.treasurer)).get_json()
    assert [e["seq"] for e in by_fund["items"]] == [2, 4]
    by_date = client.get(f"{url}?from=2026-11-11&to=2026-11-12", headers=auth(books.treasurer)).get_json()
    assert [e["seq"] for e in by_date["items"]] == [2, 3]
    too_many = client.get(f"{url}?limit=5000", headers=auth(books.treasurer))
    assert too_many.status_code == 422


def test_the_openapi_document_describes_every_endpoint(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in (
        "/api/v1/associations",
        "/api/v1/associations/{code}/funds",
        "/api/v1/associations/{code}/donations",
        "/api/v1/associations/{code}/entries",
        "/api/v1/associations/{code}/entries/{seq}/reverse",
        "/api/v1/associations/{code}/verify",
    ):
        assert path in paths, path
    assert "DonationIn" in spec["components"]["schemas"]


def test_a_general_entry_can_neither_spend_nor_earn_nor_move_restricted_money(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    make_fund(app, books.code, "HOA-PHUONG-DO", preset="hoa_phuong_do")
    donate(client, books, 5_000_000, fund="HOA-PHUONG-DO")
    donate(client, books, 5_000_000)
    url = f"/api/v1/associations/{books.code}/entries"
    before = row_counts(app)

    def entry(*lines: tuple[str, str, str, int], kind: str = "general") -> dict:
        return {
            "date": "2026-11-21",
            "memo": "điều chỉnh",
            "kind": kind,
            "lines": [{"account": a, "fund": f, side: amount} for a, f, side, amount in lines],
        }

    refused = {
        "running costs paid from the scholarship fund": entry(
            ("642", "HOA-PHUONG-DO", "debit", 40_000_000), ("111", "HOA-PHUONG-DO", "credit", 40_000_000)
        ),
        "principal turned into income": entry(
            ("511", "HOA-PHUONG-DO", "debit", 1_000), ("515", "HOA-PHUONG-DO", "credit", 1_000)
        ),
        "cash leaving through the fund balance": entry(
            ("431", "HOA-PHUONG-DO", "debit", 1_000), ("111", "HOA-PHUONG-DO", "credit", 1_000)
        ),
        "money from nothing after the first transaction": entry(
            ("111", "GENERAL", "debit", 1_000), ("431", "GENERAL", "credit", 1_000), kind="opening"
        ),
    }
    for case, body in refused.items():
        response = client.post(url, json=body, headers=auth(books.treasurer))
        assert response.status_code == 422 and response.get_json()["code"] == "validation_error", case
    moved_out = entry(
        ("431", "HOA-PHUONG-DO", "debit", 1_000),
        ("111", "HOA-PHUONG-DO", "credit", 1_000),
        ("111", "GENERAL", "debit", 1_000),
        ("431", "GENERAL", "credit", 1_000),
        kind="opening",
    )
    response = client.post(url, json=moved_out, headers=auth(books.treasurer))
    assert response.status_code == 422 and response.get_json()["rule"] == "general_entry"
    assert row_counts(app) == before
    # Moving cash to the bank inside a fund is what a general entry is for.
    assert client.post(url, json=move_entry(2_000_000), headers=auth(books.treasurer)).status_code == 201


def test_opening_balances_come_before_the_first_transaction(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    url = f"/api/v1/associations/{books.code}/entries"
    opening = {
        "date": "2026-01-01",
        "memo": "Số dư chuyển từ sổ tay",
        "kind": "opening",
        "lines": [
            {"account": "111", "fund": "GENERAL", "debit": 12_500_000},
            {"account": "431", "fund": "GENERAL", "credit": 12_500_000},
        ],
    }
    assert client.post(url, json=opening, headers=auth(books.treasurer)).status_code == 201
    assert client.post(url, json=opening, headers=auth(books.treasurer)).status_code == 201
    assert funds_of(client, books.code, books.treasurer)["GENERAL"]["posted_balance"] == 25_000_000
    donate(client, books, 1_000)
    assert client.post(url, json=opening, headers=auth(books.treasurer)).status_code == 422


def test_lines_may_not_name_another_associations_donor_or_beneficiary(app: Flask, client: FlaskClient) -> None:
    from tests.factories import make_beneficiary

    mine, theirs = set_up_books(app), set_up_books(app)
    donate(client, mine, 1_000_000)
    their_student = make_beneficiary(app, theirs.code)
    url = f"/api/v1/associations/{mine.code}/entries"
    before = row_counts(app)
    for field, value in (("donor_id", theirs.donor_id), ("beneficiary_id", their_student), ("donor_id", 987_654)):
        body = move_entry(1_000)
        body["lines"][0][field] = value
        response = client.post(url, json=body, headers=auth(mine.treasurer))
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["errors"] == {f"lines.0.{field}": ["unknown in this association"]}
    assert row_counts(app) == before


def test_entries_and_reversals_are_not_dated_in_the_future_or_before_what_they_reverse(
    app: Flask, client: FlaskClient, today: date
) -> None:
    tomorrow = (today + timedelta(days=1)).isoformat()
    books = set_up_books(app)
    seq = donate(client, books, 1_000_000, on="2026-11-10").get_json()["entry"]["seq"]
    future = client.post(
        f"/api/v1/associations/{books.code}/entries",
        json=move_entry(1_000, on=tomorrow),
        headers=auth(books.treasurer),
    )
    assert future.status_code == 422 and "date" in future.get_json()["errors"]
    url = f"/api/v1/associations/{books.code}/entries/{seq}/reverse"
    for day in ("2026-11-09", tomorrow):
        response = client.post(url, json={"reason": "sai ngày", "date": day}, headers=auth(books.treasurer))
        assert response.status_code == 422 and "date" in response.get_json()["errors"], day
    # Dated right, it waits for a second person: the reversal would void a receipt.
    assert (
        client.post(url, json={"reason": "đúng ngày", "date": "2026-11-10"}, headers=auth(books.treasurer)).status_code
        == 202
    )
