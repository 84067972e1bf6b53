"""Property tests of the posting service: whatever a treasurer does, the books stay true."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ledger.domain.entries import EntryDraft, LineDraft
from ledger.domain.errors import LedgerError
from ledger.persistence.models import Account, Association, Balance
from ledger.services import disbursements, donations, journal, verification
from ledger.services.access import Actor
from ledger.services.journal import Books
from tests.factories import make_association, make_donor, make_fund, make_user, reverse_in, row_counts, work

FUNDS = ("GENERAL", "TU-SACH")
SYSTEM = Actor.system()


@dataclass(frozen=True)
class Donate:
    fund: str
    method: str
    amount: int


@dataclass(frozen=True)
class Spend:
    fund: str
    account: str
    amount: int


@dataclass(frozen=True)
class Reverse:
    pick: int


@dataclass(frozen=True)
class Unbalanced:
    fund: str
    amount: int


amounts = st.integers(min_value=1, max_value=5_000_000)
operations = st.one_of(
    st.builds(Donate, st.sampled_from(FUNDS), st.sampled_from(["cash", "bank"]), amounts),
    st.builds(Spend, st.sampled_from(FUNDS), st.sampled_from(["111", "112"]), amounts),
    st.builds(Reverse, st.integers(min_value=0, max_value=50)),
    st.builds(Unbalanced, st.sampled_from(FUNDS), amounts),
)


def snapshot(app: Flask, association_id: int) -> tuple[dict[str, int], list[tuple[int, int, str, int, int, int]]]:
    with work(app) as uow:
        balances = [
            (b.account_id, b.fund_id, b.item, b.net_debit_vnd, b.quantity, b.reserved_vnd)
            for b in uow.session.execute(
                select(Balance)
                .where(Balance.association_id == association_id)
                .order_by(Balance.account_id, Balance.fund_id)
            ).scalars()
        ]
    return row_counts(app), balances


def apply(app: Flask, code: str, donor_id: int, op: object, posted: list[int], people: tuple[Actor, Actor]) -> int:
    """Run one operation through the services in its own unit of work; return the entry seq."""
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
        books = Books(uow, association)
        if isinstance(op, Donate):
            view = donations.record_donation(
                uow,
                SYSTEM,
                books,
                donations.DonationCommand(donor_id, op.fund, op.method, op.amount, date(2026, 11, 2)),
            )
            seq = view.entry.seq
        elif isinstance(op, Spend):
            # Running costs: the general fund allows them, the bookcase fund refuses them.
            paid = disbursements.record_disbursement(
                uow,
                SYSTEM,
                books,
                disbursements.SpendCommand(
                    op.fund, "operating", "cash" if op.account == "111" else "bank", date(2026, 11, 3), op.amount
                ),
            )
            assert paid.entry is not None
            seq = paid.entry.seq
        elif isinstance(op, Reverse):
            if not posted:
                raise LedgerError("không có gì để đảo", "nothing to reverse")
            seq = reverse_in(uow, books, posted[op.pick % len(posted)], "kiểm thử", *people).seq
        else:
            assert isinstance(op, Unbalanced)
            draft = EntryDraft(
                date(2026, 11, 3),
                "lệch",
                "general",
                (LineDraft("111", op.fund, debit_vnd=op.amount), LineDraft("511", op.fund, credit_vnd=op.amount + 1)),
            )
            seq = journal.post_general_entry(uow, SYSTEM, books, draft).seq
        uow.commit()
        return seq


@settings(max_examples=25)
@given(st.lists(operations, min_size=1, max_size=12))
def test_any_sequence_of_operations_keeps_the_books_balanced_chained_and_true(app: Flask, ops: list[object]) -> None:
    code = make_association(app)
    make_fund(app, code, "TU-SACH", preset="bookcases")
    donor_id = make_donor(app, code)
    people = (Actor(user_id=make_user(app, code, "treasurer")[0]), Actor(user_id=make_user(app, code, "approver")[0]))
    with work(app) as uow:
        association_id = uow.session.execute(select(Association.id).where(Association.code == code)).scalar_one()
    posted: list[int] = []
    for op in ops:
        before = snapshot(app, association_id)
        try:
            seq = apply(app, code, donor_id, op, posted, people)
        except LedgerError:
            # A refused operation changes nothing: no row anywhere, no balance.
            assert snapshot(app, association_id) == before
            continue
        posted.append(seq)
        with work(app) as uow:
            association = uow.session.get(Association, association_id)
            assert association is not None
            report = verification.verify_association(uow, association)
            assert report.ok and report.head_seq == len(posted) == seq, report
            assert verification.check_balances(uow, association) == []
            balances = [
                (b.account_id, b.fund_id, b.net_debit_vnd, b.reserved_vnd)
                for b in uow.session.execute(select(Balance).where(Balance.association_id == association_id)).scalars()
            ]
            money = set(
                uow.session.execute(
                    select(Account.id).where(Account.association_id == association_id, Account.non_negative.is_(True))
                ).scalars()
            )
        per_fund: dict[int, int] = defaultdict(int)
        for _, fund_id, net, _ in balances:
            per_fund[fund_id] += net
        # Every fund is a self-balancing set of accounts: its debits equal its credits.
        assert all(net == 0 for net in per_fund.values()), per_fund
        # Cash, bank and goods never go below zero in any fund.
        assert all(net - reserved >= 0 for account_id, _, net, reserved in balances if account_id in money)


@dataclass(frozen=True)
class Disburse:
    amount: int
    paid_from: str


@dataclass(frozen=True)
class Decide:
    pick: int
    approve: bool


#: A scholarship fund whose spends above 2,000,000 ₫ wait for an approver.
SCHOLARSHIPS = {"allowed_kinds": ["scholarship"], "approval_threshold": 2_000_000}

spending = st.one_of(
    st.builds(Donate, st.just("HOC-BONG"), st.sampled_from(["cash", "bank"]), amounts),
    st.builds(Disburse, st.integers(min_value=1, max_value=4_000_000), st.sampled_from(["cash", "bank"])),
    st.builds(Decide, st.integers(min_value=0, max_value=50), st.booleans()),
    st.builds(Reverse, st.integers(min_value=0, max_value=50)),
)


def fund_state(
    app: Flask, association_id: int
) -> tuple[int, int, dict[tuple[int, str], int], dict[tuple[int, str], int]]:
    """(posted, reserved) of HOC-BONG from the materialised balances, and the reservations twice:
    as the balances hold them and as the pending disbursements add up."""
    from ledger.persistence.models import Disbursement, Fund
    from ledger.services.funds import fund_positions

    with work(app) as uow:
        association = uow.session.get(Association, association_id)
        assert association is not None
        fund = uow.session.execute(
            select(Fund).where(Fund.association_id == association_id, Fund.code == "HOC-BONG")
        ).scalar_one()
        posted, reserved = fund_positions(uow, association).get(fund.id, (0, 0))
        held = {
            (b.account_id, b.item): b.reserved_vnd
            for b in uow.session.execute(select(Balance).where(Balance.fund_id == fund.id)).scalars()
            if b.reserved_vnd
        }
        owed: dict[tuple[int, str], int] = defaultdict(int)
        for d in uow.session.execute(
            select(Disbursement).where(Disbursement.fund_id == fund.id, Disbursement.status == "pending")
        ).scalars():
            assert d.reserved_account_id is not None
            owed[(d.reserved_account_id, d.item or "")] += d.reserved_vnd
        return posted, reserved, held, dict(owed)


@settings(max_examples=25)
@given(st.lists(spending, min_size=1, max_size=14))
def test_pending_spends_reserve_exactly_what_they_wait_for_and_never_overcommit(app: Flask, ops: list[object]) -> None:
    from ledger.services import approvals, disbursements
    from tests.factories import make_beneficiary

    code = make_association(app)
    make_fund(app, code, "HOC-BONG", name="Quỹ học bổng", restriction="restricted", policy=SCHOLARSHIPS)
    donor_id = make_donor(app, code)
    student = make_beneficiary(app, code)
    approver_id, _ = make_user(app, code, "approver")
    approver = Actor(user_id=approver_id, email="chutich@example.vn")
    treasurer = Actor(user_id=make_user(app, code, "treasurer")[0], email="thuquy@example.vn")
    with work(app) as uow:
        association_id = uow.session.execute(select(Association.id).where(Association.code == code)).scalar_one()
    effects: dict[int, int] = {}  # entry seq → change of the fund's posted balance
    pending: list[int] = []
    for op in ops:
        before = snapshot(app, association_id)
        try:
            with work(app) as uow:
                books = Books(uow, uow.session.get(Association, association_id))  # type: ignore[arg-type]
                if isinstance(op, Donate):
                    view = donations.record_donation(
                        uow,
                        SYSTEM,
                        books,
                        donations.DonationCommand(donor_id, op.fund, op.method, op.amount, date(2026, 11, 2)),
                    )
                    effects[view.entry.seq] = op.amount
                elif isinstance(op, Disburse):
                    result = disbursements.record_disbursement(
                        uow,
                        SYSTEM,
                        books,
                        disbursements.SpendCommand(
                            "HOC-BONG", "scholarship", op.paid_from, date(2026, 11, 3), op.amount, student
                        ),
                    )
                    if result.entry is None:
                        pending.append(result.disbursement.id)
                    else:
                        effects[result.entry.seq] = -op.amount
                elif isinstance(op, Decide):
                    if not pending:
                        raise LedgerError("không có gì chờ duyệt", "nothing pending")
                    chosen = pending[op.pick % len(pending)]
                    if op.approve:
                        result = approvals.approve(uow, approver, books, chosen)
                        assert result.entry is not None
                        effects[result.entry.seq] = -result.disbursement.amount_vnd
                    else:
                        approvals.reject(uow, approver, books, chosen, "không đủ hồ sơ")
                    pending.remove(chosen)
                else:
                    assert isinstance(op, Reverse)
                    if not effects:
                        raise LedgerError("không có gì để đảo", "nothing to reverse")
                    seq = sorted(effects)[op.pick % len(effects)]
                    reversal = reverse_in(uow, books, seq, "kiểm thử", treasurer, approver)
                    effects[reversal.seq] = -effects[seq]
                uow.commit()
        except LedgerError:
            assert snapshot(app, association_id) == before
            continue
        posted, reserved, held, owed = fund_state(app, association_id)
        # The books agree with a model kept by hand, reservations equal what is pending,
        # and pending spends never promise more than the fund holds.
        assert posted == sum(effects.values())
        assert held == owed and reserved == sum(owed.values())
        assert 0 <= reserved <= posted
