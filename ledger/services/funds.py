"""Funds: their restriction, purpose and versioned spending policy, and their balances."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from ledger.domain.accounts import AccountType
from ledger.domain.errors import Conflict, NotFound, ValidationFailed
from ledger.domain.events import FundCreated, FundPolicyChanged
from ledger.domain.policy import PRESETS, RESTRICTIONS, FundPolicy
from ledger.persistence.models import Account, Association, Balance, Fund, FundPolicyVersion
from ledger.services.access import Actor
from ledger.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class FundCommand:
    code: str
    name: str | None = None
    restriction: str | None = None
    purpose: str | None = None
    #: The policy document of API.md; with a preset it overrides the preset's keys.
    policy: dict[str, Any] | None = None
    preset: str | None = None


@dataclass(frozen=True)
class FundView:
    code: str
    name: str
    restriction: str
    purpose: str
    policy: dict[str, object]
    policy_version: int
    posted_balance_vnd: int
    reserved_vnd: int

    @property
    def available_balance_vnd(self) -> int:
        return self.posted_balance_vnd - self.reserved_vnd


def create_fund_in(uow: UnitOfWork, actor: Actor, association: Association, cmd: FundCommand) -> Fund:
    """Create a fund from a preset and/or explicit restriction, purpose and policy."""
    if cmd.preset is not None and cmd.preset not in PRESETS:
        raise ValidationFailed(
            "Mẫu quỹ không tồn tại.",
            "Unknown fund preset.",
            errors={"preset": [f"must be one of {', '.join(PRESETS)}"]},
        )
    preset = PRESETS[cmd.preset] if cmd.preset else None
    restriction = cmd.restriction or (preset.restriction if preset else None)
    name = cmd.name or (preset.name_vi if preset else None)
    errors: dict[str, list[str]] = {}
    if restriction not in RESTRICTIONS:
        errors["restriction"] = [f"must be one of {', '.join(RESTRICTIONS)}"]
    if not name:
        errors["name"] = ["a fund needs a name"]
    if errors:
        raise ValidationFailed(
            "Thông tin quỹ chưa đủ hoặc sai.", "The fund is missing or has wrong fields.", errors=errors
        )
    assert restriction is not None and name is not None
    if preset is not None:
        policy = preset.policy.with_overrides(cmd.policy or {})
    else:
        policy = FundPolicy.parse(cmd.policy or {})
    purpose = cmd.purpose if cmd.purpose is not None else (preset.purpose_vi if preset else "")
    exists = uow.session.execute(
        select(Fund.id).where(Fund.association_id == association.id, Fund.code == cmd.code)
    ).first()
    if exists:
        raise Conflict(f"Quỹ {cmd.code} đã có.", f"Fund {cmd.code} already exists.", code_taken=cmd.code)
    now = uow.clock()
    fund = Fund(
        association_id=association.id,
        code=cmd.code,
        name=name,
        restriction=restriction,
        purpose=purpose,
        policy_version=1,
        created_at=now,
    )
    uow.session.add(fund)
    try:
        uow.session.flush()
    except IntegrityError:
        # Another request created the same code a moment ago.
        raise Conflict(f"Quỹ {cmd.code} đã có.", f"Fund {cmd.code} already exists.", code_taken=cmd.code) from None
    uow.session.add(
        FundPolicyVersion(
            association_id=association.id,
            fund_id=fund.id,
            version=1,
            document=policy.to_document(),
            created_at=now,
            created_by=actor.user_id,
        )
    )
    uow.emit(
        FundCreated(
            by=actor,
            association_id=association.id,
            code=cmd.code,
            restriction=restriction,
            preset=cmd.preset,
            policy=policy.to_document(),
        )
    )
    return fund


def create_fund(uow: UnitOfWork, actor: Actor, association: Association, cmd: FundCommand) -> FundView:
    """Create a fund and answer with its view (no money in it yet)."""
    fund = create_fund_in(uow, actor, association, cmd)
    uow.session.flush()
    return fund_view(uow, association, fund.code)


def change_policy(
    uow: UnitOfWork, actor: Actor, association: Association, fund: Fund, document: dict[str, Any]
) -> FundPolicy:
    """Put a new policy version in force; entries made earlier keep the version they were made under."""
    policy = FundPolicy.parse(document)
    fund.policy_version += 1
    uow.session.add(
        FundPolicyVersion(
            association_id=association.id,
            fund_id=fund.id,
            version=fund.policy_version,
            document=policy.to_document(),
            created_at=uow.clock(),
            created_by=actor.user_id,
        )
    )
    uow.emit(
        FundPolicyChanged(
            by=actor,
            association_id=association.id,
            code=fund.code,
            version=fund.policy_version,
            policy=policy.to_document(),
        )
    )
    return policy


def policies_in_force(uow: UnitOfWork, fund_ids: Iterable[int]) -> dict[int, tuple[int, FundPolicy]]:
    """(version, policy) in force per fund id, read afresh (call it under the ledger lock)."""
    ids = sorted(set(fund_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(Fund.id, Fund.policy_version, FundPolicyVersion.document)
        .join(
            FundPolicyVersion,
            and_(FundPolicyVersion.fund_id == Fund.id, FundPolicyVersion.version == Fund.policy_version),
        )
        .where(Fund.id.in_(ids))
    ).all()
    return {fund_id: (version, FundPolicy.parse(document)) for fund_id, version, document in rows}


def current_policies(uow: UnitOfWork, association: Association) -> dict[int, dict[str, Any]]:
    """The policy document in force per fund id."""
    rows = uow.session.execute(
        select(FundPolicyVersion.fund_id, FundPolicyVersion.document)
        .join(Fund, Fund.id == FundPolicyVersion.fund_id)
        .where(Fund.association_id == association.id, FundPolicyVersion.version == Fund.policy_version)
    )
    return dict(rows.all())


def fund_positions(uow: UnitOfWork, association: Association) -> dict[int, tuple[int, int]]:
    """(posted balance, reserved) per fund id, from the materialised balances.

    The posted balance is the fund's net assets: its asset balances less its liabilities
    (API.md), which equals what it received less what it spent.
    """
    rows = uow.session.execute(
        select(Balance.fund_id, Account.type, Balance.net_debit_vnd, Balance.reserved_vnd)
        .join(Account, Account.id == Balance.account_id)
        .where(Balance.association_id == association.id)
    )
    posted: dict[int, int] = defaultdict(int)
    reserved: dict[int, int] = defaultdict(int)
    for fund_id, account_type, net, held in rows:
        if account_type == AccountType.ASSET:
            posted[fund_id] += net
        elif account_type == AccountType.LIABILITY:
            posted[fund_id] -= net
        reserved[fund_id] += held
    return {fid: (posted[fid], reserved[fid]) for fid in set(posted) | set(reserved)}


def list_funds(uow: UnitOfWork, association: Association, code: str | None = None) -> list[FundView]:
    """Every fund (or only fund ``code``) with its policy in force and its balances."""
    stmt = select(Fund).where(Fund.association_id == association.id).order_by(Fund.code)
    if code is not None:
        stmt = stmt.where(Fund.code == code)
    funds = list(uow.session.execute(stmt).scalars())
    policies = current_policies(uow, association)
    positions = fund_positions(uow, association)
    return [
        FundView(
            code=f.code,
            name=f.name,
            restriction=f.restriction,
            purpose=f.purpose,
            policy=policies.get(f.id, {}),
            policy_version=f.policy_version,
            posted_balance_vnd=positions.get(f.id, (0, 0))[0],
            reserved_vnd=positions.get(f.id, (0, 0))[1],
        )
        for f in funds
    ]


def fund_view(uow: UnitOfWork, association: Association, code: str) -> FundView:
    """One fund as ``list_funds`` shows it; ``NotFound`` when the association has no such fund."""
    found = list_funds(uow, association, code)
    if not found:
        raise NotFound(f"quỹ {code}", f"fund {code}")
    return found[0]
