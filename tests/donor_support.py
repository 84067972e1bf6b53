"""A donor with an account, gifts to a restricted scholarship fund and to the general fund, and
what the scholarship fund paid out in 2026: shared by the donor page tests and the browser test."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from ledger.services import users
from ledger.services.access import Actor
from tests.factories import PASSWORD, auth, make_donor, make_fund, reverse_approved, unique_code, work
from tests.spending_support import Office, disburse, give, open_office, pupil, spend_body

SYSTEM = Actor.system()


@dataclass(frozen=True)
class DonorScene:
    office: Office
    #: The donor's own login (role ``donor`` for ``office.donor_id``).
    user_id: int
    email: str
    token: str
    #: The donor's receipts: two valid to the scholarship fund, one to the general fund, one void
    #: (replaced by ``replacement``).
    hpd: tuple[str, str]
    general: str
    void: str
    replacement: str
    #: Another donor of the same association, and one of their receipts.
    other_donor: int
    others_receipt: str
    pupils: tuple[str, ...]


def sign_in(client: FlaskClient, user_id: int) -> None:
    """A signed-in browser session (Flask-Login's own session keys)."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True


def donor_scene(app: Flask, client: FlaskClient) -> DonorScene:
    office = open_office(app)
    make_fund(app, office.code, "HPD", preset="hoa_phuong_do")
    email = f"{unique_code('donor').lower()}@example.vn"
    with work(app) as uow:
        user_id = users.create_user(uow, SYSTEM, email, PASSWORD, name="Nguyễn Thị Hồng Nhung").id
        users.grant(uow, SYSTEM, email, office.code, "donor", donor_id=office.donor_id)
        token = users.issue_token(uow, SYSTEM, email)
        uow.commit()
    # A gift of the year before, so that the fund can pay in 2025 too (that payment is not 2026's).
    give(client, office, 2_000_000, fund="HPD", on="2025-11-01")
    first = give(client, office, 6_000_000, fund="HPD", on="2026-02-10")["receipt"]["number"]
    second = give(client, office, 4_000_000, fund="HPD", on="2026-08-20")["receipt"]["number"]
    general = give(client, office, 1_000_000, on="2026-03-03")["receipt"]["number"]
    wrong = give(client, office, 500_000, on="2026-04-04")
    reason = "Thủ quỹ Trần Văn Hùng ghi nhầm số tiền"
    reverse_approved(client, office.code, wrong["entry"]["seq"], reason, office.treasurer, office.approver)
    right = client.post(
        office.url("/donations"),
        json={
            "donor_id": office.donor_id,
            "fund": "GENERAL",
            "method": "bank",
            "amount": 5_000_000,
            "received_on": "2026-04-05",
            "replaces": wrong["receipt"]["number"],
        },
        headers=auth(office.treasurer),
    ).get_json()["receipt"]["number"]
    names = ("Hồ Thị Mai", "Lê Văn Bình")
    mai, binh = (pupil(app, office, name=name) for name in names)
    for body in (
        spend_body("HPD", 1_500_000, mai, paid_on="2026-09-05"),
        spend_body("HPD", 1_000_000, binh, paid_on="2026-09-06"),
        spend_body("HPD", 500_000, mai, kind="award", paid_on="2026-10-01"),
        spend_body("HPD", 700_000, binh, paid_on="2025-12-01"),
    ):
        response = disburse(client, office, body)
        assert response.status_code == 201, response.get_json()
    other = make_donor(app, office.code, "Công ty TNHH Sao Mai", kind="organisation")
    others = client.post(
        office.url("/donations"),
        json={"donor_id": other, "fund": "HPD", "method": "bank", "amount": 9_000_000, "received_on": "2026-05-05"},
        headers=auth(office.treasurer),
    ).get_json()["receipt"]["number"]
    return DonorScene(
        office, user_id, email, token, (first, second), general, wrong["receipt"]["number"], right, other, others, names
    )
