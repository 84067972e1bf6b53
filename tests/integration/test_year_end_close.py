"""The year-end close posts closing entries through 911 and 421; reopening reverses them."""

from __future__ import annotations

import io
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from ledger.domain.accounts import AccountType
from ledger.domain.closing import ClosingBalance, closing_entries
from ledger.domain.entries import validate_entry
from ledger.persistence.models import Account, Association, Balance, Fund
from ledger.reports.trial_balance import trial_balance
from tests.factories import auth, make_fund, work
from tests.spending_support import balances, disburse, give, open_office, pupil, refused, spend_body


def account_balances(app: Flask, code: str) -> dict[tuple[str, str], int]:
    """Net debit per (account, fund) as materialised, zero ones left out."""
    with work(app) as uow:
        return {
            (account, fund): net
            for account, fund, net in uow.session.execute(
                select(Account.code, Fund.code, Balance.net_debit_vnd)
                .join(Account, Account.id == Balance.account_id)
                .join(Fund, Fund.id == Balance.fund_id)
                .join(Association, Association.id == Balance.association_id)
                .where(Association.code == code)
            )
            if net
        }


def revenue_and_expense(app: Flask, code: str) -> dict[tuple[str, str], int]:
    with work(app) as uow:
        types = dict(
            uow.session.execute(
                select(Account.code, Account.type)
                .join(Association, Association.id == Account.association_id)
                .where(Association.code == code)
            ).all()
        )
    return {key: net for key, net in account_balances(app, code).items() if types[key[0]] in ("revenue", "expense")}


def trial_balance_is_balanced(app: Flask, code: str) -> None:
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
        report = trial_balance(uow, association)
    assert report.rows and report.total_debit_vnd == report.total_credit_vnd


