"""``flask ledger export`` and ``flask ledger report``: the journal and the statements written to a file.

A long run shows a progress bar with an estimate on a terminal (tqdm) and stays quiet on a
pipe or in a log, where a bar would be noise.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

import click
from flask import current_app
from tqdm import tqdm

from ledger.cli import ledger_cli
from ledger.documents.report_files import iter_report_csv, report_xlsx
from ledger.documents.report_pdf import render_report_pdf
from ledger.reports import catalogue, downloads, plaintext
from ledger.reports.downloads import ReportQuery, Runtime
from ledger.services.access import Actor


def runtime() -> Runtime:
    return Runtime(current_app.extensions["ledger.db"], current_app.extensions["ledger.clock"])


def progress_bar(total: int | None, unit: str) -> Any:
    """A bar on a terminal (standard error), nothing when it is not one."""
    return tqdm(total=total, unit=unit, unit_scale=True, disable=not sys.stderr.isatty(), file=sys.stderr)


def _day(_ctx: Any, _param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("a date written YYYY-MM-DD") from None


@ledger_cli.command("export")
@click.option("--association", "code", required=True, help="The association whose journal to write.")
@click.option("--from", "from_on", callback=_day, help="First date (YYYY-MM-DD); earlier balances are brought forward.")
@click.option("--to", "to_on", callback=_day, help="Last date (YYYY-MM-DD).")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default stdout).")
def ledger_export(code: str, from_on: date | None, to_on: date | None, output: IO[str]) -> None:
    """Write the journal as an hledger / ledger-cli file: `hledger -f FILE balance` gives the trial balance."""
    rt = runtime()
    query = ReportQuery(format="hledger", from_on=from_on, to_on=to_on)
    bar = progress_bar(None, "entries")

    def produce(uow: Any, association: Any, head: Any) -> Iterator[bytes]:
        bar.total = plaintext.entry_count(uow, association, from_on, to_on)
        for part in plaintext.iter_journal(
            uow, association, from_on=from_on, to_on=to_on, head=head, progress=bar.update
        ):
            yield part.encode("utf-8")

    try:
        for chunk in downloads.run_stream(rt, Actor.system(), code, "journal", query, produce):
            output.write(chunk.decode("utf-8"))
    finally:
        bar.close()


@ledger_cli.command("report")
@click.option("--association", "code", required=True)
@click.option("--report", "name", type=click.Choice(sorted(catalogue.REPORTS)), required=True)
@click.option("--format", "fmt", type=click.Choice(("csv", "xlsx", "pdf", "json")), default="csv", show_default=True)
@click.option("--as-of", "as_of", callback=_day, help="The date of a point-in-time report (default today).")
@click.option("--from", "from_on", callback=_day)
@click.option("--to", "to_on", callback=_day)
@click.option("--output", type=click.File("wb"), required=True)
def ledger_report(
    code: str, name: str, fmt: str, as_of: date | None, from_on: date | None, to_on: date | None, output: IO[bytes]
) -> None:
    """Write one statement to a file (the API's ``…/reports/<report>?format=…``)."""
    query = ReportQuery(format=fmt, as_of=as_of, from_on=from_on, to_on=to_on)
    tree = name in catalogue.TREE_REPORTS
    report = downloads.run(runtime(), Actor.system(), code, name, query, catalogue.builder(name, query), tree=tree)
    if fmt == "json":
        output.write(json.dumps(report.as_json(), ensure_ascii=False, indent=1).encode("utf-8"))
    elif fmt == "csv":
        for chunk in iter_report_csv(report):
            output.write(chunk)
    elif fmt == "xlsx":
        output.write(report_xlsx(report))
    else:
        output.write(render_report_pdf(report))
