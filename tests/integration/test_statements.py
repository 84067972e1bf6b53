"""Statements over a generated journal: the trial balance nets to zero at every date, fund statements
add up to their lines, past dates give past figures, and hledger and ledger-cli agree to the đồng."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import and_, func, select

from ledger.persistence.models import Association, JournalEntry, JournalLine
from ledger.reports import catalogue, downloads, plaintext
from ledger.reports.downloads import ReportQuery, Runtime
from ledger.services.access import Actor
from tests.factories import database
from tests.report_journal import Generated, generate


@pytest.fixture(scope="module")
def journal(app: Flask) -> Generated:
    return generate(app, 10_000)


def report(app: Flask, code: str, name: str, **query: date) -> dict:
    runtime = Runtime(database(app), app.extensions["ledger.clock"])
    asked = ReportQuery(**query)
    return downloads.run(runtime, Actor.system(), code, name, asked, catalogue.builder(name, asked)).as_json()


def lines_up_to(app: Flask, code: str, on: date) -> dict[tuple[str, str], int]:
    """Debits less credits per (account, fund) straight from the journal's lines: what the reports must say."""
    from ledger.persistence.models import Account, Fund

    with downloads.Runtime(database(app), app.extensions["ledger.clock"]).work(write=False) as uow:
        rows = uow.session.execute(
            select(Account.code, Fund.code, func.sum(JournalLine.debit_vnd - JournalLine.credit_vnd))
            .join(
                JournalEntry,
                and_(JournalEntry.association_id == JournalLine.association_id, JournalEntry.seq == JournalLine.seq),
            )
            .join(Account, Account.id == JournalLine.account_id)
            .join(Fund, Fund.id == JournalLine.fund_id)
            .join(Association, Association.id == JournalLine.association_id)
            .where(Association.code == code, JournalEntry.entry_on <= on)
            .group_by(Account.code, Fund.code)
        )
        return {(a, f): int(n) for a, f, n in rows if n}


def test_the_trial_balance_nets_to_zero_and_says_what_the_lines_say_at_every_date(
    app: Flask, journal: Generated
) -> None:
    code = journal.books.code
    for on in (date(2025, 3, 31), date(2025, 6, 15), date(2025, 12, 31), journal.last):
        body = report(app, code, "trial-balance", as_of=on)
        assert body["totals"]["debit"] == body["totals"]["credit"] > 0
        rows = {(r["account"], r["fund"]): r["debit"] - r["credit"] for r in body["rows"]}
        assert rows == lines_up_to(app, code, on), on
    before_anything = report(app, code, "trial-balance", as_of=date(2024, 12, 31))
    assert before_anything["rows"] == [] and before_anything["head_seq"] == journal.entries


def assets(pairs: dict[tuple[str, str], int], fund: str) -> int:
    return sum(n for (a, f), n in pairs.items() if f == fund and a in ("111", "112", "138", "156"))


def test_fund_statements_add_up_and_match_the_lines(app: Flask, journal: Generated) -> None:
    code = journal.books.code
    start, end = date(2025, 4, 1), date(2025, 9, 30)
    body = report(app, code, "fund-balances", from_on=start, to_on=end)
    opening = lines_up_to(app, code, date(2025, 3, 31))
    closing = lines_up_to(app, code, end)
    assert {r["fund"] for r in body["rows"]} == {"GENERAL", "HPD", "TET"}
    for row in body["rows"]:
        fund = row["fund"]
        assert row["opening"] == assets(opening, fund) and row["closing"] == assets(closing, fund)
        assert row["opening"] + row["received"] - row["spent"] + row["transfers"] + row["other"] == row["closing"]
        assert row["other"] == 0, row
        moved = {k: closing.get(k, 0) - opening.get(k, 0) for k in set(closing) | set(opening)}
        assert row["spent"] == sum(n for (a, f), n in moved.items() if f == fund and a.startswith(("6",)))
        assert row["received"] == -sum(n for (a, f), n in moved.items() if f == fund and a.startswith("5"))
        assert row["transfers"] == -moved.get(("431", fund), 0)
    assert sum(row["transfers"] for row in body["rows"]) == 0
    assert body["totals"]["closing"] == sum(row["closing"] for row in body["rows"])


def test_activities_give_the_periods_revenue_and_expenses(app: Flask, journal: Generated) -> None:
    code = journal.books.code
    body = report(app, code, "activities", from_on=date(2025, 1, 1), to_on=date(2025, 12, 31))
    moved = lines_up_to(app, code, date(2025, 12, 31))
    assert body["totals"]["revenue"] == -sum(n for (a, _f), n in moved.items() if a.startswith("5"))
    assert body["totals"]["expense"] == sum(n for (a, _f), n in moved.items() if a.startswith("6"))


