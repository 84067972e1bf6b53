"""Receipts, vouchers and statements render to PDFs that say what the ledger says, in legible Vietnamese."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
import segno
from pypdf import PdfReader

from ledger.documents.models import (
    DocumentItem,
    DonorStatementDocument,
    ReceiptDocument,
    StatementLine,
    VoucherDocument,
)
from ledger.documents.receipt_pdf import render_receipt
from ledger.documents.statement_pdf import render_donor_statement
from ledger.documents.voucher_pdf import render_voucher, render_vouchers

ENTRY_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
VERIFY_URL = "https://khuyenhoc.example.vn/verify/7Kq2mZ9xYpR4tW8v"


def make_receipt(**changes: Any) -> ReceiptDocument:
    fields: dict[str, Any] = {
        "association_code": "QT-DH",
        "association_name": "Hội Khuyến học thành phố Đông Hà",
        "association_address": "Số 10 Hùng Vương, phường Đông Hà, tỉnh Quảng Trị",
        "number": "QT-DH-2026-000001",
        "received_on": date(2026, 11, 23),
        "donor_name": "Nguyễn Thị Hồng Nhung",
        "donor_address": "Số 5 Lê Lợi, phường 1, Đông Hà, Quảng Trị",
        "donor_tax_code": "3200123456",
        "amount_vnd": 1_200_000,
        "method": "cash",
        "fund_code": "HPD",
        "fund_name": "Quỹ học bổng Hoa Phượng Đỏ",
        "purpose": "Học bổng cho học sinh nghèo vượt khó",
        "treasurer_name": "Trần Văn Bình",
        "chair_name": "Lê Thị Thu Hà",
        "verify_url": VERIFY_URL,
        "entry_seq": 1234,
        "entry_hash": ENTRY_HASH,
        "created_at": datetime(2026, 11, 23, 7, 5, tzinfo=UTC),
    }
    fields.update(changes)
    return ReceiptDocument(**fields)


def make_voucher(**changes: Any) -> VoucherDocument:
    fields: dict[str, Any] = {
        "association_code": "QT-DH",
        "association_name": "Hội Khuyến học thành phố Đông Hà",
        "association_address": "Số 10 Hùng Vương, phường Đông Hà, tỉnh Quảng Trị",
        "number": "QT-DH-PC-2026-000001",
        "paid_on": date(2026, 11, 23),
        "beneficiary_name": "Hồ Thị Ngọc Ánh",
        "beneficiary_category": "poor_household",
        "kind": "scholarship",
        "purpose": "Học bổng Hoa Phượng Đỏ năm học 2026–2027",
        "fund_code": "HPD",
        "fund_name": "Quỹ học bổng Hoa Phượng Đỏ",
        "amount_vnd": 2_021_000,
        "paid_from": "cash",
        "maker_name": "Trần Văn Bình",
        "approver_name": "Lê Thị Thu Hà",
        "treasurer_name": "Phạm Minh Tuấn",
        "school": "Trường THCS Nguyễn Trãi",
        "grade": "8A",
        "entry_seq": 1240,
        "entry_hash": ENTRY_HASH,
        "created_at": datetime(2026, 11, 23, 8, 30, tzinfo=UTC),
    }
    fields.update(changes)
    return VoucherDocument(**fields)


def make_statement(**changes: Any) -> DonorStatementDocument:
    lines = (
        StatementLine(date(2026, 1, 5), "QT-DH-2026-000001", "HPD", "Quỹ học bổng Hoa Phượng Đỏ", 1_000_000),
        StatementLine(date(2026, 3, 5), "QT-DH-2026-000007", "TET", "Quỹ quà Tết", 700_000, "void"),
        StatementLine(date(2026, 9, 1), "QT-DH-2026-000042", "TET", "Quỹ quà Tết", 500_000),
    )
    fields: dict[str, Any] = {
        "association_code": "QT-DH",
        "association_name": "Hội Khuyến học thành phố Đông Hà",
        "association_address": "Số 10 Hùng Vương, phường Đông Hà, tỉnh Quảng Trị",
        "donor_name": "Nguyễn Thị Hồng Nhung",
        "donor_address": "Số 5 Lê Lợi, phường 1, Đông Hà",
        "year": 2026,
        "lines": lines,
        "total_vnd": 1_500_000,
        "created_at": datetime(2027, 1, 10, 2, 0, tzinfo=UTC),
    }
    fields.update(changes)
    return DonorStatementDocument(**fields)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def all_text(pdf: bytes) -> str:
    return "\n".join(pages_text(pdf))


def test_a_receipt_shows_number_donor_amount_in_figures_and_words_fund_and_hash() -> None:
    text = all_text(render_receipt(make_receipt()))
    for expected in (
        "GIẤY BIÊN NHẬN TÀI TRỢ",
        "Donation receipt",
        "QT-DH-2026-000001",
        "23/11/2026",
        "Hội Khuyến học thành phố Đông Hà",
        "Nguyễn Thị Hồng Nhung",
        "3200123456",
        "1.200.000 ₫",
        "Một triệu hai trăm nghìn đồng chẵn",
        "One million two hundred thousand dong",
        "Tiền mặt",
        "Quỹ học bổng Hoa Phượng Đỏ (HPD)",
        "Học bổng cho học sinh nghèo vượt khó",
        "Trần Văn Bình",
        "Lê Thị Thu Hà",
        VERIFY_URL,
        "1234",
        ENTRY_HASH,
    ):
        assert expected in text, expected
    assert "ĐÃ HỦY" not in text


def test_a_receipt_is_one_a4_page_dated_when_it_was_issued() -> None:
    reader = PdfReader(io.BytesIO(render_receipt(make_receipt())))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert reader.metadata is not None
    assert reader.metadata.creation_date == datetime(2026, 11, 23, 7, 5, tzinfo=UTC)
    assert reader.metadata.title == "GIẤY BIÊN NHẬN TÀI TRỢ QT-DH-2026-000001"


def test_the_same_receipt_renders_byte_identical_pdfs() -> None:
    receipt = make_receipt()
    first = render_receipt(receipt)
    render_receipt(make_receipt(donor_name="Müller Jürgen", number="QT-DH-2026-000002"))
    assert render_receipt(receipt) == first
    assert render_receipt(make_receipt()) == first


def test_receipts_that_differ_render_differently() -> None:
    assert render_receipt(make_receipt()) != render_receipt(make_receipt(amount_vnd=1_200_001))


def test_a_void_receipt_is_marked_void_with_its_date_and_reason() -> None:
    receipt = make_receipt(status="void", voided_on=date(2026, 12, 1), void_reason="Nhập trùng")
    text = all_text(render_receipt(receipt))
    assert "ĐÃ HỦY" in text
    assert "VOID" in text
    assert "01/12/2026" in text
    assert "Nhập trùng" in text
    assert "QT-DH-2026-000001" in text


def test_an_in_kind_receipt_lists_its_goods_with_quantities_and_values() -> None:
    items = (
        DocumentItem("Sách giáo khoa lớp 6", 40, "bộ", 250_000),
        DocumentItem("Xe đạp", 5, "chiếc", 1_800_000),
    )
    receipt = make_receipt(method="in_kind", items=items, amount_vnd=19_000_000)
    text = all_text(render_receipt(receipt))
    for expected in ("Hiện vật", "Sách giáo khoa lớp 6", "bộ", "250.000 ₫", "10.000.000 ₫", "Xe đạp", "chiếc"):
        assert expected in text, expected
    assert "19.000.000 ₫" in text
    assert "Mười chín triệu đồng chẵn" in text


def test_a_long_list_of_goods_continues_on_a_second_page_with_the_hash_at_the_end() -> None:
    items = tuple(DocumentItem(f"Bộ quà Tết số {n}", 1, "suất", 500_000) for n in range(1, 41))
    receipt = make_receipt(method="in_kind", items=items, amount_vnd=20_000_000)
    pages = pages_text(render_receipt(receipt))
    assert len(pages) >= 2
    assert "tiếp theo / continued" in pages[1]
    assert "Bộ quà Tết số 40" in "\n".join(pages)
    assert ENTRY_HASH in pages[-1]
    assert all("QT-DH-2026-000001" in page for page in pages)


def test_a_decomposed_name_is_drawn_and_extracted_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    text = all_text(render_receipt(make_receipt(donor_name=decomposed)))
    assert "Nguyễn Thị Hồng Nhung" in text


def test_a_name_outside_the_vietnamese_alphabet_is_embedded_too() -> None:
    text = all_text(render_receipt(make_receipt(donor_name="Jürgen Müller-Straße & Ñandú")))
    assert "Jürgen Müller-Straße & Ñandú" in text


def _qr_modules(pdf: bytes) -> set[tuple[int, int]]:
    """The dark modules of the QR code, read back from the rectangles in the page content."""
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
    assert content is not None
    data = content.get_data().decode("latin-1")
    modules: set[tuple[int, int]] = set()
    for x, y, width in re.findall(r"^(\d+) (-?\d+\.\d\d) (\d+) 1\.02 re$", data, flags=re.MULTILINE):
        row = round(float(y) + 0.01)
        modules.update((row, int(x) + step) for step in range(int(width)))
    return modules


def test_the_qr_code_encodes_the_verification_url_as_vector_rectangles() -> None:
    pdf = render_receipt(make_receipt())
    assert b"/XObject" not in pdf
    expected = segno.make(VERIFY_URL, error="m", micro=False, mask=1).matrix
    side = len(expected)
    dark = {(side - 1 - r, c) for r, row in enumerate(expected) for c, module in enumerate(row) if module}
    assert _qr_modules(pdf) == dark


def test_a_voucher_shows_receiver_purpose_fund_amount_in_words_and_every_signer() -> None:
    text = all_text(render_voucher(make_voucher()))
    for expected in (
        "PHIẾU CHI",
        "Cash payment voucher",
        "QT-DH-PC-2026-000001",
        "23/11/2026",
        "Hồ Thị Ngọc Ánh",
        "Hộ nghèo",
        "Trường THCS Nguyễn Trãi — lớp 8A",
        "Học bổng",
        "Học bổng Hoa Phượng Đỏ năm học 2026–2027",
        "Quỹ học bổng Hoa Phượng Đỏ (HPD)",
        "2.021.000 ₫",
        "Hai triệu không trăm hai mươi mốt nghìn đồng chẵn",
        "Người lập phiếu",
        "Người duyệt",
        "Thủ quỹ",
        "Người nhận tiền",
        "Trần Văn Bình",
        "Lê Thị Thu Hà",
        "Phạm Minh Tuấn",
        ENTRY_HASH,
    ):
        assert expected in text, expected


def test_a_voucher_with_an_unknown_kind_or_category_prints_it_as_given() -> None:
    voucher = make_voucher(kind="Khen thưởng học sinh giỏi cấp tỉnh", beneficiary_category="Học sinh giỏi")
    text = all_text(render_voucher(voucher))
    assert "Khen thưởng học sinh giỏi cấp tỉnh" in text
    assert "Học sinh giỏi" in text


def test_a_batch_of_three_vouchers_prints_one_voucher_a_page() -> None:
    vouchers = [
        make_voucher(number=f"QT-DH-PC-2026-00000{n}", beneficiary_name=name, entry_seq=1240 + n)
        for n, name in enumerate(("Hồ Thị Ngọc Ánh", "Lê Văn Đức", "Nguyễn Thị Hồng Nhung"), start=1)
    ]
    pages = pages_text(render_vouchers(vouchers))
    assert len(pages) == 3
    for n, page in enumerate(pages, start=1):
        assert f"QT-DH-PC-2026-00000{n}" in page
        assert vouchers[n - 1].beneficiary_name in page
        others = {f"QT-DH-PC-2026-00000{m}" for m in range(1, 4)} - {f"QT-DH-PC-2026-00000{n}"}
        assert not any(other in page for other in others)


def test_a_batch_renders_byte_identical_twice_and_refuses_an_empty_one() -> None:
    vouchers = [make_voucher(number=f"QT-DH-PC-2026-00000{n}") for n in range(1, 4)]
    assert render_vouchers(vouchers) == render_vouchers(list(vouchers))
    with pytest.raises(ValueError, match="at least one"):
        render_vouchers([])


def test_a_void_voucher_is_marked_void() -> None:
    voucher = make_voucher(status="void", voided_on=date(2026, 12, 2), void_reason="Chi nhầm người nhận")
    text = all_text(render_voucher(voucher))
    assert "ĐÃ HỦY" in text and "VOID" in text and "Chi nhầm người nhận" in text


def test_a_donor_statement_lists_every_receipt_and_counts_only_valid_ones() -> None:
    text = all_text(render_donor_statement(make_statement()))
    for expected in (
        "BẢNG KÊ TÀI TRỢ NĂM 2026",
        "Nguyễn Thị Hồng Nhung",
        "QT-DH-2026-000001",
        "QT-DH-2026-000007",
        "QT-DH-2026-000042",
        "Quỹ quà Tết (TET)",
        "Đã hủy",
        "1.500.000 ₫",
        "Một triệu năm trăm nghìn đồng chẵn",
    ):
        assert expected in text, expected


def test_a_statement_of_a_year_without_donations_says_so() -> None:
    text = all_text(render_donor_statement(make_statement(lines=(), total_vnd=0)))
    assert "Không có khoản tài trợ nào trong năm 2026." in text


def test_documents_that_contradict_themselves_are_refused() -> None:
    with pytest.raises(ValueError, match="add up"):
        make_receipt(method="in_kind", items=(DocumentItem("Sách", 2, "cuốn", 100_000),), amount_vnd=1_200_000)
    with pytest.raises(ValueError, match="voided_on"):
        make_receipt(status="void")
    with pytest.raises(ValueError, match="voided_on"):
        make_voucher(voided_on=date(2026, 12, 1))
    with pytest.raises(ValueError, match="aware"):
        make_receipt(created_at=datetime(2026, 11, 23, 14, 5))
    with pytest.raises(ValueError, match="amount_vnd"):
        make_voucher(amount_vnd=0)
    with pytest.raises(ValueError, match="total_vnd"):
        make_statement(total_vnd=2_200_000)
    with pytest.raises(ValueError, match="method"):
        make_receipt(method="cheque")


def test_documents_are_frozen() -> None:
    receipt = make_receipt()
    with pytest.raises(AttributeError):
        receipt.amount_vnd = 5  # type: ignore[misc]
    assert replace(receipt, amount_vnd=5_000).amount_vnd == 5_000


def test_a_voucher_prints_a_category_code_as_words_and_never_an_unknown_code() -> None:
    school = all_text(render_voucher(make_voucher(beneficiary_category="school", beneficiary_kind="school")))
    assert "Nhà trường" in school and "school" not in school
    unknown = all_text(render_voucher(make_voucher(beneficiary_category="new_category_code")))
    assert "new_category_code" not in unknown


def test_the_receiver_is_the_payee_then_a_minors_guardian_then_the_beneficiary() -> None:
    pupil = make_voucher(beneficiary_is_minor=True, guardian_name="Trần Thị Vân")
    assert pupil.receiver_name == "Trần Thị Vân"
    assert make_voucher(beneficiary_is_minor=False, guardian_name="Trần Thị Vân").receiver_name == "Hồ Thị Ngọc Ánh"
    supplier = make_voucher(payee_name="Công ty Sách Miền Trung", beneficiary_is_minor=True, guardian_name="Vân")
    assert supplier.receiver_name == "Công ty Sách Miền Trung"
    text = all_text(render_voucher(supplier))
    assert "Công ty Sách Miền Trung" in text and "Người thụ hưởng" in text and "Hồ Thị Ngọc Ánh" in text


def test_a_voucher_refuses_an_unknown_series() -> None:
    with pytest.raises(ValueError, match="series"):
        make_voucher(series="XX")
