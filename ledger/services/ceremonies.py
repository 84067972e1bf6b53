"""An award ceremony from a spreadsheet: which rows the books would refuse, then all rows or none.

The preview runs the very batch service that posts (``disbursements.import_batch``) in
transactions that are never committed: each run that refuses a row sets that row aside and
runs again without it, so every refusal shown is the one posting would give, by the same rules,
and nothing is ever written by a preview.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ledger.domain.errors import LedgerError
from ledger.services import disbursements
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.disbursements import ImportedSpend, ImportResult
from ledger.services.unit_of_work import UnitOfWork

#: Rows refused in one preview before it stops looking (each costs one run of the batch).
PREVIEW_REFUSALS_MAX = 25


@dataclass(frozen=True)
class RowVerdict:
    #: ``ok``, ``pending`` (waits for an approver) or ``refused``.
    status: str
    rule: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class CeremonyPreview:
    verdicts: tuple[RowVerdict | None, ...]
    total_vnd: int
    #: More rows may be refused than the preview looked for.
    incomplete: bool = False
    #: A refusal of the whole batch rather than of one row.
    general: str | None = None

    @property
    def refused(self) -> int:
        return sum(1 for v in self.verdicts if v is not None and v.status == "refused")


def preview(
    open_uow: Callable[[], UnitOfWork], actor: Actor, code: str, spends: Sequence[ImportedSpend], lang: str
) -> CeremonyPreview:
    """What posting ``spends`` as one batch would do to each of them; writes nothing."""
    refused: dict[int, RowVerdict] = {}
    for _ in range(PREVIEW_REFUSALS_MAX + 1):
        keep = [i for i in range(len(spends)) if i not in refused]
        if not keep:
            return CeremonyPreview(tuple(refused.get(i) for i in range(len(spends))), 0)
        with open_uow() as uow:  # never committed: rolled back on the way out
            books = authorized_books(uow, actor, code, Need.WRITE)
            try:
                result = disbursements.import_batch(uow, actor, books, [spends[i] for i in keep])
            except LedgerError as error:
                index = error.extra.get("index")
                if not isinstance(index, int) or not 0 <= index < len(keep):
                    return CeremonyPreview(
                        tuple(refused.get(i) for i in range(len(spends))), 0, general=error.detail(lang)
                    )
                refused[keep[index]] = RowVerdict("refused", error.extra.get("rule"), error.detail(lang))
                continue
        verdicts: list[RowVerdict | None] = [refused.get(i) for i in range(len(spends))]
        for position, item in zip(keep, result.batch.disbursements, strict=True):
            verdicts[position] = RowVerdict("pending" if item.status == "pending" else "ok")
        return CeremonyPreview(tuple(verdicts), result.batch.total_vnd)
    return CeremonyPreview(tuple(refused.get(i) for i in range(len(spends))), 0, incomplete=True)


def post(uow: UnitOfWork, actor: Actor, code: str, spends: Sequence[ImportedSpend], memo: str) -> ImportResult:
    """Record every row as one batch, all or nothing (the same service as the API's and the CLI's)."""
    books = authorized_books(uow, actor, code, Need.WRITE)
    return disbursements.import_batch(uow, actor, books, list(spends), memo)
