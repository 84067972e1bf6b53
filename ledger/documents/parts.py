"""Pieces the documents share: the association's header, amounts in words, goods tables, void notices, footers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reportlab.pdfgen.canvas import Canvas

from ledger.documents.drawing import (
    CONTENT_WIDTH,
    FOOTER_HEIGHT,
    INK,
    LINK,
    MARGIN,
    MUTED,
    PAGE_WIDTH,
    RULE,
    VOID_RED,
    Column,
    Sheet,
    draw_qr,
    page_number,
    table,
    text,
    void_mark,
    width_of,
    wrap,
)
from ledger.documents.fonts import BOLD, REGULAR
from ledger.documents.models import DocumentItem
from ledger.domain.amount_words import amount_in_words_en, amount_in_words_vi
from ledger.formatting import format_date, format_number, format_vnd

THANKS_VI = "Trân trọng cảm ơn tấm lòng của Quý vị đối với sự nghiệp khuyến học, khuyến tài."
THANKS_EN = "With our sincere thanks for your support to education."

#: Columns of a goods table: together the 511 points of an A4 page's content width.
ITEM_COLUMNS = (
    Column("STT", "No.", 28, "center"),
    Column("Tên hiện vật", "Description", 205),
    Column("Số lượng", "Quantity", 52, "right"),
    Column("ĐVT", "Unit", 46, "center"),
    Column("Đơn giá", "Unit value", 84, "right"),
    Column("Thành tiền", "Value", 96, "right"),
)


#: The footer without a QR code: the entry's number and hash only (vouchers).
LEDGER_FOOTER_HEIGHT = 62.0


def document_sheet(
    canvas: Canvas,
    *,
    number: str,
    title_vi: str,
    title_en: str,
    void: bool = False,
    bottom: float = MARGIN + FOOTER_HEIGHT,
) -> Sheet:
    """A sheet for one document: every page is numbered and, when the document is void,
    crossed with the void mark; pages after the first carry a running head. Content stays
    above ``bottom``, by default above the room kept for :func:`verification_footer`."""

    def end_page(sheet: Sheet) -> None:
        page_number(sheet, number)
        if void:
            void_mark(sheet.canvas)

    def new_page(sheet: Sheet) -> None:
        head = f"{title_vi} / {title_en} — {number} (tiếp theo / continued)"
        sheet.draw(MARGIN, sheet.y - 8, head, size=8, color=MUTED)
        sheet.y -= 22

    return Sheet(canvas, bottom=bottom, on_page_end=end_page, on_new_page=new_page)


def association_header(
    sheet: Sheet, name: str, address: str, code: str, *, motto: bool, aside: Sequence[tuple[str, bool]] = ()
) -> None:
    """The issuing association at the top left; with ``motto``, the national name and motto
    at the top right, as on the letters and certificates of a Vietnamese association. Lines
    ``aside`` (text, bold) go at the top right instead: a voucher's form number and accounts."""
    top = sheet.y
    left_width = CONTENT_WIDTH * (0.56 if motto else 0.62 if aside else 1.0)
    y = top - 11
    for line in wrap(name, BOLD, 11, left_width, max_lines=3):
        sheet.draw(MARGIN, y, line, font=BOLD, size=11)
        y -= 13.5
    for line in wrap(address, REGULAR, 8.5, left_width, max_lines=2):
        sheet.draw(MARGIN, y, line, size=8.5, color=MUTED)
        y -= 11
    sheet.draw(MARGIN, y, f"Mã hội / Association code: {text(code)}", size=8, color=MUTED)
    bottom = y - 6
    if motto:
        centre = MARGIN + CONTENT_WIDTH * 0.8
        nation = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        sheet.draw(centre, top - 10, nation, font=BOLD, size=8.5, align="center")
        words = "Độc lập – Tự do – Hạnh phúc"
        sheet.draw(centre, top - 22, words, font=BOLD, size=9, align="center")
        half = width_of(words, BOLD, 9) / 2
        canvas = sheet.canvas
        canvas.setLineWidth(0.6)
        canvas.setStrokeColor(MUTED)
        canvas.line(centre - half, top - 25.5, centre + half, top - 25.5)
        bottom = min(bottom, top - 34)
    right = MARGIN + CONTENT_WIDTH
    y = top - 10
    for line, bold in aside:
        sheet.draw(
            right,
            y,
            line,
            font=BOLD if bold else REGULAR,
            size=9 if bold else 8,
            color=INK if bold else MUTED,
            align="right",
        )
        y -= 11.5
    bottom = min(bottom, y + 5)
    sheet.y = bottom - 6


def number_and_date(sheet: Sheet, number: str, date_text: str) -> None:
    """The document number in bold and its date on one centred line under the title."""
    runs = (
        ("Số / No.: ", REGULAR, MUTED),
        (number, BOLD, INK),
        ("      Ngày / Date: ", REGULAR, MUTED),
        (date_text, BOLD, INK),
    )
    x = (PAGE_WIDTH - sum(width_of(value, font, 10) for value, font, _ in runs)) / 2
    for value, font, color in runs:
        sheet.draw(x, sheet.y - 10, value, font=font, size=10, color=color)
        x += width_of(value, font, 10)
    sheet.y -= 22


