"""An association's pages: dashboard, donations and receipts, disbursements, approvals, reversals.

Thin views: read the form, call the same service the API calls, render. A refusal of a service
is shown next to the field it concerns, in the page's language.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from ledger.documents.receipt_pdf import render_receipt
from ledger.documents.voucher_pdf import render_vouchers
from ledger.domain.errors import InsufficientFunds, LedgerError, NotFound, PurposeViolation
from ledger.services import approvals, corrections, dashboard, donations, downloads, journal, printing, requests
from ledger.services.access import Need, Role, roles_in
from ledger.services.charts import authorized_books
from ledger.services.disbursements import GoodsPick, SpendCommand, record_disbursement
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.pages.forms import (
    MAX_ITEM_ROWS,
    DecisionForm,
    DisbursementForm,
    DonationForm,
    EmailReceiptForm,
    ReverseForm,
    parse_day,
    parse_vnd,
)
from ledger.web.pages.runtime import actor, base_url, page_language, page_uow, today

books_bp = Blueprint("books", __name__, url_prefix="/a/<code>")

#: Which field of the disbursement form each spending rule is about: its refusal is shown there.
FIELD_OF_RULE = {
    "allowed_kinds": "kind",
    "beneficiary_categories": "beneficiary_id",
    "max_per_disbursement": "amount",
    "max_per_beneficiary_per_year": "amount",
    "windows": "paid_on",
    "running_cost_cap_pct": "amount",
    "endowment_income": "amount",
}
#: The form field of each key a service names in ``errors``.
FIELD_OF_ERROR = {
    "received_on": "received_on",
    "paid_on": "paid_on",
    "amount": "amount",
    "items": "items",
    "fund": "fund",
    "donor_id": "donor_id",
    "beneficiary_id": "beneficiary_id",
    "method": "method",
    "kind": "kind",
    "paid_from": "paid_from",
    "memo": "memo",
}


def _books(uow: UnitOfWork, code: str, need: Need) -> journal.Books:
    return authorized_books(uow, actor(), code, need)


def refusal_field(error: LedgerError, default: str) -> str:
    """The form field a refusal is about."""
    if isinstance(error, PurposeViolation):
        return FIELD_OF_RULE.get(error.rule, default)
    if isinstance(error, InsufficientFunds):
        return "amount"
    for key in error.errors or {}:
        head = str(key).split(".")[0]
        if head in FIELD_OF_ERROR:
            return FIELD_OF_ERROR[head]
    return default


def show_refusal(form: FlaskForm, error: LedgerError, default: str) -> None:
    """Put the service's sentence, in the page's language, on the field it concerns."""
    field = getattr(form, refusal_field(error, default), None) or getattr(form, default)
    field.errors = [*field.errors, error.detail(page_language())]
    if isinstance(error, PurposeViolation):
        field.render_kw = {**(field.render_kw or {}), "data-rule": error.rule}


# --- Dashboard -----------------------------------------------------------------------------------


@books_bp.route("/", endpoint="dashboard")
@login_required
def dashboard_page(code: str) -> Any:
    lang = page_language()
    with page_uow(write=False) as uow:
        books = _books(uow, code, Need.READ)
        board = dashboard.dashboard(uow, books, today(), lang)
        roles = roles_in(uow, actor(), books.association)
    return render_template(
        "pages/dashboard.html",
        board=board,
        code=code,
        roles=roles,
        voucher=request.args.get("voucher", "")[:64],
        batch=request.args.get("batch", type=int),
    )


@books_bp.route("/verify")
@login_required
def verify_chain(code: str) -> Any:
    """Recompute the association's hash chain now and say whether it holds."""
    from ledger.services import verification

    with page_uow(write=False) as uow:
        books = _books(uow, code, Need.READ)
        report = verification.verify_association(uow, books.association)
    return render_template("pages/verify_chain.html", code=code, report=report)


# --- Donations and receipts ---------------------------------------------------------------------


def _donation_choices(form: DonationForm, uow: UnitOfWork, books: journal.Books) -> None:
    form.donor_id.choices = [SelectChoice(c.value, c.label) for c in dashboard.donor_choices(uow, books)]
    form.fund.choices = [SelectChoice(c.value, c.label) for c in dashboard.fund_choices(books)]


