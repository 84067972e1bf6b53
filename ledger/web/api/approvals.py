"""Approvals: disbursements above a fund's threshold wait for an approver who is not their maker."""

from __future__ import annotations

from typing import Any

from ledger.services import approvals
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.disbursements import DisbursementResult, DisbursementView
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import disbursement_body, page, result_body
from ledger.web.api.runtime import api_blueprint, run_read, run_write

blp = api_blueprint("approvals", "Approving or rejecting pending disbursements")


@blp.route("/associations/<code>/approvals", methods=["GET"])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, s.DisbursementPage)
def list_approvals(query: dict[str, Any], code: str) -> Any:
    """Disbursements waiting for an approver, oldest first."""

    def service(work: UnitOfWork, actor: Actor) -> tuple[list[DisbursementView], int | None]:
        books = authorized_books(work, actor, code, Need.READ)
        return approvals.list_pending(work, books, s.cursor(query["cursor"]), query["limit"])

    return run_read(service, lambda found: page(*found, s.DisbursementOut))


@blp.route("/associations/<code>/approvals/<id:disbursement_id>/approve", methods=["POST"])
@blp.arguments(s.ApproveIn)
@blp.response(200, s.DisbursementPostedOut)
def approve(_: dict[str, Any], code: str, disbursement_id: int) -> Any:
    """Approve and post a pending disbursement (approver; never its maker: 403 ``self_approval``).

    The spend is checked again against the policy and balances of now; 409
    ``invalid_transition`` when it is not pending.
    """

    def service(work: UnitOfWork, actor: Actor) -> DisbursementResult:
        return approvals.approve(work, actor, authorized_books(work, actor, code, Need.APPROVE), disbursement_id)

    return run_write(service, lambda result: result_body(code, result), status=200)


@blp.route("/associations/<code>/approvals/<id:disbursement_id>/reject", methods=["POST"])
@blp.arguments(s.RejectIn)
@blp.response(200, s.DisbursementOut)
def reject(data: dict[str, Any], code: str, disbursement_id: int) -> Any:
    """Reject a pending disbursement with a reason; its reservation is released."""

    def service(work: UnitOfWork, actor: Actor) -> DisbursementView:
        books = authorized_books(work, actor, code, Need.APPROVE)
        return approvals.reject(work, actor, books, disbursement_id, data["reason"])

    return run_write(service, disbursement_body, status=200)
