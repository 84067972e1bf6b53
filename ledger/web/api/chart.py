"""The chart of accounts' one write in the API: a sub-account for programme detail (``611.1``)."""

from __future__ import annotations

from typing import Any

from ledger.services import charts
from ledger.services.access import Actor, Need
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.runtime import api_blueprint, run_write

blp = api_blueprint("chart", "The chart of accounts: sub-accounts")


@blp.route("/associations/<code>/accounts", methods=["POST"])
@blp.arguments(s.AccountIn)
@blp.response(201, s.AccountOut)
def add_account(data: dict[str, Any], code: str) -> Any:
    """Add a sub-account under a standard account (approver or admin): it takes the parent's
    type and limits; the year-end close closes it with the others."""

    def service(work: UnitOfWork, actor: Actor) -> Any:
        books = charts.authorized_books(work, actor, code, Need.APPROVE)
        return charts.add_account(work, actor, books, data["code"], data["name"], data.get("name_en", ""))

    return run_write(service, s.AccountOut().dump)
