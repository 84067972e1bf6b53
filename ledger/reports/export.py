"""The general ledger as a file: CSV (UTF-8 with a BOM, Vietnamese headers) and an A4 PDF, both written as the rows stream in.

Neither writer holds the ledger in memory: the CSV goes out in blocks of about 64 KiB, the
PDF page by page (reportlab keeps only each finished page's compressed stream). A PDF is
for reading, so it has a limit (``PDF_MAX_LINES``) and says so on its last page when the
ledger is longer; the CSV has none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ledger.documents.fonts import BOLD, REGULAR, register_fonts
from ledger.domain.money import format_number
from ledger.reports.general_ledger import OPENING_KIND, GeneralLedger, LedgerRow

#: The CSV's header row, in the order of :class:`LedgerRow`.
CSV_HEADERS = (
    "Tài khoản",
    "Tên tài khoản",
    "Quỹ",
    "Số bút toán",
    "Ngày",
    "Loại",
    "Diễn giải",
    "Nợ",
    "Có",
    "Số dư",
    "Số lượng",
    "Đơn vị",
    "Hiện vật",
)
#: Spreadsheets (Excel above all) read a CSV as UTF-8 only when it starts with a BOM.
BOM = "\ufeff"
#: Bytes gathered before a CSV block is handed on.
CSV_BLOCK_BYTES = 64 * 1024
#: The longest general ledger drawn as PDF: about 1,700 A4 pages. Longer ones are for CSV.
PDF_MAX_LINES = 100_000


def iter_general_ledger_csv(rows: Iterable[LedgerRow]) -> Iterator[bytes]:
    """The CSV in blocks of about :data:`CSV_BLOCK_BYTES` (for a streamed HTTP response)."""
    for block, _count in _csv_blocks(rows):
        yield block


def write_general_ledger_csv(rows: Iterable[LedgerRow], out: BinaryIO) -> int:
    """Write the CSV to ``out``; returns the number of ledger rows written."""
    written = 0
    for block, count in _csv_blocks(rows):
        out.write(block)
        written += count
    return written


def _csv_blocks(rows: Iterable[LedgerRow]) -> Iterator[tuple[bytes, int]]:
    """The CSV's blocks, each with the number of ledger rows in it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(CSV_HEADERS)
    if isinstance(rows, GeneralLedger):
        # Straight from the database: the same records, written without a LedgerRow or a
        # csv.writer call per line (the tests hold the two ways to the same bytes).
        yield buffer.getvalue().encode("utf-8"), 0
        yield from rows.csv_chunks()
        return
    count = 0
    # Characters, not bytes, are counted: a Vietnamese block is a little larger than the limit.
    for row in rows:
        writer.writerow(row)
        count += 1
        if buffer.tell() >= CSV_BLOCK_BYTES:
            yield buffer.getvalue().encode("utf-8"), count
            buffer.seek(0)
            buffer.truncate()
            count = 0
    yield buffer.getvalue().encode("utf-8"), count


# --- PDF ----------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 36.0
ROW_HEIGHT = 10.5
FONT_SIZE = 7.5
#: (x of the column's left or right edge, right-aligned?) for date, entry, memo, debit, credit, balance.
_X_DATE = MARGIN
_X_SEQ = MARGIN + 50
_X_MEMO = MARGIN + 92
_X_DEBIT = PAGE_WIDTH - MARGIN - 150
_X_CREDIT = PAGE_WIDTH - MARGIN - 75
_X_BALANCE = PAGE_WIDTH - MARGIN
#: Characters of a memo that fit its column at :data:`FONT_SIZE` (DejaVu Sans, average letter).
MEMO_MAX_CHARS = 62


