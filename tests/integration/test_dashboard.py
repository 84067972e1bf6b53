"""The read side of the pages: a dashboard's figures, a spend's preview, the approvals queue."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ledger.persistence.models import Association
from ledger.services import dashboard
from ledger.services.journal import Books
from tests.factories import donate, make_beneficiary, make_fund, reverse_approved, set_up_books, spend, work


def _books_of(uow: object, code: str) -> Books:
    association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()  # type: ignore[attr-defined]
    return Books(uow, association)  # type: ignore[arg-type]


def test_the_dashboard_shows_each_month_received_and_spent_with_reversals_netted_out(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    donate(client, books, 5_000_000, on="2026-03-10")
    kept = donate(client, books, 2_000_000, on="2026-11-02").get_json()
    wrong = donate(client, books, 900_000, on="2026-11-03").get_json()
    reverse_approved(
        client, books.code, wrong["entry"]["seq"], "Ghi nhầm", books.treasurer, books.approver, date="2026-11-04"
    )
    spend(client, books, 300_000, on="2026-11-05")
    with work(app) as uow:
        board = dashboard.dashboard(uow, _books_of(uow, books.code), date(2026, 11, 30), "vi")
    flows = {m.month: (m.received_vnd, m.spent_vnd) for m in board.months if m.received_vnd or m.spent_vnd}
    assert flows == {3: (5_000_000, 0), 11: (2_000_000, 300_000)}
    assert (board.received_vnd, board.spent_vnd) == (7_000_000, 300_000)
    general = next(f for f in board.funds if f.code == "GENERAL")
    assert (general.posted_vnd, general.reserved_vnd, general.available_vnd) == (6_700_000, 0, 6_700_000)
    assert general.rules[0] == "Loại quỹ: không hạn định mục đích."
    assert [e.seq for e in board.latest][:2] == [5, 4] and board.latest[1].reverses == wrong["entry"]["seq"]
    assert board.chain.head_seq == 5 and len(board.chain.head_hash) == 64
    assert kept["receipt"]["number"]


def test_the_preview_gives_the_rule_a_spend_breaks_and_what_the_beneficiary_received(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    make_fund(app, books.code, "HPD", preset="hoa_phuong_do", policy={"approval_threshold": 1_000_000})
    pupil = make_beneficiary(app, books.code)
    donate(client, books, 10_000_000, fund="HPD", on="2026-11-01")
    paid = spend(client, books, 800_000, fund="HPD", kind="scholarship", beneficiary_id=pupil, on="2026-11-02")
    assert paid.status_code == 201
    with work(app) as uow:
        ledger = _books_of(uow, books.code)
        preview = dashboard.spend_preview(
            uow,
            ledger,
            fund_code="HPD",
            lang="en",
            paid_on=date(2026, 11, 20),
            kind="scholarship",
            paid_from="cash",
            beneficiary_id=pupil,
            amount_vnd=2_500_000,
        )
        assert preview.beneficiary_received_vnd == 800_000
        assert (preview.available_vnd, preview.source_available_vnd) == (9_200_000, 9_200_000)
        assert preview.refusal_rule == "max_per_disbursement" and "2,000,000" in (preview.refusal or "")
        waiting = dashboard.spend_preview(
            uow,
            ledger,
            fund_code="HPD",
            lang="vi",
            paid_on=date(2026, 11, 20),
            kind="scholarship",
            paid_from="cash",
            beneficiary_id=pupil,
            amount_vnd=1_500_000,
        )
        assert waiting.refusal is None and waiting.needs_approval
    pending = spend(client, books, 1_500_000, fund="HPD", kind="scholarship", beneficiary_id=pupil, on="2026-11-03")
    assert pending.status_code == 202
    with work(app) as uow:
        [item] = dashboard.pending_spends(uow, _books_of(uow, books.code), "vi")
    assert (item.amount_vnd, item.threshold_vnd, item.beneficiary_received_vnd) == (1_500_000, 1_000_000, 800_000)
    assert item.reason.startswith("Vượt ngưỡng phải duyệt của quỹ là 1.000.000 ₫")
    assert item.fund_available_vnd == 10_000_000 - 800_000 - 1_500_000
