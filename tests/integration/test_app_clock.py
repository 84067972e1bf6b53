"""The app under test runs on the suite's fixed clock and hashes passwords at the test cost."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select

from ledger.persistence.models import Association, User
from ledger.reports.trial_balance import trial_balance
from ledger.services.unit_of_work import UnitOfWork
from tests.factories import database, make_user, set_up_books


def test_a_unit_of_work_opened_without_a_clock_reads_the_apps_clock(app: Flask, now: datetime) -> None:
    books = set_up_books(app)
    with UnitOfWork(database(app), write=False) as uow:
        association = uow.session.execute(select(Association).where(Association.code == books.code)).scalar_one()
        assert uow.clock() == now
        assert trial_balance(uow, association).generated_at == now


def test_users_of_the_app_under_test_are_hashed_at_the_test_cost(app: Flask) -> None:
    user_id, _ = make_user(app, None, None)
    with UnitOfWork(database(app), write=False) as uow:
        password_hash = uow.session.execute(select(User.password_hash).where(User.id == user_id)).scalar_one()
    assert password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
