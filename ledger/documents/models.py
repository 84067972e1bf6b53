"""What each document shows, as frozen plain data: the services fill these in, the renderers only draw them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from ledger.domain.money import is_amount_vnd
from ledger.domain.vouchers import VOUCHER_KINDS

#: How money or goods came in or went out (API.md: ``method`` / ``paid_from``).
PaymentMethod = Literal["cash", "bank", "in_kind"]
#: A receipt or voucher is valid until the entry behind it is reversed, then void for good.
DocumentStatus = Literal["valid", "void"]

PAYMENT_METHODS: tuple[PaymentMethod, ...] = ("cash", "bank", "in_kind")
#: The printed link must fit three lines beside the QR code, and the QR code stay easy to scan.
MAX_VERIFY_URL_LENGTH = 200
DOCUMENT_STATUSES: tuple[DocumentStatus, ...] = ("valid", "void")


def _require(condition: bool, message: str) -> None:
    # A document that contradicts itself is a bug in the service that built it, not a
    # treasurer's mistake: fail loudly before anything is handed to a donor.
    if not condition:
        raise ValueError(message)


def _require_amount(amount_vnd: int, what: str) -> None:
    _require(is_amount_vnd(amount_vnd), f"{what} must be a positive int of at most 10^15 VND")


def _require_aware(instant: datetime, what: str) -> None:
    _require(instant.utcoffset() is not None, f"{what} must be an aware datetime")


def _require_status(status: str, voided_on: date | None) -> None:
    _require(status in DOCUMENT_STATUSES, f"status must be one of {DOCUMENT_STATUSES}")
    _require(
        (status == "void") == (voided_on is not None),
        "voided_on is given exactly when the status is void",
    )


@dataclass(frozen=True, slots=True)
class DocumentItem:
    """One line of goods given or handed out in kind (books, bicycles, Tet gift packages)."""

    description: str
    quantity: int
    #: The unit of count as written on the voucher: "cuốn", "chiếc", "suất".
    unit: str
    unit_value_vnd: int

    def __post_init__(self) -> None:
        _require(type(self.quantity) is int and self.quantity > 0, "quantity must be a positive int")
        _require_amount(self.unit_value_vnd, "unit_value_vnd")

    @property
    def value_vnd(self) -> int:
        """Quantity × unit value: the amount this line contributes."""
        return self.quantity * self.unit_value_vnd


def _items_tuple(items: Iterable[DocumentItem], amount_vnd: int) -> tuple[DocumentItem, ...]:
    frozen = tuple(items)
    # API.md: for goods in kind the amount is the sum of quantity × unit value; a document
    # whose lines do not add up to its total would mislead the donor and the auditor.
    _require(
        not frozen or sum(item.value_vnd for item in frozen) == amount_vnd,
        "the items' values must add up to amount_vnd",
    )
    return frozen


@dataclass(frozen=True)
class ReceiptDocument:
    """A donation receipt (giấy biên nhận tài trợ) as handed to the donor."""

    association_code: str
    association_name: str
    association_address: str
    #: ``<ASSOC>-<YEAR>-<NNNNNN>``, gapless per association and year, e.g. ``QT-DH-2026-000001``.
    number: str
    received_on: date
    donor_name: str
    donor_address: str
    amount_vnd: int
    method: PaymentMethod
    fund_code: str
    fund_name: str
    #: The purpose the money is restricted to (the fund's purpose or the donor's designation).
    purpose: str
    treasurer_name: str
    #: The public page (and QR code) that tells anyone whether this receipt is genuine.
    verify_url: str
    entry_seq: int
    #: Hex SHA-256 of the journal entry, printed in full so an auditor can compare it.
    entry_hash: str
    #: When the receipt was issued; it is the PDF's creation date, so re-renders are identical.
    created_at: datetime
    donor_tax_code: str | None = None
    #: Goods given in kind; empty for money.
    items: tuple[DocumentItem, ...] = ()
    status: DocumentStatus = "valid"
    voided_on: date | None = None
    void_reason: str | None = None
    #: Printed under the chair's signature line when known; otherwise signed by hand.
    chair_name: str | None = None
    #: What the treasurer typed: the memo and the bank's or payer's reference.
    memo: str = ""
    reference: str = ""
    #: The cash phiếu thu (``<A>-PT-…``) that goes with money received in cash.
    cash_voucher_number: str | None = None

    def __post_init__(self) -> None:
        _require_amount(self.amount_vnd, "amount_vnd")
        _require(self.method in PAYMENT_METHODS, f"method must be one of {PAYMENT_METHODS}")
        _require(
            0 < len(self.verify_url) <= MAX_VERIFY_URL_LENGTH,
            f"verify_url must have 1 to {MAX_VERIFY_URL_LENGTH} characters",
        )
        _require_status(self.status, self.voided_on)
        _require_aware(self.created_at, "created_at")
        object.__setattr__(self, "items", _items_tuple(self.items, self.amount_vnd))


@dataclass(frozen=True)
class VoucherDocument:
    """An accounting voucher with the content of the Law on Accounting, art. 16, and the fields
    of forms 01-TT and 02-TT: a phiếu chi (``PC``), ủy nhiệm chi (``UNC``), phiếu xuất kho
    (``PX``) for what went out, or a cash phiếu thu (``PT``) for what came in.

    Who receives it is, in this order: the payee when there is one (a bookcase's supplier,
    the beneficiary being the school), the guardian on record of a minor, the beneficiary.
    For a phiếu thu the other party is the payer (``payer_name``), the donor.
    """

    association_code: str
    association_name: str
    association_address: str
    #: e.g. ``QT-DH-PC-2026-000001``.
    number: str
    paid_on: date
    beneficiary_name: str
    #: A category code of API.md (``poor_household`` …) or a label to print as it is.
    beneficiary_category: str
    #: A disbursement kind of API.md (``scholarship`` …) or a label to print as it is.
    kind: str
    #: The content of the payment: why this money is paid (the memo).
    purpose: str
    fund_code: str
    fund_name: str
    amount_vnd: int
    paid_from: PaymentMethod
    #: The preparer (người lập phiếu): who entered the disbursement.
    maker_name: str
    entry_seq: int
    entry_hash: str
    created_at: datetime
    beneficiary_address: str = ""
    school: str | None = None
    grade: str | None = None
    #: Empty below the fund's approval threshold; never the maker (maker–checker rule).
    approver_name: str | None = None
    #: Who hands out the cash or goods; a blank line to sign by hand when unknown.
    treasurer_name: str | None = None
    items: tuple[DocumentItem, ...] = ()
    status: DocumentStatus = "valid"
    voided_on: date | None = None
    void_reason: str | None = None
    #: The voucher's series: ``PC``, ``UNC``, ``PX`` or ``PT`` (``ledger.domain.vouchers``).
    series: str = "PC"
    #: A beneficiary's kind of API.md (``student``, ``school`` …), for its label.
    beneficiary_kind: str = ""
    beneficiary_is_minor: bool = False
    #: The parent or guardian on record who receives and signs for a minor.
    guardian_name: str = ""
    guardian_relation: str = ""
    #: Who is paid when it is not the beneficiary (a supplier), and where.
    payee_name: str = ""
    payee_address: str = ""
    #: For a phiếu thu: who paid the money in (the donor), and where.
    payer_name: str = ""
    payer_address: str = ""
    #: The bank's or payer's reference the treasurer typed ("UNC số 0912").
    reference: str = ""
    #: The accounts debited and credited by the entry ("Nợ 611 / Có 111" on the form).
    debit_accounts: tuple[str, ...] = ()
    credit_accounts: tuple[str, ...] = ()
    #: Names printed under the chair's and the accountant's signature lines when known.
    chair_name: str | None = None
    accountant_name: str | None = None
    #: The receipt a phiếu thu goes with (the donor's giấy biên nhận tài trợ).
    receipt_number: str | None = None

    def __post_init__(self) -> None:
        _require_amount(self.amount_vnd, "amount_vnd")
        _require(self.series in VOUCHER_KINDS, f"series must be one of {tuple(VOUCHER_KINDS)}")
        _require(self.paid_from in PAYMENT_METHODS, f"paid_from must be one of {PAYMENT_METHODS}")
        _require_status(self.status, self.voided_on)
        _require_aware(self.created_at, "created_at")
        object.__setattr__(self, "items", _items_tuple(self.items, self.amount_vnd))

    @property
    def receiver_name(self) -> str:
        """Who receives the money or goods and signs for them (see the class)."""
        if self.payee_name:
            return self.payee_name
        if self.beneficiary_is_minor and self.guardian_name:
            return self.guardian_name
        return self.beneficiary_name


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One receipt on a donor's giving statement."""

    received_on: date
    receipt_number: str
    fund_code: str
    fund_name: str
    amount_vnd: int
    status: DocumentStatus = "valid"

    def __post_init__(self) -> None:
        _require_amount(self.amount_vnd, "amount_vnd")
        _require(self.status in DOCUMENT_STATUSES, f"status must be one of {DOCUMENT_STATUSES}")


