"""Edge cases at the HTTP edge: ids beyond the database's integers, text the database cannot store,
dates not written YYYY-MM-DD, requests without a token, and retries with their keys reordered.

Each of these once answered 500 (or the wrong 4xx); the API must answer with the problem of API.md.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger.services import receipts
from tests.factories import auth, donate, make_beneficiary, make_fund, make_user, row_counts, set_up_books

INT_OVERFLOW = 2**31  # one more than PostgreSQL's INTEGER holds
BIGINT_OVERFLOW = 2**63  # one more than PostgreSQL's BIGINT (and SQLite's INTEGER) holds
HUGE = 2**64


def post_raw(client: FlaskClient, url: str, body: dict[str, Any], token: str) -> Any:
    """POST ``body`` as JSON text written by the standard library, which escapes lone surrogates."""
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=auth(token))


def assert_validation_error(response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["code"] == "validation_error"
    assert field in body["errors"], body
    return body


def donation_body(donor_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "donor_id": donor_id,
        "fund": "GENERAL",
        "method": "cash",
        "amount": 500_000,
        "received_on": "2026-11-20",
        **extra,
    }


def spend_body(**extra: Any) -> dict[str, Any]:
    return {
        "fund": "GENERAL",
        "kind": "support",
        "paid_from": "cash",
        "amount": 100_000,
        "paid_on": "2026-11-21",
        **extra,
    }


def entry_body(**line_extra: Any) -> dict[str, Any]:
    return {
        "date": "2026-11-21",
        "memo": "Số dư đầu kỳ",
        "kind": "opening",
        "lines": [
            {"account": "111", "fund": "GENERAL", "debit": 100_000, **line_extra},
            {"account": "431", "fund": "GENERAL", "credit": 100_000},
        ],
    }


# --- Ids beyond the database's integers -------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "make_body", "field"),
    [
        ("/donations", lambda books: donation_body(BIGINT_OVERFLOW), "donor_id"),
        ("/donations", lambda books: donation_body(INT_OVERFLOW), "donor_id"),
        ("/disbursements", lambda books: spend_body(beneficiary_id=BIGINT_OVERFLOW), "beneficiary_id"),
        ("/disbursements", lambda books: spend_body(beneficiary_id=INT_OVERFLOW), "beneficiary_id"),
        ("/disbursements", lambda books: spend_body(beneficiary_id=0), "beneficiary_id"),
        ("/entries", lambda books: entry_body(donor_id=BIGINT_OVERFLOW), "lines"),
        ("/entries", lambda books: entry_body(beneficiary_id=INT_OVERFLOW), "lines"),
        (
            "/pledges",
            lambda books: {"donor_id": INT_OVERFLOW, "fund": "GENERAL", "amount": 1, "pledged_on": "2026-11-20"},
            "donor_id",
        ),
    ],
)
def test_an_id_in_a_body_beyond_the_database_integer_is_a_validation_error(
    app: Flask, client: FlaskClient, path: str, make_body: Any, field: str
) -> None:
    books = set_up_books(app)
    before = row_counts(app)
    response = client.post(
        f"/api/v1/associations/{books.code}{path}", json=make_body(books), headers=auth(books.treasurer)
    )
    assert_validation_error(response, field)
    assert row_counts(app) == before


def test_a_batch_id_in_a_query_beyond_the_database_integer_is_a_validation_error(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    response = client.get(
        f"/api/v1/associations/{books.code}/disbursements?batch_id={INT_OVERFLOW}", headers=auth(books.treasurer)
    )
    assert_validation_error(response, "batch_id")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/donors/{HUGE}", None),
        ("GET", f"/donors/{INT_OVERFLOW}", None),
        ("GET", f"/donors/{HUGE}/statement?year=2026", None),
        ("GET", f"/beneficiaries/{HUGE}", None),
        ("GET", f"/entries/{HUGE}", None),
        ("GET", f"/entries/{BIGINT_OVERFLOW}", None),
        ("POST", f"/entries/{HUGE}/reverse", {"reason": "Ghi nhầm"}),
        ("GET", f"/disbursements/{HUGE}", None),
        ("GET", f"/disbursements/{INT_OVERFLOW}", None),
        ("GET", f"/disbursements/batches/{HUGE}/vouchers.pdf", None),
        ("POST", f"/approvals/{HUGE}/approve", {}),
        ("POST", f"/approvals/{INT_OVERFLOW}/reject", {"reason": "Không đúng mục đích"}),
        ("GET", f"/pledges/{HUGE}", None),
        ("POST", f"/pledges/{HUGE}/collect", {"amount": 1, "method": "cash", "received_on": "2026-11-20"}),
        ("GET", f"/donors/{'9' * 5000}", None),
    ],
)
def test_a_path_id_beyond_the_database_integer_is_not_found(
    app: Flask, client: FlaskClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    books = set_up_books(app)
    before = row_counts(app)
    response = client.open(
        f"/api/v1/associations/{books.code}{path}", method=method, json=body, headers=auth(books.treasurer)
    )
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "not_found"
    assert row_counts(app) == before


def test_a_year_beyond_any_fiscal_year_is_refused_by_the_period_rules(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    _, admin = make_user(app, None, None, admin=True)
    response = client.post(f"/api/v1/associations/{books.code}/periods/{HUGE}/close", json={}, headers=auth(admin))
    assert_validation_error(response, "year")


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/donors", str(INT_OVERFLOW)),
        ("/beneficiaries", str(INT_OVERFLOW)),
        ("/disbursements", str(INT_OVERFLOW)),
        ("/pledges", str(INT_OVERFLOW)),
        ("/approvals", str(INT_OVERFLOW)),
        ("/entries", str(BIGINT_OVERFLOW)),
        ("/audit-log", str(BIGINT_OVERFLOW)),
        ("/donors", "²"),
        ("/entries", "-1"),
    ],
)
def test_a_list_cursor_that_is_no_id_is_a_validation_error(
    app: Flask, client: FlaskClient, path: str, cursor: str
) -> None:
    books = set_up_books(app)
    response = client.get(
        f"/api/v1/associations/{books.code}{path}", query_string={"cursor": cursor}, headers=auth(books.treasurer)
    )
    assert_validation_error(response, "cursor")


# --- Text the database cannot store or hash -----------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["Quà\x00Tết", "Quà\ud800Tết", "Quà\x1bTết", "Quà\x7fTết", "Quà Tết\u202e000.000.9", "Quà\u2066Tết\u2069"],
    ids=["nul", "surrogate", "escape", "delete", "right-to-left-override", "isolate"],
)
@pytest.mark.parametrize(
    ("path", "make_body", "field", "role"),
    [
        ("/donations", lambda books, bad: donation_body(books.donor_id, memo=bad), "memo", "treasurer"),
        ("/donations", lambda books, bad: donation_body(books.donor_id, fund=bad), "fund", "treasurer"),
        ("/donors", lambda books, bad: {"name": bad}, "name", "treasurer"),
        (
            "/beneficiaries",
            lambda books, bad: {"name": "Hồ Thị Mai", "category": "orphan", "school": bad},
            "school",
            "treasurer",
        ),
        ("/disbursements", lambda books, bad: spend_body(memo=bad), "memo", "treasurer"),
        (
            "/disbursements",
            lambda books, bad: spend_body(
                paid_from="in_kind", items=[{"description": bad, "quantity": 1, "unit": "bộ"}]
            ),
            "items",
            "treasurer",
        ),
        ("/entries", lambda books, bad: {**entry_body(), "memo": bad}, "memo", "treasurer"),
        ("/entries", lambda books, bad: entry_body(unit=bad, quantity=1), "lines", "treasurer"),
        ("/funds", lambda books, bad: {"code": "HB", "name": "Học bổng", "purpose": bad}, "purpose", "admin"),
        (
            "/transfers",
            lambda books, bad: {
                "from_fund": "GENERAL",
                "to_fund": "X",
                "amount": 1,
                "account": "111",
                "on": "2026-11-20",
                "memo": bad,
            },
            "memo",
            "treasurer",
        ),
    ],
)
def test_text_with_a_control_character_a_lone_surrogate_or_a_bidi_control_is_a_validation_error_naming_the_field(
    app: Flask, client: FlaskClient, path: str, make_body: Any, field: str, role: str, bad: str
) -> None:
    books = set_up_books(app)
    token = books.treasurer if role == "treasurer" else make_user(app, None, None, admin=True)[1]
    before = row_counts(app)
    response = post_raw(client, f"/api/v1/associations/{books.code}{path}", make_body(books, bad), token)
    assert_validation_error(response, field)
    assert row_counts(app) == before


def test_a_reason_with_a_nul_is_a_validation_error(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    seq = donate(client, books, 500_000).get_json()["entry"]["seq"]
    before = row_counts(app)
    response = post_raw(
        client, f"/api/v1/associations/{books.code}/entries/{seq}/reverse", {"reason": "Ghi\x00nhầm"}, books.treasurer
    )
    assert_validation_error(response, "reason")
    assert row_counts(app) == before


def test_an_association_name_with_a_lone_surrogate_is_a_validation_error(app: Flask, client: FlaskClient) -> None:
    _, admin = make_user(app, None, None, admin=True)
    before = row_counts(app)
    response = post_raw(
        client, "/api/v1/associations", {"code": "QT-XX", "name": "Hội \udc80", "level": "district"}, admin
    )
    assert_validation_error(response, "name")
    assert row_counts(app) == before


def test_tabs_and_line_breaks_stay_allowed_in_a_memo(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    response = donate(client, books, 500_000, memo="Ủng hộ\tquỹ\r\nkhuyến học")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["entry"]["memo"] == "Ủng hộ\tquỹ\r\nkhuyến học"


@pytest.mark.parametrize("path", ["/api/v1/associations/QT%00DH/funds", "/verify/abc%00def"])
def test_a_nul_in_a_path_segment_is_not_found(app: Flask, client: FlaskClient, path: str) -> None:
    books = set_up_books(app)
    response = client.get(path, headers=auth(books.treasurer, Accept="application/json"))
    assert response.status_code == 404


def test_a_nul_in_a_receipt_number_is_not_found(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    response = client.get(f"/api/v1/associations/{books.code}/receipts/A%00B", headers=auth(books.treasurer))
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


# --- Authentication comes first -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("{}", "application/json"),
        ("{not json", "application/json"),
        ("amount=1", "application/x-www-form-urlencoded"),
        ("", "text/plain"),
    ],
)
@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_a_write_without_a_valid_token_is_unauthorized_whatever_its_body(
    app: Flask, client: FlaskClient, data: str, content_type: str, token: str | None
) -> None:
    books = set_up_books(app)
    before = row_counts(app)
    headers = auth(token) if token else {}
    response = client.post(
        f"/api/v1/associations/{books.code}/donations", data=data, content_type=content_type, headers=headers
    )
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.get_json()["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert row_counts(app) == before


def test_a_read_without_a_token_is_unauthorized_before_its_query_is_read(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    response = client.get(f"/api/v1/associations/{books.code}/donors?limit=0")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_the_openapi_document_stays_public(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert "/api/v1/associations/{code}/donations" in document["paths"]
    donor = document["paths"]["/api/v1/associations/{code}/donors/{donor_id}"]
    [param] = [p for p in donor["parameters"] if p["name"] == "donor_id"]
    assert param["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


# --- Dates are written YYYY-MM-DD ----------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["20261121", "2026-W47-6", "2026-325", "2026-11-21T00:00:00", "2026-11-21\n", "2026-02-30", "26-11-21", 20261121],
)
def test_a_date_not_written_yyyy_mm_dd_is_a_validation_error(
    app: Flask, client: FlaskClient, written: str | int
) -> None:
    books = set_up_books(app)
    before = row_counts(app)
    response = donate(client, books, 500_000, on=written)  # type: ignore[arg-type]
    assert_validation_error(response, "received_on")
    assert row_counts(app) == before


@pytest.mark.parametrize(
    ("path", "make_body", "field"),
    [
        ("/entries", lambda books: {**entry_body(), "date": "20261121"}, "date"),
        ("/disbursements", lambda books: spend_body(paid_on="2026-W47-6"), "paid_on"),
        (
            "/pledges",
            lambda books: {"donor_id": books.donor_id, "fund": "GENERAL", "amount": 1, "pledged_on": "20261121"},
            "pledged_on",
        ),
        (
            "/pledges",
            lambda books: {
                "donor_id": books.donor_id,
                "fund": "GENERAL",
                "amount": 1,
                "pledged_on": "2026-11-21",
                "due_on": "2026W476",
            },
            "due_on",
        ),
        (
            "/transfers",
            lambda books: {"from_fund": "GENERAL", "to_fund": "X", "amount": 1, "account": "111", "on": "20261121"},
            "on",
        ),
        ("/interest", lambda books: {"fund": "GENERAL", "amount": 1, "on": "2026-W47"}, "on"),
    ],
)
def test_every_date_of_a_request_body_is_written_yyyy_mm_dd(
    app: Flask, client: FlaskClient, path: str, make_body: Any, field: str
) -> None:
    books = set_up_books(app)
    before = row_counts(app)
    response = client.post(
        f"/api/v1/associations/{books.code}{path}", json=make_body(books), headers=auth(books.treasurer)
    )
    assert_validation_error(response, field)
    assert row_counts(app) == before


def test_a_reversal_date_and_a_collection_date_are_written_yyyy_mm_dd(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    seq = donate(client, books, 500_000).get_json()["entry"]["seq"]
    reversal = client.post(
        f"/api/v1/associations/{books.code}/entries/{seq}/reverse",
        json={"reason": "Ghi nhầm", "date": "20261122"},
        headers=auth(books.treasurer),
    )
    assert_validation_error(reversal, "date")
    collection = client.post(
        f"/api/v1/associations/{books.code}/pledges/1/collect",
        json={"amount": 1, "method": "cash", "received_on": "20261122"},
        headers=auth(books.treasurer),
    )
    assert_validation_error(collection, "received_on")


@pytest.mark.parametrize("name", ["from", "to"])
def test_the_dates_of_an_entry_query_are_written_yyyy_mm_dd(app: Flask, client: FlaskClient, name: str) -> None:
    books = set_up_books(app)
    response = client.get(
        f"/api/v1/associations/{books.code}/entries", query_string={name: "20261121"}, headers=auth(books.treasurer)
    )
    assert_validation_error(response, name)


def test_a_date_written_yyyy_mm_dd_is_still_taken(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    response = donate(client, books, 500_000, on="2026-11-21")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["entry"]["date"] == "2026-11-21"
    listed = client.get(
        f"/api/v1/associations/{books.code}/entries",
        query_string={"from": "2026-11-21", "to": "2026-11-21"},
        headers=auth(books.treasurer),
    )
    assert [e["date"] for e in listed.get_json()["items"]] == ["2026-11-21"]


# --- Idempotent retries ----------------------------------------------------------------------------


def test_a_retry_with_its_keys_reordered_replays_the_first_response(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    url = f"/api/v1/associations/{books.code}/donations"
    headers = auth(books.treasurer, **{"Idempotency-Key": "don-2026-11-20-reordered"})
    body = donation_body(books.donor_id, memo="Ủng hộ quỹ")
    first = client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)
    assert first.status_code == 201, first.get_json()
    after_first = row_counts(app)
    reordered = dict(reversed(list(body.items())))
    assert list(reordered) != list(body)
    retry = client.post(
        url, data=json.dumps(reordered, indent=2, ensure_ascii=False), content_type="application/json", headers=headers
    )
    assert retry.status_code == 201, retry.get_json()
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.get_json() == first.get_json()
    assert row_counts(app) == after_first


def test_a_retry_with_another_body_is_still_a_conflict(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    url = f"/api/v1/associations/{books.code}/donations"
    headers = auth(books.treasurer, **{"Idempotency-Key": "don-2026-11-20-other"})
    assert client.post(url, json=donation_body(books.donor_id), headers=headers).status_code == 201
    after_first = row_counts(app)
    other = client.post(url, json=donation_body(books.donor_id, amount=600_000), headers=headers)
    assert other.status_code == 409
    assert other.get_json()["code"] == "idempotency_conflict"
    assert row_counts(app) == after_first


def test_an_idempotency_key_with_a_nul_is_a_validation_error(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    before = row_counts(app)
    response = client.post(
        f"/api/v1/associations/{books.code}/donations",
        json=donation_body(books.donor_id),
        headers=auth(books.treasurer, **{"Idempotency-Key": "don\x00-1"}),
    )
    assert_validation_error(response, "Idempotency-Key")
    assert row_counts(app) == before


def test_a_policy_with_a_lone_surrogate_is_refused_without_a_server_error(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    make_fund(app, books.code, "HB", preset="general", name="Học bổng")
    _, admin = make_user(app, None, None, admin=True)
    before = row_counts(app)
    response = client.put(
        f"/api/v1/associations/{books.code}/funds/HB/policy",
        data=json.dumps({"allowed_kinds": ["scholarship\ud800"]}),
        content_type="application/json",
        headers=auth(admin, **{"Idempotency-Key": "policy-hb-1"}),
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["code"] == "validation_error"
    assert row_counts(app) == before


def test_an_unknown_field_named_with_a_lone_surrogate_is_a_validation_error(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    body = {**donation_body(books.donor_id), "ghi_chú\udfff": "x"}
    response = post_raw(client, f"/api/v1/associations/{books.code}/donations", body, books.treasurer)
    assert_validation_error(response, "ghi_chú\udfff")


# --- One place builds a receipt's verification link --------------------------------------------


def test_the_receipt_json_takes_its_verify_link_from_the_receipt_service(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    books = set_up_books(app)
    monkeypatch.setattr(receipts, "verify_url", lambda base, token: f"{base}/v/{token}")
    receipt = donate(client, books, 500_000).get_json()["receipt"]
    assert "/v/" in receipt["verify_url"] and "/verify/" not in receipt["verify_url"]


def test_pages_of_donors_beneficiaries_and_disbursements_continue_after_their_last_item(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    make_beneficiary(app, books.code, "Hồ Thị Mai")
    make_beneficiary(app, books.code, "Lê Văn Nam")
    donate(client, books, 1_000_000)
    for _ in range(2):
        spent = client.post(
            f"/api/v1/associations/{books.code}/disbursements", json=spend_body(), headers=auth(books.treasurer)
        )
        assert spent.status_code == 201, spent.get_json()
    for path in ("/beneficiaries", "/disbursements"):
        url = f"/api/v1/associations/{books.code}{path}"
        first = client.get(url, query_string={"limit": 1}, headers=auth(books.treasurer)).get_json()
        assert len(first["items"]) == 1 and first["next_cursor"] == str(first["items"][0]["id"])
        second = client.get(
            url, query_string={"limit": 5, "cursor": first["next_cursor"]}, headers=auth(books.treasurer)
        ).get_json()
        assert len(second["items"]) == 1 and second["next_cursor"] is None
        assert second["items"][0]["id"] > first["items"][0]["id"]
