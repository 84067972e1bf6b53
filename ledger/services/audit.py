"""The audit log: every write and every download, with who, when and what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from ledger.domain.events import Audited, audit_detail, audit_object_id
from ledger.persistence.models import Association, AuditEvent, User
from ledger.persistence.pipeline import NO_ANSWER
from ledger.services.unit_of_work import UnitOfWork

#: Nothing reads its answer (not even its id): sent with the next statement (``persistence/pipeline.py``).
_INSERT = insert(AuditEvent.table()).inline().execution_options(**NO_ANSWER)


def write_row(uow: UnitOfWork, event: Audited) -> None:
    """Write the audit row of ``event`` in the unit of work's transaction: stored with what it describes or not at all.

    A Core insert rather than the ORM's flush, which cost more than the insert itself on every
    posting (docs/benchmarks.md, section 2). Nothing refers to an audit event, so on PostgreSQL
    it goes to the server with the writer's next statement or its commit (``persistence/pipeline.py``).
    """
    uow.session.connection().execute(
        _INSERT,
        {
            "association_id": event.association_id,
            "user_id": event.by.user_id,
            "at": uow.clock(),
            "action": event.action,
            "object_type": event.object_type,
            "object_id": audit_object_id(event),
            "detail": {"actor": event.by.email, **audit_detail(event)},
        },
    )


@dataclass(frozen=True)
class AuditLine:
    """One row of the audit log as auditors read it."""

    id: int
    at: datetime
    #: The user's e-mail, or the actor the row names (``system`` for the command line).
    user: str | None
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


def audit_log(
    uow: UnitOfWork, association: Association, after_id: int, limit: int
) -> tuple[list[AuditLine], int | None]:
    """The association's audit rows after ``after_id``, oldest first, and the id to continue after if more."""
    rows = uow.session.execute(
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.association_id == association.id, AuditEvent.id > after_id)
        .order_by(AuditEvent.id)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    lines = [
        AuditLine(
            id=event.id,
            at=event.at,
            user=email or event.detail.get("actor"),
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            detail=event.detail,
        )
        for event, email in rows[:limit]
    ]
    return lines, (lines[-1].id if more and lines else None)
