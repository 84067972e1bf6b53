"""A city association's year, through the services: donations into four funds, a 300-scholarship
ceremony, 458 Tet gifts from donated goods, 17 bookcases, and two spends the policies refuse.
The fund balances afterwards are checked against a table worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from ledger.domain.errors import PurposeViolation
from ledger.domain.policy import PRESETS
from ledger.persistence.models import Account, Association, Balance, Disbursement, Fund
from ledger.services import approvals, disbursements, donations, funds, interest, parties, verification
from ledger.services.access import Actor
from ledger.services.disbursements import GoodsPick, SpendCommand
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork
from tests.factories import SYSTEM, make_association, make_donor, make_fund, make_user, row_counts, work

PACKAGE = "Gói quà Tết (gạo, bánh chưng, sữa)"
HARDSHIP = ("poor_household", "near_poor", "orphan", "ethnic_minority", "disability")

#: Worked out by hand. Hoa Phượng Đỏ: 300 + 150 + 50 million in, 300 × 1.5 million out.
#: Tet gifts: 300 packages at 450.000 and 200 at 500.000 (500 worth 235 million, 470.000 each on
#: average), 458 handed out = 215.260.000, leaving 42 worth 19.740.000. Bookcases: 250 million in,
#: 17 × 12 million = 204 million out. Talent endowment: 1.000 million principal, 40 million
#: interest, two awards of 15 million.
EXPECTED_FUNDS = {
    "GENERAL": 0,
    "HOA-PHUONG-DO": 50_000_000,
    "QUA-TET": 19_740_000,
    "TU-SACH": 46_000_000,
    "KHUYEN-TAI": 1_010_000_000,
}
#: (account, fund) → (net debit balance, goods held); accounts with no balance are left out.
EXPECTED_ACCOUNTS = {
    ("112", "HOA-PHUONG-DO"): (50_000_000, 0),
    ("511", "HOA-PHUONG-DO"): (-500_000_000, 0),
    ("611", "HOA-PHUONG-DO"): (450_000_000, 0),
    ("156", "QUA-TET"): (19_740_000, 42),
    ("512", "QUA-TET"): (-235_000_000, 0),
    ("612", "QUA-TET"): (215_260_000, 0),
    ("112", "TU-SACH"): (46_000_000, 0),
    ("511", "TU-SACH"): (-250_000_000, 0),
    ("613", "TU-SACH"): (204_000_000, 0),
    ("112", "KHUYEN-TAI"): (1_010_000_000, 0),
    ("511", "KHUYEN-TAI"): (-1_000_000_000, 0),
    ("515", "KHUYEN-TAI"): (-40_000_000, 0),
    ("614", "KHUYEN-TAI"): (30_000_000, 0),
}


def _books(uow: UnitOfWork, code: str) -> Books:
    return Books(uow, uow.session.execute(select(Association).where(Association.code == code)).scalar_one())


def _register(app: Flask, code: str, count: int, categories: tuple[str, ...], kind: str = "student") -> list[int]:
    with work(app) as uow:
        books = _books(uow, code)
        ids = [
            parties.create_beneficiary(
                uow,
                SYSTEM,
                books.association,
                parties.BeneficiaryCommand(
                    name=f"Người thụ hưởng {kind} số {n}",
                    category=categories[n % len(categories)],
                    kind=kind,
                    school="Trường THCS Nguyễn Trãi" if kind == "student" else "",
                    grade=str(6 + n % 4) if kind == "student" else "",
                    is_minor=kind == "student",
                ),
            ).id
            for n in range(count)
        ]
        uow.commit()
    return ids


def _donate(
    app: Flask, code: str, donor: int, fund: str, method: str, amount: int, on: date, items: tuple = ()
) -> None:
    with work(app) as uow:
        donations.record_donation(
            uow, SYSTEM, _books(uow, code), donations.DonationCommand(donor, fund, method, amount, on, items)
        )
        uow.commit()


def _batch(app: Flask, code: str, commands: list[SpendCommand], memo: str) -> disbursements.BatchResult:
    """Record a batch; a ceremony above its fund's threshold is then approved by the chair in one decision."""
    with work(app) as uow:
        result = disbursements.record_batch(uow, SYSTEM, _books(uow, code), commands, memo)
        uow.commit()
    if not any(d.status == "pending" for d in result.disbursements):
        return result
    chair_id, _ = make_user(app, code, "approver")
    with work(app) as uow:
        approved = approvals.approve_batch(uow, Actor(user_id=chair_id), _books(uow, code), result.batch_id)
        uow.commit()
    decided = {r.disbursement.id: r.disbursement for r in approved}
    return replace(result, disbursements=[decided.get(d.id, d) for d in result.disbursements])


def _refused_alone(app: Flask, code: str, command: SpendCommand) -> PurposeViolation:
    before = row_counts(app)
    with work(app) as uow, pytest.raises(PurposeViolation) as caught:
        disbursements.record_disbursement(uow, SYSTEM, _books(uow, code), command)
    assert row_counts(app) == before
    return caught.value


