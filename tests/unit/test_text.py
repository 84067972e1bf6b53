"""Stored text refuses control, surrogate and invisible format characters (issue 16, item 6)."""

from __future__ import annotations

import sys
import unicodedata

from ledger.domain.text import FORBIDDEN_CHARACTERS


def test_every_invisible_format_character_of_unicode_is_refused() -> None:
    format_characters = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert format_characters, "Python's Unicode database lists format characters"
    allowed = [f"U+{ord(c):04X}" for c in format_characters if not FORBIDDEN_CHARACTERS.match(c)]
    assert allowed == []


def test_bidirectional_controls_are_refused_and_vietnamese_is_not() -> None:
    for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        assert FORBIDDEN_CHARACTERS.search(f"Nguyễn Văn A{chr(code)}"), f"U+{code:04X}"
    vietnamese = "Hội Khuyến học thành phố Đông Hà: học bổng Hoa Phượng Đỏ, quà Tết ₫\tđợt 1\r\n"
    assert FORBIDDEN_CHARACTERS.search(vietnamese) is None
    assert FORBIDDEN_CHARACTERS.search(unicodedata.normalize("NFD", vietnamese)) is None
