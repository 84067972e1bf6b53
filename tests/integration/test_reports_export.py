"""The trial balance and the general ledger say what the journal says, and their CSV and PDF exports say it too."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from ledger.domain.entries import EntryDraft, LineDraft
from ledger.persistence.models import Association
from ledger.reports import general_ledger
from ledger.reports.export import (
    BOM,
    CSV_HEADERS,
    iter_general_ledger_csv,
    write_general_ledger_csv,
    write_general_ledger_pdf,
)
from ledger.reports.general_ledger import OPENING_KIND, LedgerRow, general_ledger_rows
from ledger.reports.trial_balance import trial_balance
from ledger.services.journal import Books as JournalBooks
from ledger.services.journal import EntryFilter, list_entries, post_entries
from ledger.services.unit_of_work import UnitOfWork
from ledger.services.verification import check_balances, verify_association
from tests.factories import Books, database, donate, set_up_books, spend, work

GENERATED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def books_with_history(app: Flask) -> Books:
    """Two cash donations, one by bank, and a running cost paid in cash: 8 lines in 4 entries."""
    books = set_up_books(app)
    client = app.test_client()
    assert donate(client, books, 1_000_000, on="2026-11-18").status_code == 201
    assert donate(client, books, 2_500_000, on="2026-11-19").status_code == 201
    assert donate(client, books, 4_000_000, method="bank", on="2026-11-20").status_code == 201
    response = spend(client, books, 300_000, on="2026-11-21", memo="Chi văn phòng phẩm")
    assert response.status_code == 201, response.json
    return books


def association(uow: UnitOfWork, code: str) -> Association:
    return uow.session.execute(select(Association).where(Association.code == code)).scalar_one()


def test_trial_balance_is_read_from_the_balances_and_balances(app: Flask) -> None:
    books = books_with_history(app)
    with work(app) as uow:
        report = trial_balance(uow, association(uow, books.code), clock=lambda: GENERATED_AT)
    rows = {(r.account, r.fund): (r.debit_vnd, r.credit_vnd) for r in report.rows}
    assert rows == {
        ("111", "GENERAL"): (3_200_000, 0),
        ("112", "GENERAL"): (4_000_000, 0),
        ("511", "GENERAL"): (0, 7_500_000),
        ("642", "GENERAL"): (300_000, 0),
    }
    assert report.total_debit_vnd == report.total_credit_vnd == 7_500_000
    assert report.head_seq == 4
    body = report.as_json()
    assert body["association"] == books.code
    assert body["totals"] == {"debit": 7_500_000, "credit": 7_500_000}
    assert {"account": "511", "fund": "GENERAL", "debit": 0, "credit": 7_500_000}.items() <= body["rows"][2].items()
    assert body["head_hash"] == report.head_hash and len(report.head_hash) == 64


def test_general_ledger_lists_every_line_by_account_with_running_balances(app: Flask) -> None:
    books = books_with_history(app)
    with work(app) as uow:
        rows = list(general_ledger_rows(uow, association(uow, books.code), chunk=3))
    assert len(rows) == 8
    assert [(r.account, r.seq) for r in rows] == [
        ("111", 1),
        ("111", 2),
        ("111", 4),
        ("112", 3),
        ("511", 1),
        ("511", 2),
        ("511", 3),
        ("642", 4),
    ]
    assert [r.balance_vnd for r in rows if r.account == "111"] == [1_000_000, 3_500_000, 3_200_000]
    # Revenue grows on the credit side: its running balance is positive.
    assert [r.balance_vnd for r in rows if r.account == "511"] == [1_000_000, 3_500_000, 7_500_000]
    assert sum(r.debit_vnd for r in rows) == sum(r.credit_vnd for r in rows) == 7_800_000


def test_general_ledger_from_a_date_starts_with_balances_brought_forward(app: Flask) -> None:
    books = books_with_history(app)
    with work(app) as uow:
        rows = list(
            general_ledger_rows(uow, association(uow, books.code), from_on=date(2026, 11, 20), to_on=date(2026, 11, 20))
        )
    openings = {(r.account, r.fund): r.balance_vnd for r in rows if r.kind == OPENING_KIND}
    assert openings == {("111", "GENERAL"): 3_500_000, ("511", "GENERAL"): 3_500_000}
    assert [(r.account, r.seq, r.balance_vnd) for r in rows if r.kind != OPENING_KIND] == [
        ("112", 3, 4_000_000),
        ("511", 3, 7_500_000),
    ]
    assert [r.account for r in rows] == ["111", "112", "511", "511"]


def test_general_ledger_csv_has_a_bom_vietnamese_headers_and_parses_back(app: Flask) -> None:
    books = books_with_history(app)
    out = io.BytesIO()
    with work(app) as uow:
        written = write_general_ledger_csv(general_ledger_rows(uow, association(uow, books.code)), out)
    assert written == 8
    data = out.getvalue()
    assert data.startswith(BOM.encode("utf-8"))
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(parsed[0]) == CSV_HEADERS
    assert parsed[0][0] == "Tài khoản" and parsed[0][6] == "Diễn giải"
    lines = parsed[1:]
    assert len(lines) == 8
    assert sum(int(line[7]) for line in lines) == sum(int(line[8]) for line in lines) == 7_800_000
    cost = next(line for line in lines if line[0] == "642")
    assert cost[2] == "GENERAL" and cost[3] == "4" and cost[4] == "2026-11-21" and cost[6] == "Chi văn phòng phẩm"


def csv_writer_bytes(rows: list[LedgerRow]) -> bytes:
    """The CSV as csv.writer writes it for ``rows``: what every path of the export must give."""
    text = io.StringIO()
    text.write(BOM)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def books_with_awkward_text(app: Flask) -> Books:
    """Memos and goods that a CSV has to quote: commas, double quotes, CR, LF, and empty text."""
    books = set_up_books(app)
    donor = books.donor_id
    drafts = [
        EntryDraft(
            entry_on=date(2026, 3, 1),
            memo='Tài trợ, "Quỹ chung"\r\nlần 2',
            kind="donation",
            lines=(
                LineDraft("111", "GENERAL", debit_vnd=1_000_000, donor_id=donor),
                LineDraft("511", "GENERAL", credit_vnd=1_000_000, donor_id=donor),
            ),
        ),
        EntryDraft(
            entry_on=date(2026, 3, 2),
            memo="",
            kind="donation",
            lines=(
                LineDraft("112", "GENERAL", debit_vnd=2_500_000, donor_id=donor),
                LineDraft("511", "GENERAL", credit_vnd=2_500_000, donor_id=donor),
            ),
        ),
        EntryDraft(
            entry_on=date(2026, 3, 3),
            memo="Sách tặng",
            kind="donation",
            lines=(
                LineDraft("156", "GENERAL", debit_vnd=500_000, quantity=10, unit="quyển", item='Sách, vở "mới"'),
                LineDraft("512", "GENERAL", credit_vnd=500_000, donor_id=donor),
            ),
        ),
        EntryDraft(
            entry_on=date(2026, 3, 10),
            memo="Văn phòng phẩm\nđợt 1",
            kind="general",
            lines=(
                LineDraft("642", "GENERAL", debit_vnd=300_000),
                LineDraft("111", "GENERAL", credit_vnd=300_000),
            ),
        ),
        EntryDraft(
            entry_on=date(2026, 4, 1),
            memo="Nộp tiền\rvào ngân hàng",
            kind="general",
            lines=(
                LineDraft("112", "GENERAL", debit_vnd=200_000),
                LineDraft("111", "GENERAL", credit_vnd=200_000),
            ),
        ),
    ]
    with work(app) as uow:
        post_entries(uow, JournalBooks(uow, association(uow, books.code)), drafts, created_by=books.treasurer_id)
        uow.commit()
    return books


def test_the_csv_export_writes_what_csv_writer_writes_for_the_ledger_rows(app: Flask) -> None:
    """The export's own path (COPY on PostgreSQL, f-strings on SQLite) against csv.writer, byte for byte."""
    books = books_with_awkward_text(app)
    periods = [
        (None, None),
        # Balances brought forward, some of them for accounts with no line in the period.
        (date(2026, 3, 5), None),
        (date(2026, 3, 2), date(2026, 3, 10)),
        # Nothing in the period: the openings alone.
        (date(2026, 5, 1), None),
        (None, date(2026, 1, 1)),
    ]
    with work(app) as uow:
        assoc = association(uow, books.code)
        for from_on, to_on in periods:
            rows = list(general_ledger_rows(uow, assoc, from_on=from_on, to_on=to_on))
            out = io.BytesIO()
            written = write_general_ledger_csv(general_ledger_rows(uow, assoc, from_on=from_on, to_on=to_on), out)
            assert out.getvalue() == csv_writer_bytes(rows), (from_on, to_on)
            assert written == len(rows)
            streamed = b"".join(
                iter_general_ledger_csv(general_ledger_rows(uow, assoc, from_on=from_on, to_on=to_on, chunk=2))
            )
            assert streamed == out.getvalue()
    assert rows == []  # the last period is before the first entry
    with work(app) as uow:
        rows = list(general_ledger_rows(uow, association(uow, books.code), from_on=date(2026, 3, 5)))
    assert [(r.account, r.kind, r.memo, r.balance_vnd) for r in rows] == [
        ("111", OPENING_KIND, "Số dư đầu kỳ", 1_000_000),
        ("111", "general", "Văn phòng phẩm\nđợt 1", 700_000),
        ("111", "general", "Nộp tiền\rvào ngân hàng", 500_000),
        ("112", OPENING_KIND, "Số dư đầu kỳ", 2_500_000),
        ("112", "general", "Nộp tiền\rvào ngân hàng", 2_700_000),
        ("156", OPENING_KIND, "Số dư đầu kỳ", 500_000),
        ("511", OPENING_KIND, "Số dư đầu kỳ", 3_500_000),
        ("512", OPENING_KIND, "Số dư đầu kỳ", 500_000),
        ("642", "general", "Văn phòng phẩm\nđợt 1", 300_000),
    ]
    whole = io.BytesIO()
    with work(app) as uow:
        write_general_ledger_csv(general_ledger_rows(uow, association(uow, books.code)), whole)
    lines = list(csv.reader(io.StringIO(whole.getvalue().decode("utf-8-sig"), newline="")))[1:]
    assert [line[6] for line in lines if line[0] == "111"] == [
        'Tài trợ, "Quỹ chung"\r\nlần 2',
        "Văn phòng phẩm\nđợt 1",
        "Nộp tiền\rvào ngân hàng",
    ]
    assert next(line[6] for line in lines if line[0] == "112") == ""
    goods = next(line for line in lines if line[0] == "156")
    assert goods[10:] == ["10", "quyển", 'Sách, vở "mới"'] and goods[9] == "500000"

    if database(app).engine.dialect.name == "postgresql":
        # COPY writes a date in the session's DateStyle; under another than ISO it is spelled out.
        with work(app) as uow:
            assoc = association(uow, books.code)
            uow.session.connection().exec_driver_sql("SET LOCAL DateStyle = 'SQL, DMY'")
            rows = list(general_ledger_rows(uow, assoc, from_on=date(2026, 3, 5)))
            out = io.BytesIO()
            write_general_ledger_csv(general_ledger_rows(uow, assoc, from_on=date(2026, 3, 5)), out)
        assert out.getvalue() == csv_writer_bytes(rows)
        assert b",2026-03-10," in out.getvalue()


