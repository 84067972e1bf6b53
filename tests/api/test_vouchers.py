"""Disbursement vouchers (phiếu chi) as PDF: one, or a whole batch; a reversed one is marked void."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from ledger.services.vouchers import voucher_items
from tests.factories import auth, make_fund, reverse_approved
from tests.spending_support import audit_events, disburse, give, open_office, pupil, spend_body


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_a_posted_disbursement_has_a_voucher_pdf_with_the_amount_in_words(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    give(client, office, 10_000_000, fund="HPD")
    mai = pupil(app, office, name="Hồ Thị Ngọc Ánh")
    posted = disburse(client, office, spend_body("HPD", 1_500_000, mai, memo="Học bổng Hoa Phượng Đỏ")).get_json()
    number = posted["voucher"]["number"]
    response = client.get(posted["voucher"]["pdf_url"].split("5000", 1)[1], headers=auth(office.treasurer))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    (page,) = pdf_text(response.data)
    for expected in (number, "Hồ Thị Ngọc Ánh", "Một triệu năm trăm nghìn đồng", "Học bổng Hoa Phượng Đỏ"):
        assert expected in page, expected
    assert ("voucher.download", number) in audit_events(app, office)
    other = open_office(app)
    assert client.get(office.url(f"/vouchers/{number}.pdf"), headers=auth(other.treasurer)).status_code == 404
    assert client.get(office.url("/vouchers/NO-SUCH.pdf"), headers=auth(office.treasurer)).status_code == 404
    seq = posted["entry"]["seq"]
    reverse_approved(client, office.code, seq, "Trả nhầm người", office.treasurer, office.approver)
    (void,) = pdf_text(client.get(office.url(f"/vouchers/{number}.pdf"), headers=auth(office.treasurer)).data)
    assert "Trả nhầm người" in void


def test_a_batch_prints_one_voucher_a_page(app: Flask, client: FlaskClient) -> None:
    office = open_office(app)
    make_fund(
        app, office.code, "TET", restriction="restricted", name="Quà Tết", policy={"approval_threshold": 2_000_000}
    )
    package = {"description": "Gói quà Tết", "quantity": 3, "unit": "gói", "unit_value": 466_667}
    give(client, office, 1_400_001, fund="TET", method="in_kind", items=[package])
    pupils = [pupil(app, office, name=f"Học sinh {i}") for i in range(3)]
    one = {
        "kind": "tet_gift",
        "paid_from": "in_kind",
        "items": [{"description": "Gói quà Tết", "quantity": 1, "unit": "gói"}],
    }
    items = [spend_body("TET", None, p, **one) for p in pupils]
    body = client.post(office.url("/disbursements/batch"), json={"items": items}, headers=auth(office.treasurer))
    assert body.status_code == 201, body.get_json()
    url = body.get_json()["vouchers_pdf_url"].split("5000", 1)[1]
    response = client.get(url, headers=auth(office.treasurer))
    assert response.status_code == 200, response.get_json()
    pages = pdf_text(response.data)
    assert len(pages) == 3
    assert all(f"Học sinh {i}" in pages[i] for i in range(3))


def test_goods_valued_at_an_uneven_average_cost_still_add_up_on_the_voucher() -> None:
    items = voucher_items("Gói quà Tết", 3, "gói", 1_400_000)
    assert [(i.quantity, i.unit_value_vnd) for i in items] == [(2, 466_666), (1, 466_668)]
    assert sum(i.value_vnd for i in items) == 1_400_000
    assert [(i.quantity, i.unit_value_vnd) for i in voucher_items("Sách", 4, "cuốn", 200_000)] == [(4, 50_000)]
    assert [(i.quantity, i.unit_value_vnd) for i in voucher_items("Xe đạp", 1, "chiếc", 1_999_999)] == [(1, 1_999_999)]
