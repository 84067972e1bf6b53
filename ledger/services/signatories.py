"""Who signs an association's documents: the chair, the accountant and the treasurer on record.

Vouchers and receipts print the full names of those who sign them (Law on Accounting 2015,
art. 16), read from the association's role holders: the chair is the association's first
approver (chair before vice-chairs, who are granted after), the accountant and the treasurer
the first holders of those roles. A name that is not on record is left blank, to be written
by hand; a login's e-mail address is never printed in its place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ledger.persistence.models import Membership, User
from ledger.services.access import Role
from ledger.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Signatories:
    #: Thủ trưởng đơn vị: the chair of the association.
    chair: str | None
    #: Kế toán (trưởng).
    accountant: str | None
    #: Thủ quỹ: who holds the cash and goods.
    treasurer: str | None


_SIGNING_ROLES = (Role.APPROVER, Role.ACCOUNTANT, Role.TREASURER)


def signatories(uow: UnitOfWork, association_id: int) -> Signatories:
    """The names printed under the chair's, accountant's and treasurer's signature lines."""
    first: dict[str, str] = {}
    for role, name in uow.session.execute(
        select(Membership.role, User.name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.association_id == association_id, Membership.role.in_([r.value for r in _SIGNING_ROLES]))
        .order_by(Membership.id)
    ):
        if name and name.strip() and role not in first:
            first[role] = name.strip()
    return Signatories(
        chair=first.get(Role.APPROVER.value),
        accountant=first.get(Role.ACCOUNTANT.value),
        treasurer=first.get(Role.TREASURER.value),
    )
