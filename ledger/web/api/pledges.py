"""Pledges: income promised now (Dr 138, Cr 511), collected later with a numbered receipt."""

from __future__ import annotations

from typing import Any

from ledger.services import pledges
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import page, receipt_body
from ledger.web.api.runtime import api_blueprint, run_read, run_write

blp = api_blueprint("pledges", "Pledges and their collection")


@blp.route("/associations/<code>/pledges", methods=["POST"])
@blp.arguments(s.PledgeIn)
@blp.response(201, s.PledgeRecordedOut)
def record_pledge(cmd: pledges.PledgeCommand, code: str) -> Any:
    """Record a pledge: income of the fund now (Dr 138, Cr 511), money to collect later."""

    def service(work: UnitOfWork, actor: Actor) -> pledges.PledgeResult:
        return pledges.record_pledge(work, actor, authorized_books(work, actor, code, Need.WRITE), cmd)

    return run_write(service, s.PledgeRecordedOut().dump)


@blp.route("/associations/<code>/pledges/<id:pledge_id>/collect", methods=["POST"])
@blp.arguments(s.CollectIn)
@blp.response(201, s.CollectionOut)
def collect_pledge(cmd: pledges.CollectCommand, code: str, pledge_id: int) -> Any:
    """Collect (part of) a pledge in cash or by bank (Dr 111/112, Cr 138), with a numbered receipt."""

    def service(work: UnitOfWork, actor: Actor) -> pledges.CollectionResult:
        return pledges.collect_pledge(work, actor, authorized_books(work, actor, code, Need.WRITE), pledge_id, cmd)

    def render(result: pledges.CollectionResult) -> dict[str, Any]:
        return {
            "pledge": s.PledgeOut().dump(result.pledge),
            "entry": s.ENTRY_OUT.dump(result.entry),
            "receipt": receipt_body(code, result.receipt),
        }

    return run_write(service, render)


@blp.route("/associations/<code>/pledges", methods=["GET"])
@blp.arguments(s.PledgeQuery, location="query")
@blp.response(200, s.PledgePage)
def list_pledges(query: dict[str, Any], code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> tuple[list[pledges.PledgeView], int | None]:
        books = authorized_books(work, actor, code, Need.READ)
        return pledges.list_pledges(
            work, books, status=query["status"], after_id=s.cursor(query["cursor"]), limit=query["limit"]
        )

    return run_read(service, lambda found: page(*found, s.PledgeOut))


@blp.route("/associations/<code>/pledges/<id:pledge_id>", methods=["GET"])
@blp.response(200, s.PledgeOut)
def get_pledge(code: str, pledge_id: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> pledges.PledgeView:
        return pledges.get_pledge(work, authorized_books(work, actor, code, Need.READ), pledge_id)

    return run_read(service, s.PledgeOut().dump)
