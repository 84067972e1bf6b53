"""Paperwork of the API: a ceremony's signing list and a company's yearly sponsorship
confirmation, as PDF (every download audited). Thin views: authorise, call one service, render."""

from __future__ import annotations

from typing import Any

from ledger.documents.signing_list_pdf import render_signing_list
from ledger.documents.sponsorship_pdf import render_sponsorship_confirmation
from ledger.services import downloads
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import pdf_response
from ledger.web.api.runtime import api_blueprint, run_download

blp = api_blueprint("paperwork", "Signing lists of ceremonies and sponsorship confirmations (PDF)")

_PDF = {"200": {"description": "A4 PDF", "content": {"application/pdf": {}}}}


@blp.route("/associations/<code>/disbursements/batches/<id:batch_id>/signing-list.pdf", methods=["GET"])
@blp.doc(responses=_PDF)
def signing_list_pdf(code: str, batch_id: int) -> Any:
    """The ceremony's signing list (danh sách ký nhận): every recipient, class and school, the
    guardian who signs for a minor, the amount or goods, a column to sign, the total in words."""

    def service(work: UnitOfWork, actor: Actor) -> Any:
        return downloads.signing_list(work, actor, authorized_books(work, actor, code, Need.READ), batch_id)

    filename = f"{code}-batch-{batch_id}-signing-list.pdf"
    return run_download(service, lambda document: pdf_response(render_signing_list(document), filename))


@blp.route("/associations/<code>/donors/<id:donor_id>/sponsorship-confirmation.pdf", methods=["GET"])
@blp.arguments(s.YearQuery, location="query")
@blp.doc(responses=_PDF)
def sponsorship_confirmation_pdf(query: dict[str, Any], code: str, donor_id: int) -> Any:
    """A company donor's sponsorship confirmation for a year (form 03/TNDN): money and goods
    apart, its tax code, both parties' signature lines. Readers of the books, or the donor."""
    year = query["year"]

    def service(work: UnitOfWork, actor: Actor) -> Any:
        return downloads.sponsorship_confirmation(work, actor, code, donor_id, year)

    filename = f"{code}-{donor_id}-{year}-sponsorship.pdf"
    return run_download(service, lambda document: pdf_response(render_sponsorship_confirmation(document), filename))
