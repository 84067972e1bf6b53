"""A generated journal for the statements' tests: donations (cash, bank, goods), pledges, spending of
every kind (goods too), transfers between funds, interest and reversals, posted straight through
``post_entries`` so that thousands of entries take a second or two."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select

from ledger.domain.entries import EntryDraft, LineDraft
from ledger.persistence.models import Association
from ledger.services.journal import Books as JournalBooks
from ledger.services.journal import post_entries
from tests.factories import Books, make_fund, set_up_books, work

FUNDS = ("GENERAL", "HPD", "TET")
EXPENSES = ("611", "612", "613", "614", "615", "642")
#: Goods keep one value per unit, so that their average cost stays a whole number of đồng.
GOODS = {"Gói quà Tết": 450_000, "Bộ sách giáo khoa": 180_000}


@dataclass
class Generated:
    books: Books
    entries: int
    #: The first and last dates used.
    first: date
    last: date


def generate(app: Flask, entries: int, *, seed: int = 17, start: date = date(2025, 1, 2)) -> Generated:
    """Post ``entries`` random entries, dated in order from ``start`` (about 16 a day), never
    overdrawing a cash, bank or goods pair; about one in twenty reverses an earlier entry."""
    books = set_up_books(app)
    make_fund(app, books.code, "HPD", preset="hoa_phuong_do")
    make_fund(app, books.code, "TET", name="Quà Tết", restriction="unrestricted", purpose="Quà Tết cho học sinh")
    rng = random.Random(seed)
    held: dict[tuple[str, str], int] = defaultdict(int)
    goods: dict[tuple[str, str], int] = defaultdict(int)
    drafts: list[EntryDraft] = []
    reversible: list[int] = []
    on = start

    def keep(draft: EntryDraft) -> None:
        for line in draft.lines:
            if line.account in ("111", "112", "156"):
                held[(line.account, line.fund)] += line.debit_vnd - line.credit_vnd
            if line.account == "156" and line.item and line.quantity:
                goods[(line.fund, line.item)] += line.quantity if line.debit_vnd else -line.quantity
        drafts.append(draft)

    while len(drafts) < entries:
        # About 16 entries a day: 10,000 entries from January 2025 end in mid-2026, before any "today" of the suite.
        if rng.random() < 0.06:
            on += timedelta(days=1)
        fund = rng.choice(FUNDS)
        roll = rng.random()
        if roll < 0.05 and reversible:
            seq = reversible.pop(rng.randrange(len(reversible)))
            original = drafts[seq - 1]
            lines = tuple(
                LineDraft(
                    account=line.account,
                    fund=line.fund,
                    debit_vnd=line.credit_vnd,
                    credit_vnd=line.debit_vnd,
                    quantity=line.quantity,
                    unit=line.unit,
                    item=line.item,
                )
                for line in original.lines
            )
            if all(
                held[(line.account, line.fund)] >= line.credit_vnd
                for line in lines
                if line.account in ("111", "112", "156")
            ) and all(
                goods[(line.fund, line.item)] >= (line.quantity or 0)
                for line in lines
                if line.account == "156" and line.credit_vnd and line.item
            ):
                keep(EntryDraft(on, f"Đảo bút toán {seq}", "reversal", lines, reverses_seq=seq))
            continue
        if roll < 0.45:
            method = rng.choice(("111", "112", "156"))
            if method == "156":
                item = rng.choice(list(GOODS))
                qty = rng.randint(1, 20)
                value = qty * GOODS[item]
                lines = (
                    LineDraft(account="156", fund=fund, debit_vnd=value, quantity=qty, unit="bộ", item=item),
                    LineDraft(account="512", fund=fund, credit_vnd=value, quantity=qty, unit="bộ", item=item),
                )
            else:
                amount = rng.randint(1, 500) * 10_000
                lines = (
                    LineDraft(account=method, fund=fund, debit_vnd=amount),
                    LineDraft(account="511", fund=fund, credit_vnd=amount),
                )
            keep(EntryDraft(on, f"Ủng hộ quỹ {fund} =cmd|' /C calc'!A0", "donation", lines))
        elif roll < 0.5:
            amount = rng.randint(1, 100) * 100_000
            lines = (
                LineDraft(account="138", fund=fund, debit_vnd=amount),
                LineDraft(account="511", fund=fund, credit_vnd=amount),
            )
            keep(EntryDraft(on, "Cam kết tài trợ", "pledge", lines))
        elif roll < 0.85:
            source = rng.choice(("111", "112", "156"))
            if source == "156":
                stocked = [(item, n) for (f, item), n in goods.items() if f == fund and n > 0]
                if not stocked:
                    continue
                item, n = rng.choice(stocked)
                qty = rng.randint(1, n)
                value = qty * GOODS[item]
                lines = (
                    LineDraft(account="612", fund=fund, debit_vnd=value, quantity=qty, unit="bộ", item=item),
                    LineDraft(account="156", fund=fund, credit_vnd=value, quantity=qty, unit="bộ", item=item),
                )
            else:
                room = held[(source, fund)] // 10_000
                if room < 1:
                    continue
                amount = rng.randint(1, min(room, 300)) * 10_000
                lines = (
                    LineDraft(account=rng.choice(EXPENSES), fund=fund, debit_vnd=amount),
                    LineDraft(account=source, fund=fund, credit_vnd=amount),
                )
            memo = '=HYPERLINK("http://x")' if rng.random() < 0.01 else "Chi cho học sinh"
            keep(EntryDraft(on, memo, "disbursement", lines))
        elif roll < 0.95:
            target = rng.choice([f for f in FUNDS if f != fund])
            account = rng.choice(("111", "112"))
            room = held[(account, fund)] // 10_000
            if room < 1:
                continue
            amount = rng.randint(1, min(room, 100)) * 10_000
            lines = (
                LineDraft(account=account, fund=fund, credit_vnd=amount),
                LineDraft(account="431", fund=fund, debit_vnd=amount),
                LineDraft(account=account, fund=target, debit_vnd=amount),
                LineDraft(account="431", fund=target, credit_vnd=amount),
            )
            keep(EntryDraft(on, f"Điều chuyển {fund} sang {target}", "transfer", lines))
        else:
            amount = rng.randint(1, 50) * 1_000
            lines = (
                LineDraft(account="112", fund=fund, debit_vnd=amount),
                LineDraft(account="515", fund=fund, credit_vnd=amount),
            )
            keep(EntryDraft(on, "Lãi tiền gửi", "interest", lines))
        if drafts[-1].kind != "reversal":
            reversible.append(len(drafts))
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == books.code)).scalar_one()
        journal = JournalBooks(uow, association)
        for start_at in range(0, len(drafts), 2_000):
            post_entries(uow, journal, drafts[start_at : start_at + 2_000], created_by=books.treasurer_id)
        uow.commit()
    return Generated(books, len(drafts), start, on)
