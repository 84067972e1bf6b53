"""The spending rules read running totals per year, kept by the posting, instead of aggregating the
year's journal lines under the ledger lock (issue 16, item 7)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from ledger.persistence.models import Account, Association, JournalEntry, JournalLine, YearTotal
from tests.factories import auth, database, make_fund, work
from tests.spending_support import disburse, give, open_office, pupil, spend_body


def _statements_of(app: Flask, request: Any) -> list[str]:
    engine = database(app).engine
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()).lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_checking_a_spend_against_the_yearly_caps_does_not_aggregate_the_journal(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    mai = pupil(app, office)
    assert disburse(client, office, spend_body("HPD", 1_000_000, mai)).status_code == 201

    def second() -> None:
        assert disburse(client, office, spend_body("HPD", 1_000_000, mai)).status_code == 201

    statements = _statements_of(app, second)
    assert any("from year_totals" in s for s in statements)
    aggregates = [s for s in statements if "journal_lines" in s and "sum(" in s]
    assert aggregates == []


def _totals(app: Flask, code: str) -> tuple[dict[tuple[int, int, int, int], tuple[int, int]], ...]:
    """The stored running totals, and the same totals recomputed from the journal's lines."""
    with work(app) as uow:
        association_id = uow.session.execute(select(Association.id).where(Association.code == code)).scalar_one()
        stored = {
            (row.fund_id, row.account_id, row.beneficiary_id, row.year): (row.debit_vnd, row.credit_vnd)
            for row in uow.session.execute(select(YearTotal).where(YearTotal.association_id == association_id))
            .scalars()
            .all()
        }
        line, entry = JournalLine, JournalEntry
        rows = uow.session.execute(
            select(line.fund_id, line.account_id, line.beneficiary_id, entry.entry_on, line.debit_vnd, line.credit_vnd)
            .join(entry, (entry.association_id == line.association_id) & (entry.seq == line.seq))
            .join(Account, Account.id == line.account_id)
            .where(
                line.association_id == association_id,
                Account.type.in_(["revenue", "expense"]),
                # A year-end close moves the year's activity into the funds: it is not activity.
                entry.kind != "closing",
            )
        ).all()
        recomputed: dict[tuple[int, int, int, int], tuple[int, int]] = {}
        for fund_id, account_id, beneficiary_id, entry_on, debit, credit in rows:
            key = (fund_id, account_id, beneficiary_id or 0, entry_on.year)
            before = recomputed.get(key, (0, 0))
            recomputed[key] = (before[0] + debit, before[1] + credit)
        count = uow.session.execute(
            select(func.count()).select_from(YearTotal).where(YearTotal.association_id == association_id)
        ).scalar_one()
        assert count == len(stored)
    return stored, recomputed


def test_running_totals_equal_the_journal_lines_of_each_year(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 8_000_000, fund="HPD", on="2025-03-01")
    give(client, office, 6_000_000, fund="HPD", on="2026-01-05")
    give(client, office, 2_000_000, on="2026-01-06", method="cash")
    mai, an = pupil(app, office), pupil(app, office, name="Lê Văn An")
    for beneficiary, amount, on in (
        (mai, 1_500_000, "2025-09-05"),
        (mai, 2_000_000, "2026-09-05"),
        (an, 700_000, "2026-09-06"),
    ):
        assert disburse(client, office, spend_body("HPD", amount, beneficiary, paid_on=on)).status_code == 201
    running = spend_body("GENERAL", 50_000, None, kind="operating", paid_from="cash", paid_on="2026-03-01")
    assert disburse(client, office, running).status_code == 201
    stored, recomputed = _totals(app, office.code)
    assert stored == recomputed
    assert len({key[3] for key in stored}) == 2  # both years
    assert any(key[2] == mai for key in stored) and any(key[2] == an for key in stored)


def test_closing_a_year_leaves_its_running_totals_as_its_activity(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 8_000_000, fund="HPD", on="2025-03-01")
    mai = pupil(app, office)
    assert disburse(client, office, spend_body("HPD", 1_500_000, mai, paid_on="2025-09-05")).status_code == 201
    before, _ = _totals(app, office.code)
    closed = client.post(office.url("/periods/2025/close"), json={}, headers=auth(office.approver))
    assert closed.status_code in (200, 201), closed.get_json()
    after, recomputed = _totals(app, office.code)
    assert after == before == recomputed
