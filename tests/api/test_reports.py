"""The auditors' statements over HTTP: every format says the same, past dates give past figures, access is the books'."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.factories import (
    Books,
    auth,
    donate,
    make_association,
    make_beneficiary,
    make_fund,
    make_user,
    set_up_books,
    spend,
)

REPORTS = ("trial-balance", "fund-balances", "activities")


def books_with_history(app: Flask) -> tuple[Books, str]:
    """Donations in October and November, a running cost in November; an auditor's token."""
    books = set_up_books(app)
    client = app.test_client()
    assert donate(client, books, 1_000_000, on="2026-10-05").status_code == 201
    assert donate(client, books, 4_000_000, method="bank", on="2026-11-10").status_code == 201
    assert spend(client, books, 300_000, on="2026-11-12").status_code == 201
    _, auditor = make_user(app, books.code, "auditor")
    return books, auditor


def get(client: FlaskClient, token: str, code: str, report: str, **params: Any) -> Any:
    return client.get(f"/api/v1/associations/{code}/reports/{report}", query_string=params, headers=auth(token))


def csv_table(body: bytes) -> list[list[str]]:
    """The CSV's rows after its facts and header: the table as a reader sees it."""
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    blank = rows.index([])
    return rows[blank + 2 :]


def xlsx_table(body: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    blank = next(i for i, row in enumerate(rows) if all(cell is None for cell in row))
    return rows[blank + 2 :]


def test_trial_balance_at_a_past_date_gives_that_dates_figures(app: Flask, client: FlaskClient) -> None:
    books, auditor = books_with_history(app)
    past = get(client, auditor, books.code, "trial-balance", as_of="2026-10-31").json
    rows = {(r["account"], r["fund"]): (r["debit"], r["credit"]) for r in past["rows"]}
    assert rows == {("111", "GENERAL"): (1_000_000, 0), ("511", "GENERAL"): (0, 1_000_000)}
    assert past["period"] == {"from": None, "to": None, "as_of": "2026-10-31"}
    now = get(client, auditor, books.code, "trial-balance", as_of="2026-11-30").json
    rows = {(r["account"], r["fund"]): (r["debit"], r["credit"]) for r in now["rows"]}
    assert rows == {
        ("111", "GENERAL"): (700_000, 0),
        ("112", "GENERAL"): (4_000_000, 0),
        ("511", "GENERAL"): (0, 5_000_000),
        ("642", "GENERAL"): (300_000, 0),
    }
    assert now["totals"] == {"debit": 5_000_000, "credit": 5_000_000}
    assert now["head_seq"] == 3 and len(now["head_hash"]) == 64


def test_fund_statement_adds_up_from_opening_to_closing(app: Flask, client: FlaskClient) -> None:
    books, auditor = books_with_history(app)
    body = get(client, auditor, books.code, "fund-balances", **{"from": "2026-11-01", "to": "2026-11-30"}).json
    (row,) = body["rows"]
    assert row["fund"] == "GENERAL"
    assert (row["opening"], row["received_cash"], row["received_bank"]) == (1_000_000, 0, 4_000_000)
    assert (row["spent_operating"], row["spent"], row["closing"]) == (300_000, 300_000, 4_700_000)
    assert row["opening"] + row["received"] - row["spent"] + row["transfers"] + row["other"] == row["closing"]
    assert row["other"] == 0 and row["available"] == row["closing"] - row["reserved"]


def test_every_format_holds_the_same_numbers(app: Flask, client: FlaskClient) -> None:
    books, auditor = books_with_history(app)
    for report in REPORTS:
        params = {"from": "2026-01-01", "to": "2026-11-30"} if report != "trial-balance" else {"as_of": "2026-11-30"}
        body = get(client, auditor, books.code, report, **params).json
        as_csv = csv_table(get(client, auditor, books.code, report, format="csv", **params).data)
        as_xlsx = xlsx_table(get(client, auditor, books.code, report, format="xlsx", **params).data)
        assert body["rows"], report
        assert len(as_csv) == len(as_xlsx) == len(body["rows"]) + 1, report  # and the totals row
        money = [(i, c["key"]) for i, c in enumerate(body["columns"]) if c["kind"] == "money"]
        for row, from_csv, from_xlsx in zip(body["rows"], as_csv, as_xlsx, strict=False):
            for i, key in money:
                assert row[key] == int(from_csv[i]) == from_xlsx[i], (report, key)
        for i, key in money:
            if key in body["totals"]:
                assert body["totals"][key] == int(as_csv[-1][i]) == as_xlsx[-1][i], (report, key)
        pdf = get(client, auditor, books.code, report, format="pdf", **params)
        assert pdf.mimetype == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
        assert books.code in text and "Trang / Page 1" in text


def test_an_auditor_of_the_parent_reads_a_child_and_an_outsider_gets_404(app: Flask, client: FlaskClient) -> None:
    parent = make_association(app, level="province")
    child = make_association(app, parent=parent)
    _, parent_auditor = make_user(app, parent, "auditor")
    _, outsider = make_user(app, make_association(app), "auditor")
    assert get(client, parent_auditor, child, "trial-balance").status_code == 200
    assert get(client, outsider, child, "trial-balance").status_code == 404
    _, child_auditor = make_user(app, child, "auditor")
    assert get(client, child_auditor, parent, "trial-balance").status_code == 404


def test_every_download_is_in_the_audit_log(app: Flask, client: FlaskClient) -> None:
    books, auditor = books_with_history(app)
    for fmt in ("json", "csv", "xlsx", "pdf"):
        assert get(client, auditor, books.code, "fund-balances", format=fmt).status_code == 200
    log = client.get(f"/api/v1/associations/{books.code}/audit-log", headers=auth(auditor)).json["items"]
    downloads = [(e["object_id"], e["detail"]["format"]) for e in log if e["action"] == "report.download"]
    assert downloads == [("fund-balances", fmt) for fmt in ("json", "csv", "xlsx", "pdf")]


def test_the_associations_list_shows_what_the_caller_may_read(app: Flask, client: FlaskClient) -> None:
    province = make_association(app, level="province")
    city = make_association(app, parent=province)
    ward = make_association(app, parent=city, level="commune")
    other = make_association(app)
    _, auditor = make_user(app, province, "auditor")
    listed = client.get("/api/v1/associations", headers=auth(auditor)).json
    assert [a["code"] for a in listed["items"]] == sorted([province, city, ward])
    assert {a["code"]: a["parent"] for a in listed["items"]}[ward] == city
    _, treasurer = make_user(app, city, "treasurer")
    assert [a["code"] for a in client.get("/api/v1/associations", headers=auth(treasurer)).json["items"]] == [city]
    first = client.get("/api/v1/associations", query_string={"limit": 1}, headers=auth(auditor)).json
    assert len(first["items"]) == 1 and first["next_cursor"] == first["items"][0]["code"]
    assert other not in {a["code"] for a in listed["items"]}
    assert client.get("/api/v1/associations").status_code == 401


def test_the_cash_book_runs_from_its_opening_balance_with_each_receipt_and_voucher_number(
    app: Flask, client: FlaskClient
) -> None:
    books, auditor = books_with_history(app)
    assert donate(client, books, 250_000, on="2026-11-15").status_code == 201
    body = get(client, auditor, books.code, "cash-book", **{"from": "2026-11-01", "to": "2026-11-30"}).json
    opening, *lines = body["rows"]
    assert (opening["memo"].startswith("Số dư đầu kỳ"), opening["balance"]) == (True, 1_000_000)
    assert [(r["paid"], r["received"], r["balance"]) for r in lines] == [(300_000, 0, 700_000), (0, 250_000, 950_000)]
    assert lines[0]["document"].startswith(f"{books.code}-PC-2026-") and lines[1]["document"].startswith(books.code)
    assert body["totals"] == {"received": 250_000, "paid": 300_000, "balance": 950_000, "opening": 1_000_000}
    bank = get(client, auditor, books.code, "bank-book", **{"from": "2026-11-01", "to": "2026-11-30"}).json
    assert bank["totals"]["balance"] == 4_000_000
    as_csv = csv_table(get(client, auditor, books.code, "cash-book", format="csv", **{"from": "2026-11-01"}).data)
    assert as_csv[-1][-1] == "950000"


def test_the_general_journal_and_ledger_stream_in_every_format(app: Flask, client: FlaskClient) -> None:
    books, auditor = books_with_history(app)
    journal = get(client, auditor, books.code, "general-journal").json
    assert [(r["seq"], r["account"]) for r in journal["rows"]] == [
        (1, "111"),
        (1, "511"),
        (2, "112"),
        (2, "511"),
        (3, "642"),
        (3, "111"),
    ]
    assert journal["rows"][0]["document"].startswith(books.code) and journal["head_seq"] == 3
    ledger = get(client, auditor, books.code, "general-ledger", **{"from": "2026-11-01"}).json
    cash = [r for r in ledger["rows"] if r["account"] == "111"]
    assert [(r["seq"], r["balance"]) for r in cash] == [(0, 1_000_000), (3, 700_000)]
    for fmt in ("csv", "xlsx", "pdf"):
        response = get(client, auditor, books.code, "general-ledger", format=fmt)
        assert response.data and response.headers["Content-Disposition"].startswith("attachment")
    assert len(csv_table(get(client, auditor, books.code, "general-journal", format="csv").data)) == 6


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_defused(app: Flask, client: FlaskClient) -> None:
    books, auditor = books_with_history(app)
    trap = '=HYPERLINK("http://evil.example","Bấm vào đây")'
    assert donate(client, books, 10_000, on="2026-11-20", memo=trap).status_code == 201
    as_csv = csv_table(get(client, auditor, books.code, "general-journal", format="csv").data)
    memos = [row[4] for row in as_csv]
    assert "'" + trap in memos and trap not in memos
    sheet = load_workbook(io.BytesIO(get(client, auditor, books.code, "general-journal", format="xlsx").data))
    cells = [cell for row in sheet.worksheets[0].iter_rows() for cell in row if cell.value == trap]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_the_goods_book_counts_and_values_goods_in_out_and_on_hand_at_average_cost(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    package = "Gói quà Tết"
    goods = [{"description": package, "quantity": 10, "unit": "gói", "unit_value": 400_000}]
    assert donate(client, books, 4_000_000, method="in_kind", items=goods, on="2026-10-02").status_code == 201
    goods = [{"description": package, "quantity": 20, "unit": "gói", "unit_value": 500_000}]
    assert donate(client, books, 10_000_000, method="in_kind", items=goods, on="2026-11-02").status_code == 201
    beneficiary = make_beneficiary(app, books.code)
    handed = spend(
        client,
        books,
        1_400_000,
        kind="tet_gift",
        paid_from="in_kind",
        beneficiary_id=beneficiary,
        items=[{"description": package, "quantity": 3, "unit": "gói"}],
        on="2026-11-03",
    )
    assert handed.status_code == 201, handed.get_json()
    _, auditor = make_user(app, books.code, "auditor")
    body = get(client, auditor, books.code, "goods-book", **{"from": "2026-11-01", "to": "2026-11-30"}).json
    (row,) = body["rows"]
    assert (row["item"], row["opening_quantity"], row["opening_value"]) == (package, 10, 4_000_000)
    assert (row["in_quantity"], row["in_value"], row["out_quantity"], row["out_value"]) == (
        20,
        10_000_000,
        3,
        1_400_000,
    )
    assert (row["closing_quantity"], row["closing_value"], row["average_cost"]) == (27, 12_600_000, 466_666)
    october = get(client, auditor, books.code, "goods-book", **{"from": "2026-10-01", "to": "2026-10-31"}).json
    assert [(r["closing_quantity"], r["closing_value"]) for r in october["rows"]] == [(10, 4_000_000)]


def test_the_audit_log_and_a_verification_report_download_in_every_format(app: Flask, client: FlaskClient) -> None:
    books, auditor = books_with_history(app)
    assert get(client, auditor, books.code, "trial-balance", format="csv").status_code == 200
    log = get(client, auditor, books.code, "audit-log").json
    actions = [row["action"] for row in log["rows"]]
    assert "report.download" in actions and len(actions) >= 4
    verified = get(client, auditor, books.code, "verification").json
    assert verified["ok"] is True and verified["entries"] == 3 and verified["first_bad_seq"] is None
    assert verified["head_seq"] == 3 and len(verified["head_hash"]) == 64
    assert [row["result"] for row in verified["rows"]] == ["ĐẠT / OK"] * 4
    for fmt in ("csv", "xlsx", "pdf"):
        for name in ("audit-log", "verification"):
            assert get(client, auditor, books.code, name, format=fmt).status_code == 200


def test_a_donors_statement_downloads_as_csv_and_xlsx_with_money_apart_from_goods(
    app: Flask, client: FlaskClient
) -> None:
    books, auditor = books_with_history(app)
    goods = [{"description": "Bộ sách giáo khoa", "quantity": 5, "unit": "bộ", "unit_value": 180_000}]
    assert donate(client, books, 900_000, method="in_kind", items=goods, on="2026-11-14").status_code == 201
    url = f"/api/v1/associations/{books.code}/donors/{books.donor_id}/statement"
    as_csv = csv_table(client.get(url, query_string={"year": 2026, "format": "csv"}, headers=auth(auditor)).data)
    assert [(row[4], row[5]) for row in as_csv[:-1]] == [
        ("1000000", "0"),
        ("4000000", "0"),
        ("0", "900000"),
    ]
    assert as_csv[-1][4:6] == ["5000000", "900000"]
    as_xlsx = xlsx_table(client.get(url, query_string={"year": 2026, "format": "xlsx"}, headers=auth(auditor)).data)
    assert [(row[4], row[5]) for row in as_xlsx] == [(1_000_000, 0), (4_000_000, 0), (0, 900_000), (5_000_000, 900_000)]


def test_an_entry_dated_in_the_past_after_a_report_counts_at_its_date(app: Flask, client: FlaskClient) -> None:
    """The day and month movements are brought up to date by entry number: a late entry dated last month
    is found at last month's dates by the next report, though the months before had been read already."""
    books, auditor = books_with_history(app)
    before = get(client, auditor, books.code, "trial-balance", as_of="2026-10-31").json
    assert before["totals"]["debit"] == 1_000_000 and before["head_seq"] == 3
    assert donate(client, books, 750_000, on="2026-10-20").status_code == 201
    after = get(client, auditor, books.code, "trial-balance", as_of="2026-10-31").json
    rows = {(r["account"], r["fund"]): (r["debit"], r["credit"]) for r in after["rows"]}
    assert rows == {("111", "GENERAL"): (1_750_000, 0), ("511", "GENERAL"): (0, 1_750_000)}
    assert after["head_seq"] == 4
    september = get(client, auditor, books.code, "trial-balance", as_of="2026-09-30").json
    assert september["rows"] == [] and september["head_seq"] == 4


def test_a_closed_year_still_shows_its_revenue_and_spending(app: Flask, client: FlaskClient) -> None:
    """The year-end close moves revenue and expenses into the funds (911, 421): statements leave its
    entries out of the flows, and the trial balance after it shows the result carried forward."""
    books = set_up_books(app)
    assert donate(client, books, 3_000_000, on="2025-05-02").status_code == 201
    assert spend(client, books, 500_000, on="2025-06-03").status_code == 201
    _, approver = make_user(app, books.code, "approver")
    closed = client.post(f"/api/v1/associations/{books.code}/periods/2025/close", json={}, headers=auth(approver))
    assert closed.status_code in (200, 201), closed.get_json()
    _, auditor = make_user(app, books.code, "auditor")
    year = {"from": "2025-01-01", "to": "2025-12-31"}
    activities = get(client, auditor, books.code, "activities", **year).json
    assert activities["totals"] == {"revenue": 3_000_000, "expense": 500_000, "result": 2_500_000}
    (row,) = get(client, auditor, books.code, "fund-balances", **year).json["rows"]
    assert (row["received"], row["spent"], row["other"], row["closing"]) == (3_000_000, 500_000, 0, 2_500_000)
    after = get(client, auditor, books.code, "trial-balance", as_of="2025-12-31").json
    assert after["totals"]["debit"] == after["totals"]["credit"] == 2_500_000
    assert {r["account"] for r in after["rows"]} <= {"111", "112", "421", "431"}


def test_the_fund_statement_to_today_shows_an_endowments_spendable_income_as_available_like_the_api(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    make_fund(app, books.code, "KHUYEN-TAI", preset="talent_endowment")
    assert donate(client, books, 500_000_000, fund="KHUYEN-TAI", method="bank").status_code == 201
    earned = client.post(
        f"/api/v1/associations/{books.code}/interest",
        json={"fund": "KHUYEN-TAI", "amount": 16_000_000, "on": "2026-11-25"},
        headers=auth(books.treasurer),
    )
    assert earned.status_code == 201, earned.get_json()
    funds = client.get(f"/api/v1/associations/{books.code}/funds", headers=auth(books.treasurer)).get_json()
    api_available = next(f["available_balance"] for f in funds["items"] if f["code"] == "KHUYEN-TAI")
    report = get(client, books.treasurer, books.code, "fund-balances").get_json()
    row = next(r for r in report["rows"] if r["fund"] == "KHUYEN-TAI")
    # The principal is never spent: only the income is available, in the statement as in the API.
    assert row["closing"] == 516_000_000 and row["available"] == api_available == 16_000_000


def test_a_report_period_outside_the_years_books_can_hold_is_refused_not_a_server_error(
    app: Flask, client: FlaskClient
) -> None:
    books = set_up_books(app)
    for report in ("consolidated", "fund-balances", "trial-balance", "cash-book"):
        answer = get(client, books.treasurer, books.code, report, **{"from": "0001-01-01"})
        assert answer.status_code == 422, (report, answer.status_code)
        assert answer.get_json()["code"] == "validation_error"
    assert get(client, books.treasurer, books.code, "trial-balance", as_of="9999-12-31").status_code == 422
