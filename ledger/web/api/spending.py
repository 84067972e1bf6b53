"""The JSON API of right-purpose spending: disbursements, batches, approvals, fund policies,
periods, pledges, transfers between funds and interest. Thin views: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from marshmallow import ValidationError

from ledger.documents.voucher_pdf import render_vouchers
from ledger.domain.errors import ValidationFailed
from ledger.services import approvals, audit, disbursements, interest, journal, periods, pledges, transfers, vouchers
from ledger.services.access import Actor, Need
from ledger.services.disbursements import (
    BatchResult,
    DisbursementFilter,
    DisbursementResult,
    DisbursementView,
    GoodsPick,
    SpendCommand,
)
from ledger.services.funds import FundView
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.documents import pdf_response
from ledger.web.api.runtime import current_actor, run_read, run_write, uow
from ledger.web.api.views import _cursor, _page, blp, books_for, receipt_body


def _base_url() -> str:
    base: str = current_app.extensions["ledger.settings"].public_base_url
    return base


def voucher_pdf_url(code: str, number: str) -> str:
    return f"{_base_url()}/api/v1/associations/{code}/vouchers/{number}.pdf"


def spend_command(data: dict[str, Any]) -> SpendCommand:
    return SpendCommand(
        fund=data["fund"],
        kind=data["kind"],
        paid_from=data["paid_from"],
        paid_on=data["paid_on"],
        amount_vnd=data["amount"],
        beneficiary_id=data["beneficiary_id"],
        items=tuple(GoodsPick(i["description"], i["quantity"], i["unit"]) for i in data["items"]),
        memo=data.get("memo", ""),
    )


def _disbursement(view: DisbursementView) -> dict[str, Any]:
    body: dict[str, Any] = s.DisbursementOut().dump(view)
    return body


def _result_body(code: str, result: DisbursementResult) -> dict[str, Any]:
    """201/200 with the entry and voucher when posted; the disbursement itself (202) when pending."""
    view = result.disbursement
    if result.entry is None:
        return _disbursement(view)
    assert view.voucher_number is not None
    body: dict[str, Any] = s.DisbursementPostedOut().dump(
        {
            "id": view.id,
            "status": view.status,
            "entry": result.entry,
            "voucher": {"number": view.voucher_number, "pdf_url": voucher_pdf_url(code, view.voucher_number)},
            "disbursement": view,
        }
    )
    return body


# --- Fund policies ------------------------------------------------------------------------------


@blp.route("/associations/<code>/funds/<fund_code>/policy", methods=["PUT"])
@blp.arguments(s.PolicyIn)
@blp.response(200, s.FundOut)
def put_fund_policy(data: dict[str, Any], code: str, fund_code: str) -> Any:
    """Put a new version of a fund's spending policy in force (admin or approver).

    Disbursements keep the policy version they were checked under.
    """

    def service(work: UnitOfWork, actor: Actor) -> FundView:
        books = books_for(work, actor, code, Need.APPROVE)
        return disbursements.change_policy(work, actor, books, fund_code, data)

    return run_write(service, s.FundOut().dump, status=200)


# --- Disbursements ------------------------------------------------------------------------------


@blp.route("/associations/<code>/disbursements", methods=["POST"])
@blp.arguments(s.DisbursementIn)
@blp.response(201, s.DisbursementPostedOut, description="Posted, with its entry and voucher number.")
@blp.alt_response(202, schema=s.DisbursementOut, description="Above the approval threshold: pending, reserved.")
def record_disbursement(data: dict[str, Any], code: str) -> Any:
    """Pay from a fund for its purpose: posted with a voucher, or pending approval with the amount reserved."""
    cmd = spend_command(data)

    def service(work: UnitOfWork, actor: Actor) -> DisbursementResult:
        return disbursements.record_disbursement(work, actor, books_for(work, actor, code, Need.WRITE), cmd)

    return run_write(
        service,
        lambda result: _result_body(code, result),
        status=lambda result: 202 if result.entry is None else 201,
    )


def _batch_commands(raw_items: list[dict[str, Any]]) -> list[SpendCommand]:
    """Read each item with the single disbursement's schema; a bad one is refused by its index."""
    schema = s.DisbursementIn()
    commands: list[SpendCommand] = []
    for index, raw in enumerate(raw_items):
        try:
            commands.append(spend_command(schema.load(raw)))
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
        books = books_for(work, actor, code, Need.WRITE)
        return disbursements.record_batch(work, actor, books, commands, data.get("memo", ""))

    def render(result: BatchResult) -> dict[str, Any]:
        body: dict[str, Any] = s.BatchOut().dump(
            {
                "batch_id": result.batch_id,
                "count": result.count,
                "total": result.total_vnd,
                "disbursements": result.disbursements,
                "vouchers_pdf_url": f"{_base_url()}/api/v1/associations/{code}/disbursements/batches/"
                f"{result.batch_id}/vouchers.pdf",
            }
        )
        return body

    return run_write(service, render)


