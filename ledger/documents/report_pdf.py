"""Statements as A4 PDFs with the receipts' look: the association's header, a bilingual title,
the facts of the report, a ruled table whose header repeats on every page, page numbers."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from ledger.documents.drawing import CONTENT_WIDTH, MARGIN, MUTED, Column, open_canvas, table, text
from ledger.documents.parts import association_header, document_sheet
from ledger.formatting import format_date, format_datetime, format_number
from ledger.reports.model import Report

#: The longest table drawn as PDF (about 1,000 A4 pages); the CSV and XLSX have all of it.
PDF_MAX_ROWS = 30_000


def _cell(kind: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if kind in ("money", "number"):
        return format_number(int(value))
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def render_report_pdf(report: Report, *, max_rows: int = PDF_MAX_ROWS) -> bytes:
    """The report as PDF bytes: the columns marked for print, scaled to the page's width."""
    buffer = io.BytesIO()
    canvas = open_canvas(
        buffer,
        title=f"{report.title_vi} — {report.association_name}",
        subject=report.title_en,
        author=report.association_name,
        created_at=report.generated_at,
    )
    label = f"{text(report.association)} — {report.title_vi.capitalize()}"
    sheet = document_sheet(canvas, number=label, title_vi=report.title_vi, title_en=report.title_en, bottom=MARGIN + 6)
    association_header(sheet, report.association_name, report.association_address, report.association, motto=True)
    sheet.heading(report.title_vi, report.title_en, size=15)
    facts = [report.period_label(), f"Lập lúc / Generated: {format_datetime(report.generated_at)}"]
    sheet.centred([line for line in facts if line], size=9, color=MUTED)
    sheet.centred(
        [f"Tính đến bút toán số / Chain head: {report.head_seq} — {report.head_hash[:32]}…"], size=7.5, color=MUTED
    )
    sheet.y -= 6
    printed = [column for column in report.columns if column.pdf]
    scale = CONTENT_WIDTH / sum(column.width for column in printed)
    columns = [
        Column(
            column.short or column.vi,
            column.en,
            column.width * scale,
            "right" if column.kind in ("money", "number") else "left",
        )
        for column in printed
    ]
    rows: list[list[str]] = []
    cut = False
    for row in report.rows:
        if len(rows) >= max_rows:
            cut = True
            break
        rows.append([_cell(column.kind, row.get(column.key)) for column in printed])
    total = None
    if report.totals:
        total = [
            _cell(column.kind, report.totals.get(column.key)) if column.kind == "money" else "" for column in printed
        ]
        # The label goes in the first column, which may be a narrow one (a date).
        total[0] = "Tổng cộng / Total" if columns[0].width >= 90 else "Cộng"
    if rows:
        table(sheet, columns, rows, total=total, size=7.5)
    else:
        sheet.centred(["Không có số liệu trong kỳ. / Nothing in this period."], size=9)
    if cut:
        sheet.centred(
            [
                f"Bản PDF dừng ở {format_number(max_rows)} dòng; bản CSV và XLSX có đủ. / See the CSV or XLSX for the rest."
            ],
            size=8.5,
        )
    sheet.end_page()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
