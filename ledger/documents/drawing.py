"""Drawing the documents straight onto a reportlab canvas: bilingual labels, wrapped text, tables, QR codes, void marks.

Platypus would lay the pages out for us but costs several times more per receipt than
drawing directly, and receipts are rendered by the thousand (PERFORMANCE.md), so the layout
here is a cursor moving down an A4 page that breaks to a new page only where a long table
needs one. Every document is Vietnamese first, with the English in a smaller grey line.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Literal

import segno
from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ledger.documents.fonts import BOLD, REGULAR, register_fonts, seed_document
from ledger.formatting import to_vietnam_time

# Binary streams instead of ASCII85: a fifth smaller, and without reportlab's optional C
# accelerator (rl_accel) the ASCII85 encoder is pure Python and costs a sixth of a receipt.
rl_config.useA85 = 0

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 42.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

INK = Color(0.08, 0.08, 0.1)
MUTED = Color(0.36, 0.36, 0.4)
RULE = Color(0.7, 0.7, 0.72)
SHADE = Color(0.93, 0.94, 0.96)
LINK = Color(0.05, 0.2, 0.55)
VOID_RED = Color(0.78, 0.08, 0.08)

#: Width of the label column of a field row; the value starts after it.
LABEL_WIDTH = 138.0
#: Height reserved at the bottom of the last page for the QR code and the entry's hash.
FOOTER_HEIGHT = 96.0
SIGNATURES_HEIGHT = 100.0
#: A value or a table cell longer than this many lines is cut with "…": a page must hold it.
MAX_VALUE_LINES = 12
MAX_CELL_LINES = 6
CREATOR = "Khuyến học Fund Ledger"

Align = Literal["left", "right", "center"]


def text(value: str | None) -> str:
    """``value`` in NFC, the form whose precomposed letters DejaVu has glyphs for.

    Names typed on some keyboards arrive decomposed (a base letter followed by combining
    marks); drawn as they are, the marks would sit beside the letter instead of on it, and
    text extraction would not give back the name the donor wrote.
    """
    return unicodedata.normalize("NFC", value) if value else ""


def width_of(value: str, font: str, size: float) -> float:
    return float(stringWidth(value, font, size))


def _break_word(word: str, font: str, size: float, max_width: float) -> list[str]:
    """Split a word wider than the column (a URL, a long code) at character boundaries."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and width_of(current + char, font, size) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap(value: str, font: str, size: float, max_width: float, *, max_lines: int = MAX_VALUE_LINES) -> list[str]:
    """Lines of ``value`` no wider than ``max_width``: breaks at spaces and newlines, inside
    a word only when the word alone is too wide, and ends with "…" past ``max_lines``."""
    lines: list[str] = []
    space = width_of(" ", font, size)
    for paragraph in text(value).split("\n"):
        current = ""
        current_width = 0.0
        for word in paragraph.split():
            word_width = width_of(word, font, size)
            if current and current_width + space + word_width <= max_width:
                current += " " + word
                current_width += space + word_width
                continue
            if current:
                lines.append(current)
            if word_width <= max_width:
                current, current_width = word, word_width
            else:
                *full, current = _break_word(word, font, size, max_width)
                lines.extend(full)
                current_width = width_of(current, font, size)
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and width_of(last + " …", font, size) > max_width:
            last = last[:-1]
        lines[-1] = last + " …"
    return lines


def pdf_date(instant: datetime) -> str:
    """The PDF date string of ``instant`` in Vietnam time, e.g. ``D:20261123140500+07'00'``."""
    local = to_vietnam_time(instant)
    return f"D:{local:%Y%m%d%H%M%S}+07'00'"


def open_canvas(buffer: io.BytesIO, *, title: str, subject: str, author: str, created_at: datetime) -> Canvas:
    """A canvas whose output depends only on what is drawn: the same document gives the same bytes.

    ``invariant`` fixes the document id and the timestamps reportlab would take from the
    clock; the creation date is then set from ``created_at`` so that it still tells the truth.
    """
    register_fonts()
    # DejaVu from the start, so that no font outside the PDF (Helvetica) is referred to.
    canvas = Canvas(
        buffer, pagesize=A4, invariant=1, pageCompression=1, lang="vi-VN", initialFontName=REGULAR, initialFontSize=10
    )
    seed_document(canvas)
    stamp = pdf_date(created_at)
    canvas.setDateFormatter(lambda *_: stamp)
    canvas.setTitle(text(title))
    canvas.setSubject(text(subject))
    canvas.setAuthor(text(author))
    canvas.setCreator(CREATOR)
    canvas.setProducer(CREATOR)
    return canvas


