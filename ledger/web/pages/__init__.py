"""The HTML pages: the landing page, the public receipt verification page, and (``auth``, ``books``)
the pages treasurers and approvers work in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ledger.domain.errors import Forbidden, LedgerError, NotFound
from ledger.extensions import limiter
from ledger.formatting import format_date, format_datetime, format_number, format_vnd
from ledger.services.receipts import PublicReceipt, public_receipt
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api.runtime import json_response
from ledger.web.pages.runtime import page_language

pages = Blueprint("pages", __name__)

#: Public verification is open to anyone, so it is rate-limited per client address.
VERIFY_RATE = "60 per minute"


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@pages.route("/")
def index() -> str:
    return render_template("pages/index.html")


def _receipt_json(receipt: PublicReceipt) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": receipt.status,
        "number": receipt.number,
        "date": receipt.received_on.isoformat(),
        "amount": receipt.amount_vnd,
        "fund": receipt.fund,
        "association": receipt.association,
        "entry_hash": receipt.entry_hash,
    }
    if receipt.status == "void":
        body["voided_on"] = receipt.voided_on.isoformat() if receipt.voided_on else None
        body["replaced_by"] = receipt.replaced_by
    return body


@pages.route("/verify/<token>")
@limiter.limit(VERIFY_RATE)
def verify_receipt(token: str) -> Any:
    """Is this receipt genuine, and is it still valid? Says nothing else about the donor."""
    lang = page_language()
    try:
        if len(token) > 64:
            raise NotFound("biên nhận", "receipt")
        with UnitOfWork(current_app.extensions["ledger.db"], write=False) as uow:
            receipt = public_receipt(uow, token)
    except NotFound:
        if _wants_json():
            return json_response(404, {"status": "unknown"})
        return Response(render_template("pages/verify_unknown.html", lang=lang), status=404)
    if _wants_json():
        return json_response(200, _receipt_json(receipt))
    return render_template(
        "pages/verify.html",
        lang=lang,
        receipt=receipt,
        amount=format_vnd(receipt.amount_vnd, lang),
        date=format_date(receipt.received_on, lang),
        voided_on=format_date(receipt.voided_on, lang) if receipt.voided_on else None,
    )


# --- What every page template may use, and the pages' own error pages --------------------------------


def _template_context() -> dict[str, Any]:
    lang = page_language()
    return {
        "lang": lang,
        "vnd": lambda amount: format_vnd(amount, lang),
        "number": lambda amount: format_number(amount, lang),
        "day": lambda d: format_date(d, lang) if d else "",
        "instant": lambda t: format_datetime(t, lang) if t else "",
        "user": current_user,
    }


def _error_page(status: int, title: str, detail: str) -> Response:
    return Response(render_template("pages/error.html", status=status, title=title, detail=detail), status=status)


def _ledger_error(error: LedgerError) -> Response:
    if isinstance(error, NotFound):
        return _error_page(404, _("Not found"), error.detail(page_language()))
    if isinstance(error, Forbidden):
        return _error_page(403, _("Not allowed"), error.detail(page_language()))
    return _error_page(422, _("Refused"), error.detail(page_language()))


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, CSRFError):
        return _error_page(400, _("The form has expired"), _("Open the page again and send the form once more."))
    if status == 429:
        return _error_page(
            429, _("Too many attempts"), _("Too many failed attempts: wait a quarter of an hour and try again.")
        )
    if status == 404:
        return _error_page(404, _("Not found"), _("This page does not exist."))
    return _error_page(status, error.name, error.description or error.name)


from ledger.web.pages.auth import auth  # noqa: E402 - after the shared helpers above
from ledger.web.pages.books import books_bp  # noqa: E402
from ledger.web.pages.ceremonies import ceremonies_bp  # noqa: E402
from ledger.web.pages.directory import registers  # noqa: E402

#: The pages' blueprints; each shows refusals and HTTP errors as pages, never as problem+json.
BLUEPRINTS = (pages, auth, books_bp, registers, ceremonies_bp)
for _blueprint in BLUEPRINTS:
    _blueprint.register_error_handler(LedgerError, _ledger_error)
    _blueprint.register_error_handler(HTTPException, _http_error)
    _blueprint.context_processor(_template_context)


def register_pages(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
