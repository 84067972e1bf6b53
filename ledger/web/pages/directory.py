"""The donor and beneficiary registers: search (accents ignored), add, correct."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from ledger.domain.errors import LedgerError
from ledger.domain.policy import BENEFICIARY_CATEGORIES, CATEGORY_LABELS_EN, CATEGORY_LABELS_VI
from ledger.services import parties
from ledger.services import registers as registers_svc
from ledger.services.access import Need
from ledger.services.charts import authorized_books
from ledger.services.parties import BeneficiaryCommand, DonorCommand
from ledger.web.pages.books import show_refusal
from ledger.web.pages.forms import BeneficiaryForm, DonorForm
from ledger.web.pages.runtime import actor, page_language, page_uow

registers = Blueprint("registers", __name__, url_prefix="/a/<code>")


def _donor_command(form: DonorForm) -> DonorCommand:
    return DonorCommand(
        name=form.name.data or "",
        kind=form.kind.data or "person",
        address=(form.address.data or "").strip(),
        tax_code=(form.tax_code.data or "").strip() or None,
        email=(form.email.data or "").strip().lower() or None,
        phone=(form.phone.data or "").strip() or None,
        anonymous=bool(form.anonymous.data),
    )


def _beneficiary_command(form: BeneficiaryForm) -> BeneficiaryCommand:
    return BeneficiaryCommand(
        name=form.name.data or "",
        category=form.category.data or "",
        kind=form.kind.data or "student",
        school=(form.school.data or "").strip(),
        grade=(form.grade.data or "").strip(),
        address=(form.address.data or "").strip(),
        is_minor=bool(form.is_minor.data),
        guardian_name=(form.guardian_name.data or "").strip(),
        guardian_relation=(form.guardian_relation.data or "").strip(),
    )


@registers.route("/donors")
@login_required
def donors(code: str) -> Any:
    query = request.args.get("q", "")[:100]
    with page_uow(write=False) as uow:
        books = authorized_books(uow, actor(), code, Need.READ)
        found = registers_svc.search_donors(uow, books, query)
    return render_template("pages/donors.html", code=code, query=query, found=found)


@registers.route("/donors/new", methods=["GET", "POST"], defaults={"donor_id": None})
@registers.route("/donors/<int:donor_id>/edit", methods=["GET", "POST"])
@login_required
def donor_form(code: str, donor_id: int | None) -> Any:
    form = DonorForm()
    if request.method == "GET" and donor_id is not None:
        with page_uow(write=False) as uow:
            books = authorized_books(uow, actor(), code, Need.WRITE)
            entry = parties.get_donor(uow, books.association, donor_id)
        form = DonorForm(obj=entry)
    if form.validate_on_submit():
        try:
            with page_uow(write=True) as uow:
                books = authorized_books(uow, actor(), code, Need.WRITE)
                if donor_id is None:
                    saved = registers_svc.add_donor(uow, actor(), books, _donor_command(form))
                else:
                    saved = registers_svc.edit_donor(uow, actor(), books, donor_id, _donor_command(form))
                uow.commit()
        except LedgerError as refused:
            show_refusal(form, refused, "name")
        else:
            flash(_("Saved: %(name)s.", name=saved.name))
            if request.args.get("then") == "donation":
                return redirect(url_for("books.new_donation", code=code, donor=saved.id))
            return redirect(url_for("registers.donors", code=code, q=saved.name))
    status = 422 if request.method == "POST" else 200
    return Response(render_template("pages/donor_form.html", code=code, form=form, donor_id=donor_id), status=status)


@registers.route("/beneficiaries")
@login_required
def beneficiaries(code: str) -> Any:
    query = request.args.get("q", "")[:100]
    with page_uow(write=False) as uow:
        books = authorized_books(uow, actor(), code, Need.READ)
        found = registers_svc.search_beneficiaries(uow, books, query)
    labels = CATEGORY_LABELS_EN if page_language() == "en" else CATEGORY_LABELS_VI
    return render_template("pages/beneficiaries.html", code=code, query=query, found=found, labels=labels)


@registers.route("/beneficiaries/new", methods=["GET", "POST"], defaults={"beneficiary_id": None})
@registers.route("/beneficiaries/<int:beneficiary_id>/edit", methods=["GET", "POST"])
@login_required
def beneficiary_form(code: str, beneficiary_id: int | None) -> Any:
    form = BeneficiaryForm()
    if request.method == "GET" and beneficiary_id is not None:
        with page_uow(write=False) as uow:
            books = authorized_books(uow, actor(), code, Need.WRITE)
            form = BeneficiaryForm(obj=parties.get_beneficiary(uow, books.association, beneficiary_id))
    labels = CATEGORY_LABELS_EN if page_language() == "en" else CATEGORY_LABELS_VI
    form.category.choices = [SelectChoice(c, labels[c]) for c in BENEFICIARY_CATEGORIES]
    if form.validate_on_submit():
        try:
            with page_uow(write=True) as uow:
                books = authorized_books(uow, actor(), code, Need.WRITE)
                if beneficiary_id is None:
                    saved = registers_svc.add_beneficiary(uow, actor(), books, _beneficiary_command(form))
                else:
                    saved = registers_svc.edit_beneficiary(
                        uow, actor(), books, beneficiary_id, _beneficiary_command(form)
                    )
                uow.commit()
        except LedgerError as refused:
            show_refusal(form, refused, "name")
        else:
            flash(_("Saved: %(name)s.", name=saved.name))
            return redirect(url_for("registers.beneficiaries", code=code, q=saved.name))
    status = 422 if request.method == "POST" else 200
    return Response(
        render_template("pages/beneficiary_form.html", code=code, form=form, beneficiary_id=beneficiary_id),
        status=status,
    )
