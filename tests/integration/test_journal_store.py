"""The journal store writes a line's fields in the one order ``LINE_FIELDS`` gives them."""

from __future__ import annotations

from ledger.domain.entries import LINE_VALUE_FIELDS
from ledger.persistence.journal_store import LINE_COLUMNS, LINE_VALUE_COLUMNS


def test_the_journal_lines_columns_are_the_line_fields_with_ids_for_the_codes() -> None:
    assert ("association_id", "seq", "line_no", "account_id", "fund_id", *LINE_VALUE_FIELDS) == LINE_COLUMNS
    assert tuple(column.name for column in LINE_VALUE_COLUMNS) == LINE_VALUE_FIELDS
