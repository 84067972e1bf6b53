"""marshmallow schemas of the JSON API: what comes in is checked here, what goes out is shaped here."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from ledger.domain.entries import (
    ENTRY_KINDS,
    ITEM_MAX_CHARS,
    MAX_LINES_PER_ENTRY,
    MEMO_MAX_CHARS,
    QUANTITY_MAX,
    EntryDraft,
    LineDraft,
)
from ledger.domain.errors import ValidationFailed
from ledger.domain.money import AMOUNT_VND_MAX
from ledger.domain.policy import BENEFICIARY_CATEGORIES, DISBURSEMENT_KINDS, RESTRICTIONS
from ledger.domain.text import FORBIDDEN_CHARACTERS
from ledger.services.associations import LEVELS, AssociationCommand
from ledger.services.disbursements import MAX_BATCH_ITEMS, PAID_FROM, DisbursementFilter, GoodsPick, SpendCommand
from ledger.services.disbursements import STATUSES as DISBURSEMENT_STATUSES
from ledger.services.donations import MAX_ITEMS, METHODS, DonationCommand, ItemCommand
from ledger.services.funds import FundCommand
from ledger.services.interest import InterestCommand
from ledger.services.journal import EntryFilter
from ledger.services.parties import BENEFICIARY_KINDS, DONOR_KINDS, BeneficiaryCommand, DonorCommand
from ledger.services.pledges import COLLECTION_METHODS, PLEDGE_STEPS, CollectCommand, PledgeCommand
from ledger.services.transfers import TransferCommand

PLEDGE_STATUSES = tuple(PLEDGE_STEPS)

#: Page sizes of list endpoints (API.md).
PAGE_DEFAULT = 100
PAGE_MAX = 1000
CODE_PATTERN = r"^[A-Z0-9][A-Z0-9.\-]{0,39}\Z"
#: The largest id of a row: ids are INTEGER columns, and PostgreSQL refuses a larger number
#: in a query with an error rather than finding nothing.
ID_MAX = 2**31 - 1
#: The largest journal sequence number (a BIGINT column).
SEQ_MAX = 2**63 - 1
#: A date as API.md writes it; ``date.fromisoformat`` alone also takes ``20261121`` and ``2026-W47-6``.
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class WholeNumber(fields.Integer):
    """A JSON integer (``strict``): floats, numeric strings and booleans are refused.

    In a query string every value is a string, so query parameters pass ``strict=False``.
    """

    def __init__(self, *, strict: bool = True, **kwargs: Any) -> None:
        super().__init__(strict=strict, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Money(WholeNumber):
    """Whole VND: a JSON integer from 1 to 10^15. Floats, strings and booleans are refused."""

    default_error_messages = {  # noqa: RUF012 - marshmallow merges this class attribute
        "invalid": "Must be a whole number of VND (a JSON integer), not a string or a decimal.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(1, AMOUNT_VND_MAX, error="Must be from 1 to 10^15 VND."))
        super().__init__(**kwargs)


class Count(WholeNumber):
    """A positive whole count (goods quantity)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(1, QUANTITY_MAX))
        super().__init__(**kwargs)


