"""Donations and their receipts: recording one, reading a receipt, its PDF, and a donor's giving statement."""

from __future__ import annotations

from typing import Any

from flask import Response

from ledger.documents.receipt_pdf import render_receipt
from ledger.documents.report_files import MIMETYPES, render_chunks
from ledger.documents.statement_pdf import render_donor_statement
from ledger.reports import donors
from ledger.services import donations, downloads
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import base_url, pdf_response, receipt_body
from ledger.web.api.runtime import api_blueprint, json_response, run_download, run_read, run_write

blp = api_blueprint("donations", "Donations, receipts and donors' giving statements")


@blp.route("/associations/<code>/donations", methods=["POST"])
@blp.arguments(s.DonationIn())
@blp.response(201, s.DonationOut)
def record_donation(cmd: donations.DonationCommand, code: str) -> Any:
    """Record a donation in cash, by bank or in kind, and number its receipt."""

    def service(work: UnitOfWork, actor: Actor) -> donations.DonationView:
        return donations.record_donation(work, actor, authorized_books(work, actor, code, Need.WRITE), cmd)

    return run_write(service, lambda v: {"entry": s.ENTRY_OUT.dump(v.entry), "receipt": receipt_body(code, v.receipt)})


@blp.route("/associations/<code>/receipts/<number>", methods=["GET"])
@blp.response(200, s.ReceiptOut)
def get_receipt(code: str, number: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> donations.ReceiptView:
        return donations.receipt(work, authorized_books(work, actor, code, Need.READ), number)

    return run_read(service, lambda receipt: receipt_body(code, receipt))


@blp.route("/associations/<code>/receipts/<number>.pdf", methods=["GET"])
@blp.doc(responses={"200": {"description": "The receipt as an A4 PDF", "content": {"application/pdf": {}}}})
def receipt_pdf(code: str, number: str) -> Any:
    """The donation receipt as PDF: amount in figures and words, QR code to its verification page."""

    def service(work: UnitOfWork, actor: Actor) -> Any:
        return downloads.own_or_any_receipt(work, actor, code, number, base_url())

    return run_download(service, lambda document: pdf_response(render_receipt(document), f"{number}.pdf"))


@blp.route("/associations/<code>/donors/<id:donor_id>/statement", methods=["GET"])
@blp.arguments(s.StatementQuery, location="query")
@blp.response(200, s.StatementOut)
def donor_statement(query: dict[str, Any], code: str, donor_id: int) -> Any:
    """A donor's giving statement for a year, as JSON, PDF, or CSV and XLSX with money and goods apart."""
    year, format = query["year"], query["format"]

    def service(work: UnitOfWork, actor: Actor) -> Any:
        document = downloads.donor_statement(work, actor, code, donor_id, year, format)
        if format in ("csv", "xlsx"):
            # Money and goods in separate columns (issue 17 item 10): ledger/reports/donors.py.
            table = donors.donor_statement_table(work, code, donor_id, year)
            return b"".join(render_chunks(table, format))
        return document

    def render(document: Any) -> Any:
        if format in ("csv", "xlsx"):
            response = Response(document, mimetype=MIMETYPES[format].split(";")[0])
            response.headers["Content-Type"] = MIMETYPES[format]
            response.headers["Content-Disposition"] = f'attachment; filename="{code}-{donor_id}-{year}.{format}"'
            return response
        if format == "pdf":
            return pdf_response(render_donor_statement(document), f"{code}-{donor_id}-{year}.pdf")
        return json_response(200, s.StatementOut().dump(document))

    return run_download(service, render)
