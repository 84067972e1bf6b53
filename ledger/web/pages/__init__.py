"""The HTML pages: the landing page and the public receipt verification page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from ledger.domain.errors import NotFound
from ledger.extensions import limiter
from ledger.formatting import format_date, format_vnd
from ledger.services.receipts import PublicReceipt, public_receipt
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api.runtime import json_response
from ledger.web.pages import auth as _auth  # noqa: F401 - registers the session user loader

pages = Blueprint("pages", __name__)

#: Public verification is open to anyone, so it is rate-limited per client address.
VERIFY_RATE = "60 per minute"


def page_language() -> str:
    chosen = request.args.get("lang")
    if chosen in ("vi", "en"):
        return chosen
    return request.accept_languages.best_match(["vi", "en"], default="vi") or "vi"


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@pages.route("/")
def index() -> str:
    return render_template("pages/index.html", lang=page_language())


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
        body["void_reason"] = receipt.void_reason
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
