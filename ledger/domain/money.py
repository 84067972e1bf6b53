"""Money is whole VND in ``int``: the smallest useful unit is one đồng, so there is nothing to round."""

from __future__ import annotations

#: The largest amount one line, donation or disbursement may carry (API.md: at most 10^15).
AMOUNT_VND_MAX = 10**15


def is_amount_vnd(value: object) -> bool:
    """True when ``value`` is a positive whole amount of đồng within the ledger's limit.

    ``bool`` is rejected on purpose: ``True`` is an ``int`` in Python but never an amount.
    """
    return type(value) is int and 0 < value <= AMOUNT_VND_MAX


#: The sign of the đồng; after the number with a space, as on Vietnamese vouchers.
VND_SIGN = "₫"


def format_number(number: int, lang: str = "vi") -> str:
    """``1200000`` → ``"1.200.000"`` in Vietnamese (the dot groups thousands on vouchers),
    ``"1,200,000"`` in English (``lang == "en"``; any other language reads Vietnamese)."""
    grouped = f"{number:,}"
    return grouped if lang == "en" else grouped.replace(",", ".")


def format_vnd(amount_vnd: int, lang: str = "vi") -> str:
    """``1200000`` → ``"1.200.000 ₫"`` in Vietnamese, ``"1,200,000 ₫"`` in English: the one
    formatter of amounts, for refusals, documents, exports and pages alike.

    Negative amounts (a balance below zero in a report) keep their sign.
    """
    return f"{format_number(amount_vnd, lang)} {VND_SIGN}"