class Sheet:
    """A canvas with a cursor moving down the page; content that would run into the footer
    area goes on a new page, which ``on_new_page`` furnishes (a running head)."""

    def __init__(
        self,
        canvas: Canvas,
        *,
        bottom: float,
        on_page_end: Callable[[Sheet], None] | None = None,
        on_new_page: Callable[[Sheet], None] | None = None,
    ) -> None:
        self.canvas = canvas
        self.top = PAGE_HEIGHT - MARGIN
        self.bottom = bottom
        self.y = self.top
        self.page = 1
        self._on_page_end = on_page_end
        self._on_new_page = on_new_page
        # The font and fill colour last set on this page, so that they are set only when
        # they change. Blocks drawn between saveState and restoreState leave them as they were.
        self._font: tuple[str, float] | None = None
        self._fill: Color | None = None

    def ensure(self, height: float) -> bool:
        """Start a new page unless ``height`` points fit above the footer; True when it did."""
        if self.y - height >= self.bottom:
            return False
        self.new_page()
        return True

    def new_page(self) -> None:
        self.end_page()
        self.canvas.showPage()
        self._font = self._fill = None
        self.page += 1
        self.y = self.top
        if self._on_new_page:
            self._on_new_page(self)

    def end_page(self) -> None:
        if self._on_page_end:
            self._on_page_end(self)

    def fill(self, color: Color) -> None:
        """Set the fill colour of what is drawn next, text included."""
        if color is not self._fill:
            self.canvas.setFillColor(color)
            self._fill = color

    def draw(
        self,
        x: float,
        y: float,
        value: str,
        *,
        font: str = REGULAR,
        size: float = 10,
        color: Color = INK,
        align: Align = "left",
    ) -> None:
        """One line of text with its baseline at ``y``."""
        canvas = self.canvas
        if self._font != (font, size):
            canvas.setFont(font, size)
            self._font = (font, size)
        self.fill(color)
        if align == "left":
            canvas.drawString(x, y, value)
        elif align == "right":
            canvas.drawRightString(x, y, value)
        else:
            canvas.drawCentredString(x, y, value)

    def centred(self, lines: Sequence[str], *, size: float, color: Color = INK) -> None:
        """Lines centred on the page, downwards from the cursor."""
        for line in lines:
            self.ensure(size * 1.35)
            self.draw(PAGE_WIDTH / 2, self.y - size, line, size=size, color=color, align="center")
            self.y -= size * 1.35

    def heading(self, vi: str, en: str, *, size: float = 17) -> None:
        """A centred title in Vietnamese with its English name in a smaller line under it."""
        self.ensure(size + 18)
        self.draw(PAGE_WIDTH / 2, self.y - size, text(vi), font=BOLD, size=size, align="center")
        self.y -= size * 1.25
        self.draw(PAGE_WIDTH / 2, self.y - 10, en, size=10, color=MUTED, align="center")
        self.y -= 16

    def section(self, vi: str, en: str) -> None:
        """A shaded band across the page: the Vietnamese heading in bold, the English after it."""
        self.ensure(40)
        self.y -= 4
        self.fill(SHADE)
        self.canvas.rect(MARGIN, self.y - 15, CONTENT_WIDTH, 15, stroke=0, fill=1)
        self.draw(MARGIN + 5, self.y - 11, vi, font=BOLD, size=9.5)
        self.draw(MARGIN + 9 + width_of(vi, BOLD, 9.5), self.y - 11, "/ " + en, size=8, color=MUTED)
        self.y -= 20

    def field(
        self,
        label_vi: str,
        label_en: str,
        value: str,
        *,
        bold: bool = False,
        size: float = 10.5,
        note: str = "",
    ) -> None:
        """A labelled row: the Vietnamese label with its English name under it, then the value,
        wrapped, with an optional ``note`` (its English rendering) in small grey under it."""
        value_x = MARGIN + LABEL_WIDTH
        value_width = CONTENT_WIDTH - LABEL_WIDTH
        font = BOLD if bold else REGULAR
        value_lines = wrap(value, font, size, value_width)
        note_lines = wrap(note, REGULAR, 8, value_width, max_lines=3) if note else []
        leading = size * 1.3
        # From the row's top to the last baseline, plus room for descenders.
        text_height = size + (len(value_lines) - 1) * leading + 10.5 * len(note_lines) + 3
        height = max(20.0, text_height) + 5
        self.ensure(height)
        top = self.y
        self.draw(MARGIN, top - 9.5, label_vi, size=9.5)
        self.draw(MARGIN, top - 18, label_en, size=7.5, color=MUTED)
        baseline = top - size
        for line in value_lines:
            self.draw(value_x, baseline, line, font=font, size=size)
            baseline -= leading
        baseline += leading - 10.5
        for line in note_lines:
            self.draw(value_x, baseline, line, size=8, color=MUTED)
            baseline -= 10.5
        self.y = top - height


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: Vietnamese and English header, width in points, alignment of the cells."""

    vi: str
    en: str
    width: float
    align: Align = "left"


def _cell_x(x: float, column: Column) -> float:
    if column.align == "right":
        return x + column.width - 4
    if column.align == "center":
        return x + column.width / 2
    return x + 4


def table(
    sheet: Sheet,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    total: Sequence[str] | None = None,
    size: float = 8.5,
    muted_rows: frozenset[int] = frozenset(),
    min_row_height: float = 0.0,
) -> None:
    """A ruled table whose header is repeated on every page it runs onto; cells wrap.
    Rows whose index is in ``muted_rows`` are printed in grey (void lines of a statement).
    Rows are at least ``min_row_height`` high (room to sign on a signing list)."""
    leading = size * 1.3
    header_height = 26.0
    table_width = sum(column.width for column in columns)
    canvas = sheet.canvas

    def draw_header() -> None:
        top = sheet.y
        sheet.fill(SHADE)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.rect(MARGIN, top - header_height, table_width, header_height, stroke=1, fill=1)
        x = MARGIN
        for column in columns:
            cx = _cell_x(x, column)
            sheet.draw(cx, top - 11, column.vi, font=BOLD, size=8, align=column.align)
            sheet.draw(cx, top - 21, column.en, size=6.5, color=MUTED, align=column.align)
            x += column.width
        sheet.y -= header_height

    def cell_lines(cell: str, column: Column, font: str) -> tuple[list[str], float]:
        # Figures are never broken across lines, where a digit group could be misread:
        # a number too wide for its column is set smaller instead.
        if column.align == "right":
            fitted = size * min(1.0, (column.width - 8) / max(width_of(cell, font, size), 1.0))
            return [text(cell)], max(fitted, 5.0)
        return wrap(cell, font, size, column.width - 8, max_lines=MAX_CELL_LINES), size

    def draw_row(cells: Sequence[str], font: str, color: Color) -> None:
        laid_out = [cell_lines(cell, column, font) for cell, column in zip(cells, columns, strict=True)]
        height = max(max(len(lines) for lines, _ in laid_out) * leading + 6, min_row_height)
        if sheet.ensure(height):
            draw_header()
        top = sheet.y
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.rect(MARGIN, top - height, table_width, height, stroke=1, fill=0)
        x = MARGIN
        for (lines, cell_size), column in zip(laid_out, columns, strict=True):
            baseline = top - 3 - size
            for line in lines:
                cell_x = _cell_x(x, column)
                sheet.draw(cell_x, baseline, line, font=font, size=cell_size, color=color, align=column.align)
                baseline -= leading
            x += column.width
        sheet.y -= height

    sheet.ensure(header_height + 2 * leading + 6)
    draw_header()
    for index, row in enumerate(rows):
        draw_row(row, REGULAR, MUTED if index in muted_rows else INK)
    if total is not None:
        draw_row(total, BOLD, INK)
    sheet.y -= 8


@dataclass(frozen=True, slots=True)
class Signer:
    """A signature column: the role in Vietnamese and English, and the full name when known."""

    role_vi: str
    role_en: str
    name: str | None


def signatures(sheet: Sheet, signers: Sequence[Signer]) -> None:
    """Signature columns side by side: role, "(signature, full name)", room to sign, the name.

    Art. 16 of the Law on Accounting asks for the signatures *and full names* of those who
    prepare, approve and take part in the transaction, so the names known are printed; an
    unknown one is left blank to be written by hand.
    """
    column_width = CONTENT_WIDTH / len(signers)
    names = [wrap(text(signer.name), BOLD, 9.5, column_width - 6, max_lines=3) for signer in signers]
    roles = [wrap(signer.role_vi, BOLD, 9, column_width - 6, max_lines=2) for signer in signers]
    # A long name (an organisation's) takes more lines downwards, never the room to sign.
    height = SIGNATURES_HEIGHT + 12 * (max(len(lines) for lines in names) - 1)
    sheet.ensure(height)
    top = sheet.y
    # The English lines of every column on one level, under the longest Vietnamese role.
    english_y = top - 9 - 11 * max(len(lines) for lines in roles)
    for index, (signer, name_lines, role_lines) in enumerate(zip(signers, names, roles, strict=True)):
        centre = MARGIN + column_width * (index + 0.5)
        y = top - 9
        for line in role_lines:
            sheet.draw(centre, y, line, font=BOLD, size=9, align="center")
            y -= 11
        y = english_y
        sheet.draw(centre, y, signer.role_en, size=7.5, color=MUTED, align="center")
        sheet.draw(centre, y - 10, "(Ký, ghi rõ họ tên)", size=7.5, color=MUTED, align="center")
        sheet.draw(centre, y - 19, "(signature, full name)", size=6.5, color=MUTED, align="center")
        baseline = top - SIGNATURES_HEIGHT + 8
        for line in name_lines:
            sheet.draw(centre, baseline, line, font=BOLD, size=9.5, align="center")
            baseline -= 12
    sheet.y = top - height


@lru_cache(maxsize=4096)
def _qr_operators(data: str) -> tuple[int, str]:
    """The QR symbol of ``data`` as its side in modules and the PDF path operators that fill
    its dark modules, one rectangle for each horizontal run, in units of one module.

    The operators are built once per URL and written straight into the page: going through
    reportlab's path object formats a thousand numbers per receipt, and its QR widget costs
    two thirds of a receipt (PERFORMANCE.md). Cached because a receipt is rendered again each
    time it is downloaded.

    Mask 1 is fixed instead of letting segno score all eight: the standard allows any mask,
    the scoring costs more than the rest of the receipt (about 3 ms), and at the size a
    receipt prints the symbol it scans as well.
    """
    matrix = segno.make(data, error="m", micro=False, mask=1).matrix
    side = len(matrix)
    operators: list[str] = []
    for row_index, row in enumerate(matrix):
        # Rows overlap by a hair so that anti-aliasing shows no seam between them.
        y = f"{side - row_index - 1.01:.2f}"
        start = -1
        for column_index, module in enumerate([*row, 0]):
            if module and start < 0:
                start = column_index
            elif not module and start >= 0:
                operators.append(f"{start} {y} {column_index - start} 1.02 re")
                start = -1
    operators.append("f")
    return side, "\n".join(operators)


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code of ``data`` with its lower-left corner at (x, y), ``size`` points wide,
    drawn as filled rectangles. The caller leaves white space around it (the quiet zone)."""
    side, operators = _qr_operators(data)
    module = size / side
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.transform(module, 0, 0, module, x, y)
    canvas.addLiteral(operators)
    canvas.restoreState()


def void_mark(canvas: Canvas) -> None:
    """The big diagonal "ĐÃ HỦY / VOID" across the page, translucent so that the content
    under it stays legible; when and why is said in the notice under the title."""
    canvas.saveState()
    canvas.setFillColor(VOID_RED, alpha=0.2)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(36)
    canvas.setFont(BOLD, 84)
    canvas.drawCentredString(0, 8, "ĐÃ HỦY")
    canvas.setFont(BOLD, 60)
    canvas.drawCentredString(0, -58, "VOID")
    canvas.restoreState()


def page_number(sheet: Sheet, label: str) -> None:
    """A small running foot with the document's number and the page number."""
    foot = f"{label} — Trang / Page {sheet.page}"
    sheet.draw(PAGE_WIDTH - MARGIN, MARGIN - 18, foot, size=7, color=MUTED, align="right")
