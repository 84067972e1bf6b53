"""``flask demo seed``: a realistic demo from the news the product comes from (Quảng Trị, Đông Hà)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ledger.domain.accounts import BANK, CASH
from ledger.domain.entries import EntryDraft, LineDraft
from ledger.persistence.models import Association
from ledger.services import approvals, associations, disbursements, donations, interest, journal, parties, users
from ledger.services.access import Actor
from ledger.services.funds import FundCommand, create_fund_in
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork

demo_cli = AppGroup("demo", help="Demo data for a newcomer to look at.")

#: Demo logins; the passwords are for a local demo only and are printed on purpose.
DEMO_PASSWORD = "khuyenhoc-demo"
DEMO_USERS = (
    ("admin@khuyenhoc.vn", "Quản trị hệ thống", None, None, True),
    # The names are printed under the signature lines of vouchers and receipts: names only.
    ("thuquy@dongha.khuyenhoc.vn", "Lê Thị Thu Hà", "QT-DH", "treasurer", False),
    ("chutich@dongha.khuyenhoc.vn", "Nguyễn Văn Bình", "QT-DH", "approver", False),
    ("ketoan@dongha.khuyenhoc.vn", "Phạm Thị Mai", "QT-DH", "accountant", False),
    ("kiemtra@quangtri.khuyenhoc.vn", "Trần Minh Đức", "QT", "auditor", False),
)


@dataclass(frozen=True)
class DemoAssociation:
    code: str
    name: str
    level: str
    parent: str | None
    address: str


TREE = (
    DemoAssociation("QT", "Hội Khuyến học tỉnh Quảng Trị", "province", None, "Số 1 Hùng Vương, Đông Hà, Quảng Trị"),
    DemoAssociation("QT-DH", "Hội Khuyến học thành phố Đông Hà", "district", "QT", "Số 8 Lê Lợi, Đông Hà, Quảng Trị"),
    DemoAssociation("QT-DH-P1", "Hội Khuyến học Phường 1", "commune", "QT-DH", "Phường 1, Đông Hà"),
    DemoAssociation("QT-DH-DL", "Hội Khuyến học phường Đông Lương", "commune", "QT-DH", "Phường Đông Lương, Đông Hà"),
    DemoAssociation(
        "QT-DH-P1-THNT", "Ban Khuyến học Trường Tiểu học Nguyễn Trãi", "school", "QT-DH-P1", "Phường 1, Đông Hà"
    ),
)

DONORS = (
    parties.DonorCommand(
        "Công ty Cổ phần Đầu tư Xây dựng Trường Sơn",
        "organisation",
        "Đông Hà, Quảng Trị",
        "3200123456",
        "ketoan@truongson.example",
        None,
        False,
    ),
    parties.DonorCommand(
        "Ngân hàng TMCP Ngoại thương – Chi nhánh Quảng Trị",
        "organisation",
        "Đông Hà, Quảng Trị",
        "0100112437-032",
        None,
        None,
        False,
    ),
    parties.DonorCommand(
        "Nguyễn Thị Hồng Nhung", "person", "Phường 1, Đông Hà", None, "nhung.nguyen@example.vn", None, False
    ),
    parties.DonorCommand("Trần Văn Phúc", "person", "Phường Đông Lương, Đông Hà", None, None, None, True),
    parties.DonorCommand(
        "Hội đồng hương Quảng Trị tại TP. Hồ Chí Minh", "organisation", "TP. Hồ Chí Minh", None, None, None, False
    ),
)


def _work() -> UnitOfWork:
    return UnitOfWork(current_app.extensions["ledger.db"], write=True, clock=current_app.extensions["ledger.clock"])


def seed() -> None:
    """Create the demo tree, users, funds, donors, a year of donations and of spending (runs once).

    The city QT-DH hands out Tet gifts from donated packages, bookcases to schools and Hoa Phượng
    Đỏ scholarships, and one award waits for the chair's approval.
    """
    system = Actor.system()
    with _work() as uow:
        if uow.session.execute(select(Association.id).where(Association.code == "QT")).first():
            return
        for a in TREE:
            associations.create_association(
                uow, system, associations.AssociationCommand(a.code, a.name, a.level, a.parent, a.address)
            )
        for email, name, code, role, admin in DEMO_USERS:
            users.create_user(uow, system, email, DEMO_PASSWORD, name=name, is_admin=admin)
            if code and role:
                users.grant(uow, system, email, code, role)
        city = uow.session.execute(select(Association).where(Association.code == "QT-DH")).scalar_one()
        for preset in ("hoa_phuong_do", "tet_gifts", "bookcases", "school_support", "talent_endowment"):
            from ledger.domain.policy import PRESETS

            create_fund_in(uow, system, city, FundCommand(code=PRESETS[preset].code, preset=preset))
        donor_ids = [parties.create_donor(uow, system, city, d).id for d in DONORS]
        uow.session.flush()
        books = Books(uow, city)
        treasurer_user = users.find_user(uow, "thuquy@dongha.khuyenhoc.vn")
        treasurer = Actor(user_id=treasurer_user.id, email=treasurer_user.email)
        gifts = (
            (
                4,
                "in_kind",
                "QUA-TET",
                45_000_000,
                date(2025, 12, 18),
                (donations.ItemCommand(TET_PACKAGE, 100, "gói", 450_000),),
            ),
            (0, "bank", "TU-SACH", 150_000_000, date(2026, 3, 2), ()),
            (1, "bank", "HOA-PHUONG-DO", 300_000_000, date(2026, 5, 15), ()),
            (2, "cash", "HOA-PHUONG-DO", 1_200_000, date(2026, 6, 1), ()),
            (3, "cash", "DEN-TRUONG", 5_000_000, date(2026, 8, 20), ()),
            (4, "bank", "KHUYEN-TAI", 500_000_000, date(2026, 1, 10), ()),
            (
                0,
                "in_kind",
                "QUA-TET",
                180_000_000,
                date(2026, 11, 2),
                (donations.ItemCommand(TET_PACKAGE, 400, "gói", 450_000),),
            ),
            (2, "cash", "GENERAL", 20_000_000, date(2026, 9, 5), ()),
        )
        for donor_index, method, fund, amount, on, items in gifts:
            # What a treasurer types from the bank's advice or the payer's slip.
            reference = f"Theo UNC số {on:%m%d} ngày {on:%d/%m/%Y}" if method == "bank" else ""
            donations.record_donation(
                uow,
                treasurer,
                books,
                donations.DonationCommand(
                    donor_id=donor_ids[donor_index],
                    fund=fund,
                    method=method,
                    amount_vnd=amount,
                    received_on=on,
                    items=items,
                    memo=DONATION_MEMOS.get(fund, ""),
                    reference=reference,
                ),
            )
        _spending(uow, books)
        uow.commit()


#: What the treasurer wrote on each fund's donations.
DONATION_MEMOS = {
    "HOA-PHUONG-DO": "Ủng hộ Quỹ học bổng Hoa Phượng Đỏ năm học 2026–2027",
    "TU-SACH": "Ủng hộ chương trình Tủ sách khuyến học",
    "DEN-TRUONG": "Giúp học sinh khó khăn đến trường",
}
#: Who supplies and installs the bookcases: the payee, while the school is the beneficiary.
BOOKCASE_SUPPLIER = ("Công ty TNHH Thiết bị Giáo dục Miền Trung", "Số 25 Lý Thường Kiệt, Đông Hà, Quảng Trị")
#: Given names of the pupils' mothers, who receive and sign for them.
_MOTHERS = ("Hoa", "Hương", "Lệ", "Nga", "Thủy", "Tuyết", "Vân", "Yến")

#: The Tet gift package the demo's donors give in kind (one item, valued at its average cost).
TET_PACKAGE = "Gói quà Tết (gạo, bánh chưng, sữa)"

#: Family, middle and given names to make the demo's pupils from (deterministically).
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Hồ", "Võ", "Đặng")
_MIDDLE = ("Thị", "Văn", "Minh", "Ngọc", "Hữu", "Thanh")
_GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Mai", "Nam", "Phúc", "Quỳnh", "Sơn", "Thảo")
_SCHOOLS = (
    ("Trường THCS Nguyễn Trãi", "8"),
    ("Trường THPT Lê Lợi", "11"),
    ("Trường Tiểu học Nguyễn Trãi", "5"),
    ("Trường THCS Trần Hưng Đạo", "7"),
    ("Trường THPT Đông Hà", "12"),
)
_HARDSHIP = ("poor_household", "near_poor", "orphan", "ethnic_minority", "disability")
#: Schools that receive a bookcase on Vietnam Book and Reading Culture Day (21 April).
_BOOKCASE_SCHOOLS = (
    "Trường Tiểu học Nguyễn Trãi",
    "Trường Tiểu học Lê Lợi",
    "Trường Tiểu học Phan Bội Châu",
    "Trường Tiểu học Kim Đồng",
    "Trường THCS Phan Đình Phùng",
    "Trường THCS Nguyễn Du",
)


def _pupils(uow: UnitOfWork, city: Association, count: int, start: int, categories: tuple[str, ...]) -> list[int]:
    ids = []
    for n in range(start, start + count):
        school, grade = _SCHOOLS[n % len(_SCHOOLS)]
        name = f"{_FAMILY[n % len(_FAMILY)]} {_MIDDLE[n % len(_MIDDLE)]} {_GIVEN[(n * 5) % len(_GIVEN)]}"
        # A pupil is a minor: the mother on record receives and signs for the money or gift.
        command = parties.BeneficiaryCommand(
            name=name,
            category=categories[n % len(categories)],
            school=school,
            grade=grade,
            address="Đông Hà",
            guardian_name=f"{_FAMILY[(n + 3) % len(_FAMILY)]} Thị {_MOTHERS[n % len(_MOTHERS)]}",
            guardian_relation="mẹ",
        )
        ids.append(parties.create_beneficiary(uow, Actor.system(), city, command).id)
    return ids


def _spending(uow: UnitOfWork, books: Books) -> None:
    """What the city spent, entered by its treasurer through the same services as the API."""
    city = books.association
    treasurer_user = users.find_user(uow, "thuquy@dongha.khuyenhoc.vn")
    treasurer = Actor(user_id=treasurer_user.id, email=treasurer_user.email)
    chair_user = users.find_user(uow, "chutich@dongha.khuyenhoc.vn")
    chair = Actor(user_id=chair_user.id, email=chair_user.email)

    def approved(batch: disbursements.BatchResult) -> None:
        """A ceremony above its fund's threshold (a batch counts as a whole) is approved by the chair."""
        if any(item.status == "pending" for item in batch.disbursements):
            approvals.approve_batch(uow, chair, books, batch.batch_id)

    spend = disbursements.SpendCommand
    # Tet 2026 (17 February): one gift package for each of 30 pupils in hardship, from the goods.
    tet_pupils = _pupils(uow, city, 30, 0, _HARDSHIP)
    approved(
        disbursements.record_batch(
            uow,
            treasurer,
            books,
            [
                spend(
                    "QUA-TET",
                    "tet_gift",
                    "in_kind",
                    date(2026, 2, 5),
                    beneficiary_id=pupil,
                    items=(disbursements.GoodsPick(TET_PACKAGE, 1, "gói"),),
                )
                for pupil in tet_pupils
            ],
            memo="Trao quà Tết Bính Ngọ 2026 cho học sinh có hoàn cảnh khó khăn",
        )
    )
    # Vietnam Book and Reading Culture Day: a bookcase with books for six primary and lower-secondary schools.
    schools = [
        parties.create_beneficiary(
            uow,
            Actor.system(),
            city,
            parties.BeneficiaryCommand(name=name, category="school", kind="school", address="Đông Hà", is_minor=False),
        ).id
        for name in _BOOKCASE_SCHOOLS
    ]
    approved(
        disbursements.record_batch(
            uow,
            treasurer,
            books,
            [
                spend(
                    "TU-SACH",
                    "bookcase",
                    "bank",
                    date(2026, 4, 21),
                    12_000_000,
                    school,
                    memo="Tủ sách và 300 đầu sách",
                    payee_name=BOOKCASE_SUPPLIER[0],
                    payee_address=BOOKCASE_SUPPLIER[1],
                    reference=f"UNC số {912 + index:04d}",
                )
                for index, school in enumerate(schools)
            ],
            memo="Ngày Sách và Văn hóa đọc Việt Nam 21/4/2026: trao tủ sách cho 6 trường",
        )
    )
    # The Hoa Phượng Đỏ ceremony at the start of the school year: 24 scholarships of 1.500.000 ₫.
    scholars = _pupils(uow, city, 24, 30, (*_HARDSHIP, "excellent_achievement"))
    # Scholarships are handed over in cash at the ceremony: the treasurer draws it from the bank first.
    journal.post_general_entry(
        uow,
        treasurer,
        books,
        EntryDraft(
            entry_on=date(2026, 9, 4),
            memo="Rút tiền gửi ngân hàng về quỹ tiền mặt để trao học bổng",
            kind="general",
            lines=(
                LineDraft(account=CASH, fund="HOA-PHUONG-DO", debit_vnd=36_000_000),
                LineDraft(account=BANK, fund="HOA-PHUONG-DO", credit_vnd=36_000_000),
            ),
        ),
    )
    approved(
        disbursements.record_batch(
            uow,
            treasurer,
            books,
            [spend("HOA-PHUONG-DO", "scholarship", "cash", date(2026, 9, 5), 1_500_000, pupil) for pupil in scholars],
            memo="Lễ trao học bổng Hoa Phượng Đỏ năm học 2026–2027",
        )
    )
    # The talent endowment spends only what it earns: half a year's interest, then a large award
    # above its threshold that waits for the chair to approve it.
    interest.record_interest(
        uow, treasurer, books, interest.InterestCommand("KHUYEN-TAI", 16_000_000, date(2026, 6, 30))
    )
    interest.record_interest(
        uow, treasurer, books, interest.InterestCommand("KHUYEN-TAI", 16_000_000, date(2026, 10, 31))
    )
    olympiad = parties.create_beneficiary(
        uow,
        Actor.system(),
        city,
        parties.BeneficiaryCommand(
            name="Lê Minh Khang",
            category="excellent_achievement",
            school="Trường THPT chuyên Lê Quý Đôn",
            grade="12",
            address="Đông Hà",
        ),
    ).id
    disbursements.record_disbursement(
        uow,
        treasurer,
        books,
        spend(
            "KHUYEN-TAI",
            "award",
            "bank",
            date(2026, 11, 10),
            25_000_000,
            olympiad,
            memo="Thưởng học sinh đạt Huy chương Vàng Olympic Toán học quốc tế",
        ),
    )


@demo_cli.command("seed")
def demo_seed() -> None:
    """A realistic demo: a province, a city, wards, a school board, funds, donors, donations and spending."""
    seed()
    click.echo("demo data is in place")
    click.echo(f"demo logins (password: {DEMO_PASSWORD}):")
    for email, name, code, role, admin in DEMO_USERS:
        click.echo(f"  {email:34} {'admin' if admin else f'{role} of {code}'}  — {name}")