@pytest.mark.parametrize("tool", ["hledger", "ledger"])
def test_hledger_and_ledger_read_the_export_and_give_our_trial_balance(
    app: Flask, runner: FlaskCliRunner, journal: Generated, tool: str, tmp_path: Path
) -> None:
    assert shutil.which(tool), f"{tool} is installed by .ci/run (Debian package)"
    code = journal.books.code
    for period in ({}, {"from_on": date(2025, 5, 1), "to_on": date(2025, 10, 31)}):
        path = tmp_path / f"{code}.journal"
        args = ["ledger", "export", "--association", code, "--output", str(path)]
        if period:
            args += ["--from", period["from_on"].isoformat(), "--to", period["to_on"].isoformat()]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        if tool == "hledger":
            command = ["hledger", "-f", str(path), "balance", "--flat", "-N", "-O", "csv"]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            found = {
                account.strip('"'): int(amount.strip('"').replace(" VND", ""))
                for account, amount in (line.split(",", 1) for line in out.splitlines()[1:])
            }
        else:
            fmt = "%(account)\t%(quantity(scrub(display_total)))\n"
            command = ["ledger", "-f", str(path), "balance", "--flat", "--no-total", "--balance-format", fmt]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            found = {account: int(amount) for account, amount in (line.split("\t") for line in out.splitlines())}
        ours = report(app, code, "trial-balance", as_of=period.get("to_on", journal.last))
        expected = {plaintext.account_name(r["account"], r["fund"]): r["debit"] - r["credit"] for r in ours["rows"]}
        assert {k: v for k, v in found.items() if v} == expected, (tool, period)


def rendered(app: Flask, code: str, name: str, fmt: str, **query: date) -> bytes:
    """Report ``name`` in ``fmt`` as the API sends it (books streamed, the others whole)."""
    from ledger.documents.report_files import render_chunks

    runtime = Runtime(database(app), app.extensions["ledger.clock"])
    asked = ReportQuery(format=fmt, **query)
    if name in catalogue.BOOKS:
        today = max(query.values())
        return b"".join(
            downloads.run_stream(runtime, Actor.system(), code, name, asked, catalogue.streamer(name, asked, today))
        )
    report = downloads.run(runtime, Actor.system(), code, name, asked, catalogue.builder(name, asked))
    return b"".join(render_chunks(report, fmt))


def test_json_csv_and_xlsx_of_every_report_hold_the_same_numbers(app: Flask, journal: Generated) -> None:
    import csv
    import io
    import json

    from openpyxl import load_workbook

    code = journal.books.code
    period = {"from_on": date(2025, 6, 1), "to_on": date(2025, 8, 31)}
    names = [n for n in (*catalogue.REPORTS, *catalogue.BOOKS) if n not in ("audit-log", "verification")]
    for name in names:
        body = json.loads(rendered(app, code, name, "json", **period))
        table = list(csv.reader(io.StringIO(rendered(app, code, name, "csv", **period).decode("utf-8-sig"))))
        table = table[table.index([]) + 2 :]
        sheet = load_workbook(io.BytesIO(rendered(app, code, name, "xlsx", **period)), read_only=True).worksheets[0]
        cells = list(sheet.iter_rows(values_only=True))
        cells = cells[next(i for i, row in enumerate(cells) if all(c is None for c in row)) + 2 :]
        rows = body["rows"]
        assert len(table) == len(cells) >= len(rows), name
        money = [(i, c["key"]) for i, c in enumerate(body["columns"]) if c["kind"] in ("money", "number")]
        for row, from_csv, from_xlsx in zip(rows, table, cells, strict=False):
            for i, key in money:
                expected = row[key]
                assert (expected if expected is not None else "") == (int(from_csv[i]) if from_csv[i] else ""), name
                # A spreadsheet row ends at its last cell with a value.
                assert expected == (from_xlsx[i] if i < len(from_xlsx) else None), name
        if name in ("general-journal", "general-ledger"):
            assert len(rows) > 1_000, name


def test_the_general_ledgers_fast_csv_is_the_csv_of_its_rows(app: Flask, journal: Generated) -> None:
    """The API's general ledger CSV takes the export's own path (COPY on PostgreSQL): the same bytes
    as writing its rows one by one, formula defusing included."""
    from ledger.documents.report_files import iter_report_csv
    from ledger.reports import books
    from ledger.reports.statements import Period

    runtime = Runtime(database(app), app.extensions["ledger.clock"])
    with runtime.work(write=False, snapshot=True) as uow:
        association = uow.session.execute(
            select(Association).where(Association.code == journal.books.code)
        ).scalar_one()
        for period in (Period(None, journal.last), Period(date(2025, 7, 1), date(2025, 9, 30))):
            fast = books.general_ledger(uow, association, period, generated_at=journal_time(app))
            slow = books.general_ledger(uow, association, period, generated_at=journal_time(app))
            slow.csv_records = None
            assert b"".join(iter_report_csv(fast)) == b"".join(iter_report_csv(slow)), period


def journal_time(app: Flask) -> Any:
    return app.extensions["ledger.clock"]()
