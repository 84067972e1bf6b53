"""``flask disbursements import-csv``: a batch of disbursements from a spreadsheet, through the batch service.

The file is UTF-8 (a byte order mark, as Excel writes it, is fine) with a header row. Columns,
in any order (names are case-insensitive; other columns are refused so that a typo is not
silently ignored):

* ``fund``, ``kind``, ``paid_from`` (cash, bank, in_kind), ``paid_on`` (``2026-09-05`` or
  ``05/09/2026``) — required;
* ``amount`` in whole đồng (``1500000``, ``1.500.000`` or ``1,500,000``) — required for cash
  and bank, may be left empty for goods (they are valued at average cost);
* the beneficiary: ``beneficiary_id``, or ``beneficiary_name`` (or ``name``) with ``category``,
  ``school`` and ``grade``. A named beneficiary is the one registered with the same name,
  school and grade (Unicode-normalised, case and spacing ignored), and is registered with
  that category when there is none; an ambiguous name or a category that contradicts the
  register refuses the line. When both an id and a name are given, the id is used;
* for goods: ``item``, ``quantity``, ``unit``;
* ``memo`` — optional.

All lines are recorded as one batch, all or nothing, by the same service as
``POST …/disbursements/batch``. On a refusal the command names the line and the rule and
exits 1 with nothing written; a file it cannot read exits 2.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ledger.domain.errors import LedgerError
from ledger.domain.money import format_vnd
from ledger.domain.policy import BENEFICIARY_CATEGORIES
from ledger.services import disbursements, users
from ledger.services.access import Actor, Need, authorize
from ledger.services.disbursements import GoodsPick, ImportedSpend, NamedBeneficiary, SpendCommand
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork

disbursements_cli = AppGroup("disbursements", help="Disbursements: importing a batch from a CSV file.")

#: A batch is at most 1,000 lines; a file this size holds many more than that.
MAX_CSV_BYTES = 4 * 1024 * 1024
REQUIRED_COLUMNS = ("fund", "kind", "paid_from", "paid_on")
OPTIONAL_COLUMNS = (
    "amount",
    "beneficiary_id",
    "beneficiary_name",
    "name",
    "category",
    "school",
    "grade",
    "item",
    "quantity",
    "unit",
    "memo",
)
_AMOUNT = re.compile(r"[0-9]+|[0-9]{1,3}([., \u00a0])[0-9]{3}(?:\1[0-9]{3})*")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_VN_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


class LineProblem(Exception):
    """A line of the file cannot be read; nothing is recorded."""

    def __init__(self, line: int, column: str, message: str) -> None:
        super().__init__(f"line {line}: {column}: {message}")


def _amount(text: str) -> int | None:
    if not text:
        return None
    if not _AMOUNT.fullmatch(text):
        raise ValueError("must be a whole number of đồng, e.g. 1500000 or 1.500.000")
    return int(re.sub(r"[^0-9]", "", text))


def _date(text: str) -> date:
    iso = _ISO_DATE.fullmatch(text)
    vn = _VN_DATE.fullmatch(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif vn:
        day, month, year = (int(g) for g in vn.groups())
    else:
        raise ValueError("must be a date written 2026-09-05 or 05/09/2026")
    return date(year, month, day)


def _whole(text: str, what: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise ValueError(f"{what} must be a whole number")
    return int(text)


def read_rows(content: bytes) -> list[tuple[int, ImportedSpend]]:
    """The file's lines as (line number, spend); raises ``LineProblem`` on the first unreadable one."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LineProblem(1, "file", f"is not UTF-8 (byte {error.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown {', '.join(unknown)} (known: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)})")
        raise LineProblem(1, "header", "; ".join(problems))
    reader.fieldnames = header
    rows: list[tuple[int, ImportedSpend]] = []
    for raw in reader:
        line = reader.line_num
        if len(rows) >= disbursements.MAX_BATCH_ITEMS:
            raise LineProblem(line, "file", f"a batch has at most {disbursements.MAX_BATCH_ITEMS} lines")
        cell = {key: (value or "").strip() for key, value in raw.items() if key is not None}
        if None in raw:
            raise LineProblem(line, "line", "has more cells than the header has columns")
        column = ""
        try:
            column = "amount"
            amount = _amount(cell.get("amount", ""))
            column = "paid_on"
            paid_on = _date(cell["paid_on"])
            column = "beneficiary_id"
            beneficiary_id = _whole(cell.get("beneficiary_id", ""), "beneficiary_id")
            column = "quantity"
            quantity = _whole(cell.get("quantity", ""), "quantity")
        except ValueError as error:
            raise LineProblem(line, column, str(error)) from None
        name = cell.get("beneficiary_name") or cell.get("name") or ""
        named = None
        if beneficiary_id is None and name:
            category = cell.get("category", "")
            if category not in BENEFICIARY_CATEGORIES:
                raise LineProblem(line, "category", f"must be one of {', '.join(BENEFICIARY_CATEGORIES)}")
            named = NamedBeneficiary(name, category, cell.get("school", ""), cell.get("grade", ""))
        items: tuple[GoodsPick, ...] = ()
        if cell.get("item") or quantity is not None:
            items = (GoodsPick(cell.get("item", ""), quantity or 0, cell.get("unit", "")),)
        command = SpendCommand(
            fund=cell["fund"],
            kind=cell["kind"],
            paid_from=cell["paid_from"],
            paid_on=paid_on,
            amount_vnd=amount,
            beneficiary_id=beneficiary_id,
            items=items,
            memo=cell.get("memo", ""),
        )
        rows.append((line, ImportedSpend(command, named)))
    if not rows:
        raise LineProblem(1, "file", "has no lines after the header")
    return rows