def test_a_city_year_of_donations_and_spending_ends_with_the_hand_computed_balances(app: Flask) -> None:
    code = make_association(app)
    for preset in ("hoa_phuong_do", "tet_gifts", "bookcases", "talent_endowment"):
        make_fund(app, code, PRESETS[preset].code, preset=preset)
    company = make_donor(app, code, "Công ty Cổ phần Đầu tư Xây dựng Trường Sơn", kind="organisation")
    bank = make_donor(app, code, "Ngân hàng TMCP Ngoại thương – Chi nhánh Quảng Trị", kind="organisation")
    person = make_donor(app, code, "Nguyễn Thị Hồng Nhung")

    # Donations into four funds, two of them in kind at different values.
    _donate(app, code, bank, "HOA-PHUONG-DO", "bank", 300_000_000, date(2026, 5, 15))
    _donate(app, code, company, "HOA-PHUONG-DO", "bank", 150_000_000, date(2026, 6, 1))
    _donate(app, code, person, "HOA-PHUONG-DO", "bank", 50_000_000, date(2026, 8, 20))
    _donate(
        app,
        code,
        company,
        "QUA-TET",
        "in_kind",
        135_000_000,
        date(2026, 1, 5),
        (donations.ItemCommand(PACKAGE, 300, "gói", 450_000),),
    )
    _donate(
        app,
        code,
        bank,
        "QUA-TET",
        "in_kind",
        100_000_000,
        date(2026, 1, 12),
        (donations.ItemCommand(PACKAGE, 200, "gói", 500_000),),
    )
    _donate(app, code, company, "TU-SACH", "bank", 250_000_000, date(2026, 3, 2))
    _donate(app, code, bank, "KHUYEN-TAI", "bank", 1_000_000_000, date(2026, 1, 10))
    with work(app) as uow:
        interest.record_interest(
            uow, SYSTEM, _books(uow, code), interest.InterestCommand("KHUYEN-TAI", 40_000_000, date(2026, 6, 30))
        )
        uow.commit()

    # Tet: one package for each of 458 children, valued at the average cost of the holding.
    children = _register(app, code, 458, (*HARDSHIP, "difficult_circumstances"))
    gifts = _batch(
        app,
        code,
        [
            SpendCommand(
                "QUA-TET", "tet_gift", "in_kind", date(2026, 2, 5), None, child, (GoodsPick(PACKAGE, 1, "gói"),)
            )
            for child in children
        ],
        "Trao quà Tết Bính Ngọ 2026",
    )
    assert (gifts.count, gifts.total_vnd) == (458, 215_260_000)
    assert {d.amount_vnd for d in gifts.disbursements} == {470_000}

    # Reading culture day: a bookcase for each of 17 schools.
    schools = _register(app, code, 17, ("school",), kind="school")
    bookcases = _batch(
        app,
        code,
        [SpendCommand("TU-SACH", "bookcase", "bank", date(2026, 4, 21), 12_000_000, school) for school in schools],
        "Ngày Sách và Văn hóa đọc Việt Nam",
    )
    assert (bookcases.count, bookcases.total_vnd) == (17, 204_000_000)

    # The Hoa Phượng Đỏ ceremony: 300 scholarships as one batch.
    scholars = _register(app, code, 300, (*HARDSHIP, "excellent_achievement"))
    ceremony = _batch(
        app,
        code,
        [SpendCommand("HOA-PHUONG-DO", "scholarship", "bank", date(2026, 9, 5), 1_500_000, p) for p in scholars],
        "Lễ trao học bổng Hoa Phượng Đỏ năm học 2026–2027",
    )
    assert (ceremony.count, ceremony.total_vnd) == (300, 450_000_000)
    assert all(d.status == "posted" for d in ceremony.disbursements)

    # Running costs may not come out of the scholarship fund.
    operating = SpendCommand("HOA-PHUONG-DO", "operating", "bank", date(2026, 9, 6), 2_000_000)
    assert _refused_alone(app, code, operating).rule == "allowed_kinds"

    # The endowment pays two awards out of its 40 million of interest, then no more than is left.
    olympians = _register(app, code, 2, ("excellent_achievement",))
    awards = _batch(
        app,
        code,
        [SpendCommand("KHUYEN-TAI", "award", "bank", date(2026, 10, 1), 15_000_000, o) for o in olympians],
        "Khen thưởng học sinh giỏi quốc gia",
    )
    assert awards.count == 2
    beyond = SpendCommand("KHUYEN-TAI", "scholarship", "bank", date(2026, 10, 2), 10_000_001, olympians[0])
    refusal = _refused_alone(app, code, beyond)
    assert (refusal.rule, refusal.extra["income"], refusal.extra["spent"]) == (
        "endowment_income",
        40_000_000,
        30_000_000,
    )

    with work(app) as uow:
        books = _books(uow, code)
        posted = {f.code: f.posted_balance_vnd for f in funds.list_funds(uow, books.association)}
        assert posted == EXPECTED_FUNDS
        accounts = {
            (account, fund): (net, quantity)
            for account, fund, net, quantity in uow.session.execute(
                select(Account.code, Fund.code, Balance.net_debit_vnd, Balance.quantity)
                .join(Account, Account.id == Balance.account_id)
                .join(Fund, Fund.id == Balance.fund_id)
                .where(Balance.association_id == books.association.id)
            )
            if net or quantity
        }
        assert accounts == EXPECTED_ACCOUNTS
        vouchers = sorted(
            uow.session.execute(
                select(Disbursement.voucher_number).where(Disbursement.association_id == books.association.id)
            ).scalars()
        )
        assert len(vouchers) == 458 + 17 + 300 + 2
        # Each kind of voucher (cash, bank, goods) is numbered from 1 without a gap.
        series: dict[str, list[int]] = {}
        for number in vouchers:
            kind, year, serial = number.removeprefix(f"{code}-").split("-")
            assert year == "2026"
            series.setdefault(kind, []).append(int(serial))
        assert set(series) <= {"PC", "UNC", "PX"} and len(series) > 1
        assert all(serials == list(range(1, len(serials) + 1)) for serials in series.values())
        assert verification.verify_association(uow, books.association).ok
        assert verification.check_balances(uow, books.association) == []
