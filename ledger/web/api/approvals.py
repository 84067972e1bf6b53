"""Approvals: what one person may not do alone waits for a second who is not its maker (disbursements
above a threshold, whole batches, policy loosenings, reversals that void a document, reopenings)."""

from __future__ import annotations

from typing import Any

from ledger.services import approvals, requests
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.disbursements import DisbursementResult, DisbursementView
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import disbursement_body, request_body, result_body
from ledger.web.api.runtime import api_blueprint, run_read, run_write

blp = api_blueprint("approvals", "Approving or rejecting pending disbursements")


@blp.route("/associations/<code>/approvals", methods=["GET"])
@blp.arguments(s.ApprovalQuery, location="query")
@blp.response(200, s.ApprovalPage)
def list_approvals(query: dict[str, Any], code: str) -> Any:
    """What waits for a second person, oldest first: requests (all on the first page, ``id``
    ``req-<n>``) and pending disbursements (paged by ``cursor``). ``type`` keeps one of the two."""
    wanted = query["type"]

    def service(work: UnitOfWork, actor: Actor) -> dict[str, Any]:
        books = authorized_books(work, actor, code, Need.READ)
        items: list[dict[str, Any]] = []
        if wanted in (None, "request") and query["cursor"] is None:
            items += [request_body(view) for view in requests.list_pending(work, books)]
        next_cursor: str | None = None
        if wanted in (None, "disbursement"):
            rows, next_id = approvals.list_pending(work, books, s.cursor(query["cursor"]), query["limit"])
            items += [{**disbursement_body(row), "type": "disbursement"} for row in rows]
            next_cursor = str(next_id) if next_id is not None else None
        return {"items": items, "next_cursor": next_cursor}

    return run_read(service, lambda body: body)


@blp.route("/associations/<code>/approvals/req-<id:request_id>", methods=["GET"])
@blp.response(200, s.RequestOut)
def get_request(code: str, request_id: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> requests.RequestView:
        return requests.get_request(work, authorized_books(work, actor, code, Need.READ), request_id)

    return run_read(service, request_body)


@blp.route("/associations/<code>/approvals/req-<id:request_id>/approve", methods=["POST"])
@blp.arguments(s.ApproveIn)
@blp.response(200, s.RequestOut)
def approve_request(_: dict[str, Any], code: str, request_id: int) -> Any:
    """Carry out a request (approver or admin; never its maker: 403 ``self_approval``)."""

    def service(work: UnitOfWork, actor: Actor) -> requests.RequestView:
        return approvals.approve_request(work, actor, authorized_books(work, actor, code, Need.APPROVE), request_id)

    return run_write(service, request_body, status=200)


@blp.route("/associations/<code>/approvals/req-<id:request_id>/reject", methods=["POST"])
@blp.arguments(s.RejectIn)
@blp.response(200, s.RequestOut)
def reject_request(data: dict[str, Any], code: str, request_id: int) -> Any:
    """Refuse a request with a reason; nothing it asked for happens."""

    def service(work: UnitOfWork, actor: Actor) -> requests.RequestView:
        books = authorized_books(work, actor, code, Need.APPROVE)
        return requests.reject(work, actor, books, request_id, data["reason"])

    return run_write(service, request_body, status=200)


@blp.route("/associations/<code>/disbursements/batches/<id:batch_id>/approve", methods=["POST"])
@blp.arguments(s.ApproveIn)
@blp.response(200, s.BatchApprovedOut)
def approve_batch(_: dict[str, Any], code: str, batch_id: int) -> Any:
    """Approve every pending item of a batch in one decision (approver; maker of none of them).

    All or nothing, each item checked again against the books and policy of now.
    """

    def service(work: UnitOfWork, actor: Actor) -> list[DisbursementResult]:
        return approvals.approve_batch(work, actor, authorized_books(work, actor, code, Need.APPROVE), batch_id)

    def render(results: list[DisbursementResult]) -> dict[str, Any]:
        body: dict[str, Any] = s.BatchApprovedOut().dump(
            {"batch_id": batch_id, "count": len(results), "disbursements": [r.disbursement for r in results]}
        )
        return body

    return run_write(service, render, status=200)


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
