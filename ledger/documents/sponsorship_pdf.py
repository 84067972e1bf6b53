"""A company's yearly sponsorship confirmation (biên bản xác nhận tài trợ, form 03/TNDN) as an A4
PDF: both parties, money and goods in separate tables, the totals in figures and in words,
and the signatures of both sides (a deduction needs both)."""

from __future__ import annotations

import io

from ledger.documents.drawing import CONTENT_WIDTH, MARGIN, Column, Signer, open_canvas, signatures, table, text, wrap
from ledger.documents.fonts import REGULAR
from ledger.documents.labels import PAYMENT_METHOD_LABELS, label
from ledger.documents.models import SponsorshipConfirmationDocument
from ledger.documents.parts import amount_fields, association_header, document_sheet
from ledger.formatting import format_date, format_vnd

TITLE_VI = "BIÊN BẢN XÁC NHẬN TÀI TRỢ"
TITLE_EN = "Sponsorship confirmation"
FORM = "Mẫu số 03/TNDN"

MONEY_COLUMNS = (
    Column("STT", "No.", 26, "center"),
    Column("Ngày", "Date", 64, "center"),
    Column("Số biên nhận", "Receipt no.", 110),
    Column("Quỹ, mục đích", "Fund, purpose", 131),
    Column("Hình thức", "Method", 84),
    Column("Số tiền", "Amount", 96, "right"),
)
GOODS_COLUMNS = (
    Column("STT", "No.", 26, "center"),
    Column("Ngày", "Date", 64, "center"),
    Column("Số biên nhận", "Receipt no.", 110),
    Column("Hiện vật (số lượng)", "Goods (quantity)", 215),
    Column("Giá trị", "Value", 96, "right"),
)
USE_VI = (
    "Bên nhận tài trợ xác nhận đã nhận đủ các khoản tài trợ nêu trên và sử dụng đúng mục đích "
    "khuyến học, hỗ trợ giáo dục theo quy định."
)
USE_EN = "The recipient confirms it received the sponsorship above in full and uses it for education as designated."


def render_sponsorship_confirmation(doc: SponsorshipConfirmationDocument) -> bytes:
    """The confirmation as PDF bytes; the same ``doc`` always gives the same bytes."""
    buffer = io.BytesIO()
    label_text = f"{TITLE_VI} NĂM {doc.year}"
    canvas = open_canvas(
        buffer,
        title=f"{label_text} — {text(doc.donor_name)}",
        subject=f"{TITLE_EN} {doc.year}",
        author=doc.association_name,
        created_at=doc.created_at,
    )
    sheet = document_sheet(
        canvas,
        number=f"{doc.association_code} — {doc.year}",
        title_vi=TITLE_VI,
        title_en=TITLE_EN,
        bottom=MARGIN + 6,
    )
    association_header(sheet, doc.association_name, doc.association_address, doc.association_code, motto=True)
    sheet.heading(label_text, f"{TITLE_EN} {doc.year} ({FORM})")
    sheet.centred([f"{FORM}: các khoản tài trợ từ 01/01/{doc.year} đến 31/12/{doc.year}"], size=9)

    sheet.section("Bên tài trợ", "Sponsor")
    sheet.field("Tên doanh nghiệp, tổ chức", "Name", text(doc.donor_name), bold=True, size=11)
    sheet.field("Mã số thuế", "Tax code", text(doc.donor_tax_code) or "—")
    sheet.field("Địa chỉ", "Address", text(doc.donor_address) or "—")
    sheet.section("Bên nhận tài trợ", "Recipient")
    sheet.field("Tên đơn vị", "Name", text(doc.association_name), bold=True)
    sheet.field("Địa chỉ", "Address", text(doc.association_address) or "—")

    sheet.section("Tài trợ bằng tiền", "Sponsorship in money")
    if doc.money:
        rows = [
            (
                str(i),
                format_date(line.received_on),
                line.receipt_number,
                text(line.fund_name),
                label(PAYMENT_METHOD_LABELS, line.method)[0],
                format_vnd(line.amount_vnd),
            )
            for i, line in enumerate(doc.money, start=1)
        ]
        table(sheet, MONEY_COLUMNS, rows, total=("", "", "Cộng / Total", "", "", format_vnd(doc.money_vnd)))
    else:
        sheet.field("Không có", "None", "—")
    sheet.section("Tài trợ bằng hiện vật", "Sponsorship in kind")
    if doc.goods:
        goods_rows = [
            (str(i), format_date(line.received_on), line.receipt_number, text(line.goods), format_vnd(line.amount_vnd))
            for i, line in enumerate(doc.goods, start=1)
        ]
        table(sheet, GOODS_COLUMNS, goods_rows, total=("", "", "Cộng / Total", "", format_vnd(doc.goods_vnd)))
    else:
        sheet.field("Không có", "None", "—")

    sheet.section("Tổng cộng", "Total")
    sheet.field("Bằng tiền", "In money", format_vnd(doc.money_vnd))
    sheet.field("Bằng hiện vật", "In kind", format_vnd(doc.goods_vnd))
    amount_fields(sheet, doc.total_vnd, label_vi="Tổng giá trị tài trợ", label_en="Total sponsorship")
    sheet.ensure(34)
    sheet.centred(wrap(USE_VI, REGULAR, 9, CONTENT_WIDTH), size=9)
    sheet.centred(wrap(USE_EN, REGULAR, 7.5, CONTENT_WIDTH), size=7.5)
    sheet.y -= 4
    signatures(
        sheet,
        (
            Signer("Đại diện bên tài trợ", "For the sponsor", None),
            Signer("Kế toán bên nhận", "Recipient's accountant", doc.accountant_name),
            Signer("Đại diện bên nhận tài trợ (Chủ tịch Hội)", "For the recipient", doc.chair_name),
        ),
    )
    sheet.end_page()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
