"""The audit log for auditors: who did what, when, in an association's books."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import select

from ledger.persistence.models import AuditEvent, User
from ledger.services.access import Actor, Need, authorize
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.runtime import run_read
from ledger.web.api.views import _cursor, _page, blp


class AuditEventOut(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    user = fields.String(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    detail = fields.Dict()


@blp.route("/associations/<code>/audit-log", methods=["GET"])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, s.page_of(AuditEventOut))
def audit_log(query: dict[str, Any], code: str) -> Any:
    """Every write and download in the association's books, oldest first (auditors, approvers, treasurers)."""

    def service(work: UnitOfWork, actor: Actor) -> tuple[list[dict[str, Any]], int | None]:
        association = authorize(work, actor, code, Need.READ)
        rows = work.session.execute(
            select(AuditEvent, User.email)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .where(AuditEvent.association_id == association.id, AuditEvent.id > _cursor(query["cursor"], s.SEQ_MAX))
            .order_by(AuditEvent.id)
            .limit(query["limit"] + 1)
        ).all()
        more = len(rows) > query["limit"]
        rows = rows[: query["limit"]]
        items = [
            {
                "id": event.id,
                "at": event.at,
                "user": email or event.detail.get("actor"),
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "detail": event.detail,
            }
            for event, email in rows
        ]
        return items, (rows[-1][0].id if more and rows else None)

    return run_read(service, lambda page: _page(page[0], page[1], AuditEventOut))
