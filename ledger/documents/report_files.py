"""Statements as spreadsheets: CSV (UTF-8 with a BOM) and XLSX, from one :class:`~ledger.reports.model.Report`.

Both start with the same facts as the JSON (association, period, when it was made, the chain
head it was computed at), then the header row in Vietnamese, the rows, and the totals.
Text that a spreadsheet would take for a formula (a donor named ``=HYPERLINK(...)``) is
defused: in CSV it is prefixed with an apostrophe (OWASP's advice), in XLSX it is written as
a text cell, which no spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ledger.formatting import to_vietnam_time
from ledger.reports.model import Column, Report, plain

BOM = "\ufeff"
#: What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Rows gathered before a CSV block is handed on (a streamed download).
CSV_BLOCK_ROWS = 2_000
TOTAL_LABEL = "Tổng cộng"


def defuse(value: str) -> str:
    """``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``: shown as text by every spreadsheet."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def preamble(report: Report) -> list[tuple[str, str]]:
    """The facts every format states before the table, as (label, value)."""
    return [
        ("Báo cáo", f"{report.title_vi} / {report.title_en}"),
        ("Hội", f"{report.association_name} ({report.association})"),
        ("Kỳ báo cáo", report.period_label()),
        ("Lập lúc", to_vietnam_time(report.generated_at).isoformat(timespec="seconds")),
        ("Tính đến bút toán số", str(report.head_seq)),
        ("Mã băm bút toán cuối (SHA-256)", report.head_hash),
    ]


def _csv_cell(column: Column, value: Any) -> Any:
    if value is None:
        return ""
    if column.kind == "text":
        return defuse(str(value))
    if isinstance(value, date):
        return value.isoformat()
    return value


def total_cells(report: Report) -> list[Any] | None:
    """The totals row under the columns it sums, or None when the report has none."""
    if not report.totals:
        return None
    cells: list[Any] = [report.totals.get(column.key) if column.kind == "money" else None for column in report.columns]
    cells[0] = TOTAL_LABEL
    return cells


def iter_report_csv(report: Report) -> Iterator[bytes]:
    """The CSV in blocks (a book of a million lines streams); rows are read once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    for label, value in preamble(report):
        writer.writerow((label, defuse(value)))
    writer.writerow(())
    writer.writerow([column.vi for column in report.columns])
    if report.csv_records is not None:
        yield buffer.getvalue().encode("utf-8")
        yield from report.csv_records()
        return
    columns = report.columns
    count = 0
    for row in report.rows:
        writer.writerow([_csv_cell(column, row.get(column.key)) for column in columns])
        count += 1
        if count == CSV_BLOCK_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            count = 0
    totals = total_cells(report)
    if totals is not None:
        writer.writerow(["" if cell is None else cell for cell in totals])
    yield buffer.getvalue().encode("utf-8")


def report_csv(report: Report) -> bytes:
    return b"".join(iter_report_csv(report))


# --- XLSX ---------------------------------------------------------------------------------------

MONEY_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E9ECF3")
_WRAP = Alignment(wrap_text=True, vertical="center")


def _xlsx_cell(sheet: Any, column: Column, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl takes a string that starts with "=" for a formula: a text cell is never evaluated.
        cell.data_type = "s"
    elif column.kind == "money":
        cell.number_format = MONEY_FORMAT
    elif column.kind == "date" and value is not None:
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = _BOLD
    return cell


def write_report_xlsx(report: Report, out: io.BufferedIOBase | io.BytesIO) -> int:
    """One sheet: the facts, the header row (frozen, Vietnamese with English under it), the
    rows as real numbers and dates, the totals; returns the rows written. Write-only mode:
    a long book does not stay in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=report.name[:31])
    columns = report.columns
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    facts = preamble(report)
    header_row = len(facts) + 2
    sheet.freeze_panes = f"A{header_row + 1}"
    text = Column("", "", "")
    for label, value in facts:
        sheet.append([_xlsx_cell(sheet, text, label, bold=True), _xlsx_cell(sheet, text, value)])
    sheet.append([])
    headers = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=f"{column.vi}\n{column.en}")
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        headers.append(cell)
    sheet.append(headers)
    count = 0
    for row in report.rows:
        sheet.append([_xlsx_cell(sheet, column, row.get(column.key)) for column in columns])
        count += 1
    totals = total_cells(report)
    if totals is not None:
        sheet.append(
            [_xlsx_cell(sheet, column, value, bold=True) for column, value in zip(columns, totals, strict=True)]
        )
    workbook.save(out)
    return count


def report_xlsx(report: Report) -> bytes:
    out = io.BytesIO()
    write_report_xlsx(report, out)
    return out.getvalue()


# --- JSON, streamed ------------------------------------------------------------------------------


def iter_report_json(report: Report) -> Iterator[bytes]:
    """API.md's report shape written as the rows come: a million-line book in bounded memory."""
    head = json.dumps(report.json_head(), ensure_ascii=False)
    yield (head[:-1] + ', "rows": [').encode("utf-8")
    parts: list[str] = []
    first = True
    for row in report.rows:
        parts.append(("" if first else ",") + json.dumps(plain(row), ensure_ascii=False))
        first = False
        if len(parts) == CSV_BLOCK_ROWS:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append('], "totals": ' + json.dumps(report.totals, ensure_ascii=False) + "}")
    yield "".join(parts).encode("utf-8")


MIMETYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render_chunks(report: Report, fmt: str) -> Iterator[bytes]:
    """The report in ``fmt`` as it is written: JSON and CSV row by row, XLSX and PDF whole."""
    if fmt == "json":
        yield from iter_report_json(report)
    elif fmt == "csv":
        yield from iter_report_csv(report)
    elif fmt == "xlsx":
        yield report_xlsx(report)
    else:
        from ledger.documents.report_pdf import render_report_pdf

        yield render_report_pdf(report)