@blp.route("/associations/<code>/disbursements", methods=["GET"])
@blp.arguments(s.DisbursementQuery, location="query")
@blp.response(200, s.DisbursementPage)
def list_disbursements(query: dict[str, Any], code: str) -> Any:
    """Disbursements in the order they were made, filtered by status, fund or batch."""
    flt = DisbursementFilter(
        status=query["status"],
        fund=query["fund"],
        batch_id=query["batch_id"],
        after_id=_cursor(query["cursor"]),
        limit=query["limit"],
    )

    def service(work: UnitOfWork, actor: Actor) -> tuple[list[DisbursementView], int | None]:
        return disbursements.list_disbursements(work, books_for(work, actor, code, Need.READ), flt)

    return run_read(service, lambda page: _page(page[0], page[1], s.DisbursementOut))


@blp.route("/associations/<code>/disbursements/<id:disbursement_id>", methods=["GET"])
@blp.response(200, s.DisbursementOut)
def get_disbursement(code: str, disbursement_id: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> DisbursementView:
        return disbursements.get_disbursement(work, books_for(work, actor, code, Need.READ), disbursement_id)

    return run_read(service, _disbursement)


# --- Vouchers -----------------------------------------------------------------------------------

_PDF = {"200": {"description": "A4 PDF", "content": {"application/pdf": {}}}}


def _voucher_download(code: str, what: str, load: Any) -> Response:
    """Render vouchers as PDF and write the download to the audit log in the same transaction."""
    actor = current_actor()
    with uow(write=True) as work:
        books = books_for(work, actor, code, Need.READ)
        documents = load(work, books)
        content = render_vouchers(documents)
        audit.record(
            work,
            actor,
            "voucher.download",
            association_id=books.association.id,
            object_type="voucher",
            object_id=what,
            count=len(documents),
        )
        work.commit()
    return pdf_response(content, f"{what}.pdf")


@blp.route("/associations/<code>/vouchers/<number>.pdf", methods=["GET"])
@blp.doc(responses=_PDF)
def voucher_pdf(code: str, number: str) -> Any:
    """The disbursement voucher (phiếu chi) as PDF, with the amount in words and signature lines."""
    return _voucher_download(code, number, lambda work, books: [vouchers.voucher(work, books, number)])


@blp.route("/associations/<code>/disbursements/batches/<id:batch_id>/vouchers.pdf", methods=["GET"])
@blp.doc(responses=_PDF)
def batch_vouchers_pdf(code: str, batch_id: int) -> Any:
    """Every voucher of a batch in one PDF, one voucher a page (pending items have none yet)."""
    return _voucher_download(
        code, f"batch-{batch_id}-vouchers", lambda work, books: vouchers.batch_vouchers(work, books, batch_id)
    )


# --- Approvals ----------------------------------------------------------------------------------


@blp.route("/associations/<code>/approvals", methods=["GET"])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, s.DisbursementPage)
def list_approvals(query: dict[str, Any], code: str) -> Any:
    """Disbursements waiting for an approver, oldest first."""

    def service(work: UnitOfWork, actor: Actor) -> tuple[list[DisbursementView], int | None]:
        books = books_for(work, actor, code, Need.READ)
        return approvals.list_pending(work, books, _cursor(query["cursor"]), query["limit"])

    return run_read(service, lambda page: _page(page[0], page[1], s.DisbursementOut))


