"""Fiscal periods: listing them, closing a year that has ended, reopening a closed one."""

from __future__ import annotations

from typing import Any

from ledger.services import periods
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import whole
from ledger.web.api.runtime import api_blueprint, run_read, run_write

blp = api_blueprint("periods", "Fiscal periods")


@blp.route("/associations/<code>/periods", methods=["GET"])
@blp.response(200, s.PeriodPage)
def list_periods(code: str) -> Any:
    """Fiscal years with entries or a period record, open or closed, and what still waits in each."""

    def service(work: UnitOfWork, actor: Actor) -> list[periods.PeriodView]:
        return periods.list_periods(work, authorized_books(work, actor, code, Need.READ))

    return run_read(service, lambda rows: whole(rows, s.PeriodOut))


@blp.route("/associations/<code>/periods/<int:year>/close", methods=["POST"])
@blp.arguments(s.PeriodCloseIn)
@blp.response(200, s.PeriodOut)
def close_period(_: dict[str, Any], code: str, year: int) -> Any:
    """Close a fiscal year that has ended (approver or admin); refused while disbursements of it are pending."""

    def service(work: UnitOfWork, actor: Actor) -> periods.PeriodView:
        return periods.close_period(work, actor, authorized_books(work, actor, code, Need.APPROVE), year)

    return run_write(service, s.PeriodOut().dump, status=200)


@blp.route("/associations/<code>/periods/<int:year>/reopen", methods=["POST"])
@blp.arguments(s.PeriodReopenIn)
@blp.response(200, s.PeriodOut)
def reopen_period(data: dict[str, Any], code: str, year: int) -> Any:
    """Reopen a closed fiscal year (system administrator only; written to the audit log)."""

    def service(work: UnitOfWork, actor: Actor) -> periods.PeriodView:
        books = authorized_books(work, actor, code, Need.ADMIN)
        return periods.reopen_period(work, actor, books, year, data.get("reason", ""))

    return run_write(service, s.PeriodOut().dump, status=200)
