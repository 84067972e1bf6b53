"""The consolidated statement of an association's subtree (a province with its cities, communes, branches).

A row per account, a column per member, the eliminations and the total. Balance-sheet
accounts (assets, liabilities, fund balances) show their balance at the end of the period;
revenue and expenses what moved in it. What members gave each other is eliminated: a gift
received from a donor that *is* a member of the subtree, and a spend whose recipient is one
(``member_association_id`` on the donor or beneficiary), so the tree's revenue and spending
are what came from and went to the outside. Read from the day and month movements: one
statement for all members, however many.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select

from ledger.domain.accounts import AccountType
from ledger.persistence.models import (
    Account,
    Association,
    Beneficiary,
    Donor,
    JournalEntry,
    JournalLine,
    ReportMark,
)
from ledger.reports import snapshots
from ledger.reports.model import Column, Report
from ledger.reports.statements import CLOSING_KINDS, Period, header
from ledger.services.associations import subtree
from ledger.services.unit_of_work import UnitOfWork

FLOW_TYPES = (AccountType.REVENUE.value, AccountType.EXPENSE.value)
DEBIT_TYPES = (AccountType.ASSET.value, AccountType.EXPENSE.value)
#: Members shown as columns of the A4 PDF; a larger tree prints its totals only (CSV and XLSX have all).
PDF_MEMBER_COLUMNS = 5
ELIMINATIONS = "eliminations"


def _eliminations(uow: UnitOfWork, ids: list[int], start: date, end: date) -> dict[str, int]:
    """Per account code, on its normal side: the revenue members got from donors that are members,
    and the expenses members paid to recipients that are members, in the period."""
    out: dict[str, int] = defaultdict(int)
    dated = and_(JournalEntry.association_id == JournalLine.association_id, JournalEntry.seq == JournalLine.seq)
    sides = (
        (Donor, JournalLine.donor_id, AccountType.REVENUE.value, -1),
        (Beneficiary, JournalLine.beneficiary_id, AccountType.EXPENSE.value, 1),
    )
    for party, column, account_type, sign in sides:
        # The few donors and recipients that are members first, then their lines by the party's
        # index: the journal is never read as a whole.
        linked = list(
            uow.session.execute(
                select(party.id).where(
                    party.association_id.in_(ids),
                    party.member_association_id.in_(ids),
                    party.member_association_id != party.association_id,
                )
            ).scalars()
        )
        if not linked:
            continue
        rows = uow.session.execute(
            select(Account.code, func.sum(JournalLine.debit_vnd - JournalLine.credit_vnd))
            .join(JournalEntry, dated)
            .join(Account, Account.id == JournalLine.account_id)
            .where(
                column.in_(linked),
                Account.type == account_type,
                JournalEntry.entry_on >= start,
                JournalEntry.entry_on <= end,
                JournalEntry.kind.not_in(CLOSING_KINDS),
            )
            .group_by(Account.code)
        )
        for code, net in rows:
            out[code] += sign * int(net)
    return out


def _heads(uow: UnitOfWork, ids: list[int]) -> dict[int, int]:
    return dict(
        uow.session.execute(
            select(ReportMark.association_id, ReportMark.through_seq).where(ReportMark.association_id.in_(ids))
        ).all()
    )


def consolidated(uow: UnitOfWork, association: Association, period: Period, *, generated_at: datetime) -> Report:
    start = period.start or date(period.end.year, 1, 1)
    members = subtree(uow, association)
    ids = [m.id for m in members]
    accounts = {
        account_id: (code, name, account_type)
        for account_id, code, name, account_type in uow.session.execute(
            select(Account.id, Account.code, Account.name, Account.type).where(Account.association_id.in_(ids))
        )
    }
    before = snapshots.cumulative_many(uow, ids, snapshots.day_before(start))
    after = snapshots.cumulative_many(uow, ids, period.end)
    amounts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[str, tuple[str, str]] = {}
    for member in members:
        moved = snapshots.between(before[member.id], after[member.id])
        for source, flows in ((after[member.id], False), (moved, True)):
            for (account_id, _fund, kind), (debit, credit) in source.items():
                code, name, account_type = accounts[account_id]
                if (account_type in FLOW_TYPES) != flows or (flows and kind in CLOSING_KINDS):
                    continue
                names[code] = (name, account_type)
                amounts[code][member.code] += (debit - credit) if account_type in DEBIT_TYPES else (credit - debit)
    eliminated = _eliminations(uow, ids, start, period.end)
    rows: list[dict[str, Any]] = []
    for code in sorted(amounts):
        by_member = {m.code: amounts[code].get(m.code, 0) for m in members}
        minus = eliminated.get(code, 0)
        total = sum(by_member.values()) - minus
        if not any(by_member.values()) and not minus:
            continue
        rows.append(
            {
                "account": code,
                "account_name": names[code][0],
                "type": names[code][1],
                **by_member,
                ELIMINATIONS: -minus,
                "total": total,
            }
        )
    heads = _heads(uow, ids)
    wide = len(members) <= PDF_MEMBER_COLUMNS
    columns = (
        Column("account", "Tài khoản", "Account", width=9, short="TK"),
        Column("account_name", "Tên tài khoản", "Account name", width=28),
        Column("type", "Loại", "Type", width=12, pdf=False),
        *(Column(m.code, m.code, "", "money", 16, pdf=wide) for m in members),
        Column(ELIMINATIONS, "Loại trừ nội bộ", "Eliminations", "money", 16, short="Loại trừ"),
        Column("total", "Hợp nhất", "Consolidated", "money", 18),
    )
    return header(
        uow,
        association,
        Period(start, period.end),
        name="consolidated",
        title_vi="BÁO CÁO HỢP NHẤT",
        title_en="Consolidated statement",
        columns=columns,
        rows=rows,
        totals={},
        generated_at=generated_at,
        extra={
            "members": [{"association": m.code, "name": m.name, "head_seq": heads.get(m.id, 0)} for m in members],
            "total": {row["account"]: row["total"] for row in rows},
        },
    )
