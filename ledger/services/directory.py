"""The associations a caller may read (``GET /associations``): their own, and an auditor's whole subtree."""

from __future__ import annotations

from sqlalchemy import select

from ledger.persistence.models import Association, Membership
from ledger.services.access import ROLES_FOR, Actor, Need
from ledger.services.associations import subtree
from ledger.services.unit_of_work import UnitOfWork

#: Roles that read an association's books; an auditor reads the subtree below it too.
READERS = frozenset(role.value for role in ROLES_FOR[Need.READ])


def readable_associations(
    uow: UnitOfWork, actor: Actor, *, after: str | None = None, limit: int = 100
) -> tuple[list[tuple[Association, str | None]], str | None]:
    """A page of (association, parent code) in code order after ``after``, and the code to continue after."""
    if actor.is_admin:
        stmt = select(Association).order_by(Association.code)
        if after is not None:
            stmt = stmt.where(Association.code > after)
        found = list(uow.session.execute(stmt.limit(limit + 1)).scalars())
    else:
        memberships = uow.session.execute(
            select(Association, Membership.role)
            .join(Membership, Membership.association_id == Association.id)
            .where(Membership.user_id == actor.user_id)
        ).all()
        reach: dict[int, Association] = {}
        for association, role in memberships:
            if role == "auditor":
                reach.update((member.id, member) for member in subtree(uow, association))
            elif role in READERS:
                reach[association.id] = association
        found = sorted((a for a in reach.values() if after is None or a.code > after), key=lambda a: a.code)
        found = found[: limit + 1]
    more = len(found) > limit
    page = found[:limit]
    parents = {a.parent_id for a in page if a.parent_id is not None}
    codes = (
        dict(uow.session.execute(select(Association.id, Association.code).where(Association.id.in_(parents))).all())
        if parents
        else {}
    )
    return [(a, codes.get(a.parent_id) if a.parent_id else None) for a in page], (page[-1].code if more else None)
