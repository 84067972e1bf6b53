"""marshmallow schemas of the JSON API: what comes in is checked here, what goes out is shaped here."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ledger.domain.entries import ENTRY_KINDS, ITEM_MAX_CHARS, MAX_LINES_PER_ENTRY, MEMO_MAX_CHARS, QUANTITY_MAX
from ledger.domain.money import AMOUNT_VND_MAX
from ledger.domain.policy import BENEFICIARY_CATEGORIES, DISBURSEMENT_KINDS, RESTRICTIONS
from ledger.services.associations import LEVELS
from ledger.services.donations import MAX_ITEMS, METHODS
from ledger.services.parties import BENEFICIARY_KINDS, DONOR_KINDS

#: Page sizes of list endpoints (API.md).
PAGE_DEFAULT = 100
PAGE_MAX = 1000
CODE_PATTERN = r"^[A-Z0-9][A-Z0-9.\-]{0,39}$"


class Money(fields.Integer):
    """Whole VND: a JSON integer from 1 to 10^15. Floats, strings and booleans are refused."""

    default_error_messages = {  # noqa: RUF012 - marshmallow merges this class attribute
        "invalid": "Must be a whole number of VND (a JSON integer), not a string or a decimal.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(1, AMOUNT_VND_MAX, error="Must be from 1 to 10^15 VND."))
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Count(fields.Integer):
    """A positive whole count (goods quantity)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(1, QUANTITY_MAX))
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


def text(max_chars: int, *, required: bool = False, allow_empty: bool = True) -> fields.String:
    return fields.String(required=required, validate=validate.Length(min=0 if allow_empty else 1, max=max_chars))


class AssociationIn(Schema):
    code = fields.String(
        required=True, validate=validate.Regexp(CODE_PATTERN, error="Use capitals, digits and dashes, e.g. QT-DH.")
    )
    name = text(200, required=True, allow_empty=False)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent = fields.String(load_default=None, allow_none=True)
    address = text(300, required=False)


class AssociationOut(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent = fields.String(allow_none=True)
    address = fields.String()


class AccountOut(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    type = fields.String()


class FundIn(Schema):
    code = fields.String(required=True, validate=validate.Regexp(CODE_PATTERN))
    name = text(200)
    restriction = fields.String(validate=validate.OneOf(RESTRICTIONS))
    purpose = text(2000)
    policy = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    preset = fields.String(load_default=None, allow_none=True)


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
    kind = fields.String(load_default="person", validate=validate.OneOf(DONOR_KINDS))
    address = text(300)
    tax_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(
            r"^[0-9]{10}(-[0-9]{3})?$", error="A tax code is 10 digits, or 10 digits, a dash and 3 digits."
        ),
    )
    email = fields.Email(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))
    anonymous = fields.Boolean(load_default=False)


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
    category = fields.String(required=True, validate=validate.OneOf(BENEFICIARY_CATEGORIES))
    kind = fields.String(load_default="student", validate=validate.OneOf(BENEFICIARY_KINDS))
    school = text(200)
    grade = text(20)
    address = text(300)
    is_minor = fields.Boolean(load_default=True)


class BeneficiaryOut(Schema):
    id = fields.Integer()
    name = fields.String()
    category = fields.String()
    kind = fields.String()
    school = fields.String()
    grade = fields.String()
    address = fields.String()
    is_minor = fields.Boolean()


class ItemIn(Schema):
    description = text(ITEM_MAX_CHARS, required=True, allow_empty=False)
    quantity = Count(required=True)
    unit = text(40, required=True, allow_empty=False)
    unit_value = Money(required=True)


class DonationIn(Schema):
    donor_id = fields.Integer(required=True, strict=True)
    fund = fields.String(required=True)
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    amount = Money(required=True)
    items = fields.List(fields.Nested(ItemIn), load_default=list, validate=validate.Length(max=MAX_ITEMS))
    received_on = fields.Date(required=True)
    memo = text(MEMO_MAX_CHARS)


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
    account = fields.String(required=True, validate=validate.Length(min=1, max=20))
    fund = fields.String(required=True, validate=validate.Length(min=1, max=40))
    debit = Money(load_default=None)
    credit = Money(load_default=None)
    quantity = Count(load_default=None)
    unit = fields.String(load_default=None, validate=validate.Length(max=40))
    item = fields.String(load_default=None, validate=validate.Length(max=ITEM_MAX_CHARS))
    donor_id = fields.Integer(load_default=None, strict=True)
    beneficiary_id = fields.Integer(load_default=None, strict=True)

    @validates_schema
    def _one_side(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("debit") is None) == (data.get("credit") is None):
            raise ValidationError("Give exactly one of debit and credit.", "debit")


class EntryIn(Schema):
    date = fields.Date(required=True)
    memo = text(MEMO_MAX_CHARS, required=True)
    kind = fields.String(
        load_default="general",
        validate=validate.OneOf([k for k in ENTRY_KINDS if k in ("general", "opening", "interest", "transfer")]),
    )
    lines = fields.List(fields.Nested(LineIn), required=True, validate=validate.Length(min=2, max=MAX_LINES_PER_ENTRY))


class ReverseIn(Schema):
    reason = text(500, required=True, allow_empty=False)
    date = fields.Date(load_default=None)


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
    entry_seq = fields.Integer()
    voided_on = fields.Date(allow_none=True)
    void_reason = fields.String(allow_none=True)


class DonationOut(Schema):
    entry = fields.Nested(EntryOut)
    receipt = fields.Nested(ReceiptOut)


class VerifyOut(Schema):
    ok = fields.Boolean()
    entries = fields.Integer()
    head_seq = fields.Integer()
    head_hash = fields.String()
    first_bad_seq = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    balances_ok = fields.Boolean()


class PageQuery(Schema):
    limit = fields.Integer(load_default=PAGE_DEFAULT, validate=validate.Range(1, PAGE_MAX))
    cursor = fields.String(load_default=None)


class EntryQuery(PageQuery):
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)
    fund = fields.String(load_default=None)
    account = fields.String(load_default=None)


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """A page schema ``{items, next_cursor}`` for the OpenAPI document."""
    return type(
        f"{item_schema.__name__.removesuffix('Out')}Page",
        (Schema,),
        {"items": fields.List(fields.Nested(item_schema)), "next_cursor": fields.String(allow_none=True)},
    )


DISBURSEMENT_KIND_CHOICES = DISBURSEMENT_KINDS
