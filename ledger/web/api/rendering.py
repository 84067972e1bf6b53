"""How the API's answers are shaped where several resources share them: pages, public links, PDFs, receipts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, current_app
from marshmallow import Schema

from ledger.services import receipts
from ledger.services.disbursements import DisbursementResult, DisbursementView
from ledger.services.donations import ReceiptView
from ledger.services.requests import RequestView
from ledger.web.api import schemas as s
from ledger.web.api.runtime import API_PREFIX

#: The OpenAPI description of a PDF answer.
PDF_RESPONSES = {"200": {"description": "A4 PDF", "content": {"application/pdf": {}}}}


def page(items: Sequence[Any], next_id: int | None, schema: type[Schema]) -> dict[str, Any]:
    """A page of API.md: ``{items, next_cursor}``, the cursor being the id to continue after, if more."""
    return {"items": schema(many=True).dump(items), "next_cursor": str(next_id) if next_id is not None else None}


def first(rows: Sequence[Any], limit: int) -> tuple[Sequence[Any], int | None]:
    """The first ``limit`` of ``rows`` (read with one more) and, when there are more, the last one's id."""
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def whole(rows: Sequence[Any], schema: type[Schema]) -> dict[str, Any]:
    """A list that always fits one page, in the shape every list has (API.md)."""
    return {"items": schema(many=True).dump(rows), "next_cursor": None}


def base_url() -> str:
    return str(current_app.extensions["ledger.settings"].public_base_url)


def association_url(code: str, path: str) -> str:
    """The public address of something of association ``code`` in the API."""
    return f"{base_url()}{API_PREFIX}/associations/{code}/{path}"


def pdf_response(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def receipt_body(code: str, receipt: ReceiptView) -> dict[str, Any]:
    """A receipt with its public links (verification page, PDF)."""
    body: dict[str, Any] = s.RECEIPT_OUT.dump(
        {
            "receipt_number": receipt.receipt_number,
            "received_on": receipt.received_on,
            "amount_vnd": receipt.amount_vnd,
            "fund": receipt.fund,
            "donor_id": receipt.donor_id,
            "method": receipt.method,
            "status": receipt.status,
            "verify_url": receipts.verify_url(base_url(), receipt.verify_token),
            "pdf_url": association_url(code, f"receipts/{receipt.receipt_number}.pdf"),
            "entry_seq": receipt.entry_seq,
            "cash_voucher_number": receipt.cash_voucher_number,
            "cash_voucher_pdf_url": association_url(code, f"vouchers/{receipt.cash_voucher_number}.pdf")
            if receipt.cash_voucher_number
            else None,
            "voided_on": receipt.voided_on,
            "void_reason": receipt.void_reason,
        }
    )
    return body


def disbursement_body(view: DisbursementView) -> dict[str, Any]:
    body: dict[str, Any] = s.DisbursementOut().dump(view)
    return body


def result_body(code: str, result: DisbursementResult) -> dict[str, Any]:
    """201/200 with the entry and voucher when posted; the disbursement itself (202) when pending."""
    view = result.disbursement
    if result.entry is None:
        return disbursement_body(view)
    # An award accrued to 338 has no voucher yet: it comes with the payment.
    voucher = (
        {"number": view.voucher_number, "pdf_url": association_url(code, f"vouchers/{view.voucher_number}.pdf")}
        if view.voucher_number is not None
        else None
    )
    body: dict[str, Any] = s.DisbursementPostedOut().dump(
        {"id": view.id, "status": view.status, "entry": result.entry, "voucher": voucher, "disbursement": view}
    )
    return body


def request_body(view: RequestView) -> dict[str, Any]:
    """A request that needs a second person (API.md), ``id`` ``req-<n>``."""
    body: dict[str, Any] = s.RequestOut().dump(view)
    return body