def void_notice(sheet: Sheet, notice_vi: str, notice_en: str) -> None:
    """A red framed notice saying that the document is void, since when and why."""
    inner = CONTENT_WIDTH - 16
    lines_vi = wrap(notice_vi, BOLD, 9.5, inner, max_lines=4)
    lines_en = wrap(notice_en, REGULAR, 8, inner, max_lines=4)
    height = len(lines_vi) * 12.5 + len(lines_en) * 10.5 + 10
    sheet.ensure(height + 8)
    top = sheet.y
    canvas = sheet.canvas
    canvas.setStrokeColor(VOID_RED)
    canvas.setLineWidth(1.2)
    canvas.rect(MARGIN, top - height, CONTENT_WIDTH, height, stroke=1, fill=0)
    baseline = top - 14.5
    for line in lines_vi:
        sheet.draw(MARGIN + 8, baseline, line, font=BOLD, size=9.5, color=VOID_RED)
        baseline -= 12.5
    for line in lines_en:
        sheet.draw(MARGIN + 8, baseline + 1.5, line, size=8, color=VOID_RED)
        baseline -= 10.5
    sheet.y = top - height - 8


def verification_footer(
    sheet: Sheet,
    *,
    verify_url: str | None,
    entry_seq: int,
    entry_hash: str,
    caption_vi: str,
    caption_en: str,
    height: float = FOOTER_HEIGHT,
) -> None:
    """The bottom of the last page: a QR code and the link to the public verification page
    (when there is one), then the journal entry's number and its full SHA-256 hash, which an
    auditor compares with the chain. Without a QR code, ``LEDGER_FOOTER_HEIGHT`` is room enough."""
    canvas = sheet.canvas
    top = MARGIN + height - 8
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, top, PAGE_WIDTH - MARGIN, top)
    x = MARGIN
    if verify_url:
        # About 28 mm: large enough for a phone at arm's length, with a white quiet zone
        # of more than four modules between it and the rule above.
        qr_size = 80.0
        draw_qr(canvas, verify_url, MARGIN, top - 12 - qr_size, qr_size)
        x = MARGIN + qr_size + 14
    width = PAGE_WIDTH - MARGIN - x
    y = top - 16
    sheet.draw(x, y, caption_vi, font=BOLD, size=8.5)
    sheet.draw(x + width_of(caption_vi, BOLD, 8.5) + 4, y, "/ " + caption_en, size=7.5, color=MUTED)
    y -= 12
    if verify_url:
        for line in wrap(verify_url, REGULAR, 8.5, width, max_lines=3):
            sheet.draw(x, y, line, size=8.5, color=LINK)
            y -= 11
        y -= 3
    sheet.draw(x, y, f"Bút toán số / Journal entry no.: {entry_seq}", size=7.5)
    y -= 10
    sheet.draw(x, y, "Mã băm SHA-256 của bút toán / SHA-256 hash of the entry:", size=7, color=MUTED)
    y -= 9.5
    for line in wrap(text(entry_hash), REGULAR, 7, width, max_lines=2):
        sheet.draw(x, y, line, size=7)
        y -= 9


def items_table(sheet: Sheet, items: tuple[DocumentItem, ...], amount_vnd: int) -> None:
    """Goods in kind with quantity, unit, unit value and value, and their total (art. 16)."""
    rows = [
        (
            str(index),
            item.description,
            format_number(item.quantity),
            item.unit,
            format_vnd(item.unit_value_vnd),
            format_vnd(item.value_vnd),
        )
        for index, item in enumerate(items, start=1)
    ]
    table(sheet, ITEM_COLUMNS, rows, total=("", "Cộng / Total", "", "", "", format_vnd(amount_vnd)))


def amount_fields(sheet: Sheet, amount_vnd: int, *, label_vi: str = "Số tiền", label_en: str = "Amount") -> None:
    """The amount in figures and in words: the Law on Accounting (art. 16) asks for both."""
    sheet.field(label_vi, label_en, format_vnd(amount_vnd), bold=True, size=13)
    sheet.field("Bằng chữ", "In words", amount_in_words_vi(amount_vnd), note=amount_in_words_en(amount_vnd))


def void_notice_for(sheet: Sheet, what_vi: str, what_en: str, voided_on: date, reason: str | None) -> None:
    """The void notice of a document: "<what> ĐÃ BỊ HỦY ngày …. Lý do: …", and in English."""
    because = text(reason)
    void_notice(
        sheet,
        f"{what_vi} ĐÃ BỊ HỦY ngày {format_date(voided_on)}." + (f" Lý do: {because}" if because else ""),
        f"This {what_en} is void since {format_date(voided_on, 'en')}." + (f" Reason: {because}" if because else ""),
    )


def thanks(sheet: Sheet) -> None:
    """The association's thanks to the donor, above the signatures."""
    sheet.ensure(34)
    sheet.y -= 2
    sheet.centred([THANKS_VI], size=9.5)
    sheet.centred([THANKS_EN], size=8, color=MUTED)
    sheet.y -= 6
