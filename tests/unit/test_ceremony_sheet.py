"""Reading a ceremony's spreadsheet as Vietnamese Excel saves it, and the template it is filled from."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import pytest
from openpyxl import load_workbook

from ledger.documents.ceremony_sheet import SheetUnreadable, ceremony_template, read_sheet

#: The five tone marks, which Windows-1258 writes as combining characters after the letter.
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """``text`` as Windows-1258: each letter precomposed with its vowel mark (â, ơ, ư…) when the code
    page has it, and its tone mark after it, as Excel on a Vietnamese Windows writes it."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += letter.encode("cp1258") + "".join(c for c in parts if c in _TONES).encode("cp1258")
    return bytes(out)


VIETNAMESE = (
    "Quỹ;Nội dung chi;Họ và tên;Diện;Trường;Lớp;Số tiền (₫);Chi từ;Ngày chi;Ghi chú\r\n"
    "HPD;Học bổng;Nguyễn Thị Ánh Tuyết;Hộ nghèo;THCS Lê Lợi;7A;1.500.000;Tiền mặt;04/12/2026;Lễ trao\r\n"
    "HPD;Khen thưởng;Đặng Quốc Hưng;Thành tích xuất sắc;THPT Đông Hà;11B1;2.000.000;Chuyển khoản;2026-11-20;\r\n"
)


@pytest.mark.parametrize(
    "encoded",
    [
        VIETNAMESE.encode("utf-8"),
        b"\xef\xbb\xbf" + VIETNAMESE.encode("utf-8"),
        cp1258(VIETNAMESE.replace("₫", "đ")),
        VIETNAMESE.replace(";", ",").replace("1.500.000", '"1.500.000"').replace("2.000.000", '"2.000.000"').encode(),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1258", "commas"],
)
def test_a_vietnamese_sheet_is_read_whatever_excel_saved_it_as(encoded: bytes) -> None:
    first, second = read_sheet(encoded)
    assert first.problem is None and first.spend is not None
    cmd, named = first.spend.command, first.spend.named
    assert (cmd.fund, cmd.kind, cmd.paid_from, cmd.amount_vnd, cmd.paid_on) == (
        "HPD",
        "scholarship",
        "cash",
        1_500_000,
        date(2026, 12, 4),
    )
    assert named is not None and (named.name, named.category, named.grade) == (
        "Nguyễn Thị Ánh Tuyết",
        "poor_household",
        "7A",
    )
    assert second.spend is not None and second.spend.command.kind == "award"
    assert second.spend.command.paid_from == "bank" and second.spend.named.category == "excellent_achievement"  # type: ignore[union-attr]


def test_a_file_in_another_encoding_is_refused_with_the_advice_to_save_it_as_utf8() -> None:
    latin = (
        "fund,kind,paid_from,paid_on,amount,beneficiary_name,category\nHPD,scholarship,cash,2026-11-20,1000,Hà,orphan\n"
    )
    with pytest.raises(SheetUnreadable) as refused:
        read_sheet(latin.encode("cp1252"))
    assert "not UTF-8" in refused.value.message_en and "CSV UTF-8" in refused.value.message_vi


def test_each_unreadable_row_says_which_cell_and_why_and_the_others_are_read() -> None:
    text = (
        "Quỹ;Nội dung chi;Họ và tên;Diện;Số tiền;Chi từ;Ngày chi\n"
        "HPD;Học bổng;An;Hộ khá giả;1.000.000;Tiền mặt;20/11/2026\n"
        "HPD;Học bổng;Bình;Mồ côi;1,5;Tiền mặt;20/11/2026\n"
        "HPD;Học bổng;Chi;Mồ côi;1.000.000;Tiền mặt;31/02/2026\n"
        "HPD;Học bổng;Dũng;Mồ côi;1.000.000;Tiền mặt;20/11/2026\n"
    )
    rows = read_sheet(text.encode())
    assert [(r.line, r.problem[0] if r.problem else None) for r in rows] == [
        (2, "category"),
        (3, "amount"),
        (4, "paid_on"),
        (5, None),
    ]
    assert rows[0].problem is not None and rows[0].problem[2].startswith("Diện không rõ")


def test_a_header_with_an_unknown_column_is_refused() -> None:
    with pytest.raises(SheetUnreadable) as refused:
        read_sheet("Quỹ;Nội dung chi;Chi từ;Ngày chi;Số tền\n".encode())
    assert "unknown so ten" in refused.value.message_en


def test_the_template_has_vietnamese_headers_and_lists_and_reads_back_once_filled() -> None:
    book = load_workbook(io.BytesIO(ceremony_template(["GENERAL", "HPD"])))
    sheet = book["Danh sách"]
    assert [c.value for c in sheet[1]][:4] == ["Quỹ", "Nội dung chi", "Họ và tên", "Diện"]
    formulas = sorted(v.formula1 for v in sheet.data_validations.dataValidation)
    assert formulas == sorted(f"='Danh mục'!${c}$1:${c}${n}" for c, n in (("A", 2), ("B", 6), ("C", 10), ("D", 3)))
    assert book["Danh mục"].sheet_state == "hidden"
    sheet.append(
        ["HPD", "Học bổng", "Lê Văn Tám", "Mồ côi", "TH Kim Đồng", "5A", 1500000, "Tiền mặt", date(2026, 11, 20), ""]
    )
    out = io.BytesIO()
    book.save(out)
    [row] = read_sheet(out.getvalue())
    assert row.spend is not None and row.spend.command.amount_vnd == 1_500_000
    assert row.spend.command.paid_on == date(2026, 11, 20) and row.spend.named.category == "orphan"  # type: ignore[union-attr]
