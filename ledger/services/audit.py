"""The audit log: every write and every download, with who, when and what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from ledger.persistence.models import AuditEvent
from ledger.persistence.pipeline import NO_ANSWER
from ledger.services.access import Actor
from ledger.services.unit_of_work import UnitOfWork

#: Nothing reads its answer (not even its id): sent with the next statement (``persistence/pipeline.py``).
_INSERT = insert(AuditEvent.table()).inline().execution_options(**NO_ANSWER)


def record(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    *,
    association_id: int | None,
    object_type: str = "",
    object_id: object = "",
    **detail: Any,
) -> None:
    """Write an audit event in the unit of work's transaction: stored with what it describes or not at all.

    A Core insert rather than the ORM's flush, which cost more than the insert itself on every
    posting (docs/benchmarks.md, section 2). Nothing refers to an audit event, so on PostgreSQL
    it goes to the server with the writer's next statement or its commit (``persistence/pipeline.py``).
    """
    uow.session.connection().execute(
        _INSERT,
        {
            "association_id": association_id,
            "user_id": actor.user_id,
            "at": uow.clock(),
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "detail": {"actor": actor.email, **detail},
        },
    )