@blp.route("/associations/<code>/approvals/<id:disbursement_id>/approve", methods=["POST"])
@blp.arguments(s.ApproveIn)
@blp.response(200, s.DisbursementPostedOut)
def approve(_: dict[str, Any], code: str, disbursement_id: int) -> Any:
    """Approve and post a pending disbursement (approver; never its maker: 403 ``self_approval``).

    The spend is checked again against the policy and balances of now; 409
    ``invalid_transition`` when it is not pending.
    """

    def service(work: UnitOfWork, actor: Actor) -> DisbursementResult:
        return approvals.approve(work, actor, books_for(work, actor, code, Need.APPROVE), disbursement_id)

    return run_write(service, lambda result: _result_body(code, result), status=200)


@blp.route("/associations/<code>/approvals/<id:disbursement_id>/reject", methods=["POST"])
@blp.arguments(s.RejectIn)
@blp.response(200, s.DisbursementOut)
def reject(data: dict[str, Any], code: str, disbursement_id: int) -> Any:
    """Reject a pending disbursement with a reason; its reservation is released."""

    def service(work: UnitOfWork, actor: Actor) -> DisbursementView:
        books = books_for(work, actor, code, Need.APPROVE)
        return approvals.reject(work, actor, books, disbursement_id, data["reason"])

    return run_write(service, _disbursement, status=200)


# --- Periods ------------------------------------------------------------------------------------


@blp.route("/associations/<code>/periods", methods=["GET"])
@blp.response(200, s.PeriodPage)
def list_periods(code: str) -> Any:
    """Fiscal years with entries or a period record, open or closed, and what still waits in each."""

    def service(work: UnitOfWork, actor: Actor) -> list[periods.PeriodView]:
        return periods.list_periods(work, books_for(work, actor, code, Need.READ))

    return run_read(service, lambda rows: {"items": s.PeriodOut(many=True).dump(rows), "next_cursor": None})


@blp.route("/associations/<code>/periods/<int:year>/close", methods=["POST"])
@blp.arguments(s.PeriodCloseIn)
@blp.response(200, s.PeriodOut)
def close_period(_: dict[str, Any], code: str, year: int) -> Any:
    """Close a fiscal year that has ended (approver or admin); refused while disbursements of it are pending."""

    def service(work: UnitOfWork, actor: Actor) -> periods.PeriodView:
        return periods.close_period(work, actor, books_for(work, actor, code, Need.APPROVE), year)

    return run_write(service, s.PeriodOut().dump, status=200)


@blp.route("/associations/<code>/periods/<int:year>/reopen", methods=["POST"])
@blp.arguments(s.PeriodReopenIn)
@blp.response(200, s.PeriodOut)
def reopen_period(data: dict[str, Any], code: str, year: int) -> Any:
    """Reopen a closed fiscal year (system administrator only; written to the audit log)."""

    def service(work: UnitOfWork, actor: Actor) -> periods.PeriodView:
        books = books_for(work, actor, code, Need.ADMIN)
        return periods.reopen_period(work, actor, books, year, data.get("reason", ""))

    return run_write(service, s.PeriodOut().dump, status=200)


# --- Pledges ------------------------------------------------------------------------------------


@blp.route("/associations/<code>/pledges", methods=["POST"])
@blp.arguments(s.PledgeIn)
@blp.response(201, s.PledgeRecordedOut)
def record_pledge(data: dict[str, Any], code: str) -> Any:
    """Record a pledge: income of the fund now (Dr 138, Cr 511), money to collect later."""
    cmd = pledges.PledgeCommand(
        donor_id=data["donor_id"],
        fund=data["fund"],
        amount_vnd=data["amount"],
        pledged_on=data["pledged_on"],
        due_on=data["due_on"],
        memo=data.get("memo", ""),
    )

    def service(work: UnitOfWork, actor: Actor) -> pledges.PledgeResult:
        return pledges.record_pledge(work, actor, books_for(work, actor, code, Need.WRITE), cmd)

    return run_write(service, s.PledgeRecordedOut().dump)


