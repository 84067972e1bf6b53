"""Concurrency: treasurers posting at the same moment cannot overdraw a fund or post twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.pool import NullPool

from ledger.domain.errors import PeriodClosed
from ledger.persistence.models import Association, JournalEntry
from ledger.services import donations, periods, verification
from ledger.services.donations import DonationCommand
from ledger.services.journal import Books as LedgerBooks
from ledger.services.unit_of_work import UnitOfWork
from tests.factories import SYSTEM, auth, database, donate, set_up_books, spend, work


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


def _ledger_books(uow: UnitOfWork, code: str) -> LedgerBooks:
    association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
    return LedgerBooks(uow, association)


class LockWatch:
    """What one thread does at the ledger lock, seen through the engine's statement events.

    ``reached`` is set as the thread asks for the lock (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's
    ``SELECT … FOR UPDATE`` of the chain head); ``held`` once it has it (its read of the chain
    head returned). ``held_after_release`` records, at that moment, whether the first writer had
    begun to commit: a lock that works lets nobody in before.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.thread_id: int | None = None
        self.reached = threading.Event()
        self.held = threading.Event()
        self.released = threading.Event()
        self.held_after_release: list[bool] = []

    def __enter__(self) -> LockWatch:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _watched(self, statement: str) -> bool:
        return threading.get_ident() == self.thread_id and (
            statement == "BEGIN IMMEDIATE" or "FROM ledger_heads" in statement
        )

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self._watched(statement):
            self.reached.set()

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self._watched(statement) and "ledger_heads" in statement and not self.held.is_set():
            self.held_after_release.append(self.released.is_set())
            self.held.set()

    def wait_until_queued(self) -> None:
        """Return once the watched thread waits for the lock; fail if the lock let it in."""
        assert self.reached.wait(timeout=30), "the second writer never asked for the ledger lock"
        if self.engine.dialect.name != "postgresql":
            # SQLite's writers wait inside BEGIN IMMEDIATE, where no view of the database shows them:
            # the one sign of a broken lock is a writer that gets past it, which takes microseconds.
            assert not self.held.wait(timeout=0.3), "the second writer got the ledger lock while the first held it"
            return
        deadline = time.monotonic() + 20
        with self.engine.connect() as connection:
            while time.monotonic() < deadline:
                assert not self.held.is_set(), "the second writer got the ledger lock while the first held it"
                waiting = connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND query LIKE '%ledger_heads%FOR UPDATE%'"
                    )
                ).scalar_one()
                connection.rollback()
                if waiting:
                    return
                time.sleep(0.02)
        raise AssertionError("the second writer never queued for the ledger lock")


def test_a_year_closed_while_a_donation_waits_for_the_lock_refuses_that_donation(app: Flask) -> None:
    """The closed years are read once the lock is held, by their own statement: on PostgreSQL the
    statement that waited for the lock sees the database as it was before the wait."""
    books = set_up_books(app)
    answers: list[Any] = []
    watch = LockWatch(database(app).engine)

    def donate_as_watched() -> None:
        watch.thread_id = threading.get_ident()
        answers.append(donate(app.test_client(), books, 500_000, on="2025-12-30"))

    waiter = threading.Thread(target=donate_as_watched)
    with watch, work(app) as closer:
        periods.close_period(closer, SYSTEM, _ledger_books(closer, books.code), 2025)
        waiter.start()
        watch.wait_until_queued()
        watch.released.set()
        closer.commit()
        waiter.join(timeout=60)
    # The donation waited for the closing writer and got the lock only once it committed.
    assert watch.held_after_release == [True]
    assert answers and answers[0].status_code == 422, answers and answers[0].get_json()
    assert answers[0].get_json()["code"] == "period_closed"
    assert journal_state(app, books.code)[0] == []


