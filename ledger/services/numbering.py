"""Gapless document numbers per association, kind and year (receipts, vouchers)."""

from __future__ import annotations

from sqlalchemy import select

from ledger.persistence.models import Association, DocumentCounter
from ledger.services.unit_of_work import UnitOfWork

#: The part of a number that names the kind of document (a receipt has none).
DOC_PREFIX = {"receipt": "", "voucher": "PC-"}


def next_number(uow: UnitOfWork, association: Association, doc_type: str, year: int) -> str:
    """The next number, e.g. ``QT-DH-2026-000001`` or ``QT-DH-PC-2026-000001``.

    Taken under the association's writer lock and in the same transaction as the entry
    it numbers: a refused or rolled-back posting gives its number back, so the series
    has no gaps, and a voided document keeps its number forever.
    """
    assert uow.holds_lock(association.id), "numbers are handed out under the ledger lock"
    counter = uow.session.execute(
        select(DocumentCounter)
        .where(
            DocumentCounter.association_id == association.id,
            DocumentCounter.doc_type == doc_type,
            DocumentCounter.year == year,
        )
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if counter is None:
        counter = DocumentCounter(association_id=association.id, doc_type=doc_type, year=year, last_number=0)
        uow.session.add(counter)
    counter.last_number += 1
    return f"{association.code}-{DOC_PREFIX[doc_type]}{year}-{counter.last_number:06d}"
