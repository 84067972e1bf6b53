"""A donor scans the QR code on a receipt and the browser shows whether it is genuine."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Browser

from tests.factories import donate, reverse_approved, set_up_books


def test_a_donor_sees_a_genuine_receipt_then_the_same_receipt_void(app: Flask, browser: Browser, live_url: str) -> None:
    client = app.test_client()
    books = set_up_books(app)
    body = donate(client, books, 1_200_000).get_json()
    token = body["receipt"]["verify_url"].rsplit("/", 1)[1]
    page = browser.new_page(locale="vi-VN")
    try:
        page.goto(f"{live_url}/verify/{token}")
        assert page.locator("[data-status]").get_attribute("data-status") == "valid"
        assert page.locator("[data-field=amount]").inner_text() == "1.200.000 ₫"
        assert page.locator("[data-field=number]").inner_text() == body["receipt"]["number"]
        assert "Nguyễn Thị Hồng Nhung" not in page.content()
        page.get_by_text("English").click()
        assert page.locator("[data-status]").inner_text().endswith("Genuine and valid receipt")

        reverse_approved(client, books.code, body["entry"]["seq"], "Trùng biên nhận", books.treasurer, books.approver)
        page.goto(f"{live_url}/verify/{token}")
        assert page.locator("[data-status]").get_attribute("data-status") == "void"
        assert page.locator("[data-field=voided_on]").is_visible() and "Trùng biên nhận" not in page.content()
        assert page.locator("[data-field=replaced_by]").count() == 0
        replacement = donate(client, books, 1_300_000, replaces=body["receipt"]["number"]).get_json()
        page.reload()
        assert page.locator("[data-field=replaced_by]").inner_text() == replacement["receipt"]["number"]
        page.goto(f"{live_url}/verify/made-up-token")
        assert page.locator("[data-status]").get_attribute("data-status") == "unknown"
    finally:
        page.close()
