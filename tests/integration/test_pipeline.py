"""A writer's statements that nobody reads the answer of travel with the next one (``persistence/pipeline.py``).

On PostgreSQL they wait in psycopg's pipeline until a statement whose answer is read, or the
commit, sends them: fewer round trips under the ledger lock, and nothing else may change. An
error in a waiting statement still fails the unit of work and writes nothing, connections go
back to the pool out of pipeline mode, and a bulk posting (COPY, which pipeline mode cannot
run) works in the same unit of work as a single one. SQLite runs in the process and has no
round trips: there every statement runs at once, and the same outcomes hold.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from ledger.domain.entries import EntryDraft, LineDraft
from ledger.persistence.models import Association, AuditEvent, JournalEntry
from ledger.persistence.pipeline import NO_ANSWER
from ledger.services import donations, verification
from ledger.services.donations import DonationCommand
from ledger.services.journal import Books as LedgerBooks
from ledger.services.journal import post_entries
from ledger.services.unit_of_work import UnitOfWork
from tests.factories import SYSTEM, database, donate, set_up_books, work

#: An audit row with no action: the column is NOT NULL, so the database refuses it.
_BAD_AUDIT = insert(AuditEvent.table()).inline().execution_options(**NO_ANSWER)


def _books(uow: UnitOfWork, code: str) -> LedgerBooks:
    association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
    return LedgerBooks(uow, association)


def _entries(app: Flask, code: str) -> int:
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
        return uow.session.execute(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.association_id == association.id)
        ).scalar_one()


def _bad_audit(uow: UnitOfWork) -> None:
    row = {"association_id": None, "user_id": None, "at": uow.clock(), "action": None, "object_type": ""}
    uow.session.connection().execute(_BAD_AUDIT, {**row, "object_id": "", "detail": {}})


def test_a_refused_write_sent_with_the_next_statement_fails_the_unit_of_work_and_writes_nothing(app: Flask) -> None:
    books = set_up_books(app)
    command = DonationCommand(books.donor_id, "GENERAL", "cash", 300_000, date(2026, 11, 20))
    with pytest.raises(IntegrityError), work(app) as uow:
        donations.record_donation(uow, SYSTEM, _books(uow, books.code), command)
        _bad_audit(uow)  # on PostgreSQL it waits: the next statement sends it and raises
        uow.session.execute(text("SELECT 1"))
        uow.commit()
    assert _entries(app, books.code) == 0
    # The same, refused only by the commit that sends it.
    with pytest.raises(IntegrityError), work(app) as uow:
        donations.record_donation(uow, SYSTEM, _books(uow, books.code), command)
        _bad_audit(uow)
        uow.commit()
    assert _entries(app, books.code) == 0
    # The connections are fine afterwards: a donation through the API posts, the chain is whole.
    assert donate(app.test_client(), books, 300_000).status_code == 201
    with work(app) as uow:
        association = _books(uow, books.code).association
        assert verification.verify_association(uow, association).ok
        assert verification.check_balances(uow, association) == []
    assert _entries(app, books.code) == 1


def test_a_donation_waits_for_the_server_only_for_the_answers_it_reads(app: Flask) -> None:
    books = set_up_books(app)
    command = DonationCommand(books.donor_id, "GENERAL", "cash", 300_000, date(2026, 11, 20))
    engine = database(app).engine
    #: (statement, has NO_ANSWER, still queued once SQLAlchemy has executed it)
    statements: list[tuple[str, bool, bool]] = []

    def seen(_conn: Any, cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        pgconn = getattr(cursor.connection, "pgconn", None)
        queued = pgconn is not None and pgconn.pipeline_status != 0
        statements.append((statement, bool(context.execution_options.get("ledger_no_answer")), queued))

    with work(app) as uow:
        ledger_books = _books(uow, books.code)
        event.listen(engine, "after_cursor_execute", seen)  # after the pipeline's own listener
        try:
            donations.record_donation(uow, SYSTEM, ledger_books, command)
            uow.commit()
        finally:
            event.remove(engine, "after_cursor_execute", seen)
    waiting = [(s, queued) for s, no_answer, queued in statements if no_answer]
    answered = [(s, queued) for s, no_answer, queued in statements if not no_answer]
    # The rows of the entry, its lines, balances, chain head, outbox and audit rows wait.
    assert len(waiting) >= 5, statements
    assert any(s.startswith("INSERT INTO journal_entries") for s, _ in waiting)
    assert answered, statements
    if engine.dialect.name == "postgresql":
        # Each waiting statement is only queued: it goes with the next answered one (or the
        # commit), which is answered at once and leaves nothing queued behind it.
        assert all(queued for _, queued in waiting), statements
        assert not any(queued for _, queued in answered), statements
    else:
        assert not any(queued for _, _, queued in statements)  # SQLite: every statement ran at once
    assert _entries(app, books.code) == 1


def test_connections_go_back_to_the_pool_out_of_pipeline_mode(app: Flask) -> None:
    books = set_up_books(app)
    command = DonationCommand(books.donor_id, "GENERAL", "cash", 300_000, date(2026, 11, 20))
    engine = database(app).engine
    engine.dispose()  # from here the pool holds the one connection each unit of work below uses
    with work(app) as uow:
        donations.record_donation(uow, SYSTEM, _books(uow, books.code), command)
        uow.commit()
    with pytest.raises(RuntimeError), work(app) as uow:
        donations.record_donation(uow, SYSTEM, _books(uow, books.code), command)
        raise RuntimeError("the treasurer's request failed after the writes were queued")
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            driver: Any = raw.driver_connection
            assert driver._pipeline is None
            assert driver.pgconn.pipeline_status == 0
            assert driver.pgconn.transaction_status == 0  # idle: nothing left open
        cursor = raw.cursor()
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
        cursor.close()
    finally:
        raw.close()
    assert _entries(app, books.code) == 1


def test_a_bulk_posting_and_a_donation_share_one_unit_of_work(app: Flask) -> None:
    """More than 64 entries go by COPY, which cannot run in pipeline mode: it is left for the COPY
    and taken up again for the donation after it."""
    books = set_up_books(app)
    assert donate(app.test_client(), books, 10_000_000).status_code == 201
    drafts = [
        EntryDraft(
            entry_on=date(2026, 11, 21),
            memo=f"Học bổng Hoa Phượng Đỏ, suất {i}",
            kind="general",
            lines=(LineDraft("642", "GENERAL", debit_vnd=10_000), LineDraft("111", "GENERAL", credit_vnd=10_000)),
        )
        for i in range(1, 81)
    ]
    command = DonationCommand(books.donor_id, "GENERAL", "cash", 500_000, date(2026, 11, 22))
    with work(app) as uow:
        ledger_books = _books(uow, books.code)
        donations.record_donation(uow, SYSTEM, ledger_books, command)  # queued writes, then COPY
        post_entries(uow, ledger_books, drafts, created_by=books.treasurer_id)
        donations.record_donation(uow, SYSTEM, ledger_books, command)
        uow.commit()
    assert _entries(app, books.code) == 83
    with work(app) as uow:
        association = _books(uow, books.code).association
        assert verification.verify_association(uow, association).ok
        assert verification.check_balances(uow, association) == []


def test_a_unit_of_work_whose_only_statement_waits_is_committed(app: Flask) -> None:
    """Nothing answered before the commit: the server has not yet said that a transaction began,
    and the commit must still send the queue and COMMIT it rather than take it for empty."""
    books = set_up_books(app)
    with work(app) as uow:
        association_id = _books(uow, books.code).association.id
    marker = f"pipeline-only-{books.code}"
    with work(app) as uow:
        row = {"association_id": association_id, "user_id": None, "at": uow.clock(), "action": marker}
        for _ in range(2):
            uow.session.connection().execute(_BAD_AUDIT, {**row, "object_type": "", "object_id": "", "detail": {}})
            # Time for the server's answers to arrive, to be read by the next call to the driver
            # without the transaction's state that only a sync would bring.
            time.sleep(0.05)
        uow.commit()
    with work(app) as uow:
        found = uow.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == marker)
        ).scalar_one()
    assert found == 2
