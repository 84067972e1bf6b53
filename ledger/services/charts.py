"""Each association's chart of accounts, read once per process: the API loads its books without reading it again.

A chart never changes once its association exists: the accounts are created with the
association (``services/associations.py``) and nothing updates or deletes them. So a process
may keep what it read, and every request of every process still sees the same chart as the
database holds. Funds change (new funds, new policies) and are read per request, as is
everything about who may do what. A service that ever adds accounts to an existing
association must give each chart a version kept with the association and key this cache on
it, so that the other processes see the new account on their next request.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import bindparam, select

from ledger.domain.errors import NotFound
from ledger.persistence.models import Account, Association, Fund
from ledger.services.access import Actor, Need, check_access
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork

#: Charts kept per process, the oldest dropped first beyond this (15 accounts each).
CHARTS_KEPT_MAX = 2_000

#: Keyed by the association's id and creation instant: an id that SQLite hands out again
#: after a rolled-back creation does not find the chart of the association that never was.
_charts: dict[tuple[int, datetime], tuple[Account, ...]] = {}
_lock = threading.Lock()


def chart_of(uow: UnitOfWork, association: Association) -> tuple[Account, ...]:
    """The association's accounts, as objects of no session (read them, never change them)."""
    key = (association.id, association.created_at)
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
