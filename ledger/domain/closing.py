"""The year-end close as entries (kết chuyển cuối năm): revenue and expenses into the result
(911), the result into each fund's accumulated surplus or deficit (421).

After them every revenue and expense account of every fund is at zero, so the next year's
activities start from nothing, while each fund's net assets are unchanged: the entries only
move amounts between the fund's own revenue, expense and fund-balance accounts. Reopening the
year reverses them (``entries.reversal_of``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ledger.domain.accounts import ACCUMULATED_SURPLUS, RESULT, AccountType
from ledger.domain.entries import EntryDraft, LineDraft

CLOSING_KIND = "closing"


@dataclass(frozen=True, slots=True)
class ClosingBalance:
    """What a revenue or expense account holds for one fund at the end of the year."""

    account: str
    fund: str
    type: AccountType
    #: Debits less credits up to the year's last day (an expense's is positive, a revenue's negative).
    net_debit_vnd: int


def closing_memo(year: int, fund: str) -> str:
    return f"Kết chuyển cuối năm {year}: thu, chi vào kết quả (911) và thặng dư lũy kế (421) của quỹ {fund}"


def closing_entries(year: int, balances: Iterable[ClosingBalance]) -> list[EntryDraft]:
    """One closing entry per fund that has revenue or expenses left, dated the year's last day.

    Each revenue and expense account is brought to zero against 911; 911 is then brought to
    zero against 421 by the fund's surplus (credit) or deficit (debit). Every entry balances
    per fund, as every entry must. Accounts are closed in code order, funds in code order, so
    the same books always give the same entries.
    """
    by_fund: dict[str, list[ClosingBalance]] = defaultdict(list)
    for balance in balances:
        if balance.type not in (AccountType.REVENUE, AccountType.EXPENSE):
            raise ValueError(f"only revenue and expense accounts are closed, not {balance.account} ({balance.type})")
        if balance.net_debit_vnd:
            by_fund[balance.fund].append(balance)
    drafts: list[EntryDraft] = []
    for fund in sorted(by_fund):
        lines: list[LineDraft] = []
        into_result = {AccountType.REVENUE: 0, AccountType.EXPENSE: 0}
        for balance in sorted(by_fund[fund], key=lambda b: (b.type != AccountType.REVENUE, b.account)):
            net = balance.net_debit_vnd
            # The opposite side of what the account holds brings it to zero.
            lines.append(LineDraft(account=balance.account, fund=fund, debit_vnd=max(-net, 0), credit_vnd=max(net, 0)))
            into_result[balance.type] += net
        for account_type in (AccountType.REVENUE, AccountType.EXPENSE):
            net = into_result[account_type]
            if net:
                lines.append(LineDraft(account=RESULT, fund=fund, debit_vnd=max(net, 0), credit_vnd=max(-net, 0)))
        # What 911 now holds for the fund: credit when it had a surplus, debit for a deficit.
        result_net_debit = sum(into_result.values())
        if result_net_debit:
            lines.append(
                LineDraft(
                    account=RESULT, fund=fund, debit_vnd=max(-result_net_debit, 0), credit_vnd=max(result_net_debit, 0)
                )
            )
            lines.append(
                LineDraft(
                    account=ACCUMULATED_SURPLUS,
                    fund=fund,
                    debit_vnd=max(result_net_debit, 0),
                    credit_vnd=max(-result_net_debit, 0),
                )
            )
        drafts.append(
            EntryDraft(
                entry_on=date(year, 12, 31), memo=closing_memo(year, fund), kind=CLOSING_KIND, lines=tuple(lines)
            )
        )
    return drafts
