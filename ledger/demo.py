"""``flask demo seed``: a realistic demo from the news the product comes from (Quảng Trị, Đông Hà)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ledger.persistence.models import Association
from ledger.services import associations, donations, parties, users
from ledger.services.access import Actor
from ledger.services.funds import FundCommand, create_fund_in
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork

demo_cli = AppGroup("demo", help="Demo data for a newcomer to look at.")

#: Demo logins; the passwords are for a local demo only and are printed on purpose.
DEMO_PASSWORD = "khuyenhoc-demo"
DEMO_USERS = (
    ("admin@khuyenhoc.vn", "Quản trị hệ thống", None, None, True),
    ("thuquy@dongha.khuyenhoc.vn", "Lê Thị Thu Hà (thủ quỹ)", "QT-DH", "treasurer", False),
    ("chutich@dongha.khuyenhoc.vn", "Nguyễn Văn Bình (chủ tịch)", "QT-DH", "approver", False),
    ("kiemtra@quangtri.khuyenhoc.vn", "Trần Minh Đức (ban kiểm tra tỉnh)", "QT", "auditor", False),
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
    """Create the demo tree, users, funds, donors and a year of donations (idempotent: runs once)."""
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
        gifts = (
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
                (donations.ItemCommand("Gói quà Tết (gạo, bánh chưng, sữa)", 400, "gói", 450_000),),
            ),
            (2, "cash", "GENERAL", 20_000_000, date(2026, 9, 5), ()),
        )
        for donor_index, method, fund, amount, on, items in gifts:
            donations.record_donation(
                uow,
                system,
                books,
                donations.DonationCommand(
                    donor_id=donor_ids[donor_index],
                    fund=fund,
                    method=method,
                    amount_vnd=amount,
                    received_on=on,
                    items=items,
                ),
            )
        uow.commit()


@demo_cli.command("seed")
def demo_seed() -> None:
    """A realistic demo: a province, a city, wards, a school board, funds, donors and donations."""
    seed()
    click.echo("demo data is in place")
    click.echo(f"demo logins (password: {DEMO_PASSWORD}):")
    for email, name, code, role, admin in DEMO_USERS:
        click.echo(f"  {email:34} {'admin' if admin else f'{role} of {code}'}  — {name}")
