"""Document downloads of the API: receipt PDFs and donors' giving statements (every download audited)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ledger.documents.receipt_pdf import render_receipt
from ledger.documents.statement_pdf import render_donor_statement
from ledger.domain.errors import Forbidden
from ledger.persistence.models import Association, Membership
from ledger.services import audit, donations, parties, receipts
from ledger.services.access import Actor, Need, authorize
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api.runtime import current_actor, json_response, uow
from ledger.web.api.views import blp


def pdf_response(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def base_url() -> str:
    return str(current_app.extensions["ledger.settings"].public_base_url)


@blp.route("/associations/<code>/receipts/<number>.pdf", methods=["GET"])
@blp.doc(responses={"200": {"description": "The receipt as an A4 PDF", "content": {"application/pdf": {}}}})
def receipt_pdf(code: str, number: str) -> Any:
    """The donation receipt as PDF: amount in figures and words, QR code to its verification page."""
    actor = current_actor()
    with uow(write=True) as work:
        books = Books(work, authorize(work, actor, code, Need.READ))
        donation = donations.get_receipt(work, books, number)
        content = render_receipt(receipts.receipt_document(work, donation, base_url()))
        audit.record(
            work,
            actor,
            "receipt.download",
            association_id=books.association.id,
            object_type="receipt",
            object_id=number,
        )
        work.commit()
    return pdf_response(content, f"{number}.pdf")


class StatementQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "pdf"]))


class StatementLineOut(Schema):
    date = fields.Date(attribute="received_on")
    receipt_number = fields.String()
    fund = fields.String(attribute="fund_code")
    fund_name = fields.String()
    amount = fields.Integer(attribute="amount_vnd")
    status = fields.String()


class StatementOut(Schema):
    association = fields.String(attribute="association_code")
    donor = fields.String(attribute="donor_name")
    year = fields.Integer()
    lines = fields.List(fields.Nested(StatementLineOut))
    total = fields.Integer(attribute="total_vnd")


@blp.route("/associations/<code>/donors/<id:donor_id>/statement", methods=["GET"])
@blp.arguments(StatementQuery, location="query")
@blp.response(200, StatementOut)
def donor_statement(query: dict[str, Any], code: str, donor_id: int) -> Any:
    """A donor's giving statement for a year, as JSON or PDF (?format=pdf)."""
    actor = current_actor()
    with uow(write=True) as work:
        association = authorize_donor(work, actor, code, donor_id)
        donor = parties.get_donor(work, association, donor_id)
        document = receipts.donor_statement(work, association, donor, query["year"])
        audit.record(
            work,
            actor,
            "statement.download",
            association_id=association.id,
            object_type="donor",
            object_id=donor_id,
            year=query["year"],
            format=query["format"],
        )
        content = render_donor_statement(document) if query["format"] == "pdf" else None
        body = StatementOut().dump(document)
        work.commit()
    if content is not None:
        return pdf_response(content, f"{code}-{donor_id}-{query['year']}.pdf")
    return json_response(200, body)


def authorize_donor(work: UnitOfWork, actor: Actor, code: str, donor_id: int) -> Any:
    """Readers of the books may read any donor's statement; a donor login only its own."""
    try:
        return authorize(work, actor, code, Need.READ)
    except Forbidden:
        association = work.session.execute(select(Association).where(Association.code == code)).scalar_one()
        own = work.session.execute(
            select(Membership.id).where(
                Membership.user_id == actor.user_id,
                Membership.association_id == association.id,
                Membership.role == "donor",
                Membership.donor_id == donor_id,
            )
        ).first()
        if own is None:
            raise
        return association
