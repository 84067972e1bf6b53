"""Tamper evidence against the database's owner: signed checkpoints, saved digests, and documents
checked against the journal (issue 16, items 1 and 2)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, text

from ledger.clock import FixedClock
from ledger.domain.chain import link_hash
from ledger.persistence.models import Association
from ledger.services import checkpoints, verification
from tests.factories import auth, database, donate, make_fund, make_user, reverse_approved, set_up_books, work
from tests.integration.test_tamper_evidence import association_id, behind_the_back
from tests.spending_support import disburse, give, open_office, pupil, spend_body


def verify(runner: FlaskCliRunner, code: str, *extra: str) -> tuple[int, str]:
    result = runner.invoke(args=["ledger", "verify", "--association", code, "--workers", "1", *extra])
    return result.exit_code, result.output


def sign(runner: FlaskCliRunner, code: str) -> None:
    result = runner.invoke(args=["ledger", "checkpoint", "--association", code])
    assert result.exit_code == 0 and f"signed 1 checkpoints: {code}" in result.output, result.output


def rewrite_history(app: Flask, code: str, seq: int, amount: int) -> None:
    """What an owner of the database can do: change entry ``seq``'s amount, the receipt and the
    balances to agree, and recompute every later hash and the chain head with the service's own code."""
    a = association_id(app, code)
    behind_the_back(
        app,
        "UPDATE journal_lines SET debit_vnd = CASE WHEN debit_vnd > 0 THEN :v ELSE 0 END, "
        "credit_vnd = CASE WHEN credit_vnd > 0 THEN :v ELSE 0 END WHERE association_id = :a AND seq = :s",
        v=amount,
        a=a,
        s=seq,
    )
    with work(app) as uow:
        association = uow.session.get(Association, a)
        assert association is not None
        before = int(
            uow.session.execute(
                text("SELECT amount_vnd FROM donations WHERE association_id = :a AND entry_seq = :s"),
                {"a": a, "s": seq},
            ).scalar_one()
        )
        entries = list(verification._stored_entries(uow.session.connection(), a, code, 1, None))
    prev = entries[seq - 2][2] if seq > 1 else "0" * 64
    rewritten = []
    for entry_seq, _, _, canonical in entries[seq - 1 :]:
        digest = link_hash(prev, canonical)
        rewritten.append({"s": entry_seq, "p": prev, "h": digest})
        prev = digest
    for row in rewritten:
        behind_the_back(
            app,
            "UPDATE journal_entries SET prev_hash = :p, hash = :h WHERE association_id = :a AND seq = :s",
            a=a,
            **row,
        )
    with database(app).engine.begin() as conn:
        params = {"a": a, "h": prev, "d": amount - before, "v": amount, "s": seq}
        conn.execute(text("UPDATE ledger_heads SET head_hash = :h WHERE association_id = :a"), params)
        conn.execute(text("UPDATE donations SET amount_vnd = :v WHERE association_id = :a AND entry_seq = :s"), params)
        conn.execute(
            text(
                "UPDATE balances SET net_debit_vnd = net_debit_vnd + CASE WHEN net_debit_vnd > 0 THEN :d ELSE -:d END "
                "WHERE association_id = :a AND net_debit_vnd <> 0"
            ),
            params,
        )


def test_history_rewritten_with_every_later_hash_fails_on_the_checkpoint_naming_the_first_entry_after_it(
    app: Flask, runner: FlaskCliRunner
) -> None:
    books = set_up_books(app)
    client = app.test_client()
    assert donate(client, books, 1_000_000).status_code == 201
    sign(runner, books.code)
    for amount in (1_000_000, 3_000_000):
        assert donate(client, books, amount).status_code == 201
    sign(runner, books.code)
    assert verify(runner, books.code)[0] == 0

    rewrite_history(app, books.code, 2, 2_000_000)

    api = client.get(f"/api/v1/associations/{books.code}/verify", headers=auth(books.treasurer)).get_json()
    # The chain, balances and receipts agree with each other: only the checkpoint tells.
    assert (api["chain_ok"], api["balances_ok"], api["documents_ok"]) == (True, True, True)
    assert (api["ok"], api["checkpoints_ok"], api["first_bad_seq"]) == (False, False, 2)
    code, output = verify(runner, books.code)
    assert code == 1
    assert (
        f"{books.code}: BROKEN at entry 2: the chain no longer passes through the checkpoint signed at entry 3"
    ) in output
    assert "after entry 1, the last checkpoint that still holds" in output


def test_deleting_the_checkpoint_rows_does_not_unanchor_the_chain_on_the_host_that_signed(
    app: Flask, runner: FlaskCliRunner
) -> None:
    books = set_up_books(app)
    client = app.test_client()
    for amount in (1_000_000, 2_000_000):
        assert donate(client, books, amount).status_code == 201
    sign(runner, books.code)
    with database(app).engine.begin() as conn:
        conn.execute(
            text("DELETE FROM chain_checkpoints WHERE association_id = :a"), {"a": association_id(app, books.code)}
        )
    rewrite_history(app, books.code, 1, 1_500_000)
    code, output = verify(runner, books.code)
    assert code == 1
    assert (
        f"{books.code}: BROKEN at entry 1: the chain no longer passes through the checkpoint signed at entry 2"
        in output
    )


