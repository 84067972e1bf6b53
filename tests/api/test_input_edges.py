"""Input edges of issue 16, item 6: deep JSON, bidi controls in reasons, booleans that are booleans,
security headers, and personal data kept by no cache."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import auth, donate, make_beneficiary, row_counts, set_up_books


@pytest.mark.parametrize("levels", [33, 1_000, 100_000])
@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_is_a_bad_request_never_a_server_error(
    app: Flask, client: FlaskClient, levels: int, opening: str
) -> None:
    books = set_up_books(app)
    closing = "]" if opening == "[" else "}"
    body = opening * levels + ("" if opening == "[" else "1") + closing * levels
    before = row_counts(app)
    for headers in (auth(books.treasurer), auth(books.treasurer, **{"Idempotency-Key": f"deep-{levels}"})):
        response = client.post(
            f"/api/v1/associations/{books.code}/donations", data=body, content_type="application/json", headers=headers
        )
        assert response.status_code == 400, response.get_data(as_text=True)[:300]
        assert response.mimetype == "application/problem+json"
        assert "32" in response.get_json()["detail"]
    assert row_counts(app) == before


def test_json_nested_as_deep_as_allowed_is_read(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    memo: Any = "x"
    body = {"name": "Nguyễn Văn An", "extra": memo}
    for _ in range(30):
        body["extra"] = [body["extra"]]
    response = client.post(
        f"/api/v1/associations/{books.code}/donors",
        data=json.dumps(body),
        content_type="application/json",
        headers=auth(books.treasurer),
    )
    # Read, and refused for its unknown field rather than for its depth.
    assert response.status_code == 422 and "extra" in response.get_json()["errors"]


def test_a_reversal_reason_with_a_bidi_override_is_refused(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    seq = donate(client, books, 500_000).get_json()["entry"]["seq"]
    before = row_counts(app)
    response = client.post(
        f"/api/v1/associations/{books.code}/entries/{seq}/reverse",
        json={"reason": "Ghi nhầm \u202e000.005"},
        headers=auth(books.treasurer),
    )
    assert response.status_code == 422 and "reason" in response.get_json()["errors"]
    assert row_counts(app) == before


@pytest.mark.parametrize("value", [0, 1, "false", "true", "yes", None])
@pytest.mark.parametrize(
    ("path", "field", "body"),
    [
        ("/donors", "anonymous", {"name": "Trần Thị Bình"}),
        ("/beneficiaries", "is_minor", {"name": "Hồ Thị Mai", "category": "orphan"}),
    ],
)
def test_a_flag_is_a_json_boolean_and_nothing_else(
    app: Flask, client: FlaskClient, path: str, field: str, body: dict[str, Any], value: Any
) -> None:
    books = set_up_books(app)
    before = row_counts(app)
    response = client.post(
        f"/api/v1/associations/{books.code}{path}", json={**body, field: value}, headers=auth(books.treasurer)
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert row_counts(app) == before


def test_a_flag_given_as_a_boolean_is_taken(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    donor = client.post(
        f"/api/v1/associations/{books.code}/donors",
        json={"name": "Ẩn danh", "anonymous": True},
        headers=auth(books.treasurer),
    )
    assert donor.status_code == 201 and donor.get_json()["anonymous"] is True
    pupil = client.post(
        f"/api/v1/associations/{books.code}/beneficiaries",
        json={"name": "Lê Văn Tám", "category": "orphan", "is_minor": False},
        headers=auth(books.treasurer),
    )
    assert pupil.status_code == 201 and pupil.get_json()["is_minor"] is False


def test_personal_data_and_documents_are_not_stored_by_caches(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    beneficiary_id = make_beneficiary(app, books.code)
    number = donate(client, books, 500_000).get_json()["receipt"]["number"]
    base = f"/api/v1/associations/{books.code}"
    for path in (
        f"{base}/donors/{books.donor_id}",
        f"{base}/beneficiaries/{beneficiary_id}",
        f"{base}/receipts/{number}.pdf",
        f"{base}/receipts/{number}",
    ):
        response = client.get(path, headers=auth(books.treasurer))
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_every_response_carries_security_headers(app: Flask, client: FlaskClient) -> None:
    books = set_up_books(app)
    for response in (
        client.get("/api/v1/openapi.json"),
        client.get(f"/api/v1/associations/{books.code}/funds", headers=auth(books.treasurer)),
        client.get(f"/api/v1/associations/{books.code}/funds"),
        client.get("/verify/no-such-token"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