def test_a_csv_download_stopped_early_leaves_the_unit_of_work_usable(app: Flask) -> None:
    """On PostgreSQL stopping cancels the COPY while the server is still sending (4,000 lines, 2 MB)."""
    books = set_up_books(app)
    drafts = [
        EntryDraft(
            entry_on=date(2026, 3, 1 + i % 28),
            memo=f"Tài trợ số {i} của Nguyễn Thị Hồng Nhung qua ngân hàng " * 7,
            kind="donation",
            lines=(
                LineDraft("112", "GENERAL", debit_vnd=100_000 + i, donor_id=books.donor_id),
                LineDraft("511", "GENERAL", credit_vnd=100_000 + i, donor_id=books.donor_id),
            ),
        )
        for i in range(2_000)
    ]
    with work(app) as uow:
        post_entries(uow, JournalBooks(uow, association(uow, books.code)), drafts, created_by=books.treasurer_id)
        uow.commit()
    with work(app) as uow:
        assoc = association(uow, books.code)
        blocks = iter_general_ledger_csv(general_ledger_rows(uow, assoc))
        assert next(blocks).startswith(BOM.encode("utf-8"))
        assert next(blocks).count(b"\r\n") == general_ledger.CSV_CHUNK_LINES
        blocks.close()
        assert sum(1 for _ in general_ledger_rows(uow, assoc)) == 4_000