def test_a_checkpoint_row_moved_to_the_rewritten_head_no_longer_carries_a_valid_signature(
    app: Flask, runner: FlaskCliRunner
) -> None:
    books = set_up_books(app)
    client = app.test_client()
    for amount in (1_000_000, 2_000_000):
        assert donate(client, books, amount).status_code == 201
    sign(runner, books.code)
    rewrite_history(app, books.code, 1, 1_500_000)
    a = association_id(app, books.code)
    with database(app).engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE chain_checkpoints SET hash = (SELECT hash FROM journal_entries WHERE association_id = :a "
                "AND seq = 2) WHERE association_id = :a"
            ),
            {"a": a},
        )
    code, output = verify(runner, books.code)
    assert code == 1
    assert "the checkpoint at entry 2 does not carry a valid signature" in output


def test_a_checkpoint_signed_by_a_key_the_service_does_not_hold_is_refused(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    books = set_up_books(app)
    assert donate(app.test_client(), books, 700_000).status_code == 201
    forger = checkpoints.CheckpointKeys(tmp_path / "forged.pem", tmp_path / "none.pub")
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == books.code)).scalar_one()
        checkpoints.sign_head(uow, association, "manual", forger)
        uow.commit()
    code, output = verify(runner, books.code)
    assert code == 1 and "which this service does not trust" in output


def test_a_rotated_key_keeps_older_checkpoints_verifying(app: Flask, runner: FlaskCliRunner) -> None:
    books = set_up_books(app)
    assert donate(app.test_client(), books, 400_000).status_code == 201
    sign(runner, books.code)
    rotated = runner.invoke(args=["ledger", "checkpoint-key", "--rotate"])
    assert rotated.exit_code == 0 and "retired key" in rotated.output
    assert donate(app.test_client(), books, 500_000).status_code == 201
    sign(runner, books.code)
    code, output = verify(runner, books.code)
    assert code == 0, output
    assert "2 signed checkpoints" in output


def test_closing_a_year_signs_a_checkpoint(app: Flask, runner: FlaskCliRunner, today: date) -> None:
    books = set_up_books(app)
    approver = app.test_client()
    last_year = today.year - 1
    assert donate(approver, books, 900_000, on=f"{last_year}-06-01").status_code == 201
    _, chair = make_user(app, books.code, "approver")
    closed = approver.post(f"/api/v1/associations/{books.code}/periods/{last_year}/close", json={}, headers=auth(chair))
    assert closed.status_code in (200, 201), closed.get_json()
    body = approver.get(f"/api/v1/associations/{books.code}/verify", headers=auth(books.treasurer)).get_json()
    # The head as the close left it, its closing entries included.
    assert body["checkpoints"] == 1 and body["last_checkpoint"]["seq"] == body["head_seq"] > 1
    assert body["last_checkpoint"]["hash"] == body["head_hash"]


def test_verify_against_a_saved_digest_names_a_rewrite_before_it(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    books = set_up_books(app)
    client = app.test_client()
    for amount in (100_000, 200_000, 300_000):
        assert donate(client, books, amount).status_code == 201
    saved = client.get(f"/api/v1/associations/{books.code}/verify", headers=auth(books.treasurer)).get_json()
    digest = tmp_path / "digest.json"
    digest.write_text(json.dumps(saved))
    assert verify(runner, books.code, "--against", str(digest))[0] == 0
    # A later entry does not disturb a digest of an earlier head.
    assert donate(client, books, 400_000).status_code == 201
    assert verify(runner, books.code, "--against", str(digest))[0] == 0

    rewrite_history(app, books.code, 2, 250_000)
    code, output = verify(runner, books.code, "--against", str(digest))
    assert code == 1
    assert "the chain no longer passes through the saved digest of entry 3" in output
    assert verify(runner, books.code)[0] == 0  # without an anchor the rewrite is invisible


def test_a_void_receipt_set_back_to_valid_fails_verification(app: Flask, runner: FlaskCliRunner) -> None:
    books = set_up_books(app)
    client = app.test_client()
    body = donate(client, books, 1_200_000).get_json()
    number, seq = body["receipt"]["number"], body["entry"]["seq"]
    reverse_approved(client, books.code, seq, "Ghi nhầm nhà tài trợ", books.treasurer, books.approver)
    assert verify(runner, books.code)[0] == 0
    with database(app).engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE donations SET status = 'valid', voided_on = NULL, void_reason = NULL WHERE receipt_number = :n"
            ),
            {"n": number},
        )
    code, output = verify(runner, books.code)
    assert code == 1
    assert f"receipt {number} is not void but entry {seq + 1} reverses its entry {seq}" in output


