"""Award ceremonies and Tet gift days from a spreadsheet: upload, preview every row, post all or none."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ledger.documents.ceremony_sheet import SheetRow, SheetUnreadable, ceremony_template, read_sheet
from ledger.domain.errors import LedgerError
from ledger.domain.money import format_vnd
from ledger.domain.policy import CATEGORY_LABELS_EN, CATEGORY_LABELS_VI
from ledger.services import ceremonies
from ledger.services.access import Need
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.pages.forms import CeremonyPostForm, CeremonyUploadForm
from ledger.web.pages.runtime import actor, page_language, page_uow

ceremonies_bp = Blueprint("ceremonies", __name__, url_prefix="/a/<code>/ceremonies")


def _writer() -> UnitOfWork:
    return page_uow(write=True)


def _preview_page(code: str, rows: list[SheetRow], content: bytes, memo: str) -> Response:
    lang = page_language()
    readable = [row for row in rows if row.spend is not None]
    result = ceremonies.preview(_writer, actor(), code, [row.spend for row in readable if row.spend], lang)
    verdicts = dict(zip((row.line for row in readable), result.verdicts, strict=True))
    unreadable = sum(1 for row in rows if row.problem is not None)
    # Not read from this request (the upload has fields of the same names): filled from the file.
    post_form = CeremonyPostForm(formdata=None, sheet=base64.b64encode(content).decode(), memo=memo)
    labels = CATEGORY_LABELS_EN if lang == "en" else CATEGORY_LABELS_VI
    return Response(
        render_template(
            "pages/ceremony_preview.html",
            code=code,
            rows=rows,
            verdicts=verdicts,
            result=result,
            unreadable=unreadable,
            post_form=post_form,
            labels=labels,
            may_post=not unreadable and not result.refused and not result.general and not result.incomplete,
        ),
        status=200 if not unreadable and not result.refused else 422,
    )


@ceremonies_bp.route("/new", methods=["GET", "POST"])
@login_required
def upload(code: str) -> Any:
    form = CeremonyUploadForm()
    with page_uow(write=False) as uow:
        authorized_books(uow, actor(), code, Need.WRITE)
    if form.validate_on_submit():
        content = form.sheet.data.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
        try:
            rows = read_sheet(content)
        except SheetUnreadable as unreadable:
            form.sheet.errors = [unreadable.detail(page_language())]
        else:
            return _preview_page(code, rows, content, form.memo.data or "")
    status = 422 if form.errors else 200
    return Response(render_template("pages/ceremony_upload.html", code=code, form=form), status=status)


@ceremonies_bp.route("", methods=["POST"])
@login_required
def post(code: str) -> Any:
    form = CeremonyPostForm()
    if not form.validate_on_submit():
        return redirect(url_for("ceremonies.upload", code=code))
    try:
        content = base64.b64decode(form.sheet.data or "", validate=True)
        rows = read_sheet(content)
    except (binascii.Error, SheetUnreadable):
        flash(_("The spreadsheet could not be read again: upload it once more."), "error")
        return redirect(url_for("ceremonies.upload", code=code))
    if any(row.spend is None for row in rows):
        return _preview_page(code, rows, content, form.memo.data or "")
    try:
        with page_uow(write=True) as uow:
            result = ceremonies.post(uow, actor(), code, [row.spend for row in rows if row.spend], form.memo.data or "")
            uow.commit()
    except LedgerError:
        # The books changed since the preview: show the rows again with today's verdicts.
        return _preview_page(code, rows, content, form.memo.data or "")
    batch = result.batch
    total = format_vnd(batch.total_vnd, page_language())
    if any(view.status == "pending" for view in batch.disbursements):
        # The approval threshold counts the whole batch (controls): the chair approves the ceremony.
        flash(
            _(
                "Ceremony recorded: %(count)s disbursements, %(total)s (batch %(batch)s); "
                "above the approval threshold, it waits for the chair's approval.",
                count=batch.count,
                total=total,
                batch=batch.batch_id,
            )
        )
        return redirect(url_for("books.approvals_queue", code=code))
    flash(
        _(
            "Ceremony recorded: %(count)s disbursements, %(total)s (batch %(batch)s).",
            count=batch.count,
            total=total,
            batch=batch.batch_id,
        )
    )
    return redirect(url_for("books.dashboard", code=code, batch=batch.batch_id))


@ceremonies_bp.route("/template.xlsx")
@login_required
def template(code: str) -> Any:
    with page_uow(write=False) as uow:
        books = authorized_books(uow, actor(), code, Need.WRITE)
        content = ceremony_template(sorted(books.funds))
    response = Response(content, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="danh-sach-le-trao-{code}.xlsx"'
    return response