def test_a_unit_of_work_that_closes_a_year_posts_nothing_into_it_until_it_reopens(app: Flask) -> None:
    books = set_up_books(app)
    command = DonationCommand(books.donor_id, "GENERAL", "cash", 200_000, date(2025, 12, 30))
    with work(app) as uow:
        ledger_books = _ledger_books(uow, books.code)
        donations.record_donation(uow, SYSTEM, ledger_books, command)  # takes the lock: 2025 is open
        periods.close_period(uow, SYSTEM, ledger_books, 2025)
        with pytest.raises(PeriodClosed):
            donations.record_donation(uow, SYSTEM, ledger_books, command)
        periods.reopen_period(uow, SYSTEM, ledger_books, 2025, "sửa sai sót")
        donations.record_donation(uow, SYSTEM, ledger_books, command)
        uow.commit()
    seqs, report, mismatches = journal_state(app, books.code)
    # The donation, the year's closing entry, its reversal on reopening, the second donation.
    assert seqs == [1, 2, 3, 4] and report.ok and mismatches == []


def test_a_donation_after_the_server_ended_the_pooled_connection_is_posted(app: Flask) -> None:
    """A database restart or an administrator ending sessions costs no request: the pool hands
    out only connections the server has not closed (``persistence/engine.py``). SQLite has no
    server to end them, and the donation simply posts."""
    books = set_up_books(app)
    engine = database(app).engine
    engine.dispose()
    with engine.connect() as connection:  # the pool's one connection from now on
        pid = connection.exec_driver_sql("SELECT 1").scalar_one()
        if engine.dialect.name == "postgresql":
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            connection.rollback()
    if engine.dialect.name == "postgresql":
        outside = create_engine(engine.url, poolclass=NullPool)  # not the app's pool
        with outside.begin() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        outside.dispose()
        time.sleep(0.2)  # the server's goodbye reaches the pooled connection's socket
    response = donate(app.test_client(), books, 700_000)
    assert response.status_code == 201, response.get_json()
    assert journal_state(app, books.code)[0] == [1]


def test_every_voucher_series_stays_gapless_when_cash_bank_goods_and_cash_donations_post_at_once(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    assert donate(client, books, 10_000_000).status_code == 201
    assert donate(client, books, 10_000_000, method="bank").status_code == 201
    package = {"description": "Gói quà Tết", "quantity": 10, "unit": "gói", "unit_value": 400_000}
    assert donate(client, books, 4_000_000, method="in_kind", items=[package]).status_code == 201
    goods = {"items": [{"description": "Gói quà Tết", "quantity": 1, "unit": "gói"}]}

    def post(i: int) -> tuple[int, str]:
        c = app.test_client()
        match i % 4:
            case 0:
                response = spend(c, books, 100_000)
            case 1:
                response = spend(c, books, 100_000, paid_from="bank")
            case 2:
                body = {
                    "fund": "GENERAL",
                    "kind": "operating",
                    "paid_from": "in_kind",
                    "paid_on": "2026-11-21",
                    **goods,
                }
                response = c.post(
                    f"/api/v1/associations/{books.code}/disbursements", json=body, headers=auth(books.treasurer)
                )
            case _:
                response = donate(c, books, 50_000)
                return response.status_code, response.get_json()["receipt"]["cash_voucher_number"]
        return response.status_code, response.get_json()["voucher"]["number"]

    results = run_together(24, post)
    assert {status for status, _ in results} == {201}
    series: dict[str, list[int]] = {}
    for _, number in results:
        kind, year, serial = number.removeprefix(f"{books.code}-").split("-")
        assert year == "2026"
        series.setdefault(kind, []).append(int(serial))
    # The first cash donation took PT-…-000001 before the race.
    assert {kind: sorted(serials) for kind, serials in series.items()} == {
        "PC": list(range(1, 7)),
        "UNC": list(range(1, 7)),
        "PX": list(range(1, 7)),
        "PT": list(range(2, 8)),
    }
    _, report, mismatches = journal_state(app, books.code)
    assert report.ok and mismatches == []