def _date(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class _LedgerPages:
    """A canvas with a cursor: running heads, account sections and totals, a page at a time."""

    def __init__(self, out: BinaryIO, *, association_code: str, association_name: str, generated_at: datetime) -> None:
        register_fonts()
        self.canvas = Canvas(out, pagesize=A4, pageCompression=1, lang="vi-VN", initialFontName=REGULAR)
        self.canvas.setTitle(f"Sổ cái — {association_name}")
        self.canvas.setAuthor(association_name)
        self.canvas.setCreator("Khuyến học Fund Ledger")
        self.heading = f"SỔ CÁI / General ledger — {association_name} ({association_code})"
        self.generated = f"Lập ngày / Generated: {_date(generated_at.date())}"
        self.page = 0
        self.y = 0.0
        self.text = self.canvas.beginText()
        self._new_page()

    def _new_page(self) -> None:
        if self.page:
            self.canvas.drawText(self.text)
            self.canvas.showPage()
        self.page += 1
        c = self.canvas
        c.setFont(BOLD, 10)
        c.drawString(MARGIN, PAGE_HEIGHT - MARGIN, self.heading)
        c.setFont(REGULAR, 7.5)
        c.drawString(MARGIN, PAGE_HEIGHT - MARGIN - 11, self.generated)
        c.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN - 11, f"Trang / Page {self.page}")
        top = PAGE_HEIGHT - MARGIN - 26
        c.setFont(BOLD, FONT_SIZE)
        c.drawString(_X_DATE, top, "Ngày")
        c.drawString(_X_SEQ, top, "Số BT")
        c.drawString(_X_MEMO, top, "Diễn giải / Memo")
        c.drawRightString(_X_DEBIT, top, "Nợ / Debit")
        c.drawRightString(_X_CREDIT, top, "Có / Credit")
        c.drawRightString(_X_BALANCE, top, "Số dư / Balance")
        c.line(MARGIN, top - 3, PAGE_WIDTH - MARGIN, top - 3)
        self.y = top - 3 - ROW_HEIGHT
        self.text = c.beginText()
        self.text.setFont(REGULAR, FONT_SIZE)

    def _room(self, rows: int) -> None:
        if self.y - rows * ROW_HEIGHT < MARGIN:
            self._new_page()

    def _cells(self, left: tuple[tuple[float, str], ...], right: tuple[tuple[float, str], ...], font: str) -> None:
        text = self.text
        if font != REGULAR:
            text.setFont(font, FONT_SIZE)
        for x, value in left:
            text.setTextOrigin(x, self.y)
            text.textOut(value)
        for x, value in right:
            if value:
                text.setTextOrigin(x - self.canvas.stringWidth(value, font, FONT_SIZE), self.y)
                text.textOut(value)
        if font != REGULAR:
            text.setFont(REGULAR, FONT_SIZE)
        self.y -= ROW_HEIGHT

    def section(self, row: LedgerRow) -> None:
        self._room(3)
        self.y -= 2
        self._cells(((_X_DATE, f"TK {row.account} — {_cut(row.account_name, 60)} — Quỹ {row.fund}"),), (), BOLD)

    def line(self, row: LedgerRow) -> None:
        self._room(1)
        if row.kind == OPENING_KIND:
            left: tuple[tuple[float, str], ...] = ((_X_DATE, _date(row.entry_on)), (_X_MEMO, row.memo))
            self._cells(left, ((_X_BALANCE, format_number(row.balance_vnd)),), REGULAR)
            return
        memo = _cut(row.memo, MEMO_MAX_CHARS)
        if row.item and row.quantity:
            memo = _cut(f"{memo} ({row.quantity} {row.unit or ''} {row.item})", MEMO_MAX_CHARS)
        self._cells(
            ((_X_DATE, _date(row.entry_on)), (_X_SEQ, str(row.seq)), (_X_MEMO, memo)),
            (
                (_X_DEBIT, format_number(row.debit_vnd) if row.debit_vnd else ""),
                (_X_CREDIT, format_number(row.credit_vnd) if row.credit_vnd else ""),
                (_X_BALANCE, format_number(row.balance_vnd)),
            ),
            REGULAR,
        )

    def totals(self, debit: int, credit: int, balance: int) -> None:
        self._room(1)
        self._cells(
            ((_X_MEMO, "Cộng phát sinh / Totals — số dư cuối / closing"),),
            (
                (_X_DEBIT, format_number(debit)),
                (_X_CREDIT, format_number(credit)),
                (_X_BALANCE, format_number(balance)),
            ),
            BOLD,
        )
        self.y -= 4

    def note(self, message: str) -> None:
        self._room(2)
        self.y -= 4
        self._cells(((_X_DATE, message),), (), BOLD)

    def finish(self) -> None:
        self.canvas.drawText(self.text)
        self.canvas.showPage()
        self.canvas.save()


def write_general_ledger_pdf(
    rows: Iterable[LedgerRow],
    out: BinaryIO,
    *,
    association_code: str,
    association_name: str,
    generated_at: datetime,
    max_lines: int = PDF_MAX_LINES,
) -> int:
    """Draw the ledger on A4 pages, a section per account and fund with its totals; returns the lines drawn.

    Stops after ``max_lines`` lines with a note on the last page that the ledger goes on
    (the CSV export has all of it).
    """
    pages = _LedgerPages(
        out, association_code=association_code, association_name=association_name, generated_at=generated_at
    )
    drawn = 0
    current: tuple[str, str] | None = None
    debit = credit = balance = 0
    truncated = False
    for row in rows:
        if drawn >= max_lines:
            truncated = True
            break
        key = (row.account, row.fund)
        if key != current:
            if current is not None:
                pages.totals(debit, credit, balance)
            pages.section(row)
            current, debit, credit = key, 0, 0
        pages.line(row)
        debit += row.debit_vnd
        credit += row.credit_vnd
        balance = row.balance_vnd
        drawn += 1
    if current is not None:
        pages.totals(debit, credit, balance)
    if truncated:
        pages.note(
            f"Sổ cái dài hơn {max_lines:,} dòng: bản PDF dừng ở đây, bản CSV có đủ. "
            f"/ Longer than {max_lines:,} lines: see the CSV export.".replace(",", ".")
        )
    pages.finish()
    return drawn
