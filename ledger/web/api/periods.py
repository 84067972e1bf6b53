"""Fiscal periods: listing them, closing a year that has ended, locking a month, asking to reopen a year."""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.services import periods, requests
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import request_body, whole
from ledger.web.api.runtime import api_blueprint, run_read, run_write

blp = api_blueprint("periods", "Fiscal periods")


@blp.route("/associations/<code>/periods", methods=["GET"])
@blp.response(200, s.PeriodPage)
def list_periods(code: str) -> Any:
    """Fiscal years with entries or a period record, open or closed, and what still waits in each."""

    def service(work: UnitOfWork, actor: Actor) -> tuple[list[periods.PeriodView], date | None]:
        books = authorized_books(work, actor, code, Need.READ)
        return periods.list_periods(work, books), periods.lock_date(work, books)

    return run_read(
        service, lambda found: {**whole(found[0], s.PeriodOut), "lock_on": found[1].isoformat() if found[1] else None}
    )


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
@blp.response(202, s.RequestOut)
def reopen_period(data: dict[str, Any], code: str, year: int) -> Any:
    """Ask to reopen a closed fiscal year (approver or admin); a second person approves it."""

    def service(work: UnitOfWork, actor: Actor) -> requests.RequestView:
        books = authorized_books(work, actor, code, Need.APPROVE)
        return periods.request_reopen(work, actor, books, year, data.get("reason", ""))

    return run_write(service, request_body, status=202)


@blp.route("/associations/<code>/periods/lock", methods=["POST"])
@blp.arguments(s.PeriodLockIn)
@blp.response(200, s.PeriodLockOut)
def lock_period(data: dict[str, Any], code: str) -> Any:
    """Lock the books through the end of a month that has ended (approver): nothing dated on or
    before the lock date posts (422 ``period_closed``, ``rule: lock_date``). Closing a year moves it too."""

    def service(work: UnitOfWork, actor: Actor) -> dict[str, Any]:
        books = authorized_books(work, actor, code, Need.APPROVE)
        return {"lock_on": periods.lock_through(work, actor, books, data["through"])}

    return run_write(service, s.PeriodLockOut().dump, status=200)
