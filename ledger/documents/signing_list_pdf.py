"""A ceremony's signing list (danh sách ký nhận) as an A4 PDF: every recipient with class and
school, the guardian who signs for a minor, the amount or goods, a column to sign, the total
in figures and in words, and the organisers' signatures."""

from __future__ import annotations

import io

from ledger.documents.drawing import MARGIN, Column, Signer, open_canvas, signatures, table, text
from ledger.documents.models import SigningListDocument, SigningListRow
from ledger.documents.parts import amount_fields, association_header, document_sheet
from ledger.formatting import format_date, format_number, format_vnd

TITLE_VI = "DANH SÁCH KÝ NHẬN"
TITLE_EN = "Signing list"
#: Room for a signature in each row (about 9 mm).
SIGNING_ROW_HEIGHT = 26.0


def _columns(money: bool, goods: bool) -> tuple[Column, ...]:
    """The columns of the list: 511 points across, the goods and their value (or the amount)
    before the signature; the recipient's name takes what is left."""
    what: list[Column] = []
    if goods:
        what.append(Column("Số lượng", "Quantity", 44, "right"))
    what.append(Column("Số tiền" if money else "Giá trị", "Amount" if money else "Value", 62 if goods else 70, "right"))
    fixed = (
        Column("STT", "No.", 24, "center"),
        Column("Lớp", "Class", 30, "center"),
        Column("Trường", "School", 86 if goods else 104),
        Column("Người giám hộ", "Guardian signing", 84),
        Column("Ký nhận", "Signature", 66),
    )
    name_width = 511 - sum(c.width for c in (*fixed, *what))
    number, grade, school, guardian, signature = fixed
    return (number, Column("Họ và tên", "Recipient", name_width), grade, school, guardian, *what, signature)


def _cells(index: int, row: SigningListRow, goods: bool) -> tuple[str, ...]:
    name = text(row.recipient_name) + (" (đã hủy / void)" if row.status == "void" else "")
    what: list[str] = []
    if goods:
        what.append(f"{format_number(row.quantity)} {text(row.unit)}" if row.quantity is not None else "")
    what.append(format_vnd(row.amount_vnd))
    return (str(index), name, text(row.grade), text(row.school), text(row.guardian_name), *what, "")


def render_signing_list(doc: SigningListDocument) -> bytes:
    """The signing list as PDF bytes, as many A4 pages as the recipients need, the header of the
    table repeated on each; the same ``doc`` always gives the same bytes."""
    buffer = io.BytesIO()
    label = f"{TITLE_VI} — đợt chi số {doc.batch_id}"
    canvas = open_canvas(
        buffer,
        title=label,
        subject=f"{TITLE_EN}, batch {doc.batch_id}",
        author=doc.association_name,
        created_at=doc.created_at,
    )
    # No footer: the list is not one entry but many, each with its voucher.
    sheet = document_sheet(
        canvas, number=f"Đợt chi số {doc.batch_id}", title_vi=TITLE_VI, title_en=TITLE_EN, bottom=MARGIN + 6
    )
    association_header(sheet, doc.association_name, doc.association_address, doc.association_code, motto=True)
    sheet.heading(TITLE_VI, TITLE_EN)
    if doc.title:
        sheet.centred([text(doc.title)], size=11)
    dates = format_date(doc.first_on)
    if doc.last_on != doc.first_on:
        dates = f"{dates} – {format_date(doc.last_on)}"
    sheet.centred([f"Ngày / Date: {dates}      Quỹ / Fund: {', '.join(text(n) for n in doc.fund_names)}"], size=9)
    sheet.y -= 6

    goods = any(row.item is not None for row in doc.rows)
    money = any(row.item is None for row in doc.rows)
    if goods:
        sheet.field("Hiện vật", "Goods", "; ".join(dict.fromkeys(text(row.item) for row in doc.rows if row.item)))
    columns = _columns(money, goods)
    rows = [_cells(index, row, goods) for index, row in enumerate(doc.rows, start=1)]
    muted = frozenset(i for i, row in enumerate(doc.rows) if row.status == "void")
    quantity_total = ", ".join(f"{format_number(q)} {text(u)}" for _, u, q in doc.goods_totals)
    total = ("", "Cộng / Total", "", "", "", *([quantity_total] if goods else []), format_vnd(doc.total_vnd), "")
    table(sheet, columns, rows, total=total, size=8.5, muted_rows=muted, min_row_height=SIGNING_ROW_HEIGHT)

    valid = sum(1 for row in doc.rows if row.status == "valid")
    sheet.field("Số người nhận", "Recipients", format_number(valid))
    if goods:
        sheet.field(
            "Tổng số hiện vật",
            "Goods handed out",
            "; ".join(f"{format_number(q)} {text(u)} {text(i)}" for i, u, q in doc.goods_totals),
        )
    amount_fields(sheet, doc.total_vnd, label_vi="Tổng số tiền" if money else "Tổng giá trị", label_en="Total")
    if doc.pending_count:
        sheet.field(
            "Chờ duyệt",
            "Pending",
            f"{doc.pending_count} khoản của đợt chi đang chờ duyệt, chưa có trong danh sách",
            note=f"{doc.pending_count} items of the batch wait for approval and are not on this list",
        )
    sheet.ensure(30)
    sheet.y -= 4
    sheet.centred([f"Ngày {doc.last_on.day:02d} tháng {doc.last_on.month:02d} năm {doc.last_on.year}"], size=9.5)
    sheet.y -= 4
    signatures(
        sheet,
        (
            Signer("Người lập danh sách", "Prepared by", doc.preparer_name),
            Signer("Thủ quỹ", "Cashier", doc.treasurer_name),
            Signer("Kế toán trưởng", "Chief accountant", doc.accountant_name),
            Signer("Chủ tịch Hội", "Head of the association", doc.chair_name),
        ),
    )
    sheet.end_page()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
