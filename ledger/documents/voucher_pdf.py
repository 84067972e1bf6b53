"""Accounting vouchers as A4 PDF: phiếu chi (form 02-TT), ủy nhiệm chi, phiếu xuất kho (02-VT)
and the cash phiếu thu (form 01-TT); one voucher or a whole ceremony's worth, one a page."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.pdfgen.canvas import Canvas

from ledger.documents.drawing import MARGIN, MUTED, Sheet, Signer, open_canvas, signatures, text
from ledger.documents.labels import (
    BENEFICIARY_CATEGORY_LABELS,
    BENEFICIARY_KIND_LABELS,
    DISBURSEMENT_KIND_LABELS,
    PAYMENT_METHOD_LABELS,
    label,
)
from ledger.documents.models import VoucherDocument
from ledger.documents.parts import (
    LEDGER_FOOTER_HEIGHT,
    amount_fields,
    association_header,
    document_sheet,
    items_table,
    number_and_date,
    verification_footer,
    void_notice_for,
)
from ledger.domain.vouchers import CASH_PAYMENT, CASH_RECEIPT, GOODS_ISSUE, VOUCHER_KINDS, VoucherKind
from ledger.formatting import format_date

#: A ceremony's batch is rendered in one request; past this, split it (STYLE.md: a limit on everything).
MAX_VOUCHERS_PER_PDF = 2000
#: Left blank on the form for the preparer to fill in by hand (forms 01-TT and 02-TT).
DOTS = "……………"


def _school_and_grade(doc: VoucherDocument) -> str:
    school = text(doc.school)
    grade = text(doc.grade)
    if school and grade:
        return f"{school} — lớp {grade}"
    return school or (f"Lớp {grade}" if grade else "")


def _accounts_aside(kind: VoucherKind, doc: VoucherDocument) -> list[tuple[str, bool]]:
    """The form's number and the accounts the entry debits and credits, top right."""
    aside: list[tuple[str, bool]] = []
    if kind.form:
        aside.append((f"Mẫu số {kind.form}", True))
    if doc.debit_accounts:
        aside.append((f"Nợ / Debit: {', '.join(doc.debit_accounts)}", False))
    if doc.credit_accounts:
        aside.append((f"Có / Credit: {', '.join(doc.credit_accounts)}", False))
    return aside


def _receiver(sheet: Sheet, kind: VoucherKind, doc: VoucherDocument) -> None:
    """Who receives the money or goods and signs for them; the beneficiary when that is someone else."""
    if kind is GOODS_ISSUE:
        sheet.section("Người nhận hàng", "Received by")
    else:
        sheet.section("Người nhận tiền", "Received by")
    sheet.field("Họ và tên người nhận", "Full name", text(doc.receiver_name) or "—", bold=True, size=11)
    guardian = not doc.payee_name and doc.beneficiary_is_minor and bool(doc.guardian_name)
    address = doc.payee_address if doc.payee_name else doc.beneficiary_address
    if address:
        sheet.field("Địa chỉ", "Address", text(address))
    if guardian:
        relation = text(doc.guardian_relation) or "người giám hộ"
        sheet.field(
            "Nhận thay cho",
            "On behalf of",
            text(doc.beneficiary_name),
            note=f"Người nhận là {relation} của người thụ hưởng chưa thành niên / the guardian receives for a minor",
        )
    if doc.payee_name:
        sheet.section("Người thụ hưởng", "Beneficiary")
        sheet.field("Người thụ hưởng", "Beneficiary", text(doc.beneficiary_name) or "—", bold=True)
        if doc.beneficiary_address:
            sheet.field("Địa chỉ", "Address", text(doc.beneficiary_address))
    kind_vi, kind_en = label(BENEFICIARY_KIND_LABELS, doc.beneficiary_kind)
    category_vi, category_en = label(BENEFICIARY_CATEGORY_LABELS, doc.beneficiary_category)
    if category_vi or kind_vi:
        sheet.field("Đối tượng", "Category", text(category_vi or kind_vi), note=category_en or kind_en)
    school = _school_and_grade(doc)
    if school and doc.beneficiary_kind != "school":
        sheet.field("Trường, lớp", "School, grade", school)


def _payer(sheet: Sheet, doc: VoucherDocument) -> None:
    sheet.section("Người nộp tiền", "Paid in by")
    sheet.field("Họ và tên người nộp tiền", "Full name", text(doc.payer_name) or "—", bold=True, size=11)
    sheet.field("Địa chỉ", "Address", text(doc.payer_address) or "—")


