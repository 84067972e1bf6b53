"""Funds: their restriction, purpose and versioned spending policy, and their balances."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from ledger.domain.accounts import INTEREST_INCOME, PLEDGES, AccountType, parent_code
from ledger.domain.errors import Conflict, NotFound, ValidationFailed
from ledger.domain.events import FundCreated, FundPolicyChanged
from ledger.domain.policy import PRESETS, RESTRICTIONS, Consent, FundPolicy, available_to_spend
from ledger.persistence.models import (
    Account,
    ApprovalRequest,
    Association,
    Balance,
    Fund,
    FundPolicyVersion,
    JournalEntry,
    JournalLine,
)
from ledger.services.access import Actor
from ledger.services.closing import not_closing
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
    #: What may be spent now: less reservations and uncollected pledges; an endowment's income only.
    available_balance_vnd: int


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
    uow: UnitOfWork,
    actor: Actor,
    association: Association,
    fund: Fund,
    document: dict[str, Any],
    *,
    consent: Consent | None = None,
    approved_by: Actor | None = None,
    request_id: int | None = None,
) -> FundPolicy:
    """Put a new policy version in force; entries made earlier keep the version they were made under.

    Call it only for a change that tightens, or for one a second person approved (``approved_by``,
    ``request_id``): ``services/requests.propose_policy`` decides which.
    """
    policy = FundPolicy.parse(document)
    fund.policy_version += 1
    maker = actor.user_id
    if request_id is not None:
        # The version is the proposer's change, approved by the second person.
        maker = uow.session.execute(
            select(ApprovalRequest.maker_id).where(ApprovalRequest.id == request_id)
        ).scalar_one()
    uow.session.add(
        FundPolicyVersion(
            association_id=association.id,
            fund_id=fund.id,
            version=fund.policy_version,
            document=policy.to_document(),
            created_at=uow.clock(),
            created_by=maker,
            approved_by=approved_by.user_id if approved_by is not None else None,
            consent_document=consent.document if consent is not None else None,
            consent_on=consent.on if consent is not None else None,
            request_id=request_id,
        )
    )
    uow.emit(
        FundPolicyChanged(
            by=actor,
            association_id=association.id,
            code=fund.code,
            version=fund.policy_version,
            policy=policy.to_document(),
            proposed_by=maker,
            request_id=request_id,
            consent=consent.as_json() if consent is not None else None,
        )
    )
    return policy


@dataclass(frozen=True)
class PolicyVersionView:
    version: int
    policy: dict[str, Any]
    created_at: datetime
    created_by: int | None
    approved_by: int | None
    consent: dict[str, str] | None
    request_id: str | None
    in_force: bool


#: Versions listed on one page at most.
POLICY_VERSIONS_PAGE_MAX = 1000


def policy_versions(
    uow: UnitOfWork, association: Association, code: str, after: int = 0, limit: int = 100
) -> tuple[list[PolicyVersionView], int | None]:
    """Every version of fund ``code``'s policy, oldest first: none is ever overwritten."""
    fund = uow.session.execute(
        select(Fund).where(Fund.association_id == association.id, Fund.code == code)
    ).scalar_one_or_none()
    if fund is None:
        raise NotFound(f"quỹ {code}", f"fund {code}")
    rows = list(
        uow.session.execute(
            select(FundPolicyVersion)
            .where(FundPolicyVersion.fund_id == fund.id, FundPolicyVersion.version > after)
            .order_by(FundPolicyVersion.version)
            .limit(limit + 1)
        ).scalars()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    views = [
        PolicyVersionView(
            version=r.version,
            policy=r.document,
            created_at=r.created_at,
            created_by=r.created_by,
            approved_by=r.approved_by,
            consent=(
                {"document": r.consent_document, "date": r.consent_on.isoformat()}
                if r.consent_document is not None and r.consent_on is not None
                else None
            ),
            request_id=f"req-{r.request_id}" if r.request_id is not None else None,
            in_force=r.version == fund.policy_version,
        )
        for r in rows
    ]
    return views, (rows[-1].version if more and rows else None)


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


@dataclass(frozen=True)
class FundFigures:
    """A fund's figures from the materialised balances (reading them never scans history)."""

    #: Net assets: assets less liabilities (API.md), what it received less what it spent.
    posted_vnd: int = 0
    reserved_vnd: int = 0
    #: Pledges not yet collected (138).
    receivable_vnd: int = 0
    #: Interest and the like earned to date (515): what an endowment may spend.
    income_vnd: int = 0
    #: Expenses to date.
    spent_vnd: int = 0

    def available_vnd(self, restriction: str) -> int:
        return available_to_spend(
            restriction,
            posted_vnd=self.posted_vnd,
            reserved_vnd=self.reserved_vnd,
            receivable_vnd=self.receivable_vnd,
            income_vnd=self.income_vnd,
            spent_vnd=self.spent_vnd,
        )


def fund_figures(uow: UnitOfWork, association: Association) -> dict[int, FundFigures]:
    """``FundFigures`` per fund id that has any balance."""
    rows = uow.session.execute(
        select(Balance.fund_id, Account.code, Account.type, Balance.net_debit_vnd, Balance.reserved_vnd)
        .join(Account, Account.id == Balance.account_id)
        .where(Balance.association_id == association.id)
    )
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for fund_id, code, account_type, net, held in rows:
        figures = sums[fund_id]
        # A liability's balance is on its credit side, so net assets add its (negative) net debit.
        if account_type in (AccountType.ASSET, AccountType.LIABILITY):
            figures["posted_vnd"] += net
        if parent_code(code) == PLEDGES:
            figures["receivable_vnd"] += net
        figures["reserved_vnd"] += held
    _endowment_activity(uow, association, sums)
    return {fund_id: FundFigures(**figures) for fund_id, figures in sums.items()}


def _endowment_activity(uow: UnitOfWork, association: Association, sums: dict[int, dict[str, int]]) -> None:
    """An endowment's income and spending to date, from the journal without closing entries: a
    year-end close moves them into 421, where they cannot be told from the principal."""
    endowments = list(
        uow.session.execute(
            select(Fund.id).where(Fund.association_id == association.id, Fund.restriction == "endowment")
        ).scalars()
    )
    if not endowments:
        return
    line, entry = JournalLine, JournalEntry
    rows = uow.session.execute(
        select(line.fund_id, Account.code, Account.type, func.sum(line.debit_vnd - line.credit_vnd))
        .join(entry, and_(entry.association_id == line.association_id, entry.seq == line.seq))
        .join(Account, Account.id == line.account_id)
        .where(
            line.association_id == association.id,
            line.fund_id.in_(endowments),
            or_(Account.type == AccountType.EXPENSE, Account.code.like(f"{INTEREST_INCOME}%")),
            not_closing(entry),
        )
        .group_by(line.fund_id, Account.code, Account.type)
    )
    for fund_id, code, account_type, net in rows:
        figures = sums[fund_id]
        if account_type == AccountType.EXPENSE:
            figures["spent_vnd"] += int(net or 0)
        elif parent_code(code) == INTEREST_INCOME:
            figures["income_vnd"] -= int(net or 0)


def fund_positions(uow: UnitOfWork, association: Association) -> dict[int, tuple[int, int]]:
    """(posted balance, reserved) per fund id, from the materialised balances."""
    return {fid: (f.posted_vnd, f.reserved_vnd) for fid, f in fund_figures(uow, association).items()}


def list_funds(uow: UnitOfWork, association: Association, code: str | None = None) -> list[FundView]:
    """Every fund (or only fund ``code``) with its policy in force and its balances."""
    stmt = select(Fund).where(Fund.association_id == association.id).order_by(Fund.code)
    if code is not None:
        stmt = stmt.where(Fund.code == code)
    funds = list(uow.session.execute(stmt).scalars())
    policies = current_policies(uow, association)
    figures = fund_figures(uow, association)
    none = FundFigures()
    return [
        FundView(
            code=f.code,
            name=f.name,
            restriction=f.restriction,
            purpose=f.purpose,
            policy=policies.get(f.id, {}),
            policy_version=f.policy_version,
            posted_balance_vnd=figures.get(f.id, none).posted_vnd,
            reserved_vnd=figures.get(f.id, none).reserved_vnd,
            available_balance_vnd=figures.get(f.id, none).available_vnd(f.restriction),
        )
        for f in funds
    ]


def fund_view(uow: UnitOfWork, association: Association, code: str) -> FundView:
    """One fund as ``list_funds`` shows it; ``NotFound`` when the association has no such fund."""
    found = list_funds(uow, association, code)
    if not found:
        raise NotFound(f"quỹ {code}", f"fund {code}")
    return found[0]
