"""The audit log for auditors: who did what, when, in an association's books."""

from __future__ import annotations

from typing import Any

from ledger.services import audit
from ledger.services.access import Actor, Need, authorize
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import page
from ledger.web.api.runtime import api_blueprint, run_read

blp = api_blueprint("audit_log", "The audit log")


@blp.route("/associations/<code>/audit-log", methods=["GET"])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, s.page_of(s.AuditEventOut))
def audit_log(query: dict[str, Any], code: str) -> Any:
    """Every write and download in the association's books, oldest first (auditors, approvers, treasurers)."""

    def service(work: UnitOfWork, actor: Actor) -> tuple[list[audit.AuditLine], int | None]:
        association = authorize(work, actor, code, Need.READ)
        return audit.audit_log(work, association, s.cursor(query["cursor"], s.SEQ_MAX), query["limit"])

    return run_read(service, lambda found: page(*found, s.AuditEventOut))