def _content(sheet: Sheet, kind: VoucherKind, doc: VoucherDocument) -> None:
    if kind.incoming:
        sheet.section("Nội dung thu", "Receipt")
        sheet.field("Lý do nộp", "Reason", text(doc.purpose) or "—")
        sheet.field("Vào quỹ", "Fund", f"{text(doc.fund_name)} ({text(doc.fund_code)})", bold=True)
    else:
        sheet.section("Nội dung chi", "Payment")
        kind_vi, kind_en = label(DISBURSEMENT_KIND_LABELS, doc.kind)
        if kind_vi:
            sheet.field("Loại chi", "Kind", text(kind_vi), note=kind_en)
        sheet.field("Lý do chi", "Reason", text(doc.purpose) or "—")
        sheet.field("Chi từ quỹ", "Fund", f"{text(doc.fund_name)} ({text(doc.fund_code)})", bold=True)
    amount_fields(sheet, doc.amount_vnd)
    if kind is not GOODS_ISSUE:
        method_vi, method_en = label(PAYMENT_METHOD_LABELS, doc.paid_from)
        reference = text(doc.reference)
        sheet.field(
            "Hình thức, tham chiếu" if reference else "Hình thức",
            "Method, reference" if reference else "Method",
            f"{method_vi} — {reference}" if reference else method_vi,
            note=method_en,
        )
    elif doc.reference:
        sheet.field("Số tham chiếu", "Reference", text(doc.reference))
    if doc.items:
        items_table(sheet, doc.items, doc.amount_vnd)
    attached = f"01 chứng từ gốc (biên nhận {text(doc.receipt_number)})" if doc.receipt_number else None
    sheet.field("Kèm theo", "Attached", attached or f"{DOTS} chứng từ gốc", note="original documents")
    if doc.approver_name:
        sheet.field("Người duyệt chi", "Approved by", text(doc.approver_name))


def _signers(kind: VoucherKind, doc: VoucherDocument) -> tuple[Signer, ...]:
    """The signature lines of the form, with the names on record printed under them."""
    head = Signer("Thủ trưởng đơn vị (Chủ tịch Hội)", "Head of the association", doc.chair_name)
    accountant = Signer("Kế toán trưởng", "Chief accountant", doc.accountant_name)
    preparer = Signer("Người lập phiếu", "Prepared by", doc.maker_name)
    if kind.incoming:
        other = Signer("Người nộp tiền", "Paid in by", doc.payer_name)
    elif kind is GOODS_ISSUE:
        other = Signer("Người nhận hàng", "Received by", doc.receiver_name)
    else:
        other = Signer("Người nhận tiền", "Received by", doc.receiver_name)
    if kind is GOODS_ISSUE:
        keeper = Signer("Thủ kho (Thủ quỹ)", "Storekeeper", doc.treasurer_name)
    else:
        keeper = Signer("Thủ quỹ", "Cashier", doc.treasurer_name)
    if kind in (CASH_PAYMENT, CASH_RECEIPT, GOODS_ISSUE):
        return (head, accountant, other, preparer, keeper)
    # A bank payment order is signed by the account holder and the accountant; the bank pays.
    return (head, accountant, preparer)


def _received_in_words(sheet: Sheet, kind: VoucherKind) -> None:
    """ "Đã nhận đủ số tiền (viết bằng chữ)": written by hand by whoever takes the cash (01-TT, 02-TT)."""
    if kind not in (CASH_PAYMENT, CASH_RECEIPT):
        return
    sheet.ensure(24)
    sheet.draw(MARGIN, sheet.y - 10, "Đã nhận đủ số tiền (viết bằng chữ): " + "." * 92, size=9.5)
    sheet.draw(MARGIN, sheet.y - 20, "Received in full (amount in words, by hand)", size=7.5, color=MUTED)
    sheet.y -= 26


def _draw_voucher(canvas: Canvas, doc: VoucherDocument) -> None:
    """Draw ``doc`` on fresh pages of ``canvas``, with the content the Law on Accounting
    (art. 16) asks of a voucher: name and number, date, issuer and receiver with addresses,
    content, amount in figures and in words, and the signatures and full names of those involved."""
    kind = VOUCHER_KINDS[doc.series]
    number = text(doc.number)
    sheet = document_sheet(
        canvas,
        number=number,
        title_vi=kind.title_vi,
        title_en=kind.title_en,
        void=doc.status == "void",
        bottom=MARGIN + LEDGER_FOOTER_HEIGHT,
    )
    association_header(
        sheet,
        doc.association_name,
        doc.association_address,
        doc.association_code,
        motto=False,
        aside=_accounts_aside(kind, doc),
    )
    sheet.heading(kind.title_vi, kind.title_en, size=20)
    number_and_date(sheet, number, format_date(doc.paid_on))
    if doc.voided_on is not None:
        void_notice_for(sheet, f"{kind.title_vi} NÀY", "voucher", doc.voided_on, doc.void_reason)
    if kind.incoming:
        _payer(sheet, doc)
    else:
        _receiver(sheet, kind, doc)
    _content(sheet, kind, doc)

    sheet.ensure(30)
    sheet.y -= 4
    sheet.centred([f"Ngày {doc.paid_on.day:02d} tháng {doc.paid_on.month:02d} năm {doc.paid_on.year}"], size=9.5)
    sheet.y -= 4
    signatures(sheet, _signers(kind, doc))
    _received_in_words(sheet, kind)
    verification_footer(
        sheet,
        verify_url=None,
        entry_seq=doc.entry_seq,
        entry_hash=doc.entry_hash,
        caption_vi="Đối chiếu sổ cái",
        caption_en="Ledger reference",
        height=LEDGER_FOOTER_HEIGHT,
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
    kind = VOUCHER_KINDS[first.series]
    if len(docs) == 1:
        title, subject = f"{kind.title_vi} {first.number}", f"{kind.title_en} {first.number}"
    else:
        title = f"{kind.title_vi} {first.number} – {docs[-1].number} ({len(docs)})"
        subject = f"{len(docs)} vouchers"
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
