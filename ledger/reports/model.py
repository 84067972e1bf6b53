"""What every statement is made of, whatever its format: who, which period, at which chain head, columns and rows.

One shape for all reports, so that JSON, CSV, XLSX and PDF are written by one renderer each
(``ledger/documents/report_files.py``, ``ledger/documents/report_pdf.py``) and say the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select

from ledger.domain.accounts import DEBIT_NORMAL, parent_code
from ledger.persistence.models import Account, Association, Fund
from ledger.services.unit_of_work import UnitOfWork

ColumnKind = Literal["text", "money", "number", "date"]


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its JSON key, Vietnamese and English headers, what it holds, its width in
    characters (XLSX) and whether the A4 PDF shows it (wide reports show fewer there)."""

    key: str
    vi: str
    en: str
    kind: ColumnKind = "text"
    width: int = 14
    pdf: bool = True
    #: A shorter header for the narrow PDF column, when the full one does not fit.
    short: str = ""


@dataclass
class Report:
    """A statement of one association (or a subtree, for a consolidation).

    ``rows`` are the JSON rows (API.md shapes); ``totals`` the sums of the money columns that
    add up. ``rows`` may be any iterable: a streamed book is read once, by one renderer.
    """

    name: str
    title_vi: str
    title_en: str
    association: str
    association_name: str
    association_address: str
    period_from: date | None
    period_to: date | None
    as_of: date | None
    generated_at: datetime
    head_seq: int
    head_hash: str
    columns: tuple[Column, ...]
    rows: Iterable[dict[str, Any]]
    totals: dict[str, Any] = field(default_factory=dict)
    #: Facts beside the table (a verification's verdict, the members of a consolidation).
    extra: dict[str, Any] = field(default_factory=dict)
    #: The CSV records of ``rows`` written by a faster path of the report's own (the general
    #: ledger's), used instead of writing ``rows`` one by one; the same bytes.
    csv_records: Callable[[], Iterator[bytes]] | None = None

    def period_json(self) -> dict[str, str | None]:
        return {
            "from": self.period_from.isoformat() if self.period_from else None,
            "to": self.period_to.isoformat() if self.period_to else None,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }

    def as_json(self) -> dict[str, Any]:
        """API.md's report shape: ``{association, period, generated_at, head_seq, head_hash, rows, totals}``."""
        return {
            **self.json_head(),
            "rows": [plain(row) for row in self.rows],
            "totals": self.totals,
        }

    def json_head(self) -> dict[str, Any]:
        """Everything of :meth:`as_json` but the rows and totals (a streamed JSON writes those after)."""
        return {
            "report": self.name,
            "association": self.association,
            "association_name": self.association_name,
            "period": self.period_json(),
            "generated_at": self.generated_at.isoformat(),
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "columns": [{"key": c.key, "vi": c.vi, "en": c.en, "kind": c.kind} for c in self.columns],
            **self.extra,
        }

    def period_label(self) -> str:
        """``01/01/2026 – 31/12/2026`` or ``đến ngày / as of 05/12/2026``."""
        if self.period_from or self.period_to:
            start = f"{self.period_from:%d/%m/%Y}" if self.period_from else "…"
            end = f"{self.period_to:%d/%m/%Y}" if self.period_to else "…"
            return f"{start} – {end}"
        if self.as_of:
            return f"đến ngày / as of {self.as_of:%d/%m/%Y}"
        return ""

    def filename(self, extension: str) -> str:
        when = self.as_of or self.period_to
        return f"{self.association}-{self.name}{'-' + when.isoformat() if when else ''}.{extension}"


def plain(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in row.items()}


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    code: str
    name: str
    name_en: str
    type: str

    @property
    def debit_normal(self) -> bool:
        return self.type in {t.value for t in DEBIT_NORMAL}

    @property
    def parent(self) -> str:
        return parent_code(self.code)


@dataclass(frozen=True, slots=True)
class FundInfo:
    id: int
    code: str
    name: str
    restriction: str


@dataclass(frozen=True)
class Chart:
    """An association's accounts and funds by id, read once per report."""

    accounts: dict[int, AccountInfo]
    funds: dict[int, FundInfo]

    @classmethod
    def read(cls, uow: UnitOfWork, association_id: int) -> Chart:
        accounts = uow.session.execute(
            select(Account.id, Account.code, Account.name, Account.name_en, Account.type)
            .where(Account.association_id == association_id)
            .order_by(Account.code)
        )
        funds = uow.session.execute(
            select(Fund.id, Fund.code, Fund.name, Fund.restriction)
            .where(Fund.association_id == association_id)
            .order_by(Fund.code)
        )
        return cls({row[0]: AccountInfo(*row) for row in accounts}, {row[0]: FundInfo(*row) for row in funds})

    def sorted_funds(self) -> Iterator[FundInfo]:
        return iter(sorted(self.funds.values(), key=lambda fund: fund.code))


def association_by_code(uow: UnitOfWork, code: str) -> Association | None:
    return uow.session.execute(select(Association).where(Association.code == code)).scalar_one_or_none()
