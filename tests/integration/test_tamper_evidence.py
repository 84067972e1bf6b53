"""Changes made behind the service's back are refused by the database or caught by `ledger verify`."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger.clock import today_vn
from ledger.domain.chain import ChainReport
from ledger.domain.entries import EntryDraft, LineDraft
from ledger.persistence.models import Association
from ledger.services import journal, verification
from ledger.services.unit_of_work import UnitOfWork
from tests.factories import database, donate, make_donor, set_up_books


def association_id(app: Flask, code: str) -> int:
    with database(app).engine.connect() as conn:
        return int(conn.execute(text("SELECT id FROM associations WHERE code = :c"), {"c": code}).scalar_one())


def behind_the_back(app: Flask, sql: str, **params: object) -> None:
    """Run ``sql`` as someone with database rights who switches the append-only guard off first."""
    engine = database(app).engine
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            guards = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('journal_entries', 'journal_lines')"
            ).all()
            for name, _ in guards:
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
            conn.execute(text(sql), params)
            for _, ddl in guards:
                conn.exec_driver_sql(ddl)
        else:
            conn.exec_driver_sql("ALTER TABLE journal_lines DISABLE TRIGGER journal_lines_append_only")
            conn.exec_driver_sql("ALTER TABLE journal_entries DISABLE TRIGGER journal_entries_append_only")
            conn.execute(text(sql), params)
            conn.exec_driver_sql("ALTER TABLE journal_lines ENABLE TRIGGER journal_lines_append_only")
            conn.exec_driver_sql("ALTER TABLE journal_entries ENABLE TRIGGER journal_entries_append_only")


def test_the_database_refuses_to_update_or_delete_posted_entries(app: Flask) -> None:
    books = set_up_books(app)
    donate(app.test_client(), books, 1_000_000)
    assoc = association_id(app, books.code)
    for sql in (
        "UPDATE journal_lines SET debit_vnd = debit_vnd + 1 WHERE association_id = :a AND debit_vnd > 0",
        "DELETE FROM journal_lines WHERE association_id = :a",
        "UPDATE journal_entries SET memo = 'sửa' WHERE association_id = :a",
        "DELETE FROM journal_entries WHERE association_id = :a",
    ):
        with pytest.raises(DBAPIError, match="append-only"), database(app).engine.begin() as conn:
            conn.execute(text(sql), {"a": assoc})


def test_a_line_changed_by_raw_sql_makes_ledger_verify_exit_1_naming_the_entry(
    app: Flask, runner: FlaskCliRunner
) -> None:
    books = set_up_books(app)
    client = app.test_client()
    for amount in (1_000_000, 2_000_000, 3_000_000):
        assert donate(client, books, amount).status_code == 201
    clean = runner.invoke(args=["ledger", "verify", "--association", books.code])
    assert clean.exit_code == 0, clean.output
    assert f"{books.code}: ok, 3 entries" in clean.output

    behind_the_back(
        app,
        "UPDATE journal_lines SET debit_vnd = 2500000 WHERE association_id = :a AND seq = 2 AND debit_vnd > 0",
        a=association_id(app, books.code),
    )
    broken = runner.invoke(args=["ledger", "verify", "--association", books.code])
    assert broken.exit_code == 1
    assert f"{books.code}: BROKEN at entry 2: content does not match its hash" in broken.output
    api = client.get(
        f"/api/v1/associations/{books.code}/verify", headers={"Authorization": f"Bearer {books.treasurer}"}
    )
    body = api.get_json()
    assert (body["ok"], body["first_bad_seq"], body["balances_ok"]) == (False, 2, False)


def test_deleting_the_last_entry_is_caught_by_the_recorded_chain_head(app: Flask, runner: FlaskCliRunner) -> None:
    books = set_up_books(app)
    for amount in (1_000, 2_000):
        donate(app.test_client(), books, amount)
    assoc = association_id(app, books.code)
    behind_the_back(app, "DELETE FROM donations WHERE association_id = :a AND entry_seq = 2", a=assoc)
    behind_the_back(app, "DELETE FROM journal_lines WHERE association_id = :a AND seq = 2", a=assoc)
    behind_the_back(app, "DELETE FROM journal_entries WHERE association_id = :a AND seq = 2", a=assoc)
    result = runner.invoke(args=["ledger", "verify", "--association", books.code])
    assert result.exit_code == 1
    assert "BROKEN at entry 2" in result.output and "entries are missing" in result.output


def test_a_receipt_changed_behind_the_back_no_longer_matches_its_entry(app: Flask, runner: FlaskCliRunner) -> None:
    books = set_up_books(app)
    number = donate(app.test_client(), books, 1_500_000).get_json()["receipt"]["number"]
    assert runner.invoke(args=["ledger", "verify", "--association", books.code]).exit_code == 0
    with database(app).engine.begin() as conn:
        conn.execute(text("UPDATE donations SET amount_vnd = 15000000 WHERE receipt_number = :n"), {"n": number})
    result = runner.invoke(args=["ledger", "verify", "--association", books.code])
    assert result.exit_code == 1
    assert f"receipt {number}: amount is 15000000 but entry 1 says 1500000" in result.output


def verify_in_stretches(app: Flask, code: str, workers: int) -> ChainReport:
    with UnitOfWork(database(app), write=False, snapshot=True) as uow:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
        return verification.verify_association(uow, association, workers=workers, min_per_worker=1)


def test_stretches_verified_side_by_side_name_the_same_first_bad_entry_as_one_pass(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    for amount in range(1, 10):
        assert donate(client, books, amount * 100_000).status_code == 201
    one_pass, three = verify_in_stretches(app, books.code, 1), verify_in_stretches(app, books.code, 3)
    assert one_pass.ok and three == one_pass and three.entries == 9

    # Three stretches: entries 1-3, 4-6 and 7-9. A change in the last and one in the middle:
    # the middle one is named, as a single pass names it.
    assoc = association_id(app, books.code)
    for seq in (8, 5):
        behind_the_back(
            app,
            "UPDATE journal_lines SET debit_vnd = 1 WHERE association_id = :a AND seq = :s AND debit_vnd > 0",
            a=assoc,
            s=seq,
        )
    one_pass, three = verify_in_stretches(app, books.code, 1), verify_in_stretches(app, books.code, 3)
    assert (three.ok, three.first_bad_seq, three.reason) == (False, 5, "content does not match its hash")
    assert three == one_pass


def test_an_entry_missing_where_a_stretch_ends_is_named(app: Flask) -> None:
    books = set_up_books(app)
    client = app.test_client()
    for amount in range(1, 7):
        assert donate(client, books, amount * 100_000).status_code == 201
    assoc = association_id(app, books.code)
    # Two stretches, 1-3 and 4-6: entry 3, the first one's last, is taken out.
    for table, column in (("donations", "entry_seq"), ("journal_lines", "seq"), ("journal_entries", "seq")):
        behind_the_back(app, f"DELETE FROM {table} WHERE association_id = :a AND {column} = 3", a=assoc)
    one_pass, two = verify_in_stretches(app, books.code, 1), verify_in_stretches(app, books.code, 2)
    assert (one_pass.ok, one_pass.first_bad_seq, one_pass.reason) == (False, 3, "sequence jumps from 2 to 4")
    assert (two.ok, two.first_bad_seq, two.head_seq) == (False, 3, 2)


def post_general(app: Flask, code: str, *lines: LineDraft) -> None:
    with UnitOfWork(database(app)) as uow:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
        journal.post_entries(
            uow,
            journal.Books(uow, association),
            [EntryDraft(today_vn(uow.clock()), "Ủng hộ quỹ khuyến học", "donation", lines)],
            created_by=None,
        )
        uow.commit()


def test_a_donor_named_only_by_journal_lines_cannot_be_deleted_behind_the_back(app: Flask) -> None:
    books = set_up_books(app)
    donor = make_donor(app, books.code, "Trần Văn Thành")
    post_general(
        app,
        books.code,
        LineDraft("111", "GENERAL", debit_vnd=500_000, donor_id=donor),
        LineDraft("511", "GENERAL", credit_vnd=500_000),
    )
    # Nothing but the journal line names this donor (no receipt): the database itself refuses.
    with pytest.raises(IntegrityError), database(app).engine.begin() as conn:
        conn.execute(text("DELETE FROM donors WHERE id = :d"), {"d": donor})
    unused = make_donor(app, books.code, "Lê Thị Mai")
    with database(app).engine.begin() as conn:
        conn.execute(text("DELETE FROM donors WHERE id = :d"), {"d": unused})


def test_a_line_naming_what_does_not_exist_is_refused_and_another_associations_account_is_caught(
    app: Flask, runner: FlaskCliRunner
) -> None:
    books, other = set_up_books(app), set_up_books(app)
    assert donate(app.test_client(), books, 1_000_000).status_code == 201
    assoc = association_id(app, books.code)
    insert = (
        "INSERT INTO journal_lines (association_id, seq, line_no, account_id, fund_id, debit_vnd, credit_vnd, "
        "donor_id) VALUES (:a, :seq, :line, :account, :fund, 1, 0, :donor)"
    )
    with database(app).engine.connect() as conn:
        account, fund = conn.execute(
            text(
                "SELECT a.id, f.id FROM accounts a JOIN funds f ON f.association_id = a.association_id "
                "WHERE a.association_id = :a AND a.code = '111' AND f.code = 'GENERAL'"
            ),
            {"a": assoc},
        ).one()
        foreign_account = conn.execute(
            text("SELECT id FROM accounts WHERE association_id = :a AND code = '111'"),
            {"a": association_id(app, other.code)},
        ).scalar_one()
    line = {"a": assoc, "seq": 1, "line": 9, "account": account, "fund": fund, "donor": None}
    for wrong in ({"donor": 10**9}, {"seq": 2}):  # no such donor; no such entry
        with pytest.raises(IntegrityError), database(app).engine.begin() as conn:
            conn.execute(text(insert), {**line, **wrong})

    # Another association's donor: PostgreSQL's check refuses it; SQLite's foreign key knows
    # only that the donor exists, so the line goes in, and the entry's hash names it.
    try:
        with database(app).engine.begin() as conn:
            conn.execute(text(insert), {**line, "donor": other.donor_id})
    except IntegrityError as refused:
        assert database(app).engine.dialect.name == "postgresql"
        assert "not their association's" in str(refused)
    else:
        assert database(app).engine.dialect.name == "sqlite"
        verified = runner.invoke(args=["ledger", "verify", "--association", books.code])
        assert "BROKEN at entry 1: content does not match its hash" in verified.output

    # Another association's account: the database takes it, the hash does not.
    with database(app).engine.begin() as conn:
        conn.execute(text(insert), {**line, "line": 10, "account": foreign_account})
    result = runner.invoke(args=["ledger", "verify", "--association", books.code])
    assert result.exit_code == 1
    assert "BROKEN at entry 1: content does not match its hash" in result.output


def test_an_entry_for_an_association_that_does_not_exist_is_refused(app: Flask) -> None:
    with pytest.raises(IntegrityError), database(app).engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO journal_entries (association_id, seq, entry_on, kind, memo, created_at, prev_hash, hash) "
                "VALUES (:a, 1, :on, 'donation', 'x', :at, :h, :h)"
            ),
            {"a": 10**9, "on": date(2026, 11, 24), "at": "2026-11-24T02:30:00.000000+00:00", "h": "0" * 64},
        )
