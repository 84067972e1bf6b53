"""Who may do what in which association: roles per association, auditors over a subtree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from ledger.domain.errors import Forbidden, NotFound
from ledger.persistence.models import Association, Membership
from ledger.services.unit_of_work import UnitOfWork


class Role(StrEnum):
    TREASURER = "treasurer"  #: thủ quỹ: records donations and disbursements
    ACCOUNTANT = "accountant"  #: kế toán: keeps the books (entries, corrections); never the treasurer too
    APPROVER = "approver"  #: approves disbursements above a threshold, closes periods
    AUDITOR = "auditor"  #: reads everything, downloads statements, never writes
    DONOR = "donor"  #: reads their own receipts and giving statement


class Need(StrEnum):
    READ = "read"
    WRITE = "write"
    APPROVE = "approve"
    #: Propose a change that a second person may have to approve (a fund's policy).
    PROPOSE = "propose"
    ADMIN = "admin"


#: Which roles satisfy which need. An admin satisfies every need.
ROLES_FOR: dict[Need, frozenset[Role]] = {
    Need.READ: frozenset({Role.TREASURER, Role.ACCOUNTANT, Role.APPROVER, Role.AUDITOR}),
    Need.WRITE: frozenset({Role.TREASURER, Role.ACCOUNTANT}),
    Need.APPROVE: frozenset({Role.APPROVER}),
    Need.PROPOSE: frozenset({Role.TREASURER, Role.ACCOUNTANT, Role.APPROVER}),
    Need.ADMIN: frozenset(),
}


ROLE_LABELS_VI = {
    Role.TREASURER: "thủ quỹ",
    Role.ACCOUNTANT: "kế toán",
    Role.APPROVER: "người duyệt chi",
    Role.AUDITOR: "kiểm tra/kiểm toán",
    Role.DONOR: "nhà tài trợ",
}
NEED_LABELS_VI = {
    Need.READ: "thủ quỹ, kế toán, người duyệt chi hoặc kiểm tra",
    Need.WRITE: "thủ quỹ hoặc kế toán",
    Need.APPROVE: "người duyệt chi (chủ tịch, phó chủ tịch)",
    Need.PROPOSE: "thủ quỹ, kế toán hoặc người duyệt chi",
    Need.ADMIN: "quản trị hệ thống",
}
NEED_LABELS_EN = {
    Need.READ: "treasurer, accountant, approver or auditor",
    Need.WRITE: "treasurer or accountant",
    Need.APPROVE: "approver (chair or vice-chair)",
    Need.PROPOSE: "treasurer, accountant or approver",
    Need.ADMIN: "system administrator",
}


#: Pairs of roles one person may not hold in one association (DESIGN.md "Controls"): whoever
#: makes an entry is not who approves it (maker–checker), and the treasurer who holds the cash
#: is not the accountant who keeps its books (Law on Accounting 2015, art. 52).
INCOMPATIBLE_ROLES: tuple[tuple[Role, Role], ...] = (
    (Role.TREASURER, Role.APPROVER),
    (Role.ACCOUNTANT, Role.APPROVER),
    (Role.TREASURER, Role.ACCOUNTANT),
)


def incompatible_with(held: set[Role], wanted: Role) -> Role | None:
    """A role among ``held`` that one person may not hold together with ``wanted``, if any."""
    for first, second in INCOMPATIBLE_ROLES:
        if wanted == first and second in held:
            return second
        if wanted == second and first in held:
            return first
    return None


@dataclass(frozen=True)
class Actor:
    """The person behind a request; ``user_id`` is None for the command line's system actor."""

    user_id: int | None
    is_admin: bool = False
    email: str = ""
    #: The user's (association id, role) pairs, when they were read with the token for this
    #: request (the API reads both in one statement); ``None``: read them when needed. Never
    #: kept beyond one request, so that a revoked role counts from the very next request.
    memberships: tuple[tuple[int, str], ...] | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(user_id=None, is_admin=True, email="system")


def roles_in(uow: UnitOfWork, actor: Actor, association: Association) -> set[Role]:
    """The actor's roles in ``association``; an auditor of an ancestor audits it too."""
    if actor.user_id is None:
        return set()
    rows: Sequence[tuple[int, str]]
    if actor.memberships is not None:
        rows = actor.memberships
    else:
        rows = [
            (association_id, role)
            for association_id, role in uow.session.execute(
                select(Membership.association_id, Membership.role).where(Membership.user_id == actor.user_id)
            )
        ]
    if not rows:
        return set()
    roles = {Role(role) for assoc_id, role in rows if assoc_id == association.id}
    auditing = {assoc_id for assoc_id, role in rows if role == Role.AUDITOR}
    parent_id = association.parent_id
    # Only an auditor of some association can inherit a role from above: skip the walk otherwise.
    while auditing and parent_id is not None and Role.AUDITOR not in roles:
        if parent_id in auditing:
            roles.add(Role.AUDITOR)
        parent_id = uow.session.execute(
            select(Association.parent_id).where(Association.id == parent_id)
        ).scalar_one_or_none()
    return roles


def authorize(uow: UnitOfWork, actor: Actor, code: str, need: Need) -> Association:
    """The association ``code`` if the actor may ``need`` it.

    Someone with no role there gets ``NotFound``, never ``Forbidden``: another
    association's books must not even be shown to exist.
    """
    association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one_or_none()
    if association is None:
        raise NotFound("hội", "association")
    check_access(uow, actor, association, need)
    return association


def donor_seen_by(uow: UnitOfWork, actor: Actor, association: Association) -> int | None:
    """The donor whose documents a donor login of ``association`` may read, if ``actor`` has one."""
    if actor.user_id is None:
        return None
    donor_id: int | None = uow.session.execute(
        select(Membership.donor_id).where(
            Membership.user_id == actor.user_id,
            Membership.association_id == association.id,
            Membership.role == Role.DONOR.value,
        )
    ).scalar_one_or_none()
    return donor_id


def authorize_donor_documents(uow: UnitOfWork, actor: Actor, code: str) -> tuple[Association, int | None]:
    """Association ``code`` and whose receipts and statements the actor may read there.

    ``None``: anyone's (readers of the books); a donor id: that donor's only (a donor login).
    Anyone else is refused as ``authorize`` refuses them.
    """
    try:
        return authorize(uow, actor, code, Need.READ), None
    except Forbidden:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
        donor_id = donor_seen_by(uow, actor, association)
        if donor_id is None:
            raise
        return association, donor_id


def authorize_statement(uow: UnitOfWork, actor: Actor, code: str, donor_id: int) -> Association:
    """Readers of the books may read any donor's statement; a donor login only its own."""
    association, only = authorize_donor_documents(uow, actor, code)
    if only is not None and only != donor_id:
        raise Forbidden("Bạn chỉ xem được bản kê của chính mình.", "You may read your own giving statement only.")
    return association


def check_access(uow: UnitOfWork, actor: Actor, association: Association, need: Need) -> None:
    """Refuse unless the actor may ``need`` the ``association`` (``authorize`` once it is loaded)."""
    if actor.is_admin:
        return
    roles = roles_in(uow, actor, association)
    if not roles:
        raise NotFound("hội", "association")
    if not roles & ROLES_FOR[need]:
        held_vi = ", ".join(ROLE_LABELS_VI[r] for r in sorted(roles))
        raise Forbidden(
            f"Vai trò của bạn ({held_vi}) không cho phép thao tác này; cần vai trò: {NEED_LABELS_VI[need]}.",
            f"Your role ({', '.join(sorted(roles))}) does not allow this; it needs: {NEED_LABELS_EN[need]}.",
        )
