"""Small callables that make what a test needs: an association, users with tokens, funds, donors."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from ledger.persistence.models import Association
from ledger.services import associations, parties, users
from ledger.services.access import Actor
from ledger.services.funds import FundCommand, create_fund_in
from ledger.services.unit_of_work import Database, UnitOfWork

_counter = itertools.count(1)
SYSTEM = Actor.system()
PASSWORD = "correct horse battery staple"


def unique_code(prefix: str = "T") -> str:
    return f"{prefix}{next(_counter)}-{uuid.uuid4().hex[:6].upper()}"


def database(app: Flask) -> Database:
    db: Database = app.extensions["ledger.db"]
    return db


def work(app: Flask) -> UnitOfWork:
    return UnitOfWork(database(app), clock=app.extensions["ledger.clock"])


def make_association(app: Flask, *, parent: str | None = None, level: str = "district") -> str:
    code = unique_code("HKH")
    with work(app) as uow:
        associations.create_association(
            uow, SYSTEM, associations.AssociationCommand(code, f"Hội Khuyến học {code}", level, parent)
        )
        uow.commit()
    return code


def make_user(app: Flask, association: str | None, role: str | None, *, admin: bool = False) -> tuple[int, str]:
    """A user with ``role`` in ``association``; returns (user id, bearer token)."""
    email = f"{unique_code('u').lower()}@example.vn"
    with work(app) as uow:
        user = users.create_user(uow, SYSTEM, email, PASSWORD, name=f"Người dùng {email}", is_admin=admin)
        if association and role:
            users.grant(uow, SYSTEM, email, association, role)
        token = users.issue_token(uow, SYSTEM, email)
        uow.commit()
        return user.id, token


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def make_fund(app: Flask, association: str, code: str, *, preset: str | None = None, **fields: Any) -> str:
    with work(app) as uow:
        assoc = uow.session.execute(select(Association).where(Association.code == association)).scalar_one()
        create_fund_in(uow, SYSTEM, assoc, FundCommand(code=code, preset=preset, **fields))
        uow.commit()
    return code


def make_donor(app: Flask, association: str, name: str = "Nguyễn Thị Hồng Nhung", **fields: Any) -> int:
    with work(app) as uow:
        assoc = uow.session.execute(select(Association).where(Association.code == association)).scalar_one()
        donor = parties.create_donor(uow, SYSTEM, assoc, parties.DonorCommand(name=name, **fields))
        uow.commit()
        return donor.id


def make_beneficiary(
    app: Flask, association: str, name: str = "Hồ Thị Mai", category: str = "poor_household", **fields: Any
) -> int:
    with work(app) as uow:
        assoc = uow.session.execute(select(Association).where(Association.code == association)).scalar_one()
        beneficiary = parties.create_beneficiary(
            uow, SYSTEM, assoc, parties.BeneficiaryCommand(name=name, category=category, **fields)
        )
        uow.commit()
        return beneficiary.id


@dataclass
class Books:
    """An association set up for a test: its code, a treasurer's token, a donor."""

    code: str
    treasurer: str
    treasurer_id: int
    donor_id: int
    #: A second person: approves what the treasurer may not do alone (a reversal that voids a receipt).
    approver: str = ""


def set_up_books(app: Flask) -> Books:
    code = make_association(app)
    treasurer_id, token = make_user(app, code, "treasurer")
    _, approver = make_user(app, code, "approver")
    return Books(code, token, treasurer_id, make_donor(app, code), approver)


def reverse_in(uow: UnitOfWork, books: Any, seq: int, reason: str, maker: Actor, approver: Actor) -> Any:
    """Reverse entry ``seq`` inside a unit of work: at once, or asked by ``maker`` and approved by ``approver``."""
    from ledger.services import approvals, corrections, journal

    outcome = corrections.reverse(uow, maker, books, seq, reason)
    if outcome.entry is not None:
        return outcome.entry
    assert outcome.request is not None
    done = approvals.approve_request(uow, approver, books, int(outcome.request.id.removeprefix("req-")))
    assert done.outcome is not None
    return journal.get_entry(uow, books, int(done.outcome["reversal_seq"]))


def reverse_approved(
    client: FlaskClient, code: str, seq: int, reason: str, maker: str, approver: str, **extra: Any
) -> dict[str, Any]:
    """Reverse entry ``seq``: the maker asks, a second person approves (when it voids a document).

    Returns the reversal entry.
    """
    asked = client.post(
        f"/api/v1/associations/{code}/entries/{seq}/reverse", json={"reason": reason, **extra}, headers=auth(maker)
    )
    if asked.status_code == 201:
        entry: dict[str, Any] = asked.get_json()
        return entry
    assert asked.status_code == 202, asked.get_json()
    request_id = asked.get_json()["id"]
    decided = client.post(
        f"/api/v1/associations/{code}/approvals/{request_id}/approve", json={}, headers=auth(approver)
    )
    assert decided.status_code == 200, decided.get_json()
    reversal_seq = decided.get_json()["outcome"]["reversal_seq"]
    entry = client.get(f"/api/v1/associations/{code}/entries/{reversal_seq}", headers=auth(maker)).get_json()
    return entry


def donate(
    client: FlaskClient,
    books: Books,
    amount: int,
    *,
    fund: str = "GENERAL",
    method: str = "cash",
    on: str = "2026-11-20",
    **extra: Any,
) -> Any:
    body = {"donor_id": books.donor_id, "fund": fund, "method": method, "amount": amount, "received_on": on, **extra}
    return client.post(f"/api/v1/associations/{books.code}/donations", json=body, headers=auth(books.treasurer))


def spend(
    client: FlaskClient,
    books: Books,
    amount: int,
    *,
    fund: str = "GENERAL",
    paid_from: str = "cash",
    on: str = "2026-11-21",
    kind: str = "operating",
    **extra: Any,
) -> Any:
    """Pay ``amount`` out of ``fund`` as a disbursement (running costs of the general fund by default)."""
    body = {"fund": fund, "kind": kind, "amount": amount, "paid_from": paid_from, "paid_on": on, **extra}
    return client.post(f"/api/v1/associations/{books.code}/disbursements", json=body, headers=auth(books.treasurer))


def move_entry(
    amount: int, *, fund: str = "GENERAL", from_account: str = "111", to_account: str = "112", on: str = "2026-11-21"
) -> dict[str, Any]:
    """A general entry that moves ``amount`` of a fund from one asset account to another (cash to bank)."""
    return {
        "date": on,
        "memo": "Nộp tiền mặt vào ngân hàng",
        "lines": [
            {"account": to_account, "fund": fund, "debit": amount},
            {"account": from_account, "fund": fund, "credit": amount},
        ],
    }


def row_counts(app: Flask) -> dict[str, int]:
    """How many rows each table holds: a refused request must leave every count as it was."""
    from ledger.persistence.models import Base

    with work(app) as uow:
        return {
            name: uow.session.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


#: Stands for the day after the app's today in a parametrized body: the app's clock is known
#: only inside the test (``LEDGER_TEST_NOW``), so a table of cases cannot spell the date.
TOMORROW = "<tomorrow>"


def dated(body: dict[str, Any], today: date) -> dict[str, Any]:
    """``body`` with each ``TOMORROW`` replaced by the ISO date of the day after ``today``."""
    tomorrow = (today + timedelta(days=1)).isoformat()
    return {key: tomorrow if value == TOMORROW else value for key, value in body.items()}
