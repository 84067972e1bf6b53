"""The standard chart of accounts every association starts with (API.md), and what each type means."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AccountType(StrEnum):
    ASSET = "asset"  #: what the association holds: cash, bank, goods, pledges
    LIABILITY = "liability"  #: what it owes: awards decided but not yet paid
    FUND_BALANCE = "fund_balance"  #: net assets carried by a fund
    REVENUE = "revenue"  #: what it received: donations, interest
    EXPENSE = "expense"  #: what it spent: scholarships, gifts, running costs


#: Assets and expenses grow on the debit side; the others on the credit side.
DEBIT_NORMAL = frozenset({AccountType.ASSET, AccountType.EXPENSE})


@dataclass(frozen=True)
class AccountTemplate:
    code: str
    name: str
    name_en: str
    type: AccountType
    #: Cash, bank and goods can never go below zero per fund (DESIGN.md).
    non_negative: bool = False
    #: Goods are counted by quantity as well as by value.
    holds_goods: bool = False


CASH = "111"
BANK = "112"
PLEDGES = "138"
GOODS = "156"
AWARDS_PAYABLE = "338"
FUND_BALANCE = "431"
#: The year-end close moves revenue and expenses into the result (911) and the result into
#: the accumulated surplus (421), per fund, so that each year's activities start at zero.
RESULT = "911"
ACCUMULATED_SURPLUS = "421"
CASH_DONATIONS = "511"
IN_KIND_DONATIONS = "512"
INTEREST_INCOME = "515"
RUNNING_COSTS = "642"

STANDARD_CHART: tuple[AccountTemplate, ...] = (
    AccountTemplate(CASH, "Tiền mặt", "Cash on hand", AccountType.ASSET, non_negative=True),
    AccountTemplate(BANK, "Tiền gửi ngân hàng", "Bank deposits", AccountType.ASSET, non_negative=True),
    AccountTemplate(PLEDGES, "Phải thu tài trợ đã cam kết", "Pledges receivable", AccountType.ASSET),
    AccountTemplate(
        GOODS, "Hiện vật, hàng hóa", "Goods in kind", AccountType.ASSET, non_negative=True, holds_goods=True
    ),
    AccountTemplate(AWARDS_PAYABLE, "Phải trả người thụ hưởng", "Awards payable", AccountType.LIABILITY),
    AccountTemplate(FUND_BALANCE, "Số dư quỹ", "Fund balance", AccountType.FUND_BALANCE),
    AccountTemplate(
        ACCUMULATED_SURPLUS, "Thặng dư (thâm hụt) lũy kế", "Accumulated surplus (deficit)", AccountType.FUND_BALANCE
    ),
    AccountTemplate(CASH_DONATIONS, "Thu tài trợ bằng tiền", "Cash donations", AccountType.REVENUE),
    AccountTemplate(IN_KIND_DONATIONS, "Thu tài trợ bằng hiện vật", "In-kind donations", AccountType.REVENUE),
    AccountTemplate(INTEREST_INCOME, "Thu lãi tiền gửi", "Interest income", AccountType.REVENUE),
    AccountTemplate("611", "Chi học bổng", "Scholarships", AccountType.EXPENSE),
    AccountTemplate("612", "Chi quà Tết", "Tet gifts", AccountType.EXPENSE),
    AccountTemplate("613", "Chi tủ sách, sách", "Bookcases and books", AccountType.EXPENSE),
    AccountTemplate("614", "Chi khen thưởng", "Awards and commendations", AccountType.EXPENSE),
    AccountTemplate("615", "Chi hỗ trợ học sinh khó khăn", "Support for students in difficulty", AccountType.EXPENSE),
    AccountTemplate(RUNNING_COSTS, "Chi hoạt động", "Running costs", AccountType.EXPENSE),
    AccountTemplate(RESULT, "Xác định kết quả hoạt động", "Result of the year", AccountType.FUND_BALANCE),
)

#: How a payment method maps to the asset account it moves.
METHOD_ACCOUNT = {"cash": CASH, "bank": BANK, "in_kind": GOODS}


def parent_code(code: str) -> str:
    """``112.1`` → ``112``: a sub-account inherits its parent's type and limits."""
    return code.split(".", 1)[0]


def signed_net_asset_effect(account_type: AccountType, debit_vnd: int, credit_vnd: int) -> int:
    """How a line changes its fund's net assets (posted balance), in VND.

    Net assets are assets less liabilities; a balanced entry that moves only between
    assets leaves them unchanged, a donation raises them, a scholarship lowers them. A
    liability is owed on its credit side: crediting 338 (an award decided) lowers net assets
    and debiting it (the award paid, or taken back) raises them, the same sign as an asset's.
    """
    if account_type in (AccountType.ASSET, AccountType.LIABILITY):
        return debit_vnd - credit_vnd
    return 0
