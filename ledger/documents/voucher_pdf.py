"""The disbursement voucher (phiếu chi) as an A4 PDF, one voucher or a whole ceremony's worth, one voucher a page."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.pdfgen.canvas import Canvas

from ledger.documents.drawing import Signer, open_canvas, signatures, text
from ledger.documents.labels import (
    BENEFICIARY_CATEGORY_LABELS,
    DISBURSEMENT_KIND_LABELS,
    PAYMENT_METHOD_LABELS,
    label,
)
from ledger.documents.models import VoucherDocument
from ledger.documents.parts import (
    amount_fields,
    association_header,
    document_sheet,
    items_table,
    number_and_date,
    verification_footer,
    void_notice_for,
)
from ledger.formatting import format_date

TITLE_VI = "PHIẾU CHI"
TITLE_EN = "Disbursement voucher"
#: A ceremony's batch is rendered in one request; past this, split it (STYLE.md: a limit on everything).
MAX_VOUCHERS_PER_PDF = 2000


def _school_and_grade(doc: VoucherDocument) -> str:
    school = text(doc.school)
    grade = text(doc.grade)
    if school and grade:
        return f"{school} — lớp {grade}"
    return school or (f"Lớp {grade}" if grade else "")


def _draw_voucher(canvas: Canvas, doc: VoucherDocument) -> None:
    """Draw ``doc`` on fresh pages of ``canvas``, with the content the Law on Accounting
    (art. 16) asks of a payment voucher: name and number, date, issuer and receiver, content,
    amount in figures and in words, and the signatures and full names of those involved."""
    number = text(doc.number)
    sheet = document_sheet(canvas, number=number, title_vi=TITLE_VI, title_en=TITLE_EN, void=doc.status == "void")
    association_header(sheet, doc.association_name, doc.association_address, doc.association_code, motto=False)
    sheet.heading(TITLE_VI, TITLE_EN, size=20)
    number_and_date(sheet, number, format_date(doc.paid_on))
    if doc.voided_on is not None:
        void_notice_for(sheet, "PHIẾU CHI NÀY", "voucher", doc.voided_on, doc.void_reason)

    sheet.section("Người nhận", "Receiver")
    sheet.field("Họ và tên người nhận", "Full name", text(doc.beneficiary_name), bold=True, size=11)
    if doc.beneficiary_address:
        sheet.field("Địa chỉ", "Address", text(doc.beneficiary_address))
    category_vi, category_en = label(BENEFICIARY_CATEGORY_LABELS, doc.beneficiary_category)
    if category_vi:
        sheet.field("Đối tượng", "Category", text(category_vi), note=category_en)
    school = _school_and_grade(doc)
    if school:
        sheet.field("Trường, lớp", "School, grade", school)

    sheet.section("Nội dung chi", "Payment")
    kind_vi, kind_en = label(DISBURSEMENT_KIND_LABELS, doc.kind)
    sheet.field("Loại chi", "Kind", text(kind_vi), note=kind_en)
    sheet.field("Lý do chi", "Purpose", text(doc.purpose) or "—")
    sheet.field("Chi từ quỹ", "Fund", f"{text(doc.fund_name)} ({text(doc.fund_code)})", bold=True)
    amount_fields(sheet, doc.amount_vnd)
    method_vi, method_en = label(PAYMENT_METHOD_LABELS, doc.paid_from)
    sheet.field("Hình thức chi", "Paid from", method_vi, note=method_en)
    if doc.items:
        items_table(sheet, doc.items, doc.amount_vnd)

    sheet.ensure(30)
    sheet.y -= 4
    sheet.centred([f"Ngày {doc.paid_on.day:02d} tháng {doc.paid_on.month:02d} năm {doc.paid_on.year}"], size=9.5)
    sheet.y -= 4
    signatures(
        sheet,
        (
            Signer("Người lập phiếu", "Prepared by", doc.maker_name),
            Signer("Người duyệt", "Approved by", doc.approver_name),
            Signer("Thủ quỹ", "Treasurer", doc.treasurer_name),
            Signer("Người nhận tiền", "Received by", doc.beneficiary_name),
        ),
    )
    verification_footer(
        sheet,
        verify_url=None,
        entry_seq=doc.entry_seq,
        entry_hash=doc.entry_hash,
        caption_vi="Đối chiếu sổ cái",
        caption_en="Ledger reference",
    )
    sheet.end_page()
    canvas.showPage()


def render_voucher(doc: VoucherDocument) -> bytes:
    """One voucher as PDF bytes; the same ``doc`` always gives the same bytes."""
    return render_vouchers((doc,))


def render_vouchers(docs: Sequence[VoucherDocument]) -> bytes:
    """Many vouchers in one PDF, each starting on a page of its own, in the order given: an
    award ceremony's vouchers printed at once. The PDF's creation date is the latest
    ``created_at``, so the same vouchers always give the same bytes."""
    if not docs:
        raise ValueError("render_vouchers needs at least one voucher")
    if len(docs) > MAX_VOUCHERS_PER_PDF:
        raise ValueError(f"at most {MAX_VOUCHERS_PER_PDF} vouchers go into one PDF, got {len(docs)}")
    first = docs[0]
    if len(docs) == 1:
        title, subject = f"{TITLE_VI} {first.number}", f"{TITLE_EN} {first.number}"
    else:
        title = f"{TITLE_VI} {first.number} – {docs[-1].number} ({len(docs)})"
        subject = f"{len(docs)} disbursement vouchers"
    buffer = io.BytesIO()
    canvas = open_canvas(
        buffer,
        title=title,
        subject=subject,
        author=first.association_name,
        created_at=max(doc.created_at for doc in docs),
    )
    for doc in docs:
        _draw_voucher(canvas, doc)
    canvas.save()
    return buffer.getvalue()