def test_a_ledger_is_read_again_each_time_it_is_iterated(app: Flask) -> None:
    books = books_with_history(app)
    with work(app) as uow:
        ledger = general_ledger_rows(uow, association(uow, books.code))
        first = list(ledger)
        assert list(ledger) == first and len(first) == 8


def test_general_ledger_pdf_text_shows_sections_lines_and_totals(app: Flask) -> None:
    books = books_with_history(app)
    out = io.BytesIO()
    with work(app) as uow:
        assoc = association(uow, books.code)
        drawn = write_general_ledger_pdf(
            general_ledger_rows(uow, assoc),
            out,
            association_code=assoc.code,
            association_name=assoc.name,
            generated_at=GENERATED_AT,
        )
    assert drawn == 8
    reader = PdfReader(io.BytesIO(out.getvalue()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "SỔ CÁI" in text and books.code in text
    assert "TK 111 — Tiền mặt — Quỹ GENERAL" in text
    assert "Chi văn phòng phẩm" in text
    assert "3.200.000" in text and "7.500.000" in text
    assert "21/11/2026" in text


def test_a_ledger_longer_than_the_pdf_limit_says_where_to_find_the_rest(app: Flask) -> None:
    books = books_with_history(app)
    out = io.BytesIO()
    with work(app) as uow:
        assoc = association(uow, books.code)
        drawn = write_general_ledger_pdf(
            general_ledger_rows(uow, assoc),
            out,
            association_code=assoc.code,
            association_name=assoc.name,
            generated_at=GENERATED_AT,
            max_lines=3,
        )
    assert drawn == 3
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages)
    assert "see the CSV export" in text
    assert "TK 111" in text and "TK 511" not in text and "TK 642" not in text


def test_a_bulk_batch_reads_back_line_for_line_and_its_chain_verifies(app: Flask) -> None:
    """150 entries in one unit of work take the bulk path (COPY / executemany) and read back exactly."""
    books = set_up_books(app)
    drafts = [
        EntryDraft(
            entry_on=date(2026, 3, 1 + i % 28),
            memo=f"Tài trợ số {i} của Nguyễn Thị Hồng Nhung\tqua ngân hàng",
            kind="donation",
            lines=(
                LineDraft("112", "GENERAL", debit_vnd=100_000 + i, donor_id=books.donor_id),
                LineDraft("511", "GENERAL", credit_vnd=100_000 + i, donor_id=books.donor_id),
            ),
        )
        for i in range(150)
    ]
    with work(app) as uow:
        assoc = association(uow, books.code)
        posted = post_entries(uow, JournalBooks(uow, assoc), drafts, created_by=books.treasurer_id)
        uow.commit()
    with work(app) as uow:
        assoc = association(uow, books.code)
        rows = list(general_ledger_rows(uow, assoc, chunk=64))
        chain = verify_association(uow, assoc)
        mismatches = check_balances(uow, assoc)
        listed = list_entries(uow, JournalBooks(uow, assoc), EntryFilter(limit=200))[0]
    assert len(rows) == 300
    assert sum(r.debit_vnd for r in rows) == sum(100_000 + i for i in range(150))
    assert [r.memo for r in rows if r.account == "112"] == [d.memo for d in drafts]
    assert chain.ok and chain.entries == 150 and chain.head_hash == posted[-1].hash
    assert mismatches == []
    assert [e.hash for e in listed] == [e.hash for e in posted]
    assert listed[7].created_at == posted[7].created_at and listed[7].entry_on == drafts[7].entry_on