@dataclass(frozen=True)
class DonorStatementDocument:
    """A donor's giving statement for one calendar year (the fiscal year)."""

    association_code: str
    association_name: str
    association_address: str
    donor_name: str
    donor_address: str
    year: int
    #: The receipts of the year in date order, void ones included (shown, not counted).
    lines: tuple[StatementLine, ...]
    #: The sum of the valid lines.
    total_vnd: int
    created_at: datetime
    donor_tax_code: str | None = None
    #: Printed under the signature lines when known; otherwise signed by hand.
    treasurer_name: str | None = None
    chair_name: str | None = None

    def __post_init__(self) -> None:
        lines = tuple(self.lines)
        valid_total_vnd = sum(line.amount_vnd for line in lines if line.status == "valid")
        _require(self.total_vnd == valid_total_vnd, "total_vnd must be the sum of the valid lines")
        _require_aware(self.created_at, "created_at")
        object.__setattr__(self, "lines", lines)


@dataclass(frozen=True, slots=True)
class SigningListRow:
    """One recipient on a ceremony's signing list (danh sách ký nhận)."""

    recipient_name: str
    school: str
    grade: str
    #: The parent or guardian who signs for a minor; "" when the recipient signs.
    guardian_name: str
    amount_vnd: int
    voucher_number: str
    #: For goods handed out: which, how many and the unit ("Gói quà Tết", 1, "gói").
    item: str | None = None
    quantity: int | None = None
    unit: str | None = None
    status: DocumentStatus = "valid"

    def __post_init__(self) -> None:
        _require_amount(self.amount_vnd, "amount_vnd")
        _require(self.status in DOCUMENT_STATUSES, f"status must be one of {DOCUMENT_STATUSES}")
        _require((self.item is None) == (self.quantity is None), "goods have an item and a quantity")


