"""The donation receipt (giấy biên nhận tài trợ) as an A4 PDF, in Vietnamese with English under each heading."""

from __future__ import annotations

import io

from ledger.documents.drawing import Signer, open_canvas, signatures, text
from ledger.documents.labels import PAYMENT_METHOD_LABELS, label
from ledger.documents.models import ReceiptDocument
from ledger.documents.parts import (
    amount_fields,
    association_header,
    document_sheet,
    items_table,
    number_and_date,
    thanks,
    verification_footer,
    void_notice_for,
)
from ledger.formatting import format_date

TITLE_VI = "GIẤY BIÊN NHẬN TÀI TRỢ"
TITLE_EN = "Donation receipt"


def render_receipt(doc: ReceiptDocument) -> bytes:
    """The receipt as one A4 page of PDF (more only for a long list of goods); the same
    ``doc`` always gives the same bytes."""
    buffer = io.BytesIO()
    number = text(doc.number)
    canvas = open_canvas(
        buffer,
        title=f"{TITLE_VI} {number}",
        subject=f"{TITLE_EN} {number}",
        author=doc.association_name,
        created_at=doc.created_at,
    )
    sheet = document_sheet(canvas, number=number, title_vi=TITLE_VI, title_en=TITLE_EN, void=doc.status == "void")
    association_header(sheet, doc.association_name, doc.association_address, doc.association_code, motto=True)
    sheet.heading(TITLE_VI, TITLE_EN)
    number_and_date(sheet, number, format_date(doc.received_on))
    if doc.voided_on is not None:
        void_notice_for(sheet, "GIẤY BIÊN NHẬN NÀY", "receipt", doc.voided_on, doc.void_reason)

    sheet.section("Người tài trợ", "Donor")
    sheet.field("Họ và tên", "Name", text(doc.donor_name), bold=True, size=11)
    sheet.field("Địa chỉ", "Address", text(doc.donor_address) or "—")
    if doc.donor_tax_code:
        sheet.field("Mã số thuế", "Tax code", text(doc.donor_tax_code))

    sheet.section("Nội dung tài trợ", "Donation")
    amount_fields(sheet, doc.amount_vnd)
    method_vi, method_en = label(PAYMENT_METHOD_LABELS, doc.method)
    sheet.field("Hình thức", "Method", method_vi, note=method_en)
    if doc.items:
        items_table(sheet, doc.items, doc.amount_vnd)
    sheet.field("Quỹ", "Fund", f"{text(doc.fund_name)} ({text(doc.fund_code)})", bold=True)
    sheet.field("Mục đích sử dụng", "Purpose", text(doc.purpose) or "—")
    if doc.memo:
        sheet.field("Nội dung", "Memo", text(doc.memo))
    if doc.reference:
        sheet.field("Số tham chiếu", "Reference", text(doc.reference))
    if doc.cash_voucher_number:
        sheet.field("Phiếu thu tiền mặt", "Cash receipt voucher", text(doc.cash_voucher_number))

    thanks(sheet)
    signatures(
        sheet,
        (
            Signer("Người tài trợ", "Donor", doc.donor_name),
            Signer("Thủ quỹ", "Treasurer", doc.treasurer_name),
            Signer("Chủ tịch Hội", "Chair of the association", doc.chair_name),
        ),
    )
    verification_footer(
        sheet,
        verify_url=doc.verify_url,
        entry_seq=doc.entry_seq,
        entry_hash=doc.entry_hash,
        caption_vi="Kiểm tra giấy biên nhận",
        caption_en="Verify this receipt",
    )
    sheet.end_page()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