def _donation_command(form: DonationForm) -> donations.DonationCommand:
    method = form.method.data or ""
    items = tuple(
        donations.ItemCommand(
            row.description.data.strip(), row.quantity.data or 0, row.unit.data.strip(), row.unit_value.data or 0
        )
        for row in (entry.form for entry in form.items.entries)
        if (row.description.data or "").strip()
    )
    amount = sum(i.value_vnd for i in items) if method == "in_kind" else (form.amount.data or 0)
    memo = (form.memo.data or "").strip()
    # Printed on the receipt beside the amount (the bank's reference of the transfer).
    reference = (form.bank_reference.data or "").strip() if method == "bank" else ""
    assert form.received_on.data is not None
    return donations.DonationCommand(
        donor_id=int(form.donor_id.data or 0),
        fund=form.fund.data or "",
        method=method,
        amount_vnd=amount,
        received_on=form.received_on.data,
        items=items if method == "in_kind" else (),
        memo=memo,
        reference=reference,
    )


@books_bp.route("/donations/new", methods=["GET", "POST"])
@login_required
def new_donation(code: str) -> Any:
    form = DonationForm()
    with page_uow(write=False) as uow:
        books = _books(uow, code, Need.WRITE)
        _donation_choices(form, uow, books)
    if request.method == "GET":
        form.received_on.data = today()
        form.fund.data = request.args.get("fund") or "GENERAL"
        form.donor_id.data = request.args.get("donor")
    elif form.add_row.data:
        if len(form.items.entries) < MAX_ITEM_ROWS:
            form.items.append_entry()
        form.method.data = "in_kind"
    elif form.validate_on_submit():
        error = _check_donation_form(form)
        if error is None:
            try:
                with page_uow(write=True) as uow:
                    books = _books(uow, code, Need.WRITE)
                    view = donations.record_donation(uow, actor(), books, _donation_command(form))
                    uow.commit()
            except LedgerError as refused:
                show_refusal(form, refused, "amount")
            else:
                flash(_("Donation recorded: receipt %(number)s.", number=view.receipt.receipt_number))
                return redirect(url_for("books.receipt", code=code, number=view.receipt.receipt_number))
    status = 422 if request.method == "POST" and not form.add_row.data else 200
    return Response(render_template("pages/donation_form.html", form=form, code=code), status=status)


def _check_donation_form(form: DonationForm) -> str | None:
    """What the form must hold for its method, said next to the field; ``None`` when complete."""
    method = form.method.data
    if method == "in_kind":
        rows = [entry.form for entry in form.items.entries if (entry.form.description.data or "").strip()]
        if not rows:
            form.items.errors = [_("List the goods: description, quantity, unit and unit value.")]
            return "items"
        for row in rows:
            for field in (row.quantity, row.unit, row.unit_value):
                if not field.data:
                    field.errors = [*field.errors, _("Required for each row of goods.")]
        if any(field.errors for row in rows for field in (row.quantity, row.unit, row.unit_value)):
            return "items"
        return None
    if not form.amount.data:
        form.amount.errors = [*form.amount.errors, _("Write the amount received.")]
        return "amount"
    if method == "bank" and not (form.bank_reference.data or "").strip():
        form.bank_reference.errors = [_("Write the bank's reference of the transfer.")]
        return "bank_reference"
    return None


@books_bp.route("/receipts/<number>")
@login_required
def receipt(code: str, number: str) -> Any:
    with page_uow(write=False) as uow:
        books = _books(uow, code, Need.READ)
        document = printing.receipt_of(uow, books, number, base_url())
    return render_template("pages/receipt.html", code=code, receipt=document, email_form=EmailReceiptForm())


@books_bp.route("/receipts/<number>.pdf")
@login_required
def receipt_pdf(code: str, number: str) -> Any:
    with page_uow(write=True) as uow:
        books = _books(uow, code, Need.READ)
        content = render_receipt(downloads.receipt(uow, actor(), books, number, base_url()))
        uow.commit()
    return _pdf(content, number)