@disbursements_cli.command("import-csv")
@click.option("--association", "association_code", required=True, help="The association's code, e.g. QT-DH.")
@click.option(
    "--file", "path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="UTF-8 CSV."
)
@click.option("--as-email", "email", required=True, help="The treasurer recording the batch (its maker).")
@click.option("--memo", default="", help="What the batch is, e.g. 'Lễ trao học bổng Hoa Phượng Đỏ 2026'.")
def import_csv(association_code: str, path: Path, email: str, memo: str) -> None:
    """Record every line of a CSV file as one batch of disbursements, all or nothing.

    Columns: fund, kind, paid_from, paid_on, amount; beneficiary_id or beneficiary_name with
    category, school and grade (found in the register, or registered); item, quantity, unit
    for goods; memo. Exits 1 naming the refused line and rule, with nothing written.
    """
    if path.stat().st_size > MAX_CSV_BYTES:
        click.echo(f"error: {path} is larger than {MAX_CSV_BYTES // (1024 * 1024)} MiB", err=True)
        sys.exit(2)
    try:
        numbered = read_rows(path.read_bytes())
    except LineProblem as problem:
        click.echo(f"error: {problem}; nothing was recorded", err=True)
        sys.exit(2)
    lines = [line for line, _ in numbered]
    try:
        with UnitOfWork(current_app.extensions["ledger.db"], clock=current_app.extensions["ledger.clock"]) as uow:
            user = users.find_user(uow, email)
            actor = Actor(user_id=user.id, is_admin=user.is_admin, email=user.email)
            books = Books(uow, authorize(uow, actor, association_code, Need.WRITE))
            result = disbursements.import_batch(uow, actor, books, [spend for _, spend in numbered], memo)
            uow.commit()
    except LedgerError as error:
        _refused(error, lines)
        sys.exit(1)
    batch = result.batch
    posted = [d for d in batch.disbursements if d.status == "posted"]
    pending = [d for d in batch.disbursements if d.status == "pending"]
    click.echo(
        f"batch {batch.batch_id} recorded for {association_code}: {batch.count} disbursements, "
        f"{format_vnd(batch.total_vnd)} from {len(lines)} lines"
    )
    if posted:
        click.echo(f"  posted: {len(posted)}, vouchers {posted[0].voucher_number} … {posted[-1].voucher_number}")
    if pending:
        click.echo(f"  waiting for approval: {len(pending)} (ids {', '.join(str(d.id) for d in pending)})")
    if result.created_beneficiaries:
        click.echo(f"  beneficiaries registered: {result.created_beneficiaries}")


def _refused(error: LedgerError, lines: list[int]) -> None:
    index = error.extra.get("index")
    where = f"line {lines[index]}" if isinstance(index, int) and 0 <= index < len(lines) else "the file"
    rule = error.extra.get("rule")
    why = f"{error.code}" + (f", rule {rule}" if rule else "")
    click.echo(f"{where} refused ({why}): {error.detail('vi')}", err=True)
    click.echo(f"  {error.detail('en')}", err=True)
    for field, problems in (error.errors or {}).items():
        click.echo(f"  {field}: {problems}", err=True)
    click.echo("nothing was recorded", err=True)