class Id(WholeNumber):
    """The id of a row (a donor, a beneficiary, a batch): from 1 to ``ID_MAX``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(1, ID_MAX, error=f"Must be an id from 1 to {ID_MAX}."))
        super().__init__(**kwargs)


class Text(fields.String):
    """A string the books can store, hash and show as it is (``domain/text.py``): no control characters
    but tab and line breaks, no surrogates, no invisible format characters such as bidirectional overrides."""

    default_error_messages = {  # noqa: RUF012 - marshmallow merges this class attribute
        "forbidden_character": (
            "Must not contain control characters, unpaired surrogates or invisible formatting characters"
            " (such as bidirectional overrides U+202A–U+202E, U+2066–U+2069, or zero-width spaces)."
        ),
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if FORBIDDEN_CHARACTERS.search(result):
            raise self.make_error("forbidden_character")
        return result


class Flag(fields.Boolean):
    """A JSON ``true`` or ``false``, nothing else: ``0``, ``1``, ``"yes"`` or ``"false"`` are refused,
    so that ``anonymous: 0`` is not taken silently for ``false``."""

    default_error_messages = {  # noqa: RUF012 - marshmallow merges this class attribute
        "invalid": "Must be true or false (a JSON boolean).",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Day(fields.Date):
    """An accounting date written exactly ``YYYY-MM-DD`` (API.md), and a real one."""

    default_error_messages = {  # noqa: RUF012 - marshmallow merges this class attribute
        "invalid": "Must be a date written YYYY-MM-DD.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or DATE_PATTERN.fullmatch(value) is None:
            raise self.make_error("invalid")
        day: date = super()._deserialize(value, attr, data, **kwargs)
        return day


def text(max_chars: int, *, required: bool = False, allow_empty: bool = True, description: str = "") -> Text:
    """Free text of at most ``max_chars`` characters (memos, names, reasons)."""
    return Text(
        required=required,
        validate=validate.Length(min=0 if allow_empty else 1, max=max_chars),
        metadata={"description": description} if description else {},
    )


class AssociationIn(Schema):
    code = Text(
        required=True, validate=validate.Regexp(CODE_PATTERN, error="Use capitals, digits and dashes, e.g. QT-DH.")
    )
    name = text(200, required=True, allow_empty=False)
    level = Text(required=True, validate=validate.OneOf(LEVELS))
    parent = Text(load_default=None, allow_none=True)
    address = text(300, required=False)

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> AssociationCommand:
        return AssociationCommand(**data)


class AssociationOut(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent = fields.String(allow_none=True)
    address = fields.String()


class AccountIn(Schema):
    code = Text(required=True, validate=validate.Length(min=1, max=20), metadata={"description": "e.g. 611.1"})
    name = text(200, required=True, allow_empty=False)
    name_en = text(200)


class AccountOut(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    type = fields.String()


class FundIn(Schema):
    code = Text(required=True, validate=validate.Regexp(CODE_PATTERN))
    name = text(200)
    restriction = Text(validate=validate.OneOf(RESTRICTIONS))
    purpose = text(2000)
    #: The policy document of API.md, checked key by key by the domain (``FundPolicy.parse``).
    policy = fields.Nested(lambda: PolicyIn(), load_default=None, allow_none=True)
    preset = Text(load_default=None, allow_none=True)

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> FundCommand:
        return FundCommand(**data)


class FundOut(Schema):
    code = fields.String()
    name = fields.String()
    restriction = fields.String()
    purpose = fields.String()
    policy = fields.Dict()
    policy_version = fields.Integer()
    posted_balance = fields.Integer(attribute="posted_balance_vnd")
    reserved = fields.Integer(attribute="reserved_vnd")
    available_balance = fields.Integer(attribute="available_balance_vnd")


class DonorIn(Schema):
    name = text(200, required=True, allow_empty=False)
    kind = Text(load_default="person", validate=validate.OneOf(DONOR_KINDS))
    address = text(300)
    tax_code = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(
            r"^[0-9]{10}(-[0-9]{3})?\Z", error="A tax code is 10 digits, or 10 digits, a dash and 3 digits."
        ),
    )
    email = fields.Email(load_default=None, allow_none=True)
    phone = Text(load_default=None, allow_none=True, validate=validate.Length(max=30))
    anonymous = Flag(load_default=False)

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> DonorCommand:
        return DonorCommand(**data)


class DonorOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    address = fields.String()
    tax_code = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    anonymous = fields.Boolean()


class BeneficiaryIn(Schema):
    name = text(200, required=True, allow_empty=False)
    category = Text(required=True, validate=validate.OneOf(BENEFICIARY_CATEGORIES))
    kind = Text(load_default="student", validate=validate.OneOf(BENEFICIARY_KINDS))
    school = text(200)
    grade = text(20)
    address = text(300)
    is_minor = Flag(load_default=True)
    guardian_name = text(200, description="Who receives and signs for a minor's money.")
    guardian_relation = text(60, description="e.g. mẹ, bố, bà nội.")

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> BeneficiaryCommand:
        return BeneficiaryCommand(**data)


class BeneficiaryOut(Schema):
    id = fields.Integer()
    name = fields.String()
    category = fields.String()
    kind = fields.String()
    school = fields.String()
    grade = fields.String()
    address = fields.String()
    is_minor = fields.Boolean()
    guardian_name = fields.String()
    guardian_relation = fields.String()


class ItemIn(Schema):
    description = text(ITEM_MAX_CHARS, required=True, allow_empty=False)
    quantity = Count(required=True)
    unit = text(40, required=True, allow_empty=False)
    unit_value = Money(required=True)

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> ItemCommand:
        return ItemCommand(data["description"], data["quantity"], data["unit"], unit_value_vnd=data["unit_value"])


class DonationIn(Schema):
    donor_id = Id(required=True)
    fund = Text(required=True)
    method = Text(required=True, validate=validate.OneOf(METHODS))
    amount = Money(required=True)
    items = fields.List(fields.Nested(ItemIn), load_default=list, validate=validate.Length(max=MAX_ITEMS))
    received_on = Day(required=True)
    memo = text(MEMO_MAX_CHARS)
    reference = text(100, description="The bank's or payer's reference, printed on the receipt.")
    #: The number of the voided receipt of this donor that this donation corrects.
    replaces = Text(load_default=None, validate=validate.Length(max=64))

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> DonationCommand:
        return DonationCommand(
            donor_id=data["donor_id"],
            fund=data["fund"],
            method=data["method"],
            amount_vnd=data["amount"],
            received_on=data["received_on"],
            items=tuple(data["items"]),
            memo=data.get("memo", ""),
            reference=data.get("reference", ""),
            replaces=data["replaces"],
        )


class LineOut(Schema):
    account = fields.String()
    fund = fields.String()
    debit = fields.Integer(attribute="debit_vnd")
    credit = fields.Integer(attribute="credit_vnd")
    quantity = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True)
    item = fields.String(allow_none=True)
    donor_id = fields.Integer(allow_none=True)
    beneficiary_id = fields.Integer(allow_none=True)


class EntryOut(Schema):
    seq = fields.Integer()
    date = fields.Date(attribute="entry_on")
    memo = fields.String()
    kind = fields.String()
    lines = fields.List(fields.Nested(LineOut))
    hash = fields.String()
    prev_hash = fields.String()
    reverses = fields.Integer(allow_none=True)
    reversed_by = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.Integer(allow_none=True)


class LineIn(Schema):
    """A journal line as a client writes it; loads into the one line shape, ``LineDraft``."""

    account = Text(required=True, validate=validate.Length(min=1, max=20))
    fund = Text(required=True, validate=validate.Length(min=1, max=40))
    debit_vnd = Money(data_key="debit", load_default=None)
    credit_vnd = Money(data_key="credit", load_default=None)
    quantity = Count(load_default=None)
    unit = Text(load_default=None, validate=validate.Length(max=40))
    item = Text(load_default=None, validate=validate.Length(max=ITEM_MAX_CHARS))
    donor_id = Id(load_default=None)
    beneficiary_id = Id(load_default=None)

    @validates_schema
    def _one_side(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("debit_vnd") is None) == (data.get("credit_vnd") is None):
            raise ValidationError("Give exactly one of debit and credit.", "debit")

    @post_load
    def _line(self, data: dict[str, Any], **_: Any) -> LineDraft:
        return LineDraft(**{**data, "debit_vnd": data["debit_vnd"] or 0, "credit_vnd": data["credit_vnd"] or 0})


class EntryIn(Schema):
    date = Day(required=True)
    memo = text(MEMO_MAX_CHARS, required=True)
    kind = Text(
        load_default="general",
        validate=validate.OneOf([k for k in ENTRY_KINDS if k in ("general", "opening", "interest", "transfer")]),
    )
    lines = fields.List(fields.Nested(LineIn), required=True, validate=validate.Length(min=2, max=MAX_LINES_PER_ENTRY))

    @post_load
    def _draft(self, data: dict[str, Any], **_: Any) -> EntryDraft:
        return EntryDraft(entry_on=data["date"], memo=data["memo"], kind=data["kind"], lines=tuple(data["lines"]))


class ReverseIn(Schema):
    reason = text(500, required=True, allow_empty=False)
    date = Day(load_default=None)
    #: The receipt that replaces a voided one: the donor's void notice points to it.
    replacement = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=40))


class ReceiptOut(Schema):
    number = fields.String(attribute="receipt_number")
    date = fields.Date(attribute="received_on")
    amount = fields.Integer(attribute="amount_vnd")
    fund = fields.String()
    donor_id = fields.Integer()
    method = fields.String()
    status = fields.String()
    verify_url = fields.String()
    pdf_url = fields.String()
    #: The cash phiếu thu (form 01-TT) of money received in cash; null otherwise.
    cash_voucher_number = fields.String(allow_none=True)
    cash_voucher_pdf_url = fields.String(allow_none=True)
    entry_seq = fields.Integer()
    voided_on = fields.Date(allow_none=True)
    void_reason = fields.String(allow_none=True)


#: One instance of each schema the posting endpoints dump with on every request: building a
#: schema (copying its declared fields) costs more than dumping an entry with it.
ENTRY_OUT = EntryOut()
RECEIPT_OUT = ReceiptOut()


class DonationOut(Schema):
    entry = fields.Nested(EntryOut)
    receipt = fields.Nested(ReceiptOut)


class CheckpointOut(Schema):
    seq = fields.Integer()
    hash = fields.String(attribute="head_hash")
    signed_at = fields.AwareDateTime()
    key_id = fields.String()
    #: Ed25519 over ``khl-checkpoint1\n<association>\n<seq>\n<hash>\n<signed_at>`` (hex).
    signature = fields.String()


class DonorLinkOut(Schema):
    sent_to = fields.String()


class VerifyOut(Schema):
    association = fields.String()
    #: Everything below holds: chain, checkpoints, balances, documents.
    ok = fields.Boolean()
    entries = fields.Integer()
    #: The head digest: keep it to check the chain later (``ledger verify --against``).
    head_seq = fields.Integer()
    head_hash = fields.String()
    first_bad_seq = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    chain_ok = fields.Boolean()
    #: Every signed checkpoint's signature is good and the chain passes through it.
    checkpoints_ok = fields.Boolean()
    checkpoints = fields.Integer()
    last_checkpoint = fields.Nested(CheckpointOut, allow_none=True)
    balances_ok = fields.Boolean()
    documents_ok = fields.Boolean()
    #: Checkpoints the chain no longer passes through, and documents that disagree with their entries.
    problems = fields.List(fields.String())
    #: When this result was computed: past ``VERIFY_CHAIN_RATE`` per association the last result
    #: is answered again (``from_cache``) instead of recomputing the whole chain.
    verified_at = fields.AwareDateTime()
    from_cache = fields.Boolean()


_DIGITS = re.compile(r"[0-9]{1,19}")


def cursor(raw: str | None, maximum: int = ID_MAX) -> int:
    """The id (or sequence number, up to ``maximum``) a page continues after; 0 for the first page."""
    if raw is None:
        return 0
    if _DIGITS.fullmatch(raw) is None or int(raw) > maximum:
        raise ValidationFailed("Con trỏ trang không hợp lệ.", "Invalid cursor.", errors={"cursor": ["invalid"]})
    return int(raw)


class PageQuery(Schema):
    limit = fields.Integer(load_default=PAGE_DEFAULT, validate=validate.Range(1, PAGE_MAX))
    cursor = Text(load_default=None)


class EntryQuery(PageQuery):
    from_ = Day(data_key="from", load_default=None)
    to = Day(load_default=None)
    fund = Text(load_default=None)
    account = Text(load_default=None)

    @post_load
    def _filter(self, data: dict[str, Any], **_: Any) -> EntryFilter:
        return EntryFilter(
            from_on=data["from_"],
            to_on=data["to"],
            fund=data["fund"],
            account=data["account"],
            after_seq=cursor(data["cursor"], SEQ_MAX),
            limit=data["limit"],
        )


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """A page schema ``{items, next_cursor}`` for the OpenAPI document."""
    return type(
        f"{item_schema.__name__.removesuffix('Out')}Page",
        (Schema,),
        {"items": fields.List(fields.Nested(item_schema)), "next_cursor": fields.String(allow_none=True)},
    )


# --- Right-purpose spending: disbursements, approvals, policies, periods, pledges, transfers ----


class GoodsPickIn(Schema):
    """Which goods leave the shelf and how many; their value is the average cost of what the fund holds."""

    description = text(ITEM_MAX_CHARS, required=True, allow_empty=False)
    quantity = Count(required=True)
    unit = text(40, required=True, allow_empty=False)

    @post_load
    def _pick(self, data: dict[str, Any], **_: Any) -> GoodsPick:
        return GoodsPick(data["description"], data["quantity"], data["unit"])


class DisbursementIn(Schema):
    fund = Text(required=True, validate=validate.Length(min=1, max=40))
    kind = Text(required=True, validate=validate.OneOf(DISBURSEMENT_KINDS))
    beneficiary_id = Id(load_default=None, allow_none=True)
    amount = Money(
        load_default=None,
        allow_none=True,
        metadata={"description": "Required for cash and bank; for in_kind it may be left out (average cost)."},
    )
    paid_from = Text(required=True, validate=validate.OneOf(PAID_FROM))
    items = fields.List(
        fields.Nested(GoodsPickIn),
        load_default=list,
        validate=validate.Length(max=1, error="Goods paid out in kind name exactly one item."),
        metadata={"description": "For in_kind: exactly one item (which goods, how many)."},
    )
    paid_on = Day(required=True)
    memo = text(MEMO_MAX_CHARS)
    payee_name = text(
        200, description="Who is paid when not the beneficiary (a bookcase's supplier; the school benefits)."
    )
    payee_address = text(300)
    reference = text(100, description="The bank's reference of the payment, printed on the voucher.")
    expense_account = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "A sub-account of the kind's expense account (e.g. 611.1) to book it to."},
    )

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> SpendCommand:
        return SpendCommand(
            fund=data["fund"],
            kind=data["kind"],
            paid_from=data["paid_from"],
            paid_on=data["paid_on"],
            amount_vnd=data["amount"],
            beneficiary_id=data["beneficiary_id"],
            items=tuple(data["items"]),
            memo=data.get("memo", ""),
            payee_name=data.get("payee_name", ""),
            payee_address=data.get("payee_address", ""),
            reference=data.get("reference", ""),
            expense_account=data.get("expense_account"),
        )


class BatchIn(Schema):
    # Items are read one by one in the view so that a refusal names the item as ``items.<i>.<field>``
    # with its ``index``, like the ledger's own refusals; the document still shows their schema.
    items = fields.List(
        fields.Raw(metadata={"allOf": [{"$ref": "#/components/schemas/DisbursementIn"}]}),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH_ITEMS),
    )
    memo = text(MEMO_MAX_CHARS)


class GoodsPickOut(Schema):
    description = fields.String()
    quantity = fields.Integer()
    unit = fields.String()


class DisbursementOut(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "pending, posted, rejected or void"})
    fund = fields.String()
    kind = fields.String()
    beneficiary_id = fields.Integer(allow_none=True)
    amount = fields.Integer(attribute="amount_vnd")
    paid_from = fields.String()
    items = fields.List(fields.Nested(GoodsPickOut))
    paid_on = fields.Date()
    memo = fields.String()
    payee_name = fields.String()
    payee_address = fields.String()
    reference = fields.String()
    expense_account = fields.String(allow_none=True)
    policy_version = fields.Integer()
    maker_id = fields.Integer(allow_none=True)
    approver_id = fields.Integer(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    reserved = fields.Integer(attribute="reserved_vnd")
    entry_seq = fields.Integer(allow_none=True)
    voucher_number = fields.String(allow_none=True)
    void_entry_seq = fields.Integer(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()


#: One page schema per item schema: the OpenAPI document names each once.
DisbursementPage = page_of(DisbursementOut)


class VoucherOut(Schema):
    number = fields.String()
    pdf_url = fields.String()


class DisbursementPostedOut(Schema):
    id = fields.Integer()
    status = fields.String()
    entry = fields.Nested(EntryOut)
    voucher = fields.Nested(VoucherOut, allow_none=True)
    disbursement = fields.Nested(DisbursementOut)


class BatchOut(Schema):
    batch_id = fields.Integer()
    count = fields.Integer()
    total = fields.Integer()
    disbursements = fields.List(fields.Nested(DisbursementOut))
    vouchers_pdf_url = fields.String()


class DisbursementQuery(PageQuery):
    status = Text(load_default=None, validate=validate.OneOf(DISBURSEMENT_STATUSES))
    fund = Text(load_default=None)
    batch_id = Id(strict=False, load_default=None)

    @post_load
    def _filter(self, data: dict[str, Any], **_: Any) -> DisbursementFilter:
        return DisbursementFilter(
            status=data["status"],
            fund=data["fund"],
            batch_id=data["batch_id"],
            after_id=cursor(data["cursor"]),
            limit=data["limit"],
        )


class ApproveIn(Schema):
    """No fields: send ``{}``."""


class RejectIn(Schema):
    reason = text(500, required=True, allow_empty=False)


class PolicyIn(Schema):
    """The fund policy document of API.md; every key optional, ``null`` or absent means no limit."""

    allowed_kinds = fields.Raw(allow_none=True, metadata={"type": "array", "items": {"type": "string"}})
    beneficiary_categories = fields.Raw(allow_none=True, metadata={"type": "array", "items": {"type": "string"}})
    max_per_disbursement = fields.Raw(allow_none=True, metadata={"type": "integer"})
    max_per_beneficiary_per_year = fields.Raw(allow_none=True, metadata={"type": "integer"})
    windows = fields.Raw(
        allow_none=True,
        metadata={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "from": {"type": "string", "format": "date"},
                    "to": {"type": "string", "format": "date"},
                },
            },
        },
    )
    approval_threshold = fields.Raw(allow_none=True, metadata={"type": "integer"})
    running_cost_cap_pct = fields.Raw(allow_none=True, metadata={"type": "integer"})
    transfers_out_allowed = fields.Raw(allow_none=True, metadata={"type": "boolean"})
    tet_window = fields.Raw(
        allow_none=True,
        metadata={
            "type": "boolean",
            "description": "pay in the Tet gift season of every year: 15 December to the 15th day of the "
            "first lunar month (Vietnamese lunar calendar), besides any explicit windows",
        },
    )


class ConsentIn(Schema):
    """The donor's written consent to loosen a restricted fund or an endowment."""

    document = text(100, required=True, allow_empty=False)
    date = Day(required=True)


