"""The shipped DejaVu fonts, registered with reportlab once per process: they carry every Vietnamese letter.

Embedding a TrueType font is most of what a receipt costs: reportlab parses the file,
builds a subset of the glyphs the document uses, compresses it and writes a width for
every glyph, for every document. Two things here make that a once-per-process cost:

* the fonts are parsed and registered once (``register_fonts``);
* every document starts by assigning the whole Vietnamese alphabet to the font's first
  subset in a fixed order (``seed_document``), so nearly every document embeds the *same*
  subset, which :class:`SubsetCachingTTFont` builds, compresses and formats once and then
  reuses. A document with a letter outside the alphabet (a foreign name) simply gets a
  subset of its own, built the ordinary way and cached too.

The subset embedded is then larger than the glyphs a document uses (every Vietnamese letter,
about 60 KB a receipt instead of 50 KB): the price of a receipt in about 3 ms instead of 8.
"""

from __future__ import annotations

import threading
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path(__file__).with_name("fonts")
#: The names documents use with ``canvas.setFont``.
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


def _vietnamese_letters() -> str:
    """Every precomposed Vietnamese letter outside ASCII, lower case then upper case."""
    bases = "aăâeêioôơuưy"
    tones = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng
    letters = [*bases, "đ"] + [unicodedata.normalize("NFC", b + t) for b in bases for t in tones]
    lower = "".join(letter for letter in letters if not letter.isascii())
    return lower + lower.upper()


#: The characters every document assigns first: Vietnamese letters and the punctuation and
#: signs the documents print. Together with ASCII they fit one 256-glyph subset.
SEED_CHARACTERS = _vietnamese_letters() + "₫–—«»…“”‘’×·•°№"


class _Preformatted(pdfdoc.PDFObject):  # type: ignore[misc]
    """A PDF value whose bytes were formatted once, e.g. the widths of a cached subset."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


@dataclass(frozen=True, slots=True)
class _SubsetParts:
    """What a subset embeds, independent of any document: built once, reused by all."""

    base_font_name: str
    widths: bytes
    to_unicode_deflated: bytes
    font_file_deflated: bytes
    font_file_length: int


_FLATE = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])


def _deflated_stream(content: bytes, **entries: Any) -> pdfdoc.PDFStream:
    # With /Filter already in the dictionary reportlab writes the content as it is, so the
    # compression done once when the subset was cached is not repeated per document.
    return pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Filter": _FLATE, **entries}), content)


class SubsetCachingTTFont(TTFont):  # type: ignore[misc]
    """A TrueType font whose embedded subsets are built once per distinct subset and then
    reused by every document; the PDF objects are the ones reportlab's ``TTFont`` writes."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._subset_parts = lru_cache(maxsize=64)(self._build_subset_parts)

    def _build_subset_parts(self, index: int, subset: tuple[int, ...]) -> _SubsetParts:
        face = self.face
        base_font_name = (SUBSETN(index) + b"+" + face.name + face.subfontNameX).decode("pdfdoc")
        font_file = face.makeSubset(list(subset))
        widths = [face.getCharWidth(code) for code in subset]
        to_unicode = makeToUnicodeCMap(base_font_name, list(subset)).encode("latin-1")
        return _SubsetParts(
            base_font_name=base_font_name,
            widths=b"[" + fp_str(widths).encode("ascii") + b"]",
            to_unicode_deflated=zlib.compress(to_unicode),
            font_file_deflated=zlib.compress(font_file),
            font_file_length=len(font_file),
        )

    def addObjects(self, doc: Any) -> None:
        """Write the font's subsets into ``doc`` (called by reportlab when it saves)."""
        state = self._assignState(doc)
        state.frozen = 1
        face = self.face
        fonts = doc.idToObject["BasicFonts"].dict
        for index, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(index, doc)[1:]
            parts = self._subset_parts(index, tuple(subset))
            name = parts.base_font_name
            font_file = _deflated_stream(parts.font_file_deflated, Length1=parts.font_file_length)
            descriptor = pdfdoc.PDFDictionary(
                {
                    "Type": "/FontDescriptor",
                    "Ascent": face.ascent,
                    "CapHeight": face.capHeight,
                    "Descent": face.descent,
                    "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                    "FontBBox": pdfdoc.PDFArray(face.bbox),
                    "FontName": pdfdoc.PDFName(name),
                    "ItalicAngle": face.italicAngle,
                    "StemV": face.stemV,
                    "FontFile2": doc.Reference(font_file, f"fontFile:{face.filename}({name})"),
                    "MissingWidth": face.defaultWidth,
                }
            )
            font = pdfdoc.PDFTrueTypeFont()
            font.Name = internal_name
            font.BaseFont = name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = _Preformatted(parts.widths)
            font.ToUnicode = doc.Reference(_deflated_stream(parts.to_unicode_deflated), f"toUnicodeCMap:{name}")
            font.FontDescriptor = doc.Reference(descriptor, f"fontDescriptor:{name}")
            doc.Reference(font, internal_name)
            fonts[internal_name] = font
        del self.state[doc]


_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Make :data:`REGULAR` and :data:`BOLD` available to reportlab; cheap after the first call.

    Parsing a TrueType file costs about 40% of a whole receipt (PERFORMANCE.md), so it happens
    once per process, not once per document. The lock keeps two threads of one worker from
    parsing the files twice.
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in ((REGULAR, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf")):
            pdfmetrics.registerFont(SubsetCachingTTFont(name, str(FONT_DIR / filename)))
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)
        _registered = True


def seed_document(canvas: Canvas) -> None:
    """Assign :data:`SEED_CHARACTERS` to both fonts of ``canvas``'s document in a fixed order,
    before anything is drawn, so that its subsets are the cached ones."""
    register_fonts()
    for name in (REGULAR, BOLD):
        # splitString is how reportlab assigns a document's characters to subset codes; the
        # canvas does not expose its document otherwise.
        pdfmetrics.getFont(name).splitString(SEED_CHARACTERS, canvas._doc)
