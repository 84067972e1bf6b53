"""Disbursements (one, or a batch of up to 1,000) and their vouchers."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from ledger.documents.models import VoucherDocument
from ledger.documents.voucher_pdf import render_vouchers
from ledger.domain.errors import ValidationFailed
from ledger.services import disbursements, downloads, journal
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.disbursements import BatchResult, DisbursementFilter, DisbursementResult, SpendCommand
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import (
    PDF_RESPONSES,
    association_url,
    disbursement_body,
    page,
    pdf_response,
    result_body,
)
from ledger.web.api.runtime import api_blueprint, run_download, run_read, run_write

blp = api_blueprint("disbursements", "Disbursements, batches and vouchers")


@blp.route("/associations/<code>/disbursements", methods=["POST"])
@blp.arguments(s.DisbursementIn)
@blp.response(201, s.DisbursementPostedOut, description="Posted, with its entry and voucher number.")
@blp.alt_response(202, schema=s.DisbursementOut, description="Above the approval threshold: pending, reserved.")
def record_disbursement(cmd: SpendCommand, code: str) -> Any:
    """Pay from a fund for its purpose: posted with a voucher, or pending approval with the amount reserved."""

    def service(work: UnitOfWork, actor: Actor) -> DisbursementResult:
        return disbursements.record_disbursement(work, actor, authorized_books(work, actor, code, Need.WRITE), cmd)

    return run_write(
        service,
        lambda result: result_body(code, result),
        status=lambda result: 202 if result.entry is None else 201,
    )


def _batch_commands(raw_items: list[dict[str, Any]]) -> list[SpendCommand]:
    """Read each item with the single disbursement's schema; a bad one is refused by its index."""
    schema = s.DisbursementIn()
    commands: list[SpendCommand] = []
    for index, raw in enumerate(raw_items):
        try:
            commands.append(schema.load(raw))
        except ValidationError as error:
            raise journal.at_item(
                ValidationFailed(
                    "Khoản chi có trường thiếu hoặc sai: xem chi tiết trong errors.",
                    "The disbursement has fields that are missing or wrong: see errors.",
                    errors=_flat(error.messages),
                ),
                index,
            ) from None
    return commands


def _flat(messages: Any, prefix: str = "") -> dict[str, Any]:
    """marshmallow's nested messages as ``{"a.0.b": [...]}``."""
    if not isinstance(messages, dict):
        return {prefix or "_schema": messages}
    flat: dict[str, Any] = {}
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flat(value, path))
        else:
            flat[path] = value
    return flat


@blp.route("/associations/<code>/disbursements/batch", methods=["POST"])
@blp.arguments(s.BatchIn)
@blp.response(201, s.BatchOut)
def record_batch(data: dict[str, Any], code: str) -> Any:
    """Record up to 1,000 disbursements at once, all or nothing (an award ceremony, a Tet gift day).

    Items are checked in order, each against the books as the items before it leave them; a
    refusal names the item (``index`` and ``errors["items.<i>…"]``) and nothing is written.
    """
    commands = _batch_commands(data["items"])

    def service(work: UnitOfWork, actor: Actor) -> BatchResult:
        books = authorized_books(work, actor, code, Need.WRITE)
        return disbursements.record_batch(work, actor, books, commands, data.get("memo", ""))

    def render(result: BatchResult) -> dict[str, Any]:
        body: dict[str, Any] = s.BatchOut().dump(
            {
                "batch_id": result.batch_id,
                "count": result.count,
                "total": result.total_vnd,
                "disbursements": result.disbursements,
                "vouchers_pdf_url": association_url(code, f"disbursements/batches/{result.batch_id}/vouchers.pdf"),
            }
        )
        return body

    return run_write(service, render)


@blp.route("/associations/<code>/disbursements", methods=["GET"])
@blp.arguments(s.DisbursementQuery, location="query")
@blp.response(200, s.DisbursementPage)
def list_disbursements(flt: DisbursementFilter, code: str) -> Any:
    """Disbursements in the order they were made, filtered by status, fund or batch."""

    def service(work: UnitOfWork, actor: Actor) -> tuple[list[disbursements.DisbursementView], int | None]:
        return disbursements.list_disbursements(work, authorized_books(work, actor, code, Need.READ), flt)

    return run_read(service, lambda found: page(*found, s.DisbursementOut))


@blp.route("/associations/<code>/disbursements/<id:disbursement_id>", methods=["GET"])
@blp.response(200, s.DisbursementOut)
def get_disbursement(code: str, disbursement_id: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> disbursements.DisbursementView:
        books = authorized_books(work, actor, code, Need.READ)
        return disbursements.get_disbursement(work, books, disbursement_id)

    return run_read(service, disbursement_body)


@blp.route("/associations/<code>/vouchers/<number>.pdf", methods=["GET"])
@blp.doc(responses=PDF_RESPONSES)
def voucher_pdf(code: str, number: str) -> Any:
    """The disbursement voucher (phiếu chi) as PDF, with the amount in words and signature lines."""

    def service(work: UnitOfWork, actor: Actor) -> list[VoucherDocument]:
        return downloads.voucher(work, actor, authorized_books(work, actor, code, Need.READ), number)

    return run_download(service, lambda documents: pdf_response(render_vouchers(documents), f"{number}.pdf"))


@blp.route("/associations/<code>/disbursements/batches/<id:batch_id>/vouchers.pdf", methods=["GET"])
@blp.doc(responses=PDF_RESPONSES)
def batch_vouchers_pdf(code: str, batch_id: int) -> Any:
    """Every voucher of a batch in one PDF, one voucher a page (pending items have none yet)."""

    def service(work: UnitOfWork, actor: Actor) -> list[VoucherDocument]:
        return downloads.batch_vouchers(work, actor, authorized_books(work, actor, code, Need.READ), batch_id)

    filename = f"{downloads.batch_document_name(batch_id)}.pdf"
    return run_download(service, lambda documents: pdf_response(render_vouchers(documents), filename))
