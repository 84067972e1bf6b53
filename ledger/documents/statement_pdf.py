"""A donor's giving statement for one year as an A4 PDF: every receipt of the year and the total given."""

from __future__ import annotations

import io

from ledger.documents.drawing import MARGIN, MUTED, Column, Signer, open_canvas, signatures, table, text
from ledger.documents.models import DonorStatementDocument
from ledger.documents.parts import amount_fields, association_header, document_sheet, thanks
from ledger.formatting import format_date, format_vnd, to_vietnam_time

TITLE_VI = "BẢNG KÊ TÀI TRỢ NĂM"
TITLE_EN = "Donor giving statement"

#: Columns of the receipts table: together the 511 points of an A4 page's content width.
LINE_COLUMNS = (
    Column("STT", "No.", 28, "center"),
    Column("Ngày", "Date", 62, "center"),
    Column("Số biên nhận", "Receipt no.", 104),
    Column("Quỹ", "Fund", 169),
    Column("Số tiền", "Amount", 90, "right"),
    Column("Trạng thái", "Status", 58, "center"),
)
_STATUS = {"valid": "Hợp lệ", "void": "Đã hủy / Void"}


def render_donor_statement(doc: DonorStatementDocument) -> bytes:
    """The statement as PDF bytes; the same ``doc`` always gives the same bytes.

    Void receipts are listed, greyed, so the donor can match every receipt they hold, but
    only valid ones count towards the total.
    """
    buffer = io.BytesIO()
    title_vi = f"{TITLE_VI} {doc.year}"
    title_en = f"{TITLE_EN} {doc.year}"
    canvas = open_canvas(
        buffer,
        title=f"{title_vi} — {doc.donor_name}",
        subject=f"{title_en} — {doc.donor_name}",
        author=doc.association_name,
        created_at=doc.created_at,
    )
    sheet = document_sheet(
        canvas,
        number=f"{text(doc.association_code)} — {doc.year}",
        title_vi=title_vi,
        title_en=title_en,
        bottom=MARGIN + 6,
    )
    association_header(sheet, doc.association_name, doc.association_address, doc.association_code, motto=True)
    sheet.heading(title_vi, title_en)
    issued_on = to_vietnam_time(doc.created_at).date()
    sheet.centred([f"Ngày lập / Issued: {format_date(issued_on)}"], size=9.5, color=MUTED)
    sheet.y -= 6

    sheet.section("Người tài trợ", "Donor")
    sheet.field("Họ và tên", "Name", text(doc.donor_name), bold=True, size=11)
    sheet.field("Địa chỉ", "Address", text(doc.donor_address) or "—")
    if doc.donor_tax_code:
        sheet.field("Mã số thuế", "Tax code", text(doc.donor_tax_code))

    sheet.section("Các khoản tài trợ", "Donations")
    if doc.lines:
        rows = [
            (
                str(index),
                format_date(line.received_on),
                line.receipt_number,
                f"{line.fund_name} ({line.fund_code})",
                format_vnd(line.amount_vnd),
                _STATUS[line.status],
            )
            for index, line in enumerate(doc.lines, start=1)
        ]
        muted = frozenset(index for index, line in enumerate(doc.lines) if line.status == "void")
        total = ("", "", "Tổng cộng / Total", "", format_vnd(doc.total_vnd), "")
        table(sheet, LINE_COLUMNS, rows, total=total, muted_rows=muted)
        if muted:
            sheet.centred(["Giấy biên nhận đã hủy được liệt kê nhưng không tính vào tổng cộng."], size=8.5, color=MUTED)
            sheet.centred(["Void receipts are listed but not counted in the total."], size=7.5, color=MUTED)
            sheet.y -= 4
    else:
        sheet.centred([f"Không có khoản tài trợ nào trong năm {doc.year}."], size=9.5)
        sheet.centred([f"No donations were received in {doc.year}."], size=8, color=MUTED)
        sheet.y -= 4
    if doc.total_vnd:
        amount_fields(sheet, doc.total_vnd, label_vi="Tổng số tiền", label_en="Total given")

    thanks(sheet)
    signatures(
        sheet,
        (
            Signer("Thủ quỹ", "Treasurer", doc.treasurer_name),
            Signer("Chủ tịch Hội", "Chair of the association", doc.chair_name),
        ),
    )
    sheet.end_page()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
