"""Money is whole VND in ``int``: the smallest useful unit is one đồng, so there is nothing to round."""

from __future__ import annotations

#: The largest amount one line, donation or disbursement may carry (API.md: at most 10^15).
AMOUNT_VND_MAX = 10**15


def is_amount_vnd(value: object) -> bool:
    """True when ``value`` is a positive whole amount of đồng within the ledger's limit.

    ``bool`` is rejected on purpose: ``True`` is an ``int`` in Python but never an amount.
    """
    return type(value) is int and 0 < value <= AMOUNT_VND_MAX


def vnd_vi(amount_vnd: int) -> str:
    """``1200000`` → ``1.200.000 ₫``: the dot groups thousands on Vietnamese vouchers."""
    sign = "-" if amount_vnd < 0 else ""
    return f"{sign}{abs(amount_vnd):,}".replace(",", ".") + " ₫"


def vnd_en(amount_vnd: int) -> str:
    """``1200000`` → ``1,200,000 ₫`` for English readers."""
    return f"{amount_vnd:,} ₫"
