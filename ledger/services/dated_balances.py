"""Balances on an entry's own date, read only for drafts dated before the journal's last day.

A draft dated on or after the last day anything was posted on changes no past day: the usual
check (the balance now, reservations counted) is the whole check, and this module reads
nothing (``LedgerState.last_entry_on``, read with the writer lock, says so). A backdated draft
reads the movements dated after it of the positions it takes from (one grouped query) and must
leave every day from its own on non-negative (``domain/dated.py``), in money and goods.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, case, func, select

from ledger.domain.dated import Movement, balance_at, lowest_from
from ledger.domain.entries import EntryDraft
from ledger.domain.errors import InsufficientFunds, InsufficientGoods, LedgerError
from ledger.domain.posting import ChartFacts
from ledger.persistence.models import Balance, JournalEntry, JournalLine
from ledger.services.unit_of_work import UnitOfWork

#: (account id, fund id, goods item or "").
Key = tuple[int, int, str]


class Later:
    """The stored balance now and the movements after some day, per position."""

    def __init__(self, now: dict[Key, tuple[int, int]], movements: dict[Key, list[Movement]]) -> None:
        self.now = now
        self.movements = movements

    def after(self, key: Key, day: date) -> list[Movement]:
        return [m for m in self.movements.get(key, []) if m.on > day]

    def lowest_from(self, key: Key, day: date) -> tuple[int, int]:
        net, quantity = self.now.get(key, (0, 0))
        return lowest_from(net, quantity, self.after(key, day))

    def on(self, key: Key, day: date) -> tuple[int, int]:
        """(value, quantity) at the end of ``day``."""
        net, quantity = self.now.get(key, (0, 0))
        return balance_at(net, quantity, self.after(key, day))

    def add(self, key: Key, day: date, net_vnd: int, quantity: int) -> None:
        """Count a draft accepted earlier in the same request."""
        net, count = self.now.get(key, (0, 0))
        self.now[key] = (net + net_vnd, count + quantity)
        self.movements.setdefault(key, []).append(Movement(day, net_vnd, quantity))
        self.movements[key].sort(key=lambda m: m.on)


def read_later(uow: UnitOfWork, association_id: int, keys: set[Key], after: date) -> Later:
    """The balance now and the per-day movements dated after ``after`` of ``keys``."""
    accounts = sorted({k[0] for k in keys})
    funds = sorted({k[1] for k in keys})
    stored = uow.session.execute(
        select(Balance.account_id, Balance.fund_id, Balance.item, Balance.net_debit_vnd, Balance.quantity).where(
            Balance.association_id == association_id, Balance.account_id.in_(accounts), Balance.fund_id.in_(funds)
        )
    )
    now = {(a, f, i): (net, quantity) for a, f, i, net, quantity in stored if (a, f, i) in keys}
    line, entry = JournalLine, JournalEntry
    signed_quantity = case(
        (line.debit_vnd > 0, func.coalesce(line.quantity, 0)), else_=-func.coalesce(line.quantity, 0)
    )
    item = func.coalesce(line.item, "")
    rows = uow.session.execute(
        select(
            entry.entry_on,
            line.account_id,
            line.fund_id,
            item,
            func.sum(line.debit_vnd - line.credit_vnd),
            func.sum(signed_quantity),
        )
        .join(entry, and_(entry.association_id == line.association_id, entry.seq == line.seq))
        .where(
            line.association_id == association_id,
            line.account_id.in_(accounts),
            line.fund_id.in_(funds),
            entry.entry_on > after,
        )
        .group_by(entry.entry_on, line.account_id, line.fund_id, item)
        .order_by(entry.entry_on)
    )
    movements: dict[Key, list[Movement]] = defaultdict(list)
    for on, account_id, fund_id, goods, net, quantity in rows:
        key = (account_id, fund_id, goods or "")
        if key in keys:
            movements[key].append(Movement(on, int(net or 0), int(quantity or 0)))
    return Later(now, dict(movements))


def check_on_their_dates(
    uow: UnitOfWork,
    association_id: int,
    drafts: Sequence[EntryDraft],
    last_entry_on: date | None,
    chart: ChartFacts,
) -> None:
    """Refuse a backdated draft that is not covered on its own date or that would make any later
    day's balance of cash, bank or goods negative."""
    if last_entry_on is None or all(d.entry_on >= last_entry_on for d in drafts):
        return
    facts = {code: (a.id, a.holds_goods, a.non_negative) for code, a in chart.accounts.items()}
    fund_ids = chart.funds
    batch = len(drafts) > 1
    keys: set[Key] = set()
    for draft in drafts:
        for line in draft.lines:
            account_id, goods, non_negative = facts[line.account]
            if non_negative:
                keys.add((account_id, fund_ids[line.fund], (line.item or "") if goods else ""))
    if not keys:
        return
    later = read_later(uow, association_id, keys, min(d.entry_on for d in drafts))
    codes = {facts[code][0]: code for code in facts}
    funds = {fund_id: code for code, fund_id in fund_ids.items()}
    for index, draft in enumerate(drafts):
        deltas: dict[Key, tuple[int, int]] = {}
        for line in draft.lines:
            account_id, goods, non_negative = facts[line.account]
            if not non_negative:
                continue
            key = (account_id, fund_ids[line.fund], (line.item or "") if goods else "")
            net, quantity = deltas.get(key, (0, 0))
            signed = (line.quantity or 0) if line.debit_vnd else -(line.quantity or 0)
            deltas[key] = (net + line.debit_vnd - line.credit_vnd, quantity + (signed if goods else 0))
        for key, (net, quantity) in sorted(deltas.items()):
            if net >= 0 and quantity >= 0:
                continue
            lowest_net, lowest_quantity = later.lowest_from(key, draft.entry_on)
            error: LedgerError | None = None
            if quantity < 0 and lowest_quantity + quantity < 0:
                error = InsufficientGoods(codes[key[0]], funds[key[1]], key[2], max(lowest_quantity, 0), -quantity)
            elif net < 0 and lowest_net + net < 0:
                error = InsufficientFunds(codes[key[0]], funds[key[1]], max(lowest_net, 0), -net, key[2])
            if error is not None:
                error.extra["rule"] = "balance_on_date"
                error.extra["date"] = draft.entry_on.isoformat()
                error.message_vi += f" (số dư tính theo ngày {draft.entry_on:%d/%m/%Y} và mọi ngày sau đó)"
                error.message_en += f" (the balance on {draft.entry_on.isoformat()} and on every day after it)"
                if batch:
                    error.extra["index"] = index
                raise error
        for key, (net, quantity) in deltas.items():
            later.add(key, draft.entry_on, net, quantity)
