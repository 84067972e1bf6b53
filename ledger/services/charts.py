"""Each association's chart of accounts, read once per process: the API loads its books without reading it again.

Accounts are never updated nor deleted; the standard ones are created with the association
(``services/associations.py``) and sub-accounts (``611.1``) may be added later (``add_account``),
which moves the association's ``chart_version`` on in the same transaction. A process keeps
what it read keyed on that version, and the association is read with every request, so every
request of every process sees the chart the database holds. Funds change (new funds, new
policies) and are read per request, as is everything about who may do what.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime

from sqlalchemy import bindparam, select, update

from ledger.domain.accounts import parent_code
from ledger.domain.errors import NotFound, ValidationFailed
from ledger.domain.events import AccountCreated
from ledger.persistence.models import Account, Association, Fund
from ledger.services.access import Actor, Need, check_access
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork

#: Charts kept per process, the oldest dropped first beyond this (15 accounts each).
CHARTS_KEPT_MAX = 2_000

#: Keyed by the association's id and creation instant (an id that SQLite hands out again
#: after a rolled-back creation does not find the chart of the association that never was)
#: and its chart's version.
_charts: dict[tuple[int, datetime, int], tuple[Account, ...]] = {}
_lock = threading.Lock()


def chart_of(uow: UnitOfWork, association: Association) -> tuple[Account, ...]:
    """The association's accounts, as objects of no session (read them, never change them)."""
    key = (association.id, association.created_at, association.chart_version)
    chart = _charts.get(key)
    if chart is not None:
        return chart
    rows = uow.session.execute(select(Account.table()).where(Account.association_id == association.id)).mappings()
    chart = tuple(Account(**row) for row in rows)
    if chart:
        with _lock:
            while len(_charts) >= CHARTS_KEPT_MAX:
                del _charts[next(iter(_charts))]
            _charts[key] = chart
    return chart


#: Built once: every API request on an association's books runs it.
_BOOKS = (
    select(Association, Fund)
    .outerjoin(Fund, Fund.association_id == Association.id)
    .where(Association.code == bindparam("code"))
)


def authorized_books(uow: UnitOfWork, actor: Actor, code: str, need: Need) -> Books:
    """The books of association ``code`` if the actor may ``need`` them (see ``access.authorize``).

    The association and its funds come in one statement, the chart from ``chart_of``: an API
    request reads its books with one query instead of three.
    """
    rows = uow.session.execute(_BOOKS, {"code": code}).all()
    if not rows:
        raise NotFound("hội", "association")
    association = rows[0][0]
    check_access(uow, actor, association, need)
    return Books(
        uow, association, accounts=chart_of(uow, association), funds=(fund for _, fund in rows if fund is not None)
    )


#: A sub-account: its parent's three digits, then one to three levels of one to three digits.
SUB_ACCOUNT_CODE = re.compile(r"[0-9]{3}(\.[0-9]{1,3}){1,3}")
ACCOUNT_NAME_MAX_CHARS = 200


def add_account(uow: UnitOfWork, actor: Actor, books: Books, code: str, name: str, name_en: str = "") -> Account:
    """Add a sub-account under a standard account (``611.1`` under 611, for one programme's
    scholarships): it takes its parent's type and limits, so every rule that holds for 611
    holds for it, and the year-end close closes it with the others."""
    association = books.association
    errors: dict[str, list[str]] = {}
    parent = books.accounts.get(parent_code(code))
    if SUB_ACCOUNT_CODE.fullmatch(code) is None:
        errors["code"] = ["a sub-account's code is its parent's code, a dot and digits, e.g. 611.1"]
    elif parent is None:
        errors["code"] = [f"no account {parent_code(code)} to add it under"]
    elif code in books.accounts:
        errors["code"] = ["this account exists already"]
    if not name.strip() or len(name) > ACCOUNT_NAME_MAX_CHARS or len(name_en) > ACCOUNT_NAME_MAX_CHARS:
        errors["name"] = [f"1 to {ACCOUNT_NAME_MAX_CHARS} characters"]
    if errors or parent is None:
        raise ValidationFailed(
            "Tài khoản chi tiết không hợp lệ: xem chi tiết trong errors.",
            "The sub-account is not valid: see errors.",
            errors=errors,
        )
    uow.lock_ledger(association.id)
    account = Account(
        association_id=association.id,
        code=code,
        name=name.strip(),
        name_en=name_en.strip() or parent.name_en,
        type=parent.type,
        non_negative=parent.non_negative,
        holds_goods=parent.holds_goods,
    )
    uow.session.add(account)
    uow.session.execute(
        update(Association).where(Association.id == association.id).values(chart_version=Association.chart_version + 1)
    )
    uow.session.flush()
    uow.emit(AccountCreated(by=actor, association_id=association.id, code=code, name=account.name))
    return account
