"""Vouchers as Vietnamese accountants know them, read back from the PDFs the API serves:
forms 01-TT and 02-TT, ủy nhiệm chi and phiếu xuất kho, guardians and payees, the ceremony's
signing list and a company's sponsorship confirmation."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from ledger.persistence.models import Association, User
from ledger.services import users
from tests.factories import (
    PASSWORD,
    SYSTEM,
    auth,
    make_beneficiary,
    make_donor,
    make_fund,
    reverse_approved,
    unique_code,
    work,
)
from tests.spending_support import Office, audit_events, disburse, give, open_office, refused, spend_body

CHAIR, ACCOUNTANT, TREASURER = "Nguyễn Văn Bình", "Phạm Thị Mai", "Lê Thị Thu Hà"
ADDRESS = "Số 8 Lê Lợi, Đông Hà, Quảng Trị"


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def fetch(client: FlaskClient, office: Office, url: str) -> str:
    path = url.split("5000", 1)[1] if url.startswith("http") else url
    response = client.get(path, headers=auth(office.treasurer))
    assert response.status_code == 200 and response.mimetype == "application/pdf", response.get_json()
    return pdf_text(response.data)


def named(app: Flask, office: Office, role: str, name: str) -> None:
    """Someone with ``role`` in the office and a full name on record (printed under their signature)."""
    email = f"{unique_code('n').lower()}@example.vn"
    with work(app) as uow:
        users.create_user(uow, SYSTEM, email, PASSWORD, name=name)
        users.grant(uow, SYSTEM, email, office.code, role)
        uow.commit()


@dataclass
class Books:
    office: Office
    pupil: int
    school: int


def staffed_office(app: Flask, client: FlaskClient) -> Books:
    """An office whose chair, accountant and treasurer are on record by name, with an address,
    money in cash and at the bank, goods, a minor with her mother on record, and a school."""
    office = open_office(app)
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == office.code)).scalar_one()
        association.address = ADDRESS
        # The first approver is the chair, the first treasurer the cashier.
        uow.session.get_one(User, office.approver_id).name = CHAIR
        uow.session.get_one(User, office.treasurer_id).name = TREASURER
        uow.commit()
    # A second approver (a vice-chair) is not printed as the head of the association.
    named(app, office, "approver", "Hồ Văn Phó")
    named(app, office, "accountant", ACCOUNTANT)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    make_fund(app, office.code, "TU-SACH", preset="bookcases")
    give(client, office, 20_000_000, fund="HPD", method="cash", on="2026-08-01")
    give(client, office, 50_000_000, fund="TU-SACH", on="2026-03-01")
    package = {"description": "Gói quà Tết", "quantity": 40, "unit": "gói", "unit_value": 450_000}
    give(client, office, 18_000_000, method="in_kind", items=[package], on="2026-02-01")
    pupil = make_beneficiary(
        app,
        office.code,
        name="Võ Thị Phúc",
        school="Trường THCS Nguyễn Trãi",
        grade="8A",
        address="Phường 1, Đông Hà",
        guardian_name="Trần Thị Vân",
        guardian_relation="mẹ",
    )
    school = make_beneficiary(
        app, office.code, name="Trường Tiểu học Kim Đồng", category="school", kind="school", is_minor=False
    )
    return Books(office, pupil, school)


def test_each_voucher_kind_has_its_own_gapless_series_and_a_void_keeps_its_number(
    app: Flask, client: FlaskClient
) -> None:
    books = staffed_office(app, client)
    office = books.office
    cash = spend_body("HPD", 1_000_000, books.pupil, paid_from="cash")
    numbers = [disburse(client, office, cash).get_json()["voucher"]["number"] for _ in range(2)]
    bank = disburse(client, office, spend_body("TU-SACH", 12_000_000, books.school, kind="bookcase"))
    goods = {
        "kind": "support",
        "paid_from": "in_kind",
        "items": [{"description": "Gói quà Tết", "quantity": 1, "unit": "gói"}],
    }
    handed = disburse(client, office, spend_body("GENERAL", None, books.pupil, **goods))
    assert numbers == [f"{office.code}-PC-2026-000001", f"{office.code}-PC-2026-000002"]
    assert bank.get_json()["voucher"]["number"] == f"{office.code}-UNC-2026-000001"
    assert handed.get_json()["voucher"]["number"] == f"{office.code}-PX-2026-000001"
    # The cash donation of staffed_office had the first phiếu thu; bank and goods have none.
    donation = give(client, office, 500_000, method="cash", on="2026-09-01")["receipt"]
    assert donation["cash_voucher_number"] == f"{office.code}-PT-2026-000002"
    assert donation["cash_voucher_pdf_url"].endswith(f"/vouchers/{office.code}-PT-2026-000002.pdf")
    assert give(client, office, 500_000, on="2026-09-01")["receipt"]["cash_voucher_number"] is None
    cash_in = give(client, office, 300_000, method="cash", on="2026-09-02")
    reverse_approved(client, office.code, cash_in["entry"]["seq"], "Nhập nhầm", office.treasurer, office.approver)
    void_pt = fetch(client, office, cash_in["receipt"]["cash_voucher_pdf_url"])
    assert f"{office.code}-PT-2026-000003" in void_pt and "ĐÃ HỦY" in void_pt and "Nhập nhầm" in void_pt
    later = give(client, office, 300_000, method="cash", on="2026-09-03")["receipt"]["cash_voucher_number"]
    assert later == f"{office.code}-PT-2026-000004", "a void phiếu thu keeps its number"

    first = client.get(office.url("/disbursements?limit=1"), headers=auth(office.treasurer)).get_json()["items"][0]
    reverse_approved(client, office.code, first["entry_seq"], "Chi trùng", office.treasurer, office.approver)
    voided = fetch(client, office, office.url(f"/vouchers/{numbers[0]}.pdf"))
    assert numbers[0] in voided and "ĐÃ HỦY" in voided and "Chi trùng" in voided
    third = disburse(client, office, cash).get_json()["voucher"]["number"]
    assert third == f"{office.code}-PC-2026-000003"


def test_a_minors_cash_voucher_is_form_02_tt_received_and_signed_by_her_guardian(
    app: Flask, client: FlaskClient
) -> None:
    books = staffed_office(app, client)
    office = books.office
    body = spend_body("HPD", 1_050_000, books.pupil, paid_from="cash", memo="Học bổng Hoa Phượng Đỏ năm học 2026–2027")
    posted = disburse(client, office, body).get_json()
    text = fetch(client, office, posted["voucher"]["pdf_url"])
    for expected in (
        "PHIẾU CHI",
        "Mẫu số 02-TT",
        "Nợ / Debit: 611",
        "Có / Credit: 111",
        "Hội Khuyến học",
        ADDRESS,
        posted["voucher"]["number"],
        "Họ và tên người nhận",
        "Trần Thị Vân",  # the guardian receives
        "Nhận thay cho",
        "Võ Thị Phúc",  # on behalf of the pupil
        "mẹ của người thụ hưởng",
        "Phường 1, Đông Hà",
        "Trường THCS Nguyễn Trãi — lớp 8A",
        "Lý do chi",
        "Học bổng Hoa Phượng Đỏ năm học 2026–2027",
        "1.050.000 ₫",
        "Một triệu không trăm năm mươi nghìn đồng chẵn",
        "Kèm theo",
        "chứng từ gốc",
        "Đã nhận đủ số tiền (viết bằng chữ)",
        "Thủ trưởng đơn vị",
        "Kế toán trưởng",
        "Người nhận tiền",
        "Người lập phiếu",
        "Thủ quỹ",
        CHAIR,
        ACCOUNTANT,
        TREASURER,
    ):
        assert expected in text, expected
    assert "example.vn" not in text, "a login is never printed as a signer's name"
    assert (
        pages(
            client.get(office.url(f"/vouchers/{posted['voucher']['number']}.pdf"), headers=auth(office.treasurer)).data
        )
        == 1
    )


def test_a_bookcase_paid_to_its_supplier_names_the_supplier_as_payee_and_the_school_as_beneficiary(
    app: Flask, client: FlaskClient
) -> None:
    books = staffed_office(app, client)
    office = books.office
    body = spend_body(
        "TU-SACH",
        12_000_000,
        books.school,
        kind="bookcase",
        memo="Tủ sách và 300 đầu sách",
        payee_name="Công ty TNHH Thiết bị Giáo dục Miền Trung",
        payee_address="Số 25 Lý Thường Kiệt, Đông Hà",
        reference="UNC số 0912",
    )
    posted = disburse(client, office, body)
    assert posted.status_code == 201, posted.get_json()
    disbursement = posted.get_json()["disbursement"]
    assert (disbursement["payee_name"], disbursement["reference"]) == (
        "Công ty TNHH Thiết bị Giáo dục Miền Trung",
        "UNC số 0912",
    )
    text = fetch(client, office, posted.get_json()["voucher"]["pdf_url"])
    for expected in (
        "ỦY NHIỆM CHI",
        "Người nhận tiền",
        "Công ty TNHH Thiết bị Giáo dục Miền Trung",
        "Số 25 Lý Thường Kiệt, Đông Hà",
        "Người thụ hưởng",
        "Trường Tiểu học Kim Đồng",
        "Nhà trường",
        "Tủ sách và 300 đầu sách",
        "UNC số 0912",
        "Mười hai triệu đồng chẵn",
        "Thủ trưởng đơn vị",
        "Kế toán trưởng",
        "Người lập phiếu",
        CHAIR,
        ACCOUNTANT,
    ):
        assert expected in text, expected
    assert re.search(r"\bschool\b", text) is None, "a code is never printed as a label"


def test_goods_handed_out_get_a_phieu_xuat_kho_with_their_quantity(app: Flask, client: FlaskClient) -> None:
    books = staffed_office(app, client)
    office = books.office
    goods = {
        "kind": "support",
        "paid_from": "in_kind",
        "items": [{"description": "Gói quà Tết", "quantity": 2, "unit": "gói"}],
    }
    posted = disburse(client, office, spend_body("GENERAL", None, books.pupil, **goods)).get_json()
    text = fetch(client, office, posted["voucher"]["pdf_url"])
    for expected in (
        "PHIẾU XUẤT KHO",
        "Mẫu số 02-VT",
        "Người nhận hàng",
        "Trần Thị Vân",
        "Gói quà Tết",
        "450.000 ₫",
        "900.000 ₫",
        "Chín trăm nghìn đồng chẵn",
        "Thủ kho",
        TREASURER,
    ):
        assert expected in text, expected


def test_cash_received_gets_a_phieu_thu_and_the_receipt_prints_memo_reference_and_chair(
    app: Flask, client: FlaskClient
) -> None:
    books = staffed_office(app, client)
    office = books.office
    body = {
        "donor_id": office.donor_id,
        "fund": "HPD",
        "method": "cash",
        "amount": 1_050_000,
        "received_on": "2026-09-02",
        "memo": "Ủng hộ học bổng Hoa Phượng Đỏ",
        "reference": "Giấy nộp tiền số 17",
    }
    response = client.post(office.url("/donations"), json=body, headers=auth(office.treasurer))
    assert response.status_code == 201, response.get_json()
    receipt = response.get_json()["receipt"]
    phieu_thu = fetch(client, office, receipt["cash_voucher_pdf_url"])
    for expected in (
        "PHIẾU THU",
        "Mẫu số 01-TT",
        "Nợ / Debit: 111",
        "Có / Credit: 511",
        receipt["cash_voucher_number"],
        "Họ và tên người nộp tiền",
        "Nguyễn Thị Hồng Nhung",
        "Lý do nộp",
        "Ủng hộ học bổng Hoa Phượng Đỏ",
        "Một triệu không trăm năm mươi nghìn đồng chẵn",
        f"01 chứng từ gốc (biên nhận {receipt['number']})",
        "Giấy nộp tiền số 17",
        "Đã nhận đủ số tiền (viết bằng chữ)",
        "Người nộp tiền",
        "Thủ quỹ",
        "Kế toán trưởng",
        CHAIR,
        ACCOUNTANT,
        TREASURER,
    ):
        assert expected in phieu_thu, expected
    printed = fetch(client, office, receipt["pdf_url"])
    for expected in ("Ủng hộ học bổng Hoa Phượng Đỏ", "Giấy nộp tiền số 17", CHAIR, receipt["cash_voucher_number"]):
        assert expected in printed, expected
    assert ("voucher.download", receipt["cash_voucher_number"]) in audit_events(app, office)


def test_a_ceremonys_signing_list_has_every_recipient_guardian_amount_and_total_in_words(
    app: Flask, client: FlaskClient
) -> None:
    books = staffed_office(app, client)
    office = books.office
    pupils = [books.pupil] + [
        make_beneficiary(app, office.code, name=f"Học sinh {i}", school="Trường THPT Lê Lợi", grade="11")
        for i in range(1, 31)
    ]
    items = [spend_body("HPD", 500_000, p, paid_from="cash") for p in pupils]
    created = client.post(
        office.url("/disbursements/batch"),
        json={"items": items, "memo": "Lễ trao học bổng Hoa Phượng Đỏ"},
        headers=auth(office.treasurer),
    )
    assert created.status_code == 201, created.get_json()
    batch = created.get_json()
    # 15.5M in one ceremony is above the fund's threshold: the chair approves it as one decision.
    approved = client.post(
        office.url(f"/disbursements/batches/{batch['batch_id']}/approve"), json={}, headers=auth(office.approver)
    )
    assert approved.status_code == 200, approved.get_json()
    first = approved.get_json()["disbursements"][1]
    reverse_approved(client, office.code, first["entry_seq"], "Vắng mặt", office.treasurer, office.approver)
    url = office.url(f"/disbursements/batches/{batch['batch_id']}/signing-list.pdf")
    response = client.get(url, headers=auth(office.treasurer))
    assert response.status_code == 200, response.get_json()
    assert pages(response.data) >= 2, "thirty-one recipients run onto a second page"
    text = pdf_text(response.data)
    for expected in (
        "DANH SÁCH KÝ NHẬN",
        "Lễ trao học bổng Hoa Phượng Đỏ",
        "Họ và tên",
        "Lớp",
        "Trường",
        "Người giám hộ",
        "Ký nhận",
        "Võ Thị Phúc",
        "Trần Thị Vân",
        "8A",
        "Học sinh 30",
        "Học sinh 1 (đã hủy / void)",
        "15.000.000 ₫",  # 30 valid of 500.000 ₫
        "Mười lăm triệu đồng chẵn",
        "Người lập danh sách",
        "Thủ quỹ",
        "Kế toán trưởng",
        "Chủ tịch Hội",
        CHAIR,
        ACCOUNTANT,
        TREASURER,
    ):
        assert expected in text, expected
    # The school wraps in its column: read with the lines joined.
    assert "Trường THCS Nguyễn Trãi" in " ".join(text.split())
    assert ("signing_list.download", str(batch["batch_id"])) in audit_events(app, office)
    other = open_office(app)
    assert client.get(url, headers=auth(other.treasurer)).status_code == 404
    missing = client.get(office.url("/disbursements/batches/999999/signing-list.pdf"), headers=auth(office.treasurer))
    assert missing.status_code == 404


def test_a_tet_gift_days_signing_list_counts_the_goods(app: Flask, client: FlaskClient) -> None:
    books = staffed_office(app, client)
    office = books.office
    one = {
        "kind": "support",
        "paid_from": "in_kind",
        "items": [{"description": "Gói quà Tết", "quantity": 1, "unit": "gói"}],
    }
    pupils = [books.pupil, make_beneficiary(app, office.code, name="Lê Văn Nam", school="Trường THCS Nguyễn Du")]
    created = client.post(
        office.url("/disbursements/batch"),
        json={"items": [spend_body("GENERAL", None, p, **one) for p in pupils], "memo": "Trao quà Tết"},
        headers=auth(office.treasurer),
    )
    assert created.status_code == 201, created.get_json()
    text = fetch(
        client, office, office.url(f"/disbursements/batches/{created.get_json()['batch_id']}/signing-list.pdf")
    )
    for expected in ("Số lượng", "1 gói", "2 gói Gói quà Tết", "900.000 ₫", "Chín trăm nghìn đồng chẵn", "Lê Văn Nam"):
        assert expected in text, expected


def test_a_company_gets_a_yearly_sponsorship_confirmation_with_money_and_goods_apart(
    app: Flask, client: FlaskClient
) -> None:
    books = staffed_office(app, client)
    office = books.office
    company = make_donor(
        app,
        office.code,
        "Công ty Cổ phần Đầu tư Xây dựng Trường Sơn",
        kind="organisation",
        address="Đông Hà, Quảng Trị",
        tax_code="3200123456",
    )

    def donate(body: dict[str, object]) -> dict[str, object]:
        response = client.post(
            office.url("/donations"), json={"donor_id": company, **body}, headers=auth(office.treasurer)
        )
        assert response.status_code == 201, response.get_json()
        result: dict[str, object] = response.get_json()
        return result

    donate({"fund": "TU-SACH", "method": "bank", "amount": 150_000_000, "received_on": "2026-03-02"})
    books_item = {"description": "Sách giáo khoa lớp 6", "quantity": 40, "unit": "bộ", "unit_value": 250_000}
    donate(
        {
            "fund": "TU-SACH",
            "method": "in_kind",
            "amount": 10_000_000,
            "items": [books_item],
            "received_on": "2026-04-01",
        }
    )
    voided = donate({"fund": "HPD", "method": "cash", "amount": 7_000_000, "received_on": "2026-05-01"})
    seq = voided["entry"]["seq"]  # type: ignore[index]
    reverse_approved(client, office.code, seq, "Nhập trùng", office.treasurer, office.approver)  # type: ignore[arg-type]
    donate({"fund": "HPD", "method": "bank", "amount": 9_000_000, "received_on": "2025-05-01"})  # another year

    url = office.url(f"/donors/{company}/sponsorship-confirmation.pdf?year=2026")
    text = fetch(client, office, url)
    for expected in (
        "BIÊN BẢN XÁC NHẬN TÀI TRỢ NĂM 2026",
        "03/TNDN",
        "Công ty Cổ phần Đầu tư Xây dựng Trường Sơn",
        "3200123456",
        "Bên nhận tài trợ",
        ADDRESS,
        "Tài trợ bằng tiền",
        "150.000.000 ₫",
        "Tài trợ bằng hiện vật",
        "Sách giáo khoa lớp 6: 40 bộ",
        "10.000.000 ₫",
        "160.000.000 ₫",
        "Một trăm sáu mươi triệu đồng chẵn",
        "Đại diện bên tài trợ",
        CHAIR,
        ACCOUNTANT,
    ):
        assert expected in text, expected
    assert "7.000.000" not in text and "9.000.000" not in text, "void receipts and other years do not count"
    person = client.get(
        office.url(f"/donors/{office.donor_id}/sponsorship-confirmation.pdf?year=2026"), headers=auth(office.treasurer)
    )
    assert refused(person, "validation_error")["errors"] == {"donor_id": ["not an organisation"]}
    no_year = client.get(office.url(f"/donors/{company}/sponsorship-confirmation.pdf"), headers=auth(office.treasurer))
    assert no_year.status_code == 422
