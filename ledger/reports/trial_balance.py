"""The trial balance of one association, read from the materialised balances (never from history)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ledger.domain.chain import GENESIS_HASH
from ledger.persistence.models import Account, Association, Balance, Fund, LedgerHead
from ledger.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class TrialBalanceRow:
    """One (account, fund) balance, on the side it stands: exactly one of debit/credit is non-zero."""

    account: str
    account_name: str
    account_name_en: str
    account_type: str
    fund: str
    debit_vnd: int
    credit_vnd: int


@dataclass(frozen=True)
class TrialBalance:
    association: str
    head_seq: int
    head_hash: str
    generated_at: datetime
    rows: tuple[TrialBalanceRow, ...]

    @property
    def total_debit_vnd(self) -> int:
        return sum(row.debit_vnd for row in self.rows)

    @property
    def total_credit_vnd(self) -> int:
        return sum(row.credit_vnd for row in self.rows)

    def as_json(self) -> dict[str, Any]:
        """The report shape of API.md: ``rows`` of ``{account, fund, debit, credit}`` and ``totals``."""
        return {
            "association": self.association,
            "period": {"from": None, "to": None, "as_of": self.generated_at.date().isoformat()},
            "generated_at": self.generated_at.isoformat(),
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "rows": [
                {
                    "account": row.account,
                    "account_name": row.account_name,
                    "account_name_en": row.account_name_en,
                    "account_type": row.account_type,
                    "fund": row.fund,
                    "debit": row.debit_vnd,
                    "credit": row.credit_vnd,
                }
                for row in self.rows
            ],
            "totals": {"debit": self.total_debit_vnd, "credit": self.total_credit_vnd},
        }


def trial_balance(
    uow: UnitOfWork, association: Association, *, clock: Callable[[], datetime] | None = None
) -> TrialBalance:
    """Every non-zero (account, fund) balance of ``association`` in account then fund code order.

    Read from the ``balances`` table kept in the posting transaction, so the cost depends on
    the size of the chart, not of the journal (goods items of one account and fund are added
    up). The chain head is read in the same statement, so on PostgreSQL's read committed the
    rows and ``head_seq`` describe the same moment: the balance after entry ``head_seq``.
    """
    net = func.sum(Balance.net_debit_vnd)
    rows = uow.session.execute(
        select(
            Account.code,
            Account.name,
            Account.name_en,
            Account.type,
            Fund.code,
            net,
            LedgerHead.head_seq,
            LedgerHead.head_hash,
        )
        .join(Account, Account.id == Balance.account_id)
        .join(Fund, Fund.id == Balance.fund_id)
        .join(LedgerHead, LedgerHead.association_id == Balance.association_id)
        .where(Balance.association_id == association.id)
        .group_by(
            Account.code,
            Account.name,
            Account.name_en,
            Account.type,
            Fund.code,
            LedgerHead.head_seq,
            LedgerHead.head_hash,
        )
        .order_by(Account.code, Fund.code)
    ).all()
    if rows:
        head_seq, head_hash = int(rows[0][6]), str(rows[0][7])
    else:
        head = uow.session.get(LedgerHead, association.id)
        head_seq, head_hash = (head.head_seq, head.head_hash) if head is not None else (0, GENESIS_HASH)
    out = []
    for code, name, name_en, account_type, fund, net_debit, _seq, _hash in rows:
        amount = int(net_debit or 0)
        if amount == 0:
            continue
        out.append(
            TrialBalanceRow(
                account=code,
                account_name=name,
                account_name_en=name_en,
                account_type=account_type,
                fund=fund,
                debit_vnd=max(amount, 0),
                credit_vnd=max(-amount, 0),
            )
        )
    return TrialBalance(association.code, head_seq, head_hash, (clock or uow.clock)(), tuple(out))
