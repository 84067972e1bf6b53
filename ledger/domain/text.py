"""What text the books may store (no control, surrogate or invisible format characters), and what may go into an e-mail header."""

from __future__ import annotations

import re

from ledger.domain.errors import ValidationFailed

#: Characters no stored text may contain (names, memos, reasons, codes, keys):
#: - control characters other than tab, line feed and carriage return (PostgreSQL cannot
#:   store NUL at all);
#: - surrogate code points, which are no characters and cannot be written as UTF-8 (so
#:   neither stored nor hashed into the chain);
#: - every invisible format character (Unicode category Cf): the bidirectional embeddings,
#:   overrides and isolates U+202A–U+202E and U+2066–U+2069 make "Nguyễn Văn A 9.000.000"
#:   display as something else than what is stored (Trojan Source, CVE-2021-42574), and
#:   zero-width characters make two names that look the same differ. Vietnamese needs none.
#: ``tests/unit/test_text.py`` checks the list against Python's Unicode database.
FORBIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)


def refuse_line_breaks(**values: str | None) -> None:
    """Refuse a value with a line break (CR, LF and the other Unicode line separators): in a
    header it would start a new header (``Bcc:``), and it stops the message from being built."""
    errors = {
        name: ["must be one line: no line breaks"]
        for name, value in values.items()
        if value and (len(value.splitlines()) > 1 or value.endswith(("\r", "\n")))
    }
    if errors:
        raise ValidationFailed(
            "Tên và địa chỉ e-mail phải nằm trên một dòng.",
            "Names and e-mail addresses must be one line.",
            errors=errors,
        )
