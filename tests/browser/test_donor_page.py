"""A donor opens the link from their e-mail: their receipts, the year's statement, what the fund spent."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser
from pypdf import PdfReader

from ledger.services import donor_portal
from tests.api.test_donor_pages import set_email
from tests.donor_support import donor_scene
from tests.factories import work

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_a_donor_follows_their_link_reads_their_receipts_and_downloads_a_receipt_and_the_statement(
    app: Flask, browser: Browser, live_url: str
) -> None:
    client = app.test_client()
    scene = donor_scene(app, client)
    set_email(app, scene.office.donor_id, "nhung.browser@example.vn")
    with work(app) as uow:
        token = donor_portal.issue_link(uow, app.config["SECRET_KEY"], scene.office.code, scene.office.donor_id)
    page = browser.new_page(locale="vi-VN", viewport={"width": 1100, "height": 900})
    try:
        page.goto(f"{live_url}/donor/link/{token}")
        assert page.locator("[data-field=donor]").inner_text() == "Nguyễn Thị Hồng Nhung"
        # The page opens on this year (by the app's clock); the donor picks 2026 when it is another year.
        if page.locator("[data-field=years] strong").inner_text() != "2026":
            page.locator("[data-field=years] a", has_text="2026").click()
        rows = page.locator("[data-receipt]")
        assert rows.count() == 5
        assert page.locator(f"[data-receipt='{scene.void}']").get_attribute("data-status") == "void"
        assert page.locator("[data-field=year_total]").inner_text() == "16.000.000 ₫"
        assert page.locator("[data-field=beneficiaries]").inner_text() == "2"
        content = page.content()
        assert scene.others_receipt not in content and not any(name in content for name in scene.pupils)
        receipt_href = page.locator(f"[data-receipt='{scene.hpd[0]}'] [data-action=receipt-pdf]").get_attribute("href")
        assert receipt_href is not None
        receipt = page.request.get(f"{live_url}{receipt_href}")
        assert receipt.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.body())).pages)
        assert scene.hpd[0] in text
        statement_href = page.locator("[data-action=statement-pdf]").get_attribute("href")
        statement = page.request.get(f"{live_url}{statement_href}")
        assert "16.000.000 ₫" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(statement.body())).pages)
        # Another donor's receipt, asked for by its address, does not exist for this donor.
        assert (
            page.request.get(f"{live_url}/donor/{scene.office.code}/receipts/{scene.others_receipt}.pdf").status == 404
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "donor-page-desktop.png"), full_page=True)
    finally:
        page.close()
