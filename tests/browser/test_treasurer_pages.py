"""A treasurer and a chair at work in the browser: donations, receipts, a refused and an approved spend.

Each step asserts what the page shows and what the ledger holds (read through the JSON API,
which calls the same services). The same flow runs with the pages in Vietnamese and in
English; the Vietnamese run saves the README's screenshots (desktop and 360-px phone) in docs/.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from ledger.services import logins
from tests.factories import (
    PASSWORD,
    auth,
    make_association,
    make_beneficiary,
    make_donor,
    make_fund,
    make_user,
    work,
)
from tests.unit.test_ceremony_sheet import cp1258

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}

WORDS = {
    "vi": {
        "receipt_saved": "Đã ghi khoản tài trợ",
        "refusal": "Tối đa mỗi lần chi",
        "pending": "chờ chủ tịch hội duyệt",
        "approved": "Đã duyệt: phiếu chi",
        "own": "Bạn lập khoản chi này",
        "threshold": "Vượt ngưỡng phải duyệt",
    },
    "en": {
        "receipt_saved": "Donation recorded",
        "refusal": "at most",
        "pending": "waits for the chair's approval",
        "approved": "Approved: voucher",
        "own": "You entered this disbursement",
        "threshold": "Above the fund's approval threshold",
    },
}


@dataclass
class Office:
    code: str
    treasurer_email: str
    treasurer_token: str
    treasurer_id: int
    chair_email: str
    donor_id: int
    beneficiary_id: int


def _email_of(app: Flask, user_id: int) -> str:
    with work(app) as uow:
        view = logins.login_view(uow, user_id)
        assert view is not None
        return view.email


def _office(app: Flask, threshold: int = 1_000_000) -> Office:
    code = make_association(app)
    treasurer_id, token = make_user(app, code, "treasurer")
    chair_id, _ = make_user(app, code, "approver")
    make_fund(
        app,
        code,
        "HPD",
        preset="hoa_phuong_do",
        policy={"approval_threshold": threshold, "max_per_disbursement": 2_000_000},
    )
    donor = make_donor(app, code, "Công ty Trường Sơn", kind="organisation", email="ketoan@truongson.example")
    pupil = make_beneficiary(app, code, "Hồ Thị Mai", school="THCS Nguyễn Trãi", grade="7A")
    return Office(code, _email_of(app, treasurer_id), token, treasurer_id, _email_of(app, chair_id), donor, pupil)


def _log_in(page: Page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")


def _shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    # Nothing may stick out sideways on a phone: the page is as wide as the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_treasurer_records_and_a_chair_approves_in_the_browser(
    app: Flask, browser: Browser, live_url: str, lang: str
) -> None:
    office = _office(app)
    client = app.test_client()
    api = f"/api/v1/associations/{office.code}"
    words = WORDS[lang]
    context = browser.new_context(locale="vi-VN", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        _log_in(page, live_url, office.treasurer_email)
        expect(page).to_have_url(f"{live_url}/a/{office.code}/")
        if lang == "en":
            page.get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            with work(app) as uow:
                assert logins.login_view(uow, office.treasurer_id).language == "en"  # type: ignore[union-attr]

        # A cash donation: the receipt is shown at once, and the ledger holds it.
        page.click(f"a[href='/a/{office.code}/donations/new']")
        page.select_option("#donor_id", str(office.donor_id))
        page.select_option("#fund", "HPD")
        page.select_option("#method", "cash")
        page.fill("#amount", "30.000.000")
        page.fill("#received_on", "20/11/2026")
        if lang == "vi":
            _shoot(page, "donation-form")
        page.click("#submit")
        expect(page.locator(".flash")).to_contain_text(words["receipt_saved"])
        number = page.locator("[data-field=number]").inner_text()
        expected_amount = "30.000.000 ₫" if lang == "vi" else "30,000,000 ₫"
        expect(page.locator("[data-field=amount]")).to_have_text(expected_amount)
        expect(page.locator("[data-field=date]")).to_have_text("20/11/2026" if lang == "vi" else "20 Nov 2026")
        receipt = client.get(f"{api}/receipts/{number}", headers=auth(office.treasurer_token)).get_json()
        assert (receipt["amount"], receipt["fund"], receipt["donor_id"]) == (30_000_000, "HPD", office.donor_id)

        # The receipt's PDF opens from the page and is the receipt just recorded.
        href = page.locator("#open-pdf").get_attribute("href")
        pdf = page.request.get(f"{live_url}{href}")
        assert pdf.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
        assert number in text and "30.000.000" in text

        # An in-kind donation with two rows of goods.
        page.click(f"a[href='/a/{office.code}/donations/new']")
        page.select_option("#donor_id", str(office.donor_id))
        page.select_option("#fund", "HPD")
        page.select_option("#method", "in_kind")
        page.fill("#received_on", "21/11/2026")
        for row, (description, quantity, unit, value) in enumerate(
            [("Vở học sinh", "100", "quyển", "12.000"), ("Bút bi", "50", "cây", "5.000")]
        ):
            page.fill(f"#items-{row}-description", description)
            page.fill(f"#items-{row}-quantity", quantity)
            page.fill(f"#items-{row}-unit", unit)
            page.fill(f"#items-{row}-unit_value", value)
        page.click("#submit")
        expect(page.locator("[data-field=amount]")).to_have_text("1.450.000 ₫" if lang == "vi" else "1,450,000 ₫")
        goods_number = page.locator("[data-field=number]").inner_text()
        goods = client.get(f"{api}/receipts/{goods_number}", headers=auth(office.treasurer_token)).get_json()
        assert (goods["amount"], goods["method"]) == (1_450_000, "in_kind")

        # A spend above the fund's cap per disbursement: refused, the rule's sentence by the amount.
        page.click(f"a[href='/a/{office.code}/disbursements/new']")
        page.select_option("#fund", "HPD")
        page.select_option("#kind", "scholarship")
        page.select_option("#beneficiary_id", str(office.beneficiary_id))
        page.fill("#amount", "2.500.000")
        page.fill("#paid_on", "22/11/2026")
        page.click("#submit")
        refusal = page.locator("[data-error-for=amount]")
        expect(refusal).to_have_attribute("data-rule", "max_per_disbursement")
        expect(refusal).to_contain_text("2.000.000" if lang == "vi" else "2,000,000")
        expect(page.locator("#amount")).to_have_attribute("aria-describedby", re.compile(r"\bamount-error\b"))
        expect(page.locator("#amount")).to_have_attribute("aria-invalid", "true")
        listed = client.get(f"{api}/disbursements", headers=auth(office.treasurer_token)).get_json()
        assert listed["items"] == []

        # A spend above the approval threshold: the preview says so before submitting, then it waits.
        page.fill("#amount", "1.500.000")
        page.locator("#amount").dispatch_event("change")
        expect(page.locator("[data-preview-approval]")).to_contain_text(words["threshold"])
        expect(page.locator("#spend-preview [data-figure=beneficiary-received]")).to_have_text("0 ₫")
        page.click("#submit")
        expect(page.locator(".flash")).to_contain_text(words["pending"])
        pending = client.get(f"{api}/approvals", headers=auth(office.treasurer_token)).get_json()["items"]
        assert [(p["amount"], p["status"]) for p in pending] == [(1_500_000, "pending")]
        fund = client.get(f"{api}/funds/HPD", headers=auth(office.treasurer_token)).get_json()
        assert (fund["reserved"], fund["available_balance"]) == (1_500_000, 31_450_000 - 1_500_000)
        if lang == "vi":
            _shoot(page, "dashboard")

        # The maker sees the request in the queue, and no approve button on it.
        page.click(f"a[href='/a/{office.code}/approvals']")
        item = page.locator(f"[data-approval='{pending[0]['id']}']")
        expect(item.locator("[data-own]")).to_contain_text(words["own"])
        assert item.locator("input[name$=approve]").count() == 0

        # The chair logs in and approves it; the ledger posts it with a voucher.
        page.locator("form[action='/logout'] button").click()
        _log_in(page, live_url, office.chair_email)
        page.click(f"a[href='/a/{office.code}/approvals']")
        item = page.locator(f"[data-approval='{pending[0]['id']}']")
        expect(item.locator("[data-field=reason]")).to_contain_text(words["threshold"])
        if lang == "vi":
            _shoot(page, "approvals")
        item.locator("input[name$=approve]").click()
        expect(page.locator(".flash")).to_contain_text(words["approved"])
        posted = client.get(f"{api}/disbursements/{pending[0]['id']}", headers=auth(office.treasurer_token)).get_json()
        assert posted["status"] == "posted" and posted["voucher_number"]
        # The voucher (phiếu chi) opens from the page to be printed and signed.
        link = page.locator(f"[data-voucher='{posted['voucher_number']}'] a").get_attribute("href")
        voucher = page.request.get(f"{live_url}{link}")
        assert voucher.headers["content-type"] == "application/pdf"
        assert posted["voucher_number"] in PdfReader(io.BytesIO(voucher.body())).pages[0].extract_text()
        fund = client.get(f"{api}/funds/HPD", headers=auth(office.treasurer_token)).get_json()
        assert (fund["reserved"], fund["posted_balance"]) == (0, 31_450_000 - 1_500_000)
    finally:
        context.close()


def _ceremony_sheet(path: Path, rows: list[tuple[str, str, str]]) -> None:
    """A ceremony's list as Vietnamese Excel saves "CSV": Windows-1258, ``;`` between cells."""
    lines = ["Quỹ;Nội dung chi;Họ và tên;Diện;Trường;Lớp;Số tiền (₫);Chi từ;Ngày chi;Ghi chú"]
    for number, (name, category, amount) in enumerate(rows, start=1):
        lines.append(
            f"HPD;Học bổng;{name};{category};THCS Lê Lợi;{6 + number % 4}A;{amount};Tiền mặt;20/11/2026;Lễ trao {number}"
        )
    text = "\r\n".join(lines) + "\r\n"
    path.write_bytes(cp1258(text.replace("₫", "đ")))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_treasurer_previews_a_ceremony_fixes_two_rows_and_posts_all_fifty(
    app: Flask, browser: Browser, live_url: str, lang: str, tmp_path: Path
) -> None:
    # The threshold counts a batch's total (75 million here): above it the ceremony would wait for the chair.
    office = _office(app, threshold=100_000_000)
    client = app.test_client()
    api = f"/api/v1/associations/{office.code}"
    donation = {
        "donor_id": office.donor_id,
        "fund": "HPD",
        "method": "cash",
        "amount": 200_000_000,
        "received_on": "2026-11-10",
    }
    assert client.post(f"{api}/donations", json=donation, headers=auth(office.treasurer_token)).status_code == 201
    surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Võ", "Đỗ", "Bùi", "Ngô"]
    given = ["Thị Mai", "Văn Đức", "Ngọc Ánh", "Minh Thư", "Quốc Huy"]
    rows = [(f"{surnames[i % 10]} {given[i // 10]} {i + 1}", "Hộ nghèo", "1.500.000") for i in range(50)]
    rows[6] = (rows[6][0], "Hộ nghèo", "2.500.000")  # above the fund's cap per disbursement
    rows[31] = (rows[31][0], "Giáo viên", "1.000.000")  # not a category the scholarship fund pays
    sheet = tmp_path / "le-trao-hoc-bong.csv"
    _ceremony_sheet(sheet, rows)
    context = browser.new_context(locale="vi-VN", viewport=DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        _log_in(page, live_url, office.treasurer_email)
        if lang == "en":
            page.get_by_role("button", name="English").click()
        page.click(f"a[href='/a/{office.code}/ceremonies/new']")
        template = page.request.get(f"{live_url}/a/{office.code}/ceremonies/template.xlsx")
        assert template.body()[:2] == b"PK"
        page.set_input_files("#sheet", str(sheet))
        page.fill("#memo", "Lễ trao học bổng Hoa Phượng Đỏ 2026")
        page.click("#submit")
        expect(page.locator("tr[data-line]")).to_have_count(50)
        expect(page.locator("[data-refused]")).to_have_attribute("data-refused", "2")
        expect(page.locator("tr[data-line='8'] [data-rule]")).to_have_attribute("data-rule", "max_per_disbursement")
        expect(page.locator("tr[data-line='33'] [data-rule]")).to_have_attribute("data-rule", "beneficiary_categories")
        expect(page.locator("tr[data-line='2']")).to_contain_text("Nguyễn Thị Mai 1")
        assert page.locator("#submit").count() == 0, "nothing can be posted while rows are refused"
        if lang == "vi":
            _shoot(page, "ceremony-preview")
        listed = client.get(f"{api}/disbursements", headers=auth(office.treasurer_token)).get_json()
        assert listed["items"] == []

        # The treasurer corrects the two rows in the spreadsheet and uploads it again.
        rows[6] = (rows[6][0], "Hộ nghèo", "2.000.000")
        rows[31] = (rows[31][0], "Mồ côi", "1.000.000")
        _ceremony_sheet(sheet, rows)
        page.click(f"a[href='/a/{office.code}/ceremonies/new']")
        page.set_input_files("#sheet", str(sheet))
        page.click("#submit")
        expect(page.locator("[data-refused]")).to_have_attribute("data-refused", "0")
        page.click("#submit")
        expect(page.locator(".flash")).to_contain_text("50")
        listed = client.get(f"{api}/disbursements?limit=100", headers=auth(office.treasurer_token)).get_json()
        assert len(listed["items"]) == 50 and {d["status"] for d in listed["items"]} == {"posted"}
        assert sum(d["amount"] for d in listed["items"]) == 48 * 1_500_000 + 2_000_000 + 1_000_000
        assert len({d["batch_id"] for d in listed["items"]}) == 1
        link = page.locator("[data-batch] a").get_attribute("href")
        printed = PdfReader(io.BytesIO(page.request.get(f"{live_url}{link}").body()))
        assert len(printed.pages) == 50
    finally:
        context.close()
