"""The API's books keep each chart of accounts per process and must still be the books ``Books`` loads."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from ledger.persistence.models import Association
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books, chart_of
from ledger.services.journal import Books
from tests.factories import make_association, work


def _plain(value: Any) -> Any:
    """What an attribute of the books says, with mapped objects reduced to their columns."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if hasattr(value, "__table__"):
        return {column.key: getattr(value, column.key) for column in value.__table__.columns}
    return value


def test_the_apis_books_from_the_kept_chart_hold_the_same_as_books_read_afresh(app: Flask) -> None:
    code = make_association(app)
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
        loaded = Books(uow, association)
        first = authorized_books(uow, Actor.system(), code, Need.READ)
        again = authorized_books(uow, Actor.system(), code, Need.READ)
        for books in (first, again):
            for name, value in vars(loaded).items():
                if name not in ("uow", "association"):
                    assert _plain(getattr(books, name)) == _plain(value), name


def test_a_chart_is_read_once_per_process(app: Flask) -> None:
    code = make_association(app)
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
        first = chart_of(uow, association)
    with work(app) as uow:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one()
        assert chart_of(uow, association) is first
        assert {a.code for a in first} >= {"111", "112", "511", "611", "642"}
