"""``flask disbursements import-csv``: a batch of disbursements from a spreadsheet, through the batch service.

The file is XLSX, or CSV with ``,`` or ``;`` in UTF-8 (a byte order mark, as Excel writes it, is
fine) or Vietnamese Windows-1258, with a header row (``documents/ceremony_sheet.py`` reads it, as
it does the page's upload). Columns, in any order, by their English code or Vietnamese name
("Họ và tên", "Số tiền"; case and accents ignored; other columns are refused so that a typo is
not silently ignored):

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

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ledger.documents.ceremony_sheet import MAX_SHEET_BYTES, SheetUnreadable, read_sheet
from ledger.domain.errors import LedgerError
from ledger.domain.money import format_vnd
from ledger.services import disbursements, users
from ledger.services.access import Actor, Need, authorize
from ledger.services.disbursements import ImportedSpend
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork

disbursements_cli = AppGroup("disbursements", help="Disbursements: importing a batch from a CSV file.")


class LineProblem(Exception):
    """A line of the file cannot be read; nothing is recorded."""

    def __init__(self, line: int, column: str, message: str) -> None:
        super().__init__(f"line {line}: {column}: {message}")


def read_rows(content: bytes) -> list[tuple[int, ImportedSpend]]:
    """The file's lines as (line number, spend); raises ``LineProblem`` on the first unreadable one.

    The page's ceremony upload reads files with the same reader (``documents/ceremony_sheet.py``).
    """
    try:
        rows = read_sheet(content)
    except SheetUnreadable as unreadable:
        raise LineProblem(unreadable.line, unreadable.column, unreadable.message_en) from None
    for row in rows:
        if row.problem is not None:
            raise LineProblem(row.line, row.problem[0], row.problem[1])
    return [(row.line, row.spend) for row in rows if row.spend is not None]


@disbursements_cli.command("import-csv")
@click.option("--association", "association_code", required=True, help="The association's code, e.g. QT-DH.")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV (UTF-8 or Windows-1258) or XLSX.",
)
@click.option("--as-email", "email", required=True, help="The treasurer recording the batch (its maker).")
@click.option("--memo", default="", help="What the batch is, e.g. 'Lễ trao học bổng Hoa Phượng Đỏ 2026'.")
def import_csv(association_code: str, path: Path, email: str, memo: str) -> None:
    """Record every line of a CSV file as one batch of disbursements, all or nothing.

    Columns: fund, kind, paid_from, paid_on, amount; beneficiary_id or beneficiary_name with
    category, school and grade (found in the register, or registered); item, quantity, unit
    for goods; memo. Exits 1 naming the refused line and rule, with nothing written.
    """
    if path.stat().st_size > MAX_SHEET_BYTES:
        click.echo(f"error: {path} is larger than {MAX_SHEET_BYTES // (1024 * 1024)} MiB", err=True)
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
