"""Statements read from the day and month movements (``snapshots.py``): trial balance, fund statement, activities.

None of them reads the journal: their cost depends on the chart and the number of months,
not on the number of entries, at any date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ledger.domain.accounts import (
    BANK,
    CASH,
    CASH_DONATIONS,
    FUND_BALANCE,
    GOODS,
    INTEREST_INCOME,
    AccountType,
)
from ledger.domain.policy import KIND_EXPENSE_ACCOUNT
from ledger.persistence.models import Association, Balance
from ledger.reports import snapshots
from ledger.reports.model import Chart, Column, Report
from ledger.reports.snapshots import Movements
from ledger.services import funds
from ledger.services.unit_of_work import UnitOfWork

#: Entries that move the year's result into the funds' balances (year-end close): they change
#: no fund's net assets and would hide the year's revenue and spending, so flows leave them out.
CLOSING_KINDS = frozenset({"closing", "year_end_close"})
#: Expense account (parent code) → the disbursement kind that pays from it.
SPENDING_KIND_OF_ACCOUNT = {account: kind for kind, account in KIND_EXPENSE_ACCOUNT.items()}

RESTRICTION_VI = {"unrestricted": "Không hạn chế", "restricted": "Hạn chế mục đích", "endowment": "Quỹ gốc"}


@dataclass(frozen=True)
class Period:
    """What a report covers: from ``start`` (None: from the first entry) up to ``end`` inclusive."""

    start: date | None
    end: date
    #: True for a point-in-time report (trial balance): JSON says ``as_of``.
    point: bool = False


def header(
    uow: UnitOfWork,
    association: Association,
    period: Period,
    *,
    name: str,
    title_vi: str,
    title_en: str,
    columns: tuple[Column, ...],
    rows: Any,
    totals: dict[str, Any],
    generated_at: datetime,
    head: snapshots.Head | None = None,
    extra: dict[str, Any] | None = None,
) -> Report:
    head = head or snapshots.head(uow, association.id)
    return Report(
        name=name,
        title_vi=title_vi,
        title_en=title_en,
        association=association.code,
        association_name=association.name,
        association_address=association.address,
        period_from=None if period.point else period.start,
        period_to=None if period.point else period.end,
        as_of=period.end if period.point else None,
        generated_at=generated_at,
        head_seq=head.seq,
        head_hash=head.hash,
        columns=columns,
        rows=rows,
        totals=totals,
        extra=extra or {},
    )


# --- trial balance ------------------------------------------------------------------------------

TRIAL_BALANCE_COLUMNS = (
    Column("account", "Tài khoản", "Account", width=10),
    Column("account_name", "Tên tài khoản", "Account name", width=34),
    Column("fund", "Quỹ", "Fund", width=18),
    Column("debit", "Dư Nợ", "Debit", "money", 18),
    Column("credit", "Dư Có", "Credit", "money", 18),
    Column("account_name_en", "Tên tiếng Anh", "Name in English", width=30, pdf=False),
    Column("account_type", "Loại", "Type", width=12, pdf=False),
)


def net_by_pair(movements: Movements) -> dict[tuple[int, int], int]:
    """Debits less credits per (account, fund), every kind of entry counted."""
    out: dict[tuple[int, int], int] = defaultdict(int)
    for (account_id, fund_id, _kind), (debit, credit) in movements.items():
        out[(account_id, fund_id)] += debit - credit
    return out


def trial_balance_rows(chart: Chart, movements: Movements) -> list[dict[str, Any]]:
    """Every non-zero (account, fund) balance on its side, in account then fund code order."""
    rows = []
    for (account_id, fund_id), net in net_by_pair(movements).items():
        if not net:
            continue
        account = chart.accounts[account_id]
        rows.append(
            {
                "account": account.code,
                "account_name": account.name,
                "account_name_en": account.name_en,
                "account_type": account.type,
                "fund": chart.funds[fund_id].code,
                "debit": max(net, 0),
                "credit": max(-net, 0),
            }
        )
    rows.sort(key=lambda row: (row["account"], row["fund"]))
    return rows


def trial_balance(uow: UnitOfWork, association: Association, as_of: date, *, generated_at: datetime) -> Report:
    """The trial balance at the end of ``as_of``: it nets to zero (every entry balances per fund)."""
    chart = Chart.read(uow, association.id)
    rows = trial_balance_rows(chart, snapshots.cumulative(uow, association.id, as_of))
    totals = {"debit": sum(r["debit"] for r in rows), "credit": sum(r["credit"] for r in rows)}
    return header(
        uow,
        association,
        Period(None, as_of, point=True),
        name="trial-balance",
        title_vi="BẢNG CÂN ĐỐI TÀI KHOẢN",
        title_en="Trial balance",
        columns=TRIAL_BALANCE_COLUMNS,
        rows=rows,
        totals=totals,
        generated_at=generated_at,
    )


# --- fund statement -----------------------------------------------------------------------------


def net_assets(chart: Chart, movements: Movements) -> dict[int, int]:
    """Each fund's net assets (API.md's posted balance): assets less liabilities."""
    out: dict[int, int] = defaultdict(int)
    for (account_id, fund_id, _kind), (debit, credit) in movements.items():
        account_type = chart.accounts[account_id].type
        if account_type == AccountType.ASSET:
            out[fund_id] += debit - credit
        elif account_type == AccountType.LIABILITY:
            out[fund_id] -= debit - credit
    return out


FLOW_KEYS = ("received_cash", "received_bank", "received_goods", "received_pledges", "interest")
SPENT_KEYS = tuple(f"spent_{kind}" for kind in KIND_EXPENSE_ACCOUNT)


def fund_flows(chart: Chart, movements: Movements) -> dict[int, dict[str, int]]:
    """Per fund: what came in by form, what went out by kind, transfers, in one period's movements.

    Received: the cash, bank and goods that donations brought (their reversals taken off), and
    the pledges promised (revenue when pledged; collecting one moves it to cash, not counted
    twice). Spent: the expense accounts, per kind of spending. Transfers: the fund balance
    account (431) of transfer entries, in less out.
    """
    flows: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (account_id, fund_id, kind), (debit, credit) in movements.items():
        if kind in CLOSING_KINDS:
            continue
        account = chart.accounts[account_id]
        code = account.parent
        row = flows[fund_id]
        if kind == "donation" and code in (CASH, BANK, GOODS):
            row[{CASH: "received_cash", BANK: "received_bank", GOODS: "received_goods"}[code]] += debit - credit
        elif kind in ("pledge", "pledge_collection") and code == CASH_DONATIONS:
            row["received_pledges"] += credit - debit
        elif code == INTEREST_INCOME:
            row["interest"] += credit - debit
        elif account.type == AccountType.EXPENSE:
            spent_kind = SPENDING_KIND_OF_ACCOUNT.get(code, "operating")
            row[f"spent_{spent_kind}"] += debit - credit
        elif kind == "transfer" and code == FUND_BALANCE:
            row["transfers"] += credit - debit
    return flows


FUND_STATEMENT_COLUMNS = (
    Column("fund", "Quỹ", "Fund", width=22),
    Column("fund_name", "Tên quỹ", "Fund name", width=30, pdf=False),
    Column("restriction", "Tính chất", "Restriction", width=14, pdf=False),
    Column("opening", "Số dư đầu kỳ", "Opening", "money", 16, short="Đầu kỳ"),
    Column("received_cash", "Thu tiền mặt", "Received in cash", "money", 16, pdf=False),
    Column("received_bank", "Thu qua ngân hàng", "Received by bank", "money", 16, pdf=False),
    Column("received_goods", "Thu hiện vật", "Received in kind", "money", 16, pdf=False),
    Column("received_pledges", "Cam kết tài trợ", "Pledged", "money", 16, pdf=False),
    Column("interest", "Lãi tiền gửi", "Interest", "money", 14, pdf=False),
    Column("received", "Tổng thu", "Received", "money", 16, short="Tổng thu"),
    Column("spent_scholarship", "Chi học bổng", "Scholarships", "money", 16, pdf=False),
    Column("spent_tet_gift", "Chi quà Tết", "Tet gifts", "money", 16, pdf=False),
    Column("spent_bookcase", "Chi tủ sách", "Bookcases", "money", 16, pdf=False),
    Column("spent_award", "Chi khen thưởng", "Awards", "money", 16, pdf=False),
    Column("spent_support", "Chi hỗ trợ", "Support", "money", 16, pdf=False),
    Column("spent_operating", "Chi hoạt động", "Running costs", "money", 16, pdf=False),
    Column("spent", "Tổng chi", "Spent", "money", 16, short="Tổng chi"),
    Column("transfers", "Điều chuyển", "Transfers", "money", 17, short="Điều chuyển"),
    Column("other", "Khác", "Other", "money", 12, pdf=False),
    Column("closing", "Số dư cuối kỳ", "Closing", "money", 16, short="Cuối kỳ"),
    Column("reserved", "Đang giữ chờ duyệt", "Reserved", "money", 14, short="Chờ duyệt"),
    Column("available", "Có thể chi", "Available", "money", 16, short="Có thể chi"),
)
FUND_STATEMENT_MONEY = tuple(c.key for c in FUND_STATEMENT_COLUMNS if c.kind == "money")


def fund_statement_rows(
    chart: Chart,
    opening: Movements,
    closing: Movements,
    reserved: dict[int, int],
    available: dict[int, int] | None = None,
) -> list[dict[str, Any]]:
    """One row per fund: opening + received − spent + transfers + other = closing, exactly
    (``other``: what no column above names, such as opening balances carried in by hand)."""
    opening_assets = net_assets(chart, opening)
    closing_assets = net_assets(chart, closing)
    flows = fund_flows(chart, snapshots.between(opening, closing))
    rows = []
    for fund in chart.sorted_funds():
        flow = flows.get(fund.id, {})
        row: dict[str, Any] = {
            "fund": fund.code,
            "fund_name": fund.name,
            "restriction": fund.restriction,
            "opening": opening_assets.get(fund.id, 0),
        }
        for key in FLOW_KEYS:
            row[key] = flow.get(key, 0)
        row["received"] = sum(row[key] for key in FLOW_KEYS)
        for key in SPENT_KEYS:
            row[key] = flow.get(key, 0)
        row["spent"] = sum(row[key] for key in SPENT_KEYS)
        row["transfers"] = flow.get("transfers", 0)
        row["closing"] = closing_assets.get(fund.id, 0)
        row["other"] = row["closing"] - row["opening"] - row["received"] + row["spent"] - row["transfers"]
        row["reserved"] = reserved.get(fund.id, 0)
        # Today's available is the API's (``funds.fund_figures``): an endowment's income only, less
        # pledges not yet collected. A past period shows what was held at its end.
        row["available"] = available[fund.id] if available is not None else row["closing"] - row["reserved"]
        if any(row[key] for key in FUND_STATEMENT_MONEY):
            rows.append(row)
    return rows


def reservations(uow: UnitOfWork, association: Association) -> dict[int, int]:
    """What pending disbursements hold back now, per fund (there is no history of it)."""
    out: dict[int, int] = defaultdict(int)
    for fund_id, held in uow.session.execute(
        select(Balance.fund_id, Balance.reserved_vnd).where(
            Balance.association_id == association.id, Balance.reserved_vnd > 0
        )
    ):
        out[fund_id] += int(held)
    return out


def fund_statement(
    uow: UnitOfWork, association: Association, period: Period, *, today: date, generated_at: datetime
) -> Report:
    """The fund statement (quyết toán quỹ) of ``period``. Reservations are today's, so they show
    only in a period that reaches today."""
    start = period.start or date(period.end.year, 1, 1)
    chart = Chart.read(uow, association.id)
    before = snapshots.cumulative(uow, association.id, snapshots.day_before(start))
    after = snapshots.cumulative(uow, association.id, period.end)
    reserved = reservations(uow, association) if period.end >= today else {}
    available = None
    if period.end >= today:
        figures = funds.fund_figures(uow, association)
        available = {
            fund.id: figures[fund.id].available_vnd(fund.restriction) if fund.id in figures else 0
            for fund in chart.sorted_funds()
        }
    rows = fund_statement_rows(chart, before, after, reserved, available)
    return header(
        uow,
        association,
        Period(start, period.end),
        name="fund-balances",
        title_vi="BÁO CÁO QUYẾT TOÁN QUỸ",
        title_en="Fund statement",
        columns=FUND_STATEMENT_COLUMNS,
        rows=rows,
        totals={key: sum(row[key] for row in rows) for key in FUND_STATEMENT_MONEY},
        generated_at=generated_at,
    )


# --- statement of activities --------------------------------------------------------------------

ACTIVITIES_COLUMNS = (
    Column("fund", "Quỹ", "Fund", width=18),
    Column("restriction", "Tính chất", "Restriction", width=16),
    Column("account", "Tài khoản", "Account", width=10),
    Column("account_name", "Nội dung", "Item", width=34),
    Column("revenue", "Thu", "Revenue", "money", 16),
    Column("expense", "Chi", "Expenses", "money", 16),
    Column("type", "Loại", "Type", width=10, pdf=False),
)


def activities_rows(chart: Chart, movements: Movements) -> list[dict[str, Any]]:
    """Revenue and expenses of the period per fund and account, year-end closing left out."""
    amounts: dict[tuple[int, int], int] = defaultdict(int)
    for (account_id, fund_id, kind), (debit, credit) in movements.items():
        account = chart.accounts[account_id]
        if kind in CLOSING_KINDS or account.type not in (AccountType.REVENUE, AccountType.EXPENSE):
            continue
        amounts[(fund_id, account_id)] += (credit - debit) if account.type == AccountType.REVENUE else (debit - credit)
    rows = []
    for (fund_id, account_id), amount in amounts.items():
        if not amount:
            continue
        fund, account = chart.funds[fund_id], chart.accounts[account_id]
        revenue = account.type == AccountType.REVENUE
        rows.append(
            {
                "fund": fund.code,
                "fund_name": fund.name,
                "restriction": fund.restriction,
                "account": account.code,
                "account_name": account.name,
                "type": account.type,
                "revenue": amount if revenue else 0,
                "expense": 0 if revenue else amount,
            }
        )
    rows.sort(key=lambda row: (row["fund"], row["type"] != "revenue", row["account"]))
    return rows


def activities(uow: UnitOfWork, association: Association, period: Period, *, generated_at: datetime) -> Report:
    """The statement of activities: what each fund received and spent in ``period``, by restriction."""
    start = period.start or date(period.end.year, 1, 1)
    chart = Chart.read(uow, association.id)
    movements = snapshots.between(
        snapshots.cumulative(uow, association.id, snapshots.day_before(start)),
        snapshots.cumulative(uow, association.id, period.end),
    )
    rows = activities_rows(chart, movements)
    revenue = sum(row["revenue"] for row in rows)
    expense = sum(row["expense"] for row in rows)
    by_restriction: dict[str, dict[str, int]] = {}
    for row in rows:
        bucket = by_restriction.setdefault(row["restriction"], {"revenue": 0, "expense": 0})
        bucket["revenue"] += row["revenue"]
        bucket["expense"] += row["expense"]
    return header(
        uow,
        association,
        Period(start, period.end),
        name="activities",
        title_vi="BÁO CÁO KẾT QUẢ HOẠT ĐỘNG",
        title_en="Statement of activities",
        columns=ACTIVITIES_COLUMNS,
        rows=rows,
        totals={"revenue": revenue, "expense": expense, "result": revenue - expense},
        generated_at=generated_at,
        extra={"by_restriction": by_restriction},
    )
