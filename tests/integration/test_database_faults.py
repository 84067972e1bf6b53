"""A lost database connection (issue 16, item 7): the client gets 503 ``service_unavailable`` with
``Retry-After``, nothing is written, the unit of work rolls back and closes, and the next request works."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from ledger.domain.errors import ServiceUnavailable
from tests.factories import auth, database, donate, row_counts, set_up_books, work


@contextmanager
def connection_lost_at(app: Flask, statement_start: str) -> Iterator[list[str]]:
    """End the database connection just before the first statement starting with ``statement_start``.

    PostgreSQL: the server ends the session (``pg_terminate_backend``, waiting until it is gone),
    as a restart or a network cut would. SQLite has no server: the connection is closed under
    the statement, which SQLAlchemy also takes for a lost connection.
    """
    engine = database(app).engine
    lost: list[str] = []

    def cut(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if lost or not statement.lstrip().upper().startswith(statement_start):
            return
        lost.append(statement)
        driver = connection.connection.driver_connection
        if engine.dialect.name == "postgresql":
            outside = create_engine(engine.url, poolclass=NullPool)
            with outside.begin() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": driver.info.backend_pid})
            outside.dispose()
        else:
            driver.close()

    event.listen(engine, "before_cursor_execute", cut)
    try:
        yield lost
    finally:
        event.remove(engine, "before_cursor_execute", cut)


def test_a_connection_lost_in_a_write_is_503_with_retry_after_and_nothing_written(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    engine = database(app).engine
    before = row_counts(app)
    with connection_lost_at(app, "INSERT INTO DONORS") as lost:
        response = client.post(
            f"/api/v1/associations/{books.code}/donors",
            json={"name": "Phạm Văn Đồng"},
            headers=auth(books.treasurer, **{"Idempotency-Key": "lost-1"}),
        )
    assert lost, "the connection was cut"
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    # Rolled back and closed: no connection is left checked out, nothing was written.
    assert engine.pool.checkedout() == 0
    assert row_counts(app) == before
    # The same request again, on a fresh connection: done, once.
    again = client.post(
        f"/api/v1/associations/{books.code}/donors",
        json={"name": "Phạm Văn Đồng"},
        headers=auth(books.treasurer, **{"Idempotency-Key": "lost-1"}),
    )
    assert again.status_code == 201, again.get_json()
    assert row_counts(app)["donors"] == before["donors"] + 1


def test_a_connection_lost_while_reading_the_token_is_503(app: Flask) -> None:
    books = set_up_books(app)
    with connection_lost_at(app, "SELECT USERS.ID"):
        response = app.test_client().get(f"/api/v1/associations/{books.code}/funds", headers=auth(books.treasurer))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert database(app).engine.pool.checkedout() == 0


def test_a_unit_of_work_that_lost_its_connection_says_service_unavailable_not_pending_rollback(app: Flask) -> None:
    set_up_books(app)
    with connection_lost_at(app, "SELECT 1"), pytest.raises(ServiceUnavailable) as raised, work(app) as uow:
        uow.session.execute(text("SELECT 1"))
    assert raised.value.__cause__ is not None
    assert database(app).engine.pool.checkedout() == 0


def test_a_refused_write_is_remembered_under_its_idempotency_key(app: Flask) -> None:
    """Issue 16, item 7: the same key and body once got 202 after a 422; API.md says the first answer."""
    books = set_up_books(app)
    client = app.test_client()
    url = f"/api/v1/associations/{books.code}/disbursements"
    body = {"fund": "GENERAL", "kind": "operating", "paid_from": "cash", "amount": 300_000, "paid_on": "2026-11-21"}
    headers = auth(books.treasurer, **{"Idempotency-Key": "spend-once"})
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 422 and first.get_json()["code"] == "insufficient_funds"
    # The money arrives; the same request with the same key is still the refused one.
    assert donate(client, books, 1_000_000).status_code == 201
    before = row_counts(app)
    again = client.post(url, json=body, headers=headers)
    assert again.status_code == 422 and again.mimetype == "application/problem+json"
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotency-Replayed"] == "true"
    assert row_counts(app) == before
    # Another body under the key is a conflict, and a new key is a new request.
    assert client.post(url, json={**body, "amount": 1}, headers=headers).status_code == 409
    fresh = client.post(url, json=body, headers=auth(books.treasurer, **{"Idempotency-Key": "spend-twice"}))
    assert fresh.status_code == 201, fresh.get_json()
