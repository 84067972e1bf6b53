"""Books that are right (issue 15, items 1, 2, 3 and 10): the liability sign, awards accrued and
paid, what a hand-made entry may do, unbalanced entries named first, and what is available."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ledger.persistence.models import Account, Association, Balance, Fund
from tests.factories import auth, make_fund, work
from tests.spending_support import Office, Snapshot, balances, disburse, give, open_office, pupil, refused, spend_body


def entry(*lines: tuple[str, str, str, int], kind: str = "general", on: str = "2026-11-21") -> dict[str, Any]:
    return {
        "date": on,
        "memo": "điều chỉnh",
        "kind": kind,
        "lines": [{"account": a, "fund": f, side: amount} for a, f, side, amount in lines],
    }


def post(client: FlaskClient, office: Office, body: dict[str, Any]) -> Any:
    return client.post(office.url("/entries"), json=body, headers=auth(office.treasurer))


def account_balance(app: Flask, office: Office, account: str, fund: str) -> int:
    """The materialised net debit of (account, fund)."""
    with work(app) as uow:
        found = uow.session.execute(
            select(Balance.net_debit_vnd)
            .join(Account, Account.id == Balance.account_id)
            .join(Fund, Fund.id == Balance.fund_id)
            .join(Association, Association.id == Balance.association_id)
            .where(Association.code == office.code, Account.code == account, Fund.code == fund)
        ).scalar_one_or_none()
    return int(found or 0)


# --- 1. Liabilities -----------------------------------------------------------------------------


def test_money_out_of_a_fund_dressed_as_a_payable_is_refused(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    give(client, office, 30_000_000)
    before = Snapshot(app, client, office)
    # Issue 15: this posted and left posted_balance unchanged although the bank fell by 10M.
    response = post(
        client,
        office,
        entry(
            ("431", "GENERAL", "debit", 20_000_000),
            ("112", "GENERAL", "credit", 10_000_000),
            ("338", "GENERAL", "credit", 10_000_000),
        ),
    )
    problem = refused(response, "validation_error", "general_entry")
    assert "payables (338)" in problem["errors"]["lines.2.account"][0]
    before.unchanged()


def test_an_award_is_accrued_to_338_and_paid_later_with_its_voucher(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    winner = pupil(app, office, category="excellent_achievement")
    accrued = disburse(client, office, spend_body("HPD", 1_500_000, winner, kind="award", paid_from="payable"))
    assert accrued.status_code == 201, accrued.get_json()
    assert accrued.get_json()["voucher"] is None
    # Net assets fall when the award is decided; the bank does not move until it is paid.
    assert balances(client, office)["HPD"] == (8_500_000, 0, 8_500_000)
    assert account_balance(app, office, "338", "HPD") == -1_500_000
    assert account_balance(app, office, "112", "HPD") == 10_000_000
    payment = {
        "fund": "HPD",
        "beneficiary_id": winner,
        "amount": 1_000_000,
        "paid_from": "bank",
        "paid_on": "2026-09-10",
    }
    paid = client.post(office.url("/payables/payments"), json=payment, headers=auth(office.treasurer))
    assert paid.status_code == 201, paid.get_json()
    assert paid.get_json()["voucher"]["number"].startswith(f"{office.code}-UNC-2026-")
    assert paid.get_json()["owed_after"] == 500_000
    # Paying what is owed moves no net assets (issue 15: it was refused as "falls by 2 × the amount").
    assert balances(client, office)["HPD"] == (8_500_000, 0, 8_500_000)
    assert account_balance(app, office, "112", "HPD") == 9_000_000
    before = Snapshot(app, client, office)
    too_much = client.post(
        office.url("/payables/payments"), json={**payment, "amount": 500_001}, headers=auth(office.treasurer)
    )
    assert refused(too_much, "more_than_owed")["owed"] == 500_000
    by_hand = post(client, office, entry(("338", "HPD", "debit", 500_000), ("112", "HPD", "credit", 500_000)))
    refused(by_hand, "validation_error", "general_entry")
    before.unchanged()


def test_an_award_is_not_accrued_beyond_what_the_fund_holds(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 1_000_000, fund="HPD")
    winner = pupil(app, office, category="excellent_achievement")
    ok = disburse(client, office, spend_body("HPD", 800_000, winner, kind="award", paid_from="payable"))
    assert ok.status_code == 201
    other = pupil(app, office, name="Lê Văn Nam", category="excellent_achievement")
    beyond = disburse(client, office, spend_body("HPD", 300_000, other, kind="award", paid_from="payable"))
    assert refused(beyond, "insufficient_funds")["available"] == 200_000


# --- 2. Hand-made entries -----------------------------------------------------------------------


def test_a_hand_made_entry_neither_fills_receivables_nor_pays_out_of_nothing(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    give(client, office, 5_000_000)
    before = Snapshot(app, client, office)
    into_pledges = post(
        client, office, entry(("138", "GENERAL", "debit", 1_000_000), ("112", "GENERAL", "credit", 1_000_000))
    )
    assert "pledges" in refused(into_pledges, "validation_error", "general_entry")["errors"]["lines.0.account"][0]
    out_of_nothing = post(
        client,
        office,
        entry(
            ("112", "GENERAL", "debit", 1_000_000),
            ("338", "GENERAL", "debit", 1_000_000),
            ("431", "GENERAL", "credit", 2_000_000),
        ),
    )
    refused(out_of_nothing, "validation_error", "general_entry")
    goods_moved = post(client, office, entry(("156", "GENERAL", "debit", 1_000), ("112", "GENERAL", "credit", 1_000)))
    refused(goods_moved, "validation_error", "general_entry")
    before.unchanged()
    assert (
        post(client, office, entry(("111", "GENERAL", "debit", 1_000), ("112", "GENERAL", "credit", 1_000))).status_code
        == 201
    )


# --- 3. Unbalanced entries ----------------------------------------------------------------------


def test_an_unbalanced_entry_is_named_so_before_any_other_rule_with_each_funds_difference(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    # A revenue account and a goods line would each break another rule: the imbalance speaks first.
    response = post(
        client,
        office,
        entry(("511", "GENERAL", "debit", 100), ("112", "GENERAL", "credit", 40), ("642", "HPD", "debit", 7)),
    )
    problem = refused(response, "unbalanced_entry")
    assert problem["differences"] == {"GENERAL": 60, "HPD": 7}
    english = client.post(
        office.url("/entries"),
        json=entry(("511", "GENERAL", "debit", 100), ("112", "GENERAL", "credit", 40)),
        headers=auth(office.treasurer, **{"Accept-Language": "en"}),
    )
    assert english.get_json()["detail"].startswith("The entry does not balance in fund GENERAL")


# --- 10. What is available ----------------------------------------------------------------------


def test_an_endowment_shows_its_income_as_available_not_its_principal(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "KHUYEN-TAI", preset="talent_endowment")
    give(client, office, 1_500_000_000, fund="KHUYEN-TAI")
    assert balances(client, office)["KHUYEN-TAI"] == (1_500_000_000, 0, 0)
    earned = client.post(
        office.url("/interest"),
        json={"fund": "KHUYEN-TAI", "amount": 40_000_000, "on": "2026-06-30"},
        headers=auth(office.treasurer),
    )
    assert earned.status_code == 201, earned.get_json()
    assert balances(client, office)["KHUYEN-TAI"] == (1_540_000_000, 0, 40_000_000)
    olympian = pupil(app, office, category="excellent_achievement")
    assert disburse(client, office, spend_body("KHUYEN-TAI", 15_000_000, olympian, kind="award")).status_code == 201
    assert balances(client, office)["KHUYEN-TAI"] == (1_525_000_000, 0, 25_000_000)


def test_pledged_money_is_available_only_once_collected(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    body = {"donor_id": office.donor_id, "fund": "GENERAL", "amount": 1_000_000, "pledged_on": "2026-03-01"}
    pledged = client.post(office.url("/pledges"), json=body, headers=auth(office.treasurer))
    assert pledged.status_code == 201, pledged.get_json()
    assert balances(client, office)["GENERAL"] == (1_000_000, 0, 0)
    pledge_id = pledged.get_json()["pledge"]["id"]
    collected = client.post(
        office.url(f"/pledges/{pledge_id}/collect"),
        json={"amount": 400_000, "method": "bank", "received_on": "2026-04-01"},
        headers=auth(office.treasurer),
    )
    assert collected.status_code == 201, collected.get_json()
    assert balances(client, office)["GENERAL"] == (1_000_000, 0, 400_000)


# --- 9 and 11. Balances and goods on the entry's own date ----------------------------------------


def test_cash_is_not_paid_out_before_the_fund_had_it(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    give(client, office, 10_000_000, method="cash", on="2026-08-20")
    before = Snapshot(app, client, office)
    # Issue 15: paid out on 15/01 when the fund's first money came on 20/08.
    early = disburse(
        client, office, spend_body("GENERAL", 1_000_000, None, kind="operating", paid_from="cash", paid_on="2026-01-15")
    )
    problem = refused(early, "insufficient_funds")
    assert (problem["rule"], problem["date"], problem["available"]) == ("balance_on_date", "2026-01-15", 0)
    before.unchanged()
    assert (
        disburse(
            client,
            office,
            spend_body("GENERAL", 1_000_000, None, kind="operating", paid_from="cash", paid_on="2026-08-20"),
        ).status_code
        == 201
    )


def test_a_backdated_spend_may_not_make_a_later_day_negative(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    give(client, office, 1_000_000, on="2026-03-01")
    operating = {"kind": "operating", "paid_from": "bank"}
    assert (
        disburse(client, office, spend_body("GENERAL", 800_000, None, paid_on="2026-05-01", **operating)).status_code
        == 201
    )
    before = Snapshot(app, client, office)
    # Covered on 01/04 (1,000,000) but 01/05 would end at -300,000.
    squeezed = disburse(client, office, spend_body("GENERAL", 500_000, None, paid_on="2026-04-01", **operating))
    assert refused(squeezed, "insufficient_funds")["available"] == 200_000
    before.unchanged()
    assert (
        disburse(client, office, spend_body("GENERAL", 200_000, None, paid_on="2026-04-01", **operating)).status_code
        == 201
    )


def test_goods_are_not_handed_out_before_they_arrived_and_are_valued_as_of_that_day(
    app: Flask, client: FlaskClient
) -> None:
    office = open_office(app)
    make_fund(app, office.code, "TET", restriction="restricted", name="Quà", policy={"allowed_kinds": ["tet_gift"]})
    package = "Gói quà Tết"
    give(
        client,
        office,
        1_000_000,
        fund="TET",
        method="in_kind",
        on="2026-01-05",
        items=[{"description": package, "quantity": 10, "unit": "gói", "unit_value": 100_000}],
    )
    give(
        client,
        office,
        4_000_000,
        fund="TET",
        method="in_kind",
        on="2026-06-01",
        items=[{"description": package, "quantity": 20, "unit": "gói", "unit_value": 200_000}],
    )
    child = pupil(app, office)
    pick = {
        "kind": "tet_gift",
        "paid_from": "in_kind",
        "items": [{"description": package, "quantity": 15, "unit": "gói"}],
    }
    # 30 packs now, but only 10 on 01/03: the stock would be -5 by date order.
    refused(
        disburse(client, office, spend_body("TET", None, child, paid_on="2026-03-01", **pick)), "insufficient_funds"
    )
    pick["items"][0]["quantity"] = 5
    early = disburse(client, office, spend_body("TET", None, child, paid_on="2026-03-01", **pick))
    assert early.status_code == 201, early.get_json()
    # Valued at what the fund held on 01/03 (100,000 a pack), not today's average (166,667).
    assert early.get_json()["disbursement"]["amount"] == 500_000
