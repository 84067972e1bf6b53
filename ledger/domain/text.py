"""Checks on text that ends up in an e-mail header (a receipt's To and Subject)."""

from __future__ import annotations

from ledger.domain.errors import ValidationFailed


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
