"""The kinds of accounting voucher (chứng từ) and their number series (DESIGN.md "Documents").

Each kind has its own gapless series per association and year, as Vietnamese practice keeps
a separate book of numbers for phiếu thu, phiếu chi, ủy nhiệm chi and phiếu xuất kho.
"""

from __future__ import annotations

from dataclasses import dataclass

#: A bank's or payer's reference as typed on a receipt or voucher ("theo UNC số 0912").
REFERENCE_MAX_CHARS = 100


@dataclass(frozen=True, slots=True)
class VoucherKind:
    """One kind of voucher: its series code (the middle of its number) and what it is called."""

    #: ``PT``, ``PC``, ``UNC``, ``PX``: ``<A>-<series>-<YEAR>-NNNNNN``.
    series: str
    title_vi: str
    title_en: str
    #: The form it follows (Circular 133/2016 and 200/2014, kept by Circular 41/2022), or "".
    form: str
    #: Money or goods coming in (phiếu thu) rather than going out.
    incoming: bool = False


CASH_RECEIPT = VoucherKind("PT", "PHIẾU THU", "Cash receipt voucher", "01-TT", incoming=True)
CASH_PAYMENT = VoucherKind("PC", "PHIẾU CHI", "Cash payment voucher", "02-TT")
BANK_PAYMENT = VoucherKind("UNC", "ỦY NHIỆM CHI", "Bank payment order", "")
GOODS_ISSUE = VoucherKind("PX", "PHIẾU XUẤT KHO", "Goods issue voucher", "02-VT")

VOUCHER_KINDS: dict[str, VoucherKind] = {k.series: k for k in (CASH_RECEIPT, CASH_PAYMENT, BANK_PAYMENT, GOODS_ISSUE)}
#: Which voucher a disbursement gets by how it is paid (API.md ``paid_from``).
PAYMENT_VOUCHER = {"cash": CASH_PAYMENT, "bank": BANK_PAYMENT, "in_kind": GOODS_ISSUE}
