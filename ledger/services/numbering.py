"""Gapless document numbers per association, kind and year (receipts, and vouchers of each kind)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import bindparam, insert, update

from ledger.domain.vouchers import VOUCHER_KINDS
from ledger.persistence.models import Association, DocumentCounter
from ledger.services.unit_of_work import UnitOfWork

#: The part of a number that names the kind of document (a receipt has none); a voucher's
#: counter is named by its series (``PC``, ``UNC``, ``PX``, ``PT``: migration 0005).
DOC_PREFIX = {"receipt": "", **{series: f"{series}-" for series in VOUCHER_KINDS}}

_COUNTERS = DocumentCounter.table()
#: Built once: it runs under the ledger lock on every donation.
_MOVE_ON = (
    update(_COUNTERS)
    .where(
        _COUNTERS.c.association_id == bindparam("association"),
        _COUNTERS.c.doc_type == bindparam("doc_type_"),
        _COUNTERS.c.year == bindparam("year_"),
    )
    .values(last_number=_COUNTERS.c.last_number + bindparam("count"))
    .returning(_COUNTERS.c.last_number)
)
_FIRST = insert(_COUNTERS)


def next_numbers(uow: UnitOfWork, association: Association, doc_type: str, years: Sequence[int]) -> list[str]:
    """The next numbers, one per year given, in order, e.g. ``QT-DH-2026-000001`` or ``QT-DH-PC-2026-000001``.

    Taken under the association's writer lock and in the same transaction as the entries
    they number: a refused or rolled-back posting gives its numbers back, so the series has
    no gaps, and a voided document keeps its number forever. Each year's counter is moved
    on once for the whole batch, by one ``UPDATE … RETURNING`` (one statement per year, the
    only one of a single donation), or created by an ``INSERT`` the first time in a year.
    """
    assert uow.holds_lock(association.id), "numbers are handed out under the ledger lock"
    wanted = Counter(years)
    connection = uow.session.connection()
    issued: dict[int, int] = {}
    for year, count in wanted.items():
        last = connection.execute(
            _MOVE_ON, {"association": association.id, "doc_type_": doc_type, "year_": year, "count": count}
        ).scalar_one_or_none()
        if last is None:
            connection.execute(
                _FIRST, {"association_id": association.id, "doc_type": doc_type, "year": year, "last_number": count}
            )
            last = count
        issued[year] = last - count
    numbers: list[str] = []
    for year in years:
        issued[year] += 1
        numbers.append(f"{association.code}-{DOC_PREFIX[doc_type]}{year}-{issued[year]:06d}")
    return numbers


def next_number(uow: UnitOfWork, association: Association, doc_type: str, year: int) -> str:
    """The next number of ``doc_type`` in ``year`` (see ``next_numbers``)."""
    return next_numbers(uow, association, doc_type, [year])[0]
