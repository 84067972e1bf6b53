"""Concurrency: treasurers posting at the same moment cannot overdraw a fund or post twice."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from ledger.persistence.models import Association, JournalEntry
from ledger.services import verification
from tests.factories import auth, donate, set_up_books, spend, work


def run_together(count: int, call: Any) -> list[Any]:
    """Run ``call(i)`` in ``count`` threads released at the same instant; return their results."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call(i)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def journal_state(app: Flask, code: str) -> tuple[list[int], Any, Any]:
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
        seqs = list(
            uow.session.execute(
                select(JournalEntry.seq).where(JournalEntry.association_id == association.id).order_by(JournalEntry.seq)
            ).scalars()
        )
        return seqs, verification.verify_association(uow, association), verification.check_balances(uow, association)


def test_twenty_concurrent_spends_from_ten_million_let_exactly_ten_through(app: Flask) -> None:
    books = set_up_books(app)
    assert donate(app.test_client(), books, 10_000_000).status_code == 201

    def pay(_: int) -> tuple[int, str | None]:
        response = spend(app.test_client(), books, 1_000_000)
        return response.status_code, response.get_json().get("code")

    outcomes = Counter(run_together(20, pay))
    assert outcomes == Counter({(201, None): 10, (422, "insufficient_funds"): 10})
    seqs, report, mismatches = journal_state(app, books.code)
    assert seqs == list(range(1, 12))  # the donation and ten spends, numbered without gaps
    assert report.ok and report.head_seq == 11
    assert mismatches == []
    funds = app.test_client().get(f"/api/v1/associations/{books.code}/funds", headers=auth(books.treasurer)).get_json()
    assert funds["items"][0]["posted_balance"] == 0


def test_ten_parallel_retries_with_one_idempotency_key_post_one_entry(app: Flask) -> None:
    books = set_up_books(app)
    url = f"/api/v1/associations/{books.code}/donations"
    body = {
        "donor_id": books.donor_id,
        "fund": "GENERAL",
        "method": "bank",
        "amount": 3_000_000,
        "received_on": "2026-11-20",
    }
    headers = auth(books.treasurer, **{"Idempotency-Key": "retry-storm-1"})

    def post(_: int) -> tuple[int, Any]:
        response = app.test_client().post(url, json=body, headers=headers)
        return response.status_code, response.get_json()

    results = run_together(10, post)
    assert {status for status, _ in results} == {201}
    assert len({(r["entry"]["seq"], r["receipt"]["number"]) for _, r in results}) == 1
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == books.code)).scalar_one()
        count = uow.session.execute(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.association_id == association.id)
        ).scalar_one()
    assert count == 1


def test_two_associations_post_in_parallel_without_mixing_their_numbers(app: Flask) -> None:
    first, second = set_up_books(app), set_up_books(app)

    def post(i: int) -> int:
        books = first if i % 2 else second
        return donate(app.test_client(), books, 1_000 + i).status_code

    assert set(run_together(12, post)) == {201}
    for books in (first, second):
        seqs, report, mismatches = journal_state(app, books.code)
        assert seqs == list(range(1, 7)) and report.ok and mismatches == []