def test_each_document_field_changed_behind_the_back_is_named(app: Flask, runner: FlaskCliRunner) -> None:
    books = set_up_books(app)
    client = app.test_client()
    number = donate(client, books, 800_000).get_json()["receipt"]["number"]
    other = donate(client, books, 10_000).get_json()["receipt"]["number"]
    with database(app).engine.begin() as conn:
        conn.execute(text("UPDATE donations SET received_on = '2026-01-02' WHERE receipt_number = :n"), {"n": number})
        conn.execute(text("UPDATE donations SET status = 'void' WHERE receipt_number = :n"), {"n": other})
    code, output = verify(runner, books.code)
    assert code == 1
    assert f"receipt {number}: date is 2026-01-02 but entry 1 says 2026-11-20" in output
    assert f"receipt {other} is void but its entry 2 was never reversed" in output


def test_a_voucher_a_pledge_and_a_reservation_changed_behind_the_back_are_each_named(
    app: Flask, runner: FlaskCliRunner
) -> None:
    office = open_office(app)
    client = app.test_client()
    make_fund(
        app, office.code, "BIG", restriction="restricted", name="Quỹ lớn", policy={"approval_threshold": 10_000_000}
    )
    give(client, office, 30_000_000, fund="BIG")
    child = pupil(app, office)
    posted = disburse(client, office, spend_body("BIG", 5_000_000, child))
    assert posted.status_code == 201, posted.get_json()
    voucher = posted.get_json()["voucher"]["number"]
    assert disburse(client, office, spend_body("BIG", 20_000_000, child)).status_code == 202
    promised = client.post(
        office.url("/pledges"),
        json={"donor_id": office.donor_id, "fund": "GENERAL", "amount": 2_000_000, "pledged_on": "2026-03-01"},
        headers=auth(office.treasurer),
    ).get_json()["pledge"]["id"]
    assert verify(runner, office.code)[0] == 0

    a = association_id(app, office.code)
    with database(app).engine.begin() as conn:
        conn.execute(text("UPDATE disbursements SET amount_vnd = 500000 WHERE voucher_number = :v"), {"v": voucher})
        conn.execute(
            text("UPDATE pledges SET collected_vnd = 2000000, status = 'collected' WHERE id = :p"), {"p": promised}
        )
        conn.execute(text("UPDATE balances SET reserved_vnd = 0 WHERE association_id = :a"), {"a": a})
    code, output = verify(runner, office.code)
    assert code == 1
    seq = posted.get_json()["entry"]["seq"]
    assert f"voucher {voucher}: amount is 500000 but entry {seq} says 5000000" in output
    assert f"pledge {promised}: collected is 2000000 but its valid receipts add up to 0" in output
    assert f"pledge {promised}: status is collected but its receipts make it open" in output
    assert "fund BIG is 0 but pending disbursements hold 20000000" in output


def test_goods_a_receipt_lists_changed_behind_the_back_are_named(app: Flask, runner: FlaskCliRunner) -> None:
    books = set_up_books(app)
    items = [{"description": "Tủ sách khuyến học", "quantity": 17, "unit": "tủ", "unit_value": 8_500_000}]
    body = donate(app.test_client(), books, 144_500_000, method="in_kind", items=items).get_json()
    assert verify(runner, books.code)[0] == 0
    with database(app).engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE donation_items SET quantity = 18 WHERE donation_id = "
                "(SELECT id FROM donations WHERE receipt_number = :n)"
            ),
            {"n": body["receipt"]["number"]},
        )
    code, output = verify(runner, books.code)
    seq = body["entry"]["seq"]
    assert code == 1
    assert f"receipt {body['receipt']['number']}: goods quantity is 18 but entry {seq} says 17" in output
    assert f"goods value is 153000000 but entry {seq} says 144500000" in output


def test_the_daily_checkpoint_signs_a_moved_head_once_a_day(app: Flask, clock: FixedClock) -> None:
    books = set_up_books(app)
    client = app.test_client()
    db = database(app)
    keys = db.checkpoint_keys
    assert keys is not None
    assert checkpoints.sign_due(db, keys, clock, only=books.code) == []  # no entries yet
    assert donate(client, books, 300_000).status_code == 201
    assert checkpoints.sign_due(db, keys, clock, only=books.code) == [books.code]
    assert donate(client, books, 400_000).status_code == 201
    clock.advance(timedelta(hours=23))
    assert checkpoints.sign_due(db, keys, clock, only=books.code) == []  # signed less than a day ago
    clock.advance(timedelta(hours=1))
    assert checkpoints.sign_due(db, keys, clock, only=books.code) == [books.code]
    assert checkpoints.sign_due(db, keys, clock, only=books.code) == []  # the head has not moved since


def test_a_checkpoint_signed_in_a_transaction_rolled_back_is_not_logged(app: Flask) -> None:
    books = set_up_books(app)
    assert donate(app.test_client(), books, 600_000).status_code == 201
    keys = database(app).checkpoint_keys
    assert keys is not None
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == books.code)).scalar_one()
        checkpoints.sign_head(uow, association, "manual", keys)
    assert keys.logged(books.code) == []
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == books.code)).scalar_one()
        signed = checkpoints.sign_head(uow, association, "manual", keys)
        uow.commit()
    assert keys.logged(books.code) == [signed]
