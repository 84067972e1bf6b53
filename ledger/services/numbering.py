"""Gapless document numbers per association, kind and year (receipts, vouchers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select

from ledger.persistence.models import Association, DocumentCounter
from ledger.services.unit_of_work import UnitOfWork

#: The part of a number that names the kind of document (a receipt has none).
DOC_PREFIX = {"receipt": "", "voucher": "PC-"}


def next_numbers(uow: UnitOfWork, association: Association, doc_type: str, years: Sequence[int]) -> list[str]:
    """The next numbers, one per year given, in order, e.g. ``QT-DH-2026-000001`` or ``QT-DH-PC-2026-000001``.

    Taken under the association's writer lock and in the same transaction as the entries
    they number: a refused or rolled-back posting gives its numbers back, so the series has
    no gaps, and a voided document keeps its number forever. A batch of 300 vouchers reads
    and writes each year's counter once.
    """
    assert uow.holds_lock(association.id), "numbers are handed out under the ledger lock"
    wanted = Counter(years)
    counters = {
        c.year: c
        for c in uow.session.execute(
            select(DocumentCounter)
            .where(
                DocumentCounter.association_id == association.id,
                DocumentCounter.doc_type == doc_type,
                DocumentCounter.year.in_(list(wanted)),
            )
            .execution_options(populate_existing=True)
        ).scalars()
    }
    issued: dict[int, int] = {}
    for year in wanted:
        counter = counters.get(year)
        if counter is None:
            counter = DocumentCounter(association_id=association.id, doc_type=doc_type, year=year, last_number=0)
            uow.session.add(counter)
        issued[year] = counter.last_number
        counter.last_number += wanted[year]
    numbers: list[str] = []
    for year in years:
        issued[year] += 1
        numbers.append(f"{association.code}-{DOC_PREFIX[doc_type]}{year}-{issued[year]:06d}")
    return numbers


def next_number(uow: UnitOfWork, association: Association, doc_type: str, year: int) -> str:
    """The next number of ``doc_type`` in ``year`` (see ``next_numbers``)."""
    return next_numbers(uow, association, doc_type, [year])[0]
