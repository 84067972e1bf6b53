"""The pages' forms (Flask-WTF: every one carries a CSRF token), and how their fields read input.

Amounts are typed as Vietnamese write them (``1.200.000``, ``1 200 000 ₫``) and dates as
``23/11/2026`` (or ISO ``2026-11-23``). Labels are marked for translation with ``lazy_gettext``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from ledger.domain.money import AMOUNT_VND_MAX
from ledger.domain.policy import DISBURSEMENT_KINDS

_SEPARATORS = re.compile(r"[.\s,₫đ]|VND", re.IGNORECASE)
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
MAX_ITEM_ROWS = 20
#: WTForms' own messages are English only: the pages say them in their language.
REQUIRED = _l("Required.")


def parse_vnd(text: str) -> int | None:
    """``"1.200.000"``, ``"1 200 000 ₫"`` or ``"1200000"`` → 1200000; ``None`` when it is not a whole amount."""
    digits = _SEPARATORS.sub("", text.strip())
    if not digits.isdigit() or len(digits) > 16:
        return None
    return int(digits)


def parse_day(text: str) -> date | None:
    """``"23/11/2026"`` or ``"2026-11-23"`` → that date; ``None`` otherwise."""
    text = text.strip()
    match = _DMY.fullmatch(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


class VndField(Field):
    """A whole amount of đồng, typed with or without thousands dots."""

    widget = TextInput()
    data: int | None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return f"{self.data:,}".replace(",", ".") if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            self.data = parse_vnd(str(valuelist[0]))
            if self.data is None or not 0 < self.data <= AMOUNT_VND_MAX:
                self.data = None
                raise ValueError(_l("Write a whole amount of đồng, such as 1.200.000."))


class DayField(Field):
    """An accounting date typed as ``dd/mm/yyyy``."""

    widget = TextInput()
    data: date | None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return f"{self.data:%d/%m/%Y}" if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            self.data = parse_day(str(valuelist[0]))
            if self.data is None:
                raise ValueError(_l("Write the date as day/month/year, such as 23/11/2026."))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(message=REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(message=REQUIRED), Length(max=200)]
    )
    new_password = PasswordField(
        _l("New password (at least 10 characters)"), validators=[DataRequired(message=REQUIRED)]
    )
    repeat_password = PasswordField(_l("New password again"), validators=[DataRequired(message=REQUIRED)])
    submit = SubmitField(_l("Change password"))

    def validate_repeat_password(self, field: Field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError(_l("The two new passwords differ."))


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[DataRequired(message=REQUIRED)])
    next = HiddenField()


class ItemRow(Form):
    """One row of goods given in kind (no CSRF of its own: it is part of the donation's form)."""

    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    quantity = IntegerField(
        _l("Quantity"), validators=[Optional(), NumberRange(min=1, max=10**9, message=_l("A whole number from 1."))]
    )
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    unit_value = VndField(_l("Unit value (₫)"), validators=[Optional()])


class DonationForm(FlaskForm):
    donor_id = SelectField(_l("Donor"), validators=[InputRequired(message=REQUIRED)])
    fund = SelectField(_l("Fund"), validators=[InputRequired(message=REQUIRED)])
    method = SelectField(
        _l("How it was given"),
        choices=[
            SelectChoice("cash", _l("Cash")),
            SelectChoice("bank", _l("Bank transfer")),
            SelectChoice("in_kind", _l("In kind (goods)")),
        ],
        validators=[InputRequired(message=REQUIRED)],
    )
    amount = VndField(_l("Amount (₫)"), validators=[Optional()])
    bank_reference = StringField(_l("Bank reference"), validators=[Optional(), Length(max=100)])
    received_on = DayField(_l("Received on (dd/mm/yyyy)"), validators=[InputRequired(message=REQUIRED)])
    memo = StringField(_l("Note"), validators=[Optional(), Length(max=400)])
    items = FieldList(FormField(ItemRow), min_entries=3, max_entries=MAX_ITEM_ROWS)
    add_row = SubmitField(_l("Add a row of goods"))
    submit = SubmitField(_l("Record the donation and issue the receipt"))


KIND_CHOICES = [
    SelectChoice("scholarship", _l("Scholarship")),
    SelectChoice("tet_gift", _l("Tet gift")),
    SelectChoice("bookcase", _l("Bookcase, books")),
    SelectChoice("award", _l("Award")),
    SelectChoice("support", _l("Support for a pupil in difficulty")),
    SelectChoice("operating", _l("Running costs")),
]
assert tuple(c.value for c in KIND_CHOICES) == DISBURSEMENT_KINDS


class DisbursementForm(FlaskForm):
    fund = SelectField(_l("Fund"), validators=[InputRequired(message=REQUIRED)])
    kind = SelectField(_l("What it pays for"), choices=KIND_CHOICES, validators=[InputRequired(message=REQUIRED)])
    beneficiary_id = SelectField(_l("Beneficiary"), validators=[Optional()])
    paid_from = SelectField(
        _l("Paid from"),
        choices=[
            SelectChoice("cash", _l("Cash")),
            SelectChoice("bank", _l("Bank")),
            SelectChoice("in_kind", _l("Goods the fund holds")),
        ],
        validators=[InputRequired(message=REQUIRED)],
    )
    amount = VndField(_l("Amount (₫)"), validators=[Optional()])
    item = StringField(
        _l("Goods handed out"),
        validators=[Optional(), Length(max=200)],
        render_kw={"list": "goods-held", "autocomplete": "off"},
    )
    quantity = IntegerField(
        _l("Quantity"), validators=[Optional(), NumberRange(min=1, max=10**9, message=_l("A whole number from 1."))]
    )
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    paid_on = DayField(_l("Paid on (dd/mm/yyyy)"), validators=[InputRequired(message=REQUIRED)])
    memo = StringField(_l("Note"), validators=[Optional(), Length(max=400)])
    preview = SubmitField(_l("Check against the fund's rules"))
    submit = SubmitField(_l("Record the disbursement"))


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])
    approve = SubmitField(_l("Approve"))
    reject = SubmitField(_l("Reject"))


class ReverseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the reversal"),
        validators=[
            DataRequired(message=REQUIRED),
            Length(min=3, max=500, message=_l("Give a reason of 3 to 500 characters.")),
        ],
    )
    submit = SubmitField(_l("Reverse this entry"))


class EmailReceiptForm(FlaskForm):
    submit = SubmitField(_l("E-mail the receipt to the donor"))


class DonorForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    kind = SelectField(
        _l("Person or organisation"),
        choices=[SelectChoice("person", _l("Person")), SelectChoice("organisation", _l("Organisation"))],
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    tax_code = StringField(_l("Tax code"), validators=[Optional(), Length(max=20)])
    email = StringField(_l("E-mail (the receipt is sent there)"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    anonymous = BooleanField(_l("Stays anonymous in public lists"))
    submit = SubmitField(_l("Save"))


class BeneficiaryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    kind = SelectField(
        _l("Who"),
        choices=[
            SelectChoice("student", _l("Pupil or student")),
            SelectChoice("teacher", _l("Teacher")),
            SelectChoice("school", _l("School")),
            SelectChoice("family", _l("Family")),
        ],
    )
    category = SelectField(_l("Category"), validators=[InputRequired(message=REQUIRED)])
    school = StringField(_l("School"), validators=[Optional(), Length(max=200)])
    grade = StringField(_l("Class"), validators=[Optional(), Length(max=20)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    is_minor = BooleanField(_l("A minor (the name is masked in public lists)"), default=True)
    guardian_name = StringField(_l("Guardian who receives the money"), validators=[Optional(), Length(max=200)])
    guardian_relation = StringField(
        _l("Relation (mother, father, grandmother…)"), validators=[Optional(), Length(max=40)]
    )
    submit = SubmitField(_l("Save"))


class CeremonyUploadForm(FlaskForm):
    sheet = FileField(
        _l("The ceremony's spreadsheet (XLSX or CSV)"),
        validators=[FileRequired(message=_l("Choose the spreadsheet to upload."))],
    )
    memo = StringField(_l("What the ceremony is"), validators=[Optional(), Length(max=400)])
    submit = SubmitField(_l("Show the preview"))


class CeremonyPostForm(FlaskForm):
    #: The uploaded file itself (base64), sent back to be read and checked again when posting.
    sheet = HiddenField(validators=[DataRequired(message=REQUIRED)])
    memo = HiddenField()
    submit = SubmitField(_l("Record every row"))