def _pdf(content: bytes, name: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@books_bp.route("/vouchers/<number>.pdf")
@login_required
def voucher_pdf(code: str, number: str) -> Any:
    with page_uow(write=True) as uow:
        content = render_vouchers(downloads.voucher(uow, actor(), _books(uow, code, Need.READ), number))
        uow.commit()
    return _pdf(content, number)


@books_bp.route("/batches/<int:batch_id>/vouchers.pdf")
@login_required
def batch_vouchers_pdf(code: str, batch_id: int) -> Any:
    with page_uow(write=True) as uow:
        documents = downloads.batch_vouchers(uow, actor(), _books(uow, code, Need.READ), batch_id)
        if not documents:
            raise NotFound("phiếu chi", "voucher")
        content = render_vouchers(documents)
        uow.commit()
    return _pdf(content, f"{code}-batch-{batch_id}-vouchers")


@books_bp.route("/receipts/<number>/email", methods=["POST"])
@login_required
def email_receipt(code: str, number: str) -> Any:
    form = EmailReceiptForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with page_uow(write=True) as uow:
            books = _books(uow, code, Need.WRITE)
            address = printing.email_receipt(uow, actor(), books, number)
            uow.commit()
    except LedgerError as refused:
        if isinstance(refused, NotFound):
            raise
        flash(refused.detail(page_language()), "error")
    else:
        flash(_("The receipt will be e-mailed to %(address)s.", address=address))
    return redirect(url_for("books.receipt", code=code, number=number))


# --- Disbursements -------------------------------------------------------------------------------


def _spend_choices(form: DisbursementForm, uow: UnitOfWork, books: journal.Books) -> None:
    form.fund.choices = [SelectChoice(c.value, c.label) for c in dashboard.fund_choices(books)]
    form.beneficiary_id.choices = [SelectChoice("", _("— none (running costs) —"))] + [
        SelectChoice(c.value, c.label) for c in dashboard.beneficiary_choices(uow, books)
    ]


def _preview(uow: UnitOfWork, books: journal.Books, form: DisbursementForm) -> dashboard.SpendPreview | None:
    fund = form.fund.data or ""
    if fund not in books.funds:
        return None
    beneficiary = form.beneficiary_id.data
    return dashboard.spend_preview(
        uow,
        books,
        fund_code=fund,
        lang=page_language(),
        paid_on=form.paid_on.data or today(),
        kind=form.kind.data,
        paid_from=form.paid_from.data,
        beneficiary_id=int(beneficiary) if beneficiary and beneficiary.isdigit() else None,
        amount_vnd=form.amount.data,
    )


@books_bp.route("/disbursements/new", methods=["GET", "POST"])
@login_required
def new_disbursement(code: str) -> Any:
    form = DisbursementForm()
    with page_uow(write=False) as uow:
        books = _books(uow, code, Need.WRITE)
        _spend_choices(form, uow, books)
        goods = dashboard.goods_held(uow, books)
        if request.method == "GET":
            form.paid_on.data = today()
            form.fund.data = request.args.get("fund") or next(iter(sorted(books.funds)), "")
        preview = _preview(uow, books, form)
    status = 200
    if request.method == "POST" and not form.preview.data:
        status = 422
        if form.validate_on_submit() and _spend_form_complete(form):
            assert form.paid_on.data is not None
            beneficiary = form.beneficiary_id.data
            in_kind = form.paid_from.data == "in_kind"
            cmd = SpendCommand(
                fund=form.fund.data or "",
                kind=form.kind.data or "",
                paid_from=form.paid_from.data or "",
                paid_on=form.paid_on.data,
                # Goods leave at the average cost of what the fund holds: the service values them.
                amount_vnd=None if in_kind else form.amount.data,
                beneficiary_id=int(beneficiary) if beneficiary else None,
                items=(
                    GoodsPick((form.item.data or "").strip(), form.quantity.data or 0, (form.unit.data or "").strip()),
                )
                if in_kind
                else (),
                memo=(form.memo.data or "").strip(),
            )
            try:
                with page_uow(write=True) as uow:
                    books = _books(uow, code, Need.WRITE)
                    result = record_disbursement(uow, actor(), books, cmd)
                    uow.commit()
            except LedgerError as refused:
                show_refusal(form, refused, "amount")
            else:
                view = result.disbursement
                if view.status == "pending":
                    flash(_("Above the fund's approval threshold: the disbursement waits for the chair's approval."))
                    return redirect(url_for("books.dashboard", code=code))
                flash(_("Disbursement recorded: voucher %(number)s.", number=view.voucher_number))
                return redirect(url_for("books.dashboard", code=code, voucher=view.voucher_number))
    elif request.method == "POST":
        form.validate_on_submit()
    return Response(
        render_template("pages/disbursement_form.html", form=form, code=code, preview=preview, goods=goods),
        status=status,
    )


def _spend_form_complete(form: DisbursementForm) -> bool:
    """Cash and bank need an amount; goods need what, how many and the unit. Said next to the field."""
    if form.paid_from.data == "in_kind":
        for field in (form.item, form.quantity, form.unit):
            if not field.data:
                field.errors = [*field.errors, _("Required when goods are handed out.")]
        return not (form.item.errors or form.quantity.errors or form.unit.errors)
    if not form.amount.data:
        form.amount.errors = [*form.amount.errors, _("Write the amount paid.")]
        return False
    return True


@books_bp.route("/disbursements/preview")
@login_required
def disbursement_preview(code: str) -> Any:
    """The preview as a fragment of HTML, fetched by ``static/disbursement.js`` while the form is filled."""
    form = DisbursementForm(request.args, meta={"csrf": False})
    fund = request.args.get("fund", "")
    form.fund.data = fund
    form.amount.data = parse_vnd(request.args.get("amount", "") or "")
    form.paid_on.data = parse_day(request.args.get("paid_on", "") or "")
    with page_uow(write=False) as uow:
        books = _books(uow, code, Need.WRITE)
        preview = _preview(uow, books, form)
    if preview is None:
        abort(404)
    return render_template("pages/_spend_preview.html", preview=preview)


# --- Approvals ------------------------------------------------------------------------------------


@books_bp.route("/approvals")
@login_required
def approvals_queue(code: str) -> Any:
    lang = page_language()
    with page_uow(write=False) as uow:
        books = _books(uow, code, Need.READ)
        waiting = dashboard.pending_spends(uow, books, lang)
        asked = dashboard.pending_requests(uow, books, lang)
        roles = roles_in(uow, actor(), books.association)
    may_approve = Role.APPROVER in roles or actor().is_admin
    forms = {item.id: DecisionForm(prefix=f"d{item.id}") for item in waiting}
    request_forms = {item.id: DecisionForm(prefix=f"r{item.id}") for item in asked}
    return render_template(
        "pages/approvals.html",
        code=code,
        waiting=waiting,
        asked=asked,
        request_forms=request_forms,
        may_approve=may_approve,
        forms=forms,
        me=actor().user_id,
        voucher=request.args.get("voucher", "")[:64],
    )


@books_bp.route("/approvals/<int:item_id>", methods=["POST"])
@login_required
def decide(code: str, item_id: int) -> Any:
    form = DecisionForm(prefix=f"d{item_id}")
    if not form.validate_on_submit():
        abort(400)
    try:
        with page_uow(write=True) as uow:
            books = _books(uow, code, Need.APPROVE)
            voucher: str | None = None
            if form.approve.data:
                result = approvals.approve(uow, actor(), books, item_id)
                voucher = result.disbursement.voucher_number
                message = _("Approved: voucher %(number)s.", number=voucher)
            else:
                approvals.reject(uow, actor(), books, item_id, form.reason.data or "")
                message = _("Rejected; what it had reserved is available again.")
            uow.commit()
    except LedgerError as refused:
        if isinstance(refused, NotFound):
            raise
        flash(refused.detail(page_language()), "error")
    else:
        flash(message)
        if voucher:
            return redirect(url_for("books.approvals_queue", code=code, voucher=voucher))
    return redirect(url_for("books.approvals_queue", code=code))


@books_bp.route("/approvals/req-<int:request_id>", methods=["POST"])
@login_required
def decide_request(code: str, request_id: int) -> Any:
    """Carry out or refuse a request for a second person, by the same services as the API."""
    form = DecisionForm(prefix=f"r{request_id}")
    if not form.validate_on_submit():
        abort(400)
    try:
        with page_uow(write=True) as uow:
            books = _books(uow, code, Need.APPROVE)
            if form.approve.data:
                approvals.approve_request(uow, actor(), books, request_id)
                message = _("Approved: the request is carried out.")
            else:
                requests.reject(uow, actor(), books, request_id, form.reason.data or "")
                message = _("Rejected: nothing the request asked for happens.")
            uow.commit()
    except LedgerError as refused:
        if isinstance(refused, NotFound):
            raise
        flash(refused.detail(page_language()), "error")
    else:
        flash(message)
    return redirect(url_for("books.approvals_queue", code=code))


# --- Reversals ------------------------------------------------------------------------------------


@books_bp.route("/entries/<int:seq>/reverse", methods=["GET", "POST"])
@login_required
def reverse(code: str, seq: int) -> Any:
    form = ReverseForm()
    with page_uow(write=False) as uow:
        books = _books(uow, code, Need.WRITE)
        entry = journal.get_entry(uow, books, seq)
    if form.validate_on_submit():
        try:
            with page_uow(write=True) as uow:
                books = _books(uow, code, Need.WRITE)
                outcome = corrections.reverse(uow, actor(), books, seq, form.reason.data or "", None)
                uow.commit()
        except LedgerError as refused:
            if isinstance(refused, NotFound):
                raise
            form.reason.errors = [refused.detail(page_language())]
        else:
            if outcome.request is not None:
                # It voids a receipt or a voucher: a second person decides (controls, issue 15).
                flash(
                    _(
                        "The reversal voids a receipt or voucher: request %(id)s waits for the chair's approval.",
                        id=outcome.request.id,
                    )
                )
                return redirect(url_for("books.approvals_queue", code=code))
            assert outcome.entry is not None
            flash(_("Entry %(seq)s is reversed by entry %(by)s.", seq=seq, by=outcome.entry.seq))
            return redirect(url_for("books.dashboard", code=code))
    return render_template("pages/reverse.html", code=code, entry=entry, form=form)
