"""An award ceremony's or a Tet gift day's spreadsheet, read as Vietnamese Excel saves it, and its template.

One reader for the page's upload and for ``flask disbursements import-csv``: XLSX, or CSV with
``;`` or ``,`` between cells, in UTF-8 (with or without the byte order mark Excel writes) or in
Windows-1258 (Excel's "CSV" on a Vietnamese Windows), which is recognised by its tone-mark bytes;
any other encoding is refused with the advice to save as "CSV UTF-8". Headers may be the English
codes of API.md or their Vietnamese names ("Họ và tên", "Số tiền"), in any order, accents and case
ignored; so may kinds, categories and sources ("Học bổng", "Hộ nghèo", "Tiền mặt"). Dates are
``04/12/2026`` or ``2026-12-04``, amounts ``1.500.000`` or ``1500000``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ledger.domain.names import folded
from ledger.domain.policy import BENEFICIARY_CATEGORIES, CATEGORY_LABELS_VI, DISBURSEMENT_KINDS, KIND_LABELS_VI
from ledger.services.disbursements import MAX_BATCH_ITEMS, GoodsPick, ImportedSpend, NamedBeneficiary, SpendCommand

#: A batch is at most 1,000 lines; a file this size holds many more than that.
MAX_SHEET_BYTES = 4 * 1024 * 1024
REQUIRED_COLUMNS = ("fund", "kind", "paid_from", "paid_on")
OPTIONAL_COLUMNS = (
    "amount",
    "beneficiary_id",
    "beneficiary_name",
    "name",
    "category",
    "school",
    "grade",
    "item",
    "quantity",
    "unit",
    "memo",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


#: The Vietnamese headers a treasurer writes, by the column they name (compared folded).
_HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "fund": ("quỹ", "mã quỹ"),
    "kind": ("nội dung chi", "loại chi", "khoản chi"),
    "paid_from": ("chi từ", "hình thức", "hình thức chi", "nguồn chi"),
    "paid_on": ("ngày chi", "ngày"),
    "amount": ("số tiền", "thành tiền"),
    "beneficiary_id": ("mã người thụ hưởng", "mã số"),
    "beneficiary_name": ("họ và tên", "họ tên", "người thụ hưởng", "tên"),
    "category": ("diện", "đối tượng", "diện đối tượng", "diện chính sách"),
    "school": ("trường",),
    "grade": ("lớp",),
    "item": ("hiện vật", "mặt hàng", "tên hàng"),
    "quantity": ("số lượng",),
    "unit": ("đơn vị tính", "đvt", "đơn vị"),
    "memo": ("ghi chú", "diễn giải"),
}
HEADER_OF: dict[str, str] = {folded(c): c for c in COLUMNS} | {
    folded(name): column for column, names in _HEADER_NAMES.items() for name in names
}
#: The header the template writes for each column.
TEMPLATE_HEADERS = (
    ("fund", "Quỹ"),
    ("kind", "Nội dung chi"),
    ("beneficiary_name", "Họ và tên"),
    ("category", "Diện"),
    ("school", "Trường"),
    ("grade", "Lớp"),
    ("amount", "Số tiền (₫)"),
    ("paid_from", "Chi từ"),
    ("paid_on", "Ngày chi"),
    ("memo", "Ghi chú"),
)

PAID_FROM_LABELS_VI = {"cash": "Tiền mặt", "bank": "Ngân hàng", "in_kind": "Hiện vật"}
_KIND_OF = (
    {folded(k): k for k in DISBURSEMENT_KINDS}
    | {folded(v): k for k, v in KIND_LABELS_VI.items()}
    | {
        folded("tủ sách"): "bookcase",
        folded("hỗ trợ"): "support",
        folded("quà tết"): "tet_gift",
    }
)
_CATEGORY_OF = {folded(c): c for c in BENEFICIARY_CATEGORIES} | {folded(v): c for c, v in CATEGORY_LABELS_VI.items()}
_PAID_FROM_OF = (
    {folded(k): k for k in PAID_FROM_LABELS_VI}
    | {folded(v): k for k, v in PAID_FROM_LABELS_VI.items()}
    | {
        folded("chuyển khoản"): "bank",
        folded("goods"): "in_kind",
    }
)

_AMOUNT = re.compile(r"[0-9]+|[0-9]{1,3}([., \u00a0])[0-9]{3}(?:\1[0-9]{3})*")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_VN_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
#: Bytes that Windows-1258 uses for Vietnamese (the five combining tone marks, đ, ơ, ư in both
#: cases): a file that is not UTF-8 and holds one of them is taken as Windows-1258.
_CP1258_MARKS = frozenset(b"\xcc\xd2\xde\xec\xf2\xd0\xf0\xd5\xf5\xdd\xfd")


class SheetUnreadable(Exception):
    """The file as a whole cannot be read (its format, encoding or header); nothing is recorded."""

    def __init__(self, line: int, column: str, vi: str, en: str) -> None:
        super().__init__(f"line {line}: {column}: {en}")
        self.line, self.column, self.message_vi, self.message_en = line, column, vi, en

    def detail(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_vi


@dataclass(frozen=True)
class SheetRow:
    """One line of the sheet: what it asks for, or why it cannot be read."""

    line: int
    #: The cells by column, as written (for the preview).
    cells: dict[str, str]
    spend: ImportedSpend | None
    #: (column, English sentence, Vietnamese sentence) when the line cannot be read.
    problem: tuple[str, str, str] | None = None


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _CP1258_MARKS.intersection(content):
            return unicodedata.normalize("NFC", content.decode("cp1258", errors="replace"))
        raise SheetUnreadable(
            1,
            "file",
            f"Tệp không phải UTF-8 (byte {error.start}) cũng không phải Windows-1258 tiếng Việt: trong Excel "
            "hãy chọn Lưu thành «CSV UTF-8 (Comma delimited)», hoặc lưu dạng XLSX.",
            f"is not UTF-8 (byte {error.start}) nor Vietnamese Windows-1258: in Excel, save it as "
            "'CSV UTF-8 (Comma delimited)', or as XLSX.",
        ) from None


def _csv_rows(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise SheetUnreadable(
            1, "file", "Tệp XLSX bị hỏng hoặc không đọc được.", "the XLSX file is damaged or cannot be read"
        ) from None
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _amount(text: str) -> int | None:
    if not text:
        return None
    if not _AMOUNT.fullmatch(text):
        raise ValueError("must be a whole number of đồng, e.g. 1500000 or 1.500.000")
    return int(re.sub(r"[^0-9]", "", text))


def _date(text: str) -> date:
    iso = _ISO_DATE.fullmatch(text)
    vn = _VN_DATE.fullmatch(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif vn:
        day, month, year = (int(g) for g in vn.groups())
    else:
        raise ValueError("must be a date written 05/09/2026 or 2026-09-05")
    return date(year, month, day)


def _whole(text: str, what: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise ValueError(f"{what} must be a whole number")
    return int(text)


def _coded(text: str, codes: dict[str, str], what: str, known: Iterable[str]) -> str:
    found = codes.get(folded(text))
    if found is None:
        raise ValueError(f"{what} must be one of {', '.join(known)}")
    return found


_VI_OF_COLUMN = {
    "amount": "Số tiền phải là số đồng chẵn, ví dụ 1.500.000.",
    "paid_on": "Ngày chi phải viết dạng 05/09/2026 và là ngày có thật.",
    "beneficiary_id": "Mã người thụ hưởng phải là số.",
    "quantity": "Số lượng phải là số nguyên.",
    "kind": "Nội dung chi không rõ: học bổng, quà Tết, tủ sách, khen thưởng, hỗ trợ học sinh khó khăn, chi hoạt động.",
    "category": "Diện không rõ: hộ nghèo, hộ cận nghèo, mồ côi, dân tộc thiểu số, khuyết tật, thành tích xuất sắc…",
    "paid_from": "Chi từ không rõ: tiền mặt, ngân hàng hoặc hiện vật.",
}


def _row(line: int, cell: dict[str, str]) -> SheetRow:
    column = ""
    try:
        column = "amount"
        amount = _amount(cell.get("amount", ""))
        column = "paid_on"
        paid_on = _date(cell.get("paid_on", ""))
        column = "beneficiary_id"
        beneficiary_id = _whole(cell.get("beneficiary_id", ""), "beneficiary_id")
        column = "quantity"
        quantity = _whole(cell.get("quantity", ""), "quantity")
        column = "kind"
        kind = _coded(cell.get("kind", ""), _KIND_OF, "kind", DISBURSEMENT_KINDS)
        column = "paid_from"
        paid_from = _coded(cell.get("paid_from", ""), _PAID_FROM_OF, "paid_from", PAID_FROM_LABELS_VI)
        name = cell.get("beneficiary_name") or cell.get("name") or ""
        named = None
        if beneficiary_id is None and name:
            column = "category"
            category = _coded(cell.get("category", ""), _CATEGORY_OF, "category", BENEFICIARY_CATEGORIES)
            named = NamedBeneficiary(name, category, cell.get("school", ""), cell.get("grade", ""))
    except ValueError as error:
        return SheetRow(line, cell, None, (column, str(error), _VI_OF_COLUMN.get(column, str(error))))
    items: tuple[GoodsPick, ...] = ()
    if cell.get("item") or quantity is not None:
        items = (GoodsPick(cell.get("item", ""), quantity or 0, cell.get("unit", "")),)
    command = SpendCommand(
        fund=cell.get("fund", ""),
        kind=kind,
        paid_from=paid_from,
        paid_on=paid_on,
        amount_vnd=amount,
        beneficiary_id=beneficiary_id,
        items=items,
        memo=cell.get("memo", ""),
    )
    return SheetRow(line, cell, ImportedSpend(command, named))


def _header(raw: Sequence[str]) -> list[str]:
    names = [re.sub(r"\s*\(.*\)\s*$", "", h or "").strip() for h in raw]
    header = [HEADER_OF.get(folded(h), folded(h)) if h else "" for h in names]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        problems_en, problems_vi = [], []
        if missing:
            problems_en.append(f"missing {', '.join(missing)}")
            problems_vi.append(f"thiếu cột {', '.join(missing)}")
        if unknown:
            problems_en.append(f"unknown {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
            problems_vi.append(f"cột không rõ: {', '.join(unknown)}")
        raise SheetUnreadable(1, "header", "Dòng tiêu đề: " + "; ".join(problems_vi) + ".", "; ".join(problems_en))
    return header


def read_sheet(content: bytes) -> list[SheetRow]:
    """Every line of a ceremony's sheet (XLSX or CSV), each read or with its problem.

    Raises ``SheetUnreadable`` when the file itself cannot be read: its format or encoding,
    a header without the required columns, no line, or more lines than a batch may have.
    """
    if len(content) > MAX_SHEET_BYTES:
        raise SheetUnreadable(1, "file", "Tệp lớn hơn 4 MiB.", "the file is larger than 4 MiB")
    raw = _xlsx_rows(content) if content[:4] == b"PK\x03\x04" else _csv_rows(_decode(content))
    while raw and not any(c.strip() for c in raw[0]):
        raw.pop(0)
    if not raw:
        raise SheetUnreadable(1, "file", "Tệp trống.", "has no lines after the header")
    header = _header(raw[0])
    rows: list[SheetRow] = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_BATCH_ITEMS:
            raise SheetUnreadable(
                number,
                "file",
                f"Một đợt chi có tối đa {MAX_BATCH_ITEMS} dòng.",
                f"a batch has at most {MAX_BATCH_ITEMS} lines",
            )
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            rows.append(
                SheetRow(
                    number,
                    {},
                    None,
                    ("line", "has more cells than the header has columns", "Dòng có nhiều ô hơn tiêu đề."),
                )
            )
            continue
        cell = {column: value.strip() for column, value in zip(header, values, strict=False) if column}
        rows.append(_row(number, cell))
    if not rows:
        raise SheetUnreadable(1, "file", "Tệp không có dòng nào sau tiêu đề.", "has no lines after the header")
    return rows


def ceremony_template(fund_codes: Sequence[str]) -> bytes:
    """An XLSX to fill in: Vietnamese headers, and drop-down lists for fund, kind, category and source."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Danh sách"
    lists = book.create_sheet("Danh mục")
    columns = {
        "A": list(fund_codes) or ["GENERAL"],
        "B": [KIND_LABELS_VI[k].capitalize() for k in DISBURSEMENT_KINDS],
        "C": [CATEGORY_LABELS_VI[c].capitalize() for c in BENEFICIARY_CATEGORIES],
        "D": list(PAID_FROM_LABELS_VI.values()),
    }
    for letter, values in columns.items():
        for row, value in enumerate(values, start=1):
            lists[f"{letter}{row}"] = value
    lists.sheet_state = "hidden"
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="8B1D1D")
    for index, (_column, title) in enumerate(TEMPLATE_HEADERS, start=1):
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font, cell.fill = bold, fill
        sheet.column_dimensions[cell.column_letter].width = max(14, len(title) + 4)
    letter_of = {column: sheet.cell(row=1, column=i).column_letter for i, (column, _) in enumerate(TEMPLATE_HEADERS, 1)}
    for column, source in (("fund", "A"), ("kind", "B"), ("category", "C"), ("paid_from", "D")):
        count = len(columns[source])
        validation = DataValidation(
            type="list", formula1=f"='Danh mục'!${source}$1:${source}${count}", allow_blank=True
        )
        validation.add(f"{letter_of[column]}2:{letter_of[column]}{MAX_BATCH_ITEMS + 1}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