@dataclass(frozen=True)
class SigningListDocument:
    """The signing list of a batch (an award ceremony, a Tet gift day): every recipient, what
    they receive and a column to sign, the total in figures and in words, the organisers' signatures."""

    association_code: str
    association_name: str
    association_address: str
    batch_id: int
    #: What the ceremony is: the batch's memo ("Lễ trao học bổng Hoa Phượng Đỏ …").
    title: str
    #: The ceremony's first and last payment dates (one day, usually).
    first_on: date
    last_on: date
    fund_names: tuple[str, ...]
    #: In the batch's order; void ones are shown and not counted.
    rows: tuple[SigningListRow, ...]
    #: The sum of the valid rows.
    total_vnd: int
    #: Items of the batch that still wait for an approver: not on the list until approved.
    pending_count: int
    created_at: datetime
    preparer_name: str | None = None
    treasurer_name: str | None = None
    accountant_name: str | None = None
    chair_name: str | None = None

    def __post_init__(self) -> None:
        rows = tuple(self.rows)
        _require(bool(rows), "a signing list has at least one recipient")
        _require(
            self.total_vnd == sum(row.amount_vnd for row in rows if row.status == "valid"),
            "total_vnd must be the sum of the valid rows",
        )
        _require_aware(self.created_at, "created_at")
        object.__setattr__(self, "rows", rows)

    @property
    def goods_totals(self) -> tuple[tuple[str, str, int], ...]:
        """(item, unit, quantity) handed out, per item and unit, valid rows only, in first-seen order."""
        totals: dict[tuple[str, str], int] = {}
        for row in self.rows:
            if row.item is not None and row.quantity is not None and row.status == "valid":
                key = (row.item, row.unit or "")
                totals[key] = totals.get(key, 0) + row.quantity
        return tuple((item, unit, quantity) for (item, unit), quantity in totals.items())


@dataclass(frozen=True, slots=True)
class SponsorshipLine:
    """One receipt counted on a sponsorship confirmation: money, or goods at their value."""

    received_on: date
    receipt_number: str
    fund_name: str
    amount_vnd: int
    #: ``cash`` or ``bank`` for money; ``in_kind`` for goods, described in ``goods``.
    method: PaymentMethod
    #: The goods as the receipt lists them ("Sách giáo khoa lớp 6: 40 bộ"); "" for money.
    goods: str = ""

    def __post_init__(self) -> None:
        _require_amount(self.amount_vnd, "amount_vnd")
        _require(self.method in PAYMENT_METHODS, f"method must be one of {PAYMENT_METHODS}")


@dataclass(frozen=True)
class SponsorshipConfirmationDocument:
    """A company's yearly sponsorship confirmation (biên bản xác nhận tài trợ, form 03/TNDN):
    what it gave in the year, money and goods apart, for its accountant to file with the
    corporate income tax return. Only valid receipts count."""

    association_code: str
    association_name: str
    association_address: str
    donor_name: str
    donor_address: str
    donor_tax_code: str | None
    year: int
    money: tuple[SponsorshipLine, ...]
    goods: tuple[SponsorshipLine, ...]
    created_at: datetime
    chair_name: str | None = None
    accountant_name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "money", tuple(self.money))
        object.__setattr__(self, "goods", tuple(self.goods))
        _require(all(line.method != "in_kind" for line in self.money), "money lines are cash or bank")
        _require(all(line.method == "in_kind" for line in self.goods), "goods lines are in kind")
        _require_aware(self.created_at, "created_at")

    @property
    def money_vnd(self) -> int:
        return sum(line.amount_vnd for line in self.money)

    @property
    def goods_vnd(self) -> int:
        return sum(line.amount_vnd for line in self.goods)

    @property
    def total_vnd(self) -> int:
        return self.money_vnd + self.goods_vnd