def test_closing_a_year_zeroes_its_activities_keeps_fund_balances_and_reopening_restores_them(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    make_fund(app, office.code, "TALENT", preset="talent_endowment")
    # 2024 is closed first: GENERAL's 2025 deficit is then paid from what 2024 left it.
    give(client, office, 8_000_000, fund="GENERAL", on="2024-05-01")
    assert client.post(office.url("/periods/2024/close"), json={}, headers=auth(office.approver)).status_code == 200
    give(client, office, 10_000_000, fund="HPD", on="2025-03-01")
    give(client, office, 2_000_000, fund="HPD", method="cash", on="2025-04-01")
    give(client, office, 5_000_000, fund="GENERAL", on="2025-05-01")
    give(client, office, 100_000_000, fund="TALENT", on="2025-01-10")
    interest = client.post(
        office.url("/interest"),
        json={"fund": "TALENT", "amount": 3_000_000, "on": "2025-06-30"},
        headers=auth(office.treasurer),
    )
    assert interest.status_code == 201, interest.get_json()
    mai = pupil(app, office)
    gifted = pupil(app, office, "excellent_achievement", name="Lê Minh Khang")
    assert disburse(client, office, spend_body("HPD", 1_500_000, mai, paid_on="2025-09-05")).status_code == 201
    running = spend_body("GENERAL", 7_000_000, None, kind="operating", paid_on="2025-10-01")
    assert disburse(client, office, running).status_code == 201
    award = spend_body("TALENT", 1_000_000, gifted, kind="award", paid_on="2025-11-20")
    assert disburse(client, office, award).status_code == 201
    funds_before = balances(client, office)
    accounts_before = account_balances(app, office.code)
    activity = revenue_and_expense(app, office.code)
    assert activity[("511", "HPD")] == -12_000_000 and activity[("642", "GENERAL")] == 7_000_000

    closed = client.post(office.url("/periods/2025/close"), json={}, headers=auth(office.approver))
    assert closed.status_code == 200, closed.get_json()
    closing_seqs = closed.get_json()["closing_entries"]
    assert len(closing_seqs) == 3  # one per fund with activity: GENERAL, HPD, TALENT

    # Revenue and expenses are at zero for 2026; each fund's net assets are what they were.
    assert revenue_and_expense(app, office.code) == {}
    assert balances(client, office) == funds_before
    after = account_balances(app, office.code)
    assert after[("421", "HPD")] == -(12_000_000 - 1_500_000)  # a surplus: credit
    assert after[("421", "GENERAL")] == -8_000_000 + (7_000_000 - 5_000_000)  # 2025's deficit less 2024's surplus
    assert after[("421", "TALENT")] == -(100_000_000 + 3_000_000 - 1_000_000)
    assert ("911", "HPD") not in after
    trial_balance_is_balanced(app, office.code)
    verify = client.get(office.url("/verify"), headers=auth(office.approver)).get_json()
    assert verify["ok"] and verify["balances_ok"] and verify["documents_ok"], verify
    entry = client.get(office.url(f"/entries/{closing_seqs[1]}"), headers=auth(office.approver)).get_json()
    assert (entry["kind"], entry["date"]) == ("closing", "2025-12-31")
    assert {line["fund"] for line in entry["lines"]} == {"HPD"}

    # The next year's activity starts from nothing; an endowment keeps the income it earned.
    give(client, office, 1_000_000, fund="HPD", on="2026-01-05")
    assert revenue_and_expense(app, office.code) == {("511", "HPD"): -1_000_000}
    spend = {**award, "amount": 2_000_000, "paid_on": "2026-01-06"}
    assert disburse(client, office, spend).status_code == 201, "the income of 2025 stays spendable"
    over = {**award, "amount": 1, "paid_on": "2026-01-06"}
    refused(disburse(client, office, over), "purpose_violation", "endowment_income")

    # A closing entry is not reversed by hand: the year is reopened.
    by_hand = client.post(
        office.url(f"/entries/{closing_seqs[0]}/reverse"), json={"reason": "Thử"}, headers=auth(office.treasurer)
    )
    assert refused(by_hand, "validation_error")["errors"] == {"seq": ["a closing entry; reopen the year instead"]}

    asked = client.post(
        office.url("/periods/2025/reopen"), json={"reason": "Điều chỉnh theo kiểm toán"}, headers=auth(office.admin)
    )
    assert asked.status_code == 202, asked.get_json()
    # A reopening takes a second person (issue 15): the approver approves the admin's request.
    reopened = client.post(
        office.url(f"/approvals/{asked.get_json()['id']}/approve"), json={}, headers=auth(office.approver)
    )
    assert reopened.status_code == 200, reopened.get_json()
    assert len(reopened.get_json()["outcome"]["closing_entries"]) == 3
    restored = account_balances(app, office.code)
    assert restored[("511", "HPD")] == accounts_before[("511", "HPD")] - 1_000_000
    assert {k: v for k, v in restored.items() if k[0] in ("421", "911")} == {("421", "GENERAL"): -8_000_000}
    assert revenue_and_expense(app, office.code)[("642", "GENERAL")] == 7_000_000
    trial_balance_is_balanced(app, office.code)
    assert client.get(office.url("/verify"), headers=auth(office.approver)).get_json()["ok"]

    # Closed again, the year closes what it holds now, once.
    again = client.post(office.url("/periods/2025/close"), json={}, headers=auth(office.approver))
    assert again.status_code == 200 and len(again.get_json()["closing_entries"]) == 3
    assert revenue_and_expense(app, office.code) == {("511", "HPD"): -1_000_000, ("614", "TALENT"): 2_000_000}


def test_a_year_without_activity_closes_without_entries(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    closed = client.post(office.url("/periods/2024/close"), json={}, headers=auth(office.approver))
    assert closed.status_code == 200 and closed.get_json()["closing_entries"] == []


def test_closing_entries_balance_per_fund_and_close_sub_accounts_too() -> None:
    balances_ = [
        ClosingBalance("511", "HPD", AccountType.REVENUE, -10_000_000),
        ClosingBalance("611.1", "HPD", AccountType.EXPENSE, 4_000_000),
        ClosingBalance("611", "HPD", AccountType.EXPENSE, 1_000_000),
        ClosingBalance("642", "GENERAL", AccountType.EXPENSE, 300_000),
        ClosingBalance("515", "GENERAL", AccountType.REVENUE, 0),
    ]
    drafts = closing_entries(2025, balances_)
    assert [d.kind for d in drafts] == ["closing", "closing"]
    general, hpd = drafts
    for draft in drafts:
        validate_entry(draft)
        assert draft.entry_on == date(2025, 12, 31)
    assert [(line.account, line.debit_vnd, line.credit_vnd) for line in hpd.lines] == [
        ("511", 10_000_000, 0),
        ("611", 0, 1_000_000),
        ("611.1", 0, 4_000_000),
        ("911", 0, 10_000_000),
        ("911", 5_000_000, 0),
        ("911", 5_000_000, 0),
        ("421", 0, 5_000_000),
    ]
    assert [(line.account, line.debit_vnd, line.credit_vnd) for line in general.lines] == [
        ("642", 0, 300_000),
        ("911", 300_000, 0),
        ("911", 0, 300_000),
        ("421", 300_000, 0),
    ]


def test_a_programme_sub_account_takes_spending_and_is_closed_with_the_year(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD", on="2025-03-01")  # the chart is now cached in this process
    body = {"code": "611.1", "name": "Học bổng Hoa Phượng Đỏ – THCS", "name_en": "Scholarships, lower secondary"}
    assert client.post(office.url("/accounts"), json=body, headers=auth(office.treasurer)).status_code == 403
    added = client.post(office.url("/accounts"), json=body, headers=auth(office.approver))
    assert added.status_code == 201, added.get_json()
    assert added.get_json() == {**body, "type": "expense"}
    for wrong, message in (
        ({**body}, "this account exists already"),
        ({**body, "code": "699.1"}, "no account 699 to add it under"),
        ({**body, "code": "611"}, "a sub-account's code is its parent's code, a dot and digits, e.g. 611.1"),
    ):
        refusal = client.post(office.url("/accounts"), json=wrong, headers=auth(office.approver))
        assert refused(refusal, "validation_error")["errors"] == {"code": [message]}
    mai = pupil(app, office)
    wrong_parent = spend_body("HPD", 1_000_000, mai, paid_on="2025-09-05", expense_account="611.1", kind="award")
    assert "expense_account" in refused(disburse(client, office, wrong_parent), "validation_error")["errors"]
    posted = disburse(client, office, spend_body("HPD", 1_000_000, mai, paid_on="2025-09-05", expense_account="611.1"))
    assert posted.status_code == 201, posted.get_json()
    assert ("611.1", 1_000_000) in {(line["account"], line["debit"]) for line in posted.get_json()["entry"]["lines"]}
    assert posted.get_json()["disbursement"]["expense_account"] == "611.1"
    voucher = client.get(posted.get_json()["voucher"]["pdf_url"].split("5000", 1)[1], headers=auth(office.treasurer))
    assert "Nợ / Debit: 611.1" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(voucher.data)).pages)

    assert client.post(office.url("/periods/2025/close"), json={}, headers=auth(office.approver)).status_code == 200
    assert revenue_and_expense(app, office.code) == {}
    assert account_balances(app, office.code)[("421", "HPD")] == -9_000_000
