"""Gapless document numbers per association, kind and year (receipts, vouchers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import insert, update

from ledger.persistence.models import Association, DocumentCounter
from ledger.services.unit_of_work import UnitOfWork

#: The part of a number that names the kind of document (a receipt has none).
DOC_PREFIX = {"receipt": "", "voucher": "PC-"}


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
    table = DocumentCounter.table()
    counters = table.c
    issued: dict[int, int] = {}
    for year, count in wanted.items():
        last = uow.session.execute(
            update(table)
            .where(
                counters.association_id == association.id,
                counters.doc_type == doc_type,
                counters.year == year,
            )
            .values(last_number=counters.last_number + count)
            .returning(counters.last_number)
        ).scalar_one_or_none()
        if last is None:
            uow.session.execute(
                insert(table),
                {"association_id": association.id, "doc_type": doc_type, "year": year, "last_number": count},
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
