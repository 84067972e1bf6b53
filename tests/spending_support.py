"""What the right-purpose spending tests share: an association with a treasurer and an approver, and short calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ledger.persistence.models import Association, Balance, Disbursement
from tests.factories import auth, make_association, make_beneficiary, make_donor, make_user, row_counts, work


@dataclass
class Office:
    """An association's office: who keeps the books, who approves, a donor to give money."""

    code: str
    treasurer: str
    treasurer_id: int
    approver: str
    approver_id: int
    admin: str
    donor_id: int

    def url(self, path: str) -> str:
        return f"/api/v1/associations/{self.code}{path}"


def open_office(app: Flask) -> Office:
    code = make_association(app)
    treasurer_id, treasurer = make_user(app, code, "treasurer")
    approver_id, approver = make_user(app, code, "approver")
    _, admin = make_user(app, None, None, admin=True)
    return Office(code, treasurer, treasurer_id, approver, approver_id, admin, make_donor(app, code))


def give(
    client: FlaskClient,
    office: Office,
    amount: int,
    *,
    fund: str = "GENERAL",
    method: str = "bank",
    on: str = "2026-01-05",
    items: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "donor_id": office.donor_id,
        "fund": fund,
        "method": method,
        "amount": amount,
        "received_on": on,
    }
    if items is not None:
        body["items"] = items
    response = client.post(office.url("/donations"), json=body, headers=auth(office.treasurer))
    assert response.status_code == 201, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


def spend_body(fund: str, amount: int | None, beneficiary_id: int | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "fund": fund,
        "kind": "scholarship",
        "paid_from": "bank",
        "paid_on": "2026-09-05",
        **extra,
    }
    if amount is not None:
        body["amount"] = amount
    if beneficiary_id is not None:
        body["beneficiary_id"] = beneficiary_id
    return body


def disburse(client: FlaskClient, office: Office, body: dict[str, Any], token: str | None = None) -> Any:
    return client.post(office.url("/disbursements"), json=body, headers=auth(token or office.treasurer))


def balances(client: FlaskClient, office: Office) -> dict[str, tuple[int, int, int]]:
    """(posted balance, reserved, available) per fund, as the API shows them."""
    response = client.get(office.url("/funds"), headers=auth(office.treasurer))
    assert response.status_code == 200
    return {
        f["code"]: (f["posted_balance"], f["reserved"], f["available_balance"]) for f in response.get_json()["items"]
    }


def pupil(app: Flask, office: Office, category: str = "poor_household", name: str = "Hồ Thị Mai") -> int:
    return make_beneficiary(app, office.code, name=name, category=category)


class Snapshot:
    """Row counts and fund balances before a request that must change nothing."""

    def __init__(self, app: Flask, client: FlaskClient, office: Office) -> None:
        self.app, self.client, self.office = app, client, office
        self.counts = row_counts(app)
        self.balances = balances(client, office)

    def unchanged(self) -> None:
        assert row_counts(self.app) == self.counts
        assert balances(self.client, self.office) == self.balances


def refused(response: Any, code: str, rule: str | None = None) -> dict[str, Any]:
    assert response.status_code in (409, 422, 403), response.get_json()
    assert response.mimetype == "application/problem+json"
    problem: dict[str, Any] = response.get_json()
    assert problem["code"] == code, problem
    if rule is not None:
        assert problem["rule"] == rule, problem
    return problem


def stored_reservations(app: Flask, office: Office) -> tuple[int, int]:
    """(sum of Balance.reserved_vnd, sum of pending disbursements' reserved_vnd) of the association."""
    with work(app) as uow:
        association_id = uow.session.execute(select(Association.id).where(Association.code == office.code)).scalar_one()
        on_balances = sum(
            uow.session.execute(select(Balance.reserved_vnd).where(Balance.association_id == association_id)).scalars()
        )
        on_pending = sum(
            uow.session.execute(
                select(Disbursement.reserved_vnd).where(
                    Disbursement.association_id == association_id, Disbursement.status == "pending"
                )
            ).scalars()
        )
        return on_balances, on_pending


def audit_events(app: Flask, office: Office) -> list[tuple[str, str]]:
    """(action, object id) of the association's audit events, oldest first."""
    from ledger.persistence.models import AuditEvent

    with work(app) as uow:
        return [
            (action, object_id)
            for action, object_id in uow.session.execute(
                select(AuditEvent.action, AuditEvent.object_id)
                .join(Association, Association.id == AuditEvent.association_id)
                .where(Association.code == office.code)
                .order_by(AuditEvent.id)
            )
        ]