class PolicyChangeIn(PolicyIn):
    """PATCH: the keys to change (``null`` removes a limit); PUT: the whole document. A change that
    loosens needs a second person (202); of a restricted fund or an endowment, also ``consent``."""

    consent = fields.Nested(ConsentIn, load_default=None, allow_none=True)
    reason = text(500)


class RequestOut(Schema):
    """A request that needs a second person (API.md "Requests that need a second person")."""

    id = fields.String(metadata={"description": "req-<n>: approve with POST …/approvals/req-<n>/approve"})
    type = fields.Constant("request")
    kind = fields.String(metadata={"description": "policy_change, reversal or period_reopen"})
    status = fields.String(metadata={"description": "pending, approved or rejected"})
    fund = fields.String(allow_none=True)
    entry_seq = fields.Integer(allow_none=True)
    year = fields.Integer(allow_none=True)
    details = fields.Dict()
    maker_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    decided_by = fields.Integer(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    outcome = fields.Dict(allow_none=True)


class PolicyVersionOut(Schema):
    version = fields.Integer()
    policy = fields.Dict()
    created_at = fields.AwareDateTime()
    created_by = fields.Integer(allow_none=True)
    approved_by = fields.Integer(allow_none=True)
    consent = fields.Dict(allow_none=True)
    request_id = fields.String(allow_none=True)
    in_force = fields.Boolean()


PolicyVersionPage = page_of(PolicyVersionOut)


class BatchApprovedOut(Schema):
    batch_id = fields.Integer()
    count = fields.Integer()
    disbursements = fields.List(fields.Nested(DisbursementOut))


class PaymentIn(Schema):
    """Pay an award a fund owes (338) from cash or bank."""

    fund = Text(required=True, validate=validate.Length(min=1, max=40))
    beneficiary_id = Id(required=True)
    amount = Money(required=True)
    paid_from = Text(required=True, validate=validate.OneOf(("cash", "bank")))
    paid_on = Day(required=True)
    memo = text(MEMO_MAX_CHARS)


class PaymentOut(Schema):
    entry = fields.Nested(EntryOut)
    voucher = fields.Nested(VoucherOut)
    owed_after = fields.Integer(attribute="owed_after_vnd")


class ApprovalQuery(PageQuery):
    type = Text(load_default=None, validate=validate.OneOf(("disbursement", "request")))


class ApprovalPage(Schema):
    """Pending requests (first page) and pending disbursements; each item has ``type``."""

    items = fields.List(fields.Dict())
    next_cursor = fields.String(allow_none=True)


class PeriodOut(Schema):
    year = fields.Integer()
    closed = fields.Boolean()
    closed_at = fields.AwareDateTime(allow_none=True)
    closed_by = fields.Integer(allow_none=True)
    pending_disbursements = fields.Integer()
    closing_entries = fields.List(
        fields.Integer(),
        metadata={"description": "The closing entries a close posted, or the reversals of them a reopening posted."},
    )


class PeriodCloseIn(Schema):
    """No fields: send ``{}``."""


class PeriodReopenIn(Schema):
    reason = text(500)


class PledgeIn(Schema):
    donor_id = Id(required=True)
    fund = Text(required=True, validate=validate.Length(min=1, max=40))
    amount = Money(required=True)
    pledged_on = Day(required=True)
    due_on = Day(load_default=None, allow_none=True)
    memo = text(MEMO_MAX_CHARS)

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> PledgeCommand:
        return PledgeCommand(
            donor_id=data["donor_id"],
            fund=data["fund"],
            amount_vnd=data["amount"],
            pledged_on=data["pledged_on"],
            due_on=data["due_on"],
            memo=data.get("memo", ""),
        )


class PledgeOut(Schema):
    id = fields.Integer()
    donor_id = fields.Integer()
    fund = fields.String()
    amount = fields.Integer(attribute="amount_vnd")
    collected = fields.Integer(attribute="collected_vnd")
    outstanding = fields.Integer(attribute="outstanding_vnd")
    pledged_on = fields.Date()
    due_on = fields.Date(allow_none=True)
    status = fields.String(metadata={"description": "open, collected or cancelled"})
    entry_seq = fields.Integer()
    memo = fields.String()
    created_at = fields.AwareDateTime()


PledgePage = page_of(PledgeOut)


class PledgeRecordedOut(Schema):
    pledge = fields.Nested(PledgeOut)
    entry = fields.Nested(EntryOut)


class PledgeQuery(PageQuery):
    status = Text(load_default=None, validate=validate.OneOf(PLEDGE_STATUSES))


class CollectIn(Schema):
    amount = Money(required=True)
    method = Text(required=True, validate=validate.OneOf(COLLECTION_METHODS))
    received_on = Day(required=True)
    memo = text(MEMO_MAX_CHARS)

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> CollectCommand:
        return CollectCommand(
            amount_vnd=data["amount"], method=data["method"], received_on=data["received_on"], memo=data.get("memo", "")
        )


class CollectionOut(Schema):
    pledge = fields.Nested(PledgeOut)
    entry = fields.Nested(EntryOut)
    receipt = fields.Nested(ReceiptOut)


class TransferIn(Schema):
    from_fund = Text(required=True, validate=validate.Length(min=1, max=40))
    to_fund = Text(required=True, validate=validate.Length(min=1, max=40))
    amount = Money(required=True)
    account = Text(
        required=True,
        validate=validate.Regexp(r"^11[12](\.[0-9]{1,3})?$", error="Use 111 (cash) or 112 (bank), or a sub-account."),
    )
    on = Day(required=True)
    memo = text(MEMO_MAX_CHARS)

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> TransferCommand:
        return TransferCommand(
            from_fund=data["from_fund"],
            to_fund=data["to_fund"],
            amount_vnd=data["amount"],
            account=data["account"],
            on=data["on"],
            memo=data.get("memo", ""),
        )


class InterestIn(Schema):
    fund = Text(required=True, validate=validate.Length(min=1, max=40))
    amount = Money(required=True)
    account = Text(
        load_default="112",
        validate=validate.Regexp(r"^112(\.[0-9]{1,3})?$", error="Interest is paid into a bank account (112)."),
    )
    on = Day(required=True)
    memo = text(MEMO_MAX_CHARS)

    @post_load
    def _command(self, data: dict[str, Any], **_: Any) -> InterestCommand:
        return InterestCommand(
            fund=data["fund"],
            amount_vnd=data["amount"],
            on=data["on"],
            account=data["account"],
            memo=data.get("memo", ""),
        )


AccountPage = page_of(AccountOut)
FundPage = page_of(FundOut)


class PeriodPage(Schema):
    """The fiscal years with entries (at most the last 100) and the association's lock date."""

    items = fields.List(fields.Nested(PeriodOut))
    next_cursor = fields.String(allow_none=True)
    lock_on = fields.Date(allow_none=True)


class PeriodLockIn(Schema):
    through = Day(required=True, metadata={"description": "the last day of a month that has ended"})


class PeriodLockOut(Schema):
    lock_on = fields.Date()


# --- Documents and the audit log ----------------------------------------------------------------


class YearQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))


class StatementQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "pdf", "csv", "xlsx"]))


class StatementLineOut(Schema):
    date = fields.Date(attribute="received_on")
    receipt_number = fields.String()
    fund = fields.String(attribute="fund_code")
    fund_name = fields.String()
    amount = fields.Integer(attribute="amount_vnd")
    status = fields.String()


class StatementOut(Schema):
    association = fields.String(attribute="association_code")
    donor = fields.String(attribute="donor_name")
    year = fields.Integer()
    lines = fields.List(fields.Nested(StatementLineOut))
    total = fields.Integer(attribute="total_vnd")


class AuditEventOut(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    user = fields.String(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    detail = fields.Dict()


class TokenOut(Schema):
    """An API token as its owner sees it: never the token itself."""

    id = fields.Integer()
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime(allow_none=True)
    #: ``active``, ``expired`` or ``revoked``.
    status = fields.String()


class TokenPage(Schema):
    items = fields.List(fields.Nested(TokenOut))
    next_cursor = fields.String(allow_none=True)


class UserIn(Schema):
    email = fields.Email(required=True)


class RevokeTokensIn(Schema):
    email = fields.Email(required=True)
    #: One token (``GET /me/tokens`` of its owner names them); without it, every token of the user.
    token_id = Id(load_default=None, allow_none=True)


class UserOut(Schema):
    email = fields.String()
    is_admin = fields.Boolean()
    disabled_at = fields.AwareDateTime(allow_none=True)


class RoleRevokeIn(Schema):
    email = fields.Email(required=True)
    association = Text(required=True, validate=validate.Regexp(CODE_PATTERN))
    role = Text(required=True, validate=validate.Length(min=1, max=20))


class RoleRevokedOut(Schema):
    email = fields.String()
    association = fields.String()
    role = fields.String()
    #: False when the user did not hold the role.
    revoked = fields.Boolean()
