"""Setting up an association: its books start with the standard chart and a general fund."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ledger.domain.accounts import STANDARD_CHART
from ledger.domain.chain import GENESIS_HASH
from ledger.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ledger.domain.events import AssociationCreated
from ledger.domain.text import refuse_line_breaks
from ledger.persistence.models import Account, Association, LedgerHead
from ledger.services.access import Actor
from ledger.services.funds import FundCommand, create_fund_in
from ledger.services.unit_of_work import UnitOfWork

LEVELS = ("national", "province", "district", "commune", "branch", "school")


@dataclass(frozen=True)
class AssociationCommand:
    code: str
    name: str
    level: str
    parent: str | None = None
    address: str = ""


def create_association(uow: UnitOfWork, actor: Actor, cmd: AssociationCommand) -> Association:
    """Create an association with the standard chart of accounts and the fund ``GENERAL``."""
    if not actor.is_admin:
        raise Forbidden(
            "Chỉ quản trị hệ thống mới được tạo hội mới.", "Only a system administrator can create associations."
        )
    if cmd.level not in LEVELS:
        raise ValidationFailed(
            "Cấp hội không hợp lệ.",
            "Unknown association level.",
            errors={"level": [f"must be one of {', '.join(LEVELS)}"]},
        )
    # The name goes into the subject of every receipt e-mail.
    refuse_line_breaks(name=cmd.name)
    parent_id = None
    if cmd.parent:
        parent = uow.session.execute(select(Association).where(Association.code == cmd.parent)).scalar_one_or_none()
        if parent is None:
            raise NotFound(f"hội cấp trên {cmd.parent}", f"parent association {cmd.parent}")
        parent_id = parent.id
    if uow.session.execute(select(Association.id).where(Association.code == cmd.code)).first():
        raise _exists(cmd.code)
    now = uow.clock()
    association = Association(
        code=cmd.code, name=cmd.name, level=cmd.level, parent_id=parent_id, address=cmd.address, created_at=now
    )
    uow.session.add(association)
    try:
        uow.session.flush()
    except IntegrityError:
        raise _exists(cmd.code) from None
    uow.session.add(LedgerHead(association_id=association.id, head_seq=0, head_hash=GENESIS_HASH))
    uow.session.add_all(
        Account(
            association_id=association.id,
            code=t.code,
            name=t.name,
            name_en=t.name_en,
            type=t.type.value,
            non_negative=t.non_negative,
            holds_goods=t.holds_goods,
        )
        for t in STANDARD_CHART
    )
    create_fund_in(uow, actor, association, FundCommand(code="GENERAL", preset="general"))
    uow.emit(
        AssociationCreated(
            by=actor, association_id=association.id, code=cmd.code, name=cmd.name, level=cmd.level, parent=cmd.parent
        )
    )
    uow.session.flush()
    return association


@dataclass(frozen=True)
class AssociationView:
    code: str
    name: str
    level: str
    #: The parent association's code, if any.
    parent: str | None
    address: str


def association_view(uow: UnitOfWork, association: Association) -> AssociationView:
    parent = uow.session.get(Association, association.parent_id) if association.parent_id else None
    return AssociationView(
        code=association.code,
        name=association.name,
        level=association.level,
        parent=parent.code if parent else None,
        address=association.address,
    )


def _exists(code: str) -> Conflict:
    return Conflict(f"Mã hội {code} đã tồn tại.", f"An association with code {code} already exists.", code_taken=code)


def list_accounts(uow: UnitOfWork, association: Association) -> list[Account]:
    return list(
        uow.session.execute(
            select(Account).where(Account.association_id == association.id).order_by(Account.code)
        ).scalars()
    )


def subtree(uow: UnitOfWork, association: Association) -> list[Association]:
    """The association and every association below it, parents before children."""
    out = [association]
    frontier = [association.id]
    while frontier:
        children = list(
            uow.session.execute(
                select(Association).where(Association.parent_id.in_(frontier)).order_by(Association.code)
            ).scalars()
        )
        out.extend(children)
        frontier = [c.id for c in children]
    return out