@blp.route("/associations/<code>/pledges/<id:pledge_id>/collect", methods=["POST"])
@blp.arguments(s.CollectIn)
@blp.response(201, s.CollectionOut)
def collect_pledge(data: dict[str, Any], code: str, pledge_id: int) -> Any:
    """Collect (part of) a pledge in cash or by bank (Dr 111/112, Cr 138), with a numbered receipt."""
    cmd = pledges.CollectCommand(
        amount_vnd=data["amount"], method=data["method"], received_on=data["received_on"], memo=data.get("memo", "")
    )

    def service(work: UnitOfWork, actor: Actor) -> pledges.CollectionResult:
        return pledges.collect_pledge(work, actor, books_for(work, actor, code, Need.WRITE), pledge_id, cmd)

    def render(result: pledges.CollectionResult) -> dict[str, Any]:
        return {
            "pledge": s.PledgeOut().dump(result.pledge),
            "entry": s.ENTRY_OUT.dump(result.entry),
            "receipt": receipt_body(code, result.receipt, result.pledge.fund),
        }

    return run_write(service, render)


@blp.route("/associations/<code>/pledges", methods=["GET"])
@blp.arguments(s.PledgeQuery, location="query")
@blp.response(200, s.PledgePage)
def list_pledges(query: dict[str, Any], code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> tuple[list[pledges.PledgeView], int | None]:
        books = books_for(work, actor, code, Need.READ)
        return pledges.list_pledges(
            work, books, status=query["status"], after_id=_cursor(query["cursor"]), limit=query["limit"]
        )

    return run_read(service, lambda page: _page(page[0], page[1], s.PledgeOut))


@blp.route("/associations/<code>/pledges/<id:pledge_id>", methods=["GET"])
@blp.response(200, s.PledgeOut)
def get_pledge(code: str, pledge_id: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> pledges.PledgeView:
        return pledges.get_pledge(work, books_for(work, actor, code, Need.READ), pledge_id)

    return run_read(service, s.PledgeOut().dump)


# --- Transfers between funds and interest ------------------------------------------------------


@blp.route("/associations/<code>/transfers", methods=["POST"])
@blp.arguments(s.TransferIn)
@blp.response(201, s.EntryOut)
def transfer(data: dict[str, Any], code: str) -> Any:
    """Move money between two funds where the source fund's policy allows it (never out of a
    restricted or endowment fund unless its policy says so: 422 ``purpose_violation``)."""
    cmd = transfers.TransferCommand(
        from_fund=data["from_fund"],
        to_fund=data["to_fund"],
        amount_vnd=data["amount"],
        account=data["account"],
        on=data["on"],
        memo=data.get("memo", ""),
    )

    def service(work: UnitOfWork, actor: Actor) -> journal.EntryView:
        return transfers.transfer(work, actor, books_for(work, actor, code, Need.WRITE), cmd)

    return run_write(service, s.ENTRY_OUT.dump)


@blp.route("/associations/<code>/interest", methods=["POST"])
@blp.arguments(s.InterestIn)
@blp.response(201, s.EntryOut)
def record_interest(data: dict[str, Any], code: str) -> Any:
    """Record interest a fund's deposit earned (Dr 112, Cr 515): what an endowment may spend."""
    cmd = interest.InterestCommand(
        fund=data["fund"], amount_vnd=data["amount"], on=data["on"], account=data["account"], memo=data.get("memo", "")
    )

    def service(work: UnitOfWork, actor: Actor) -> journal.EntryView:
        return interest.record_interest(work, actor, books_for(work, actor, code, Need.WRITE), cmd)

    return run_write(service, s.ENTRY_OUT.dump)
