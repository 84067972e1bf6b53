"""Migration 0005 keeps the vouchers numbered before it and starts the new series after it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from ledger.persistence.migrate import upgrade
from tests.conftest import _postgres_schema_url


@pytest.fixture
def blank_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (a schema on PostgreSQL), to migrate step by step."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        engine = create_engine(f"sqlite:///{tmp_path / 'migrate.sqlite3'}")
        yield engine
        engine.dispose()
        return
    schema = f"migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = create_engine(_postgres_schema_url(base, schema))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def test_the_old_voucher_counter_becomes_the_cash_series_and_every_chart_gets_911_and_421(
    blank_engine: Engine,
) -> None:
    upgrade(blank_engine, "0004")
    with blank_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO associations (id, code, name, level, address, created_at) "
                "VALUES (1, 'QT-DH', 'Hội Khuyến học thành phố Đông Hà', 'district', '', :at)"
            ),
            {"at": datetime(2026, 1, 1, tzinfo=UTC)},
        )
        conn.execute(
            text(
                "INSERT INTO document_counters (association_id, doc_type, year, last_number) "
                "VALUES (1, 'voucher', 2026, 41), (1, 'receipt', 2026, 7)"
            )
        )
    upgrade(blank_engine, "head")
    with blank_engine.connect() as conn:
        counters = set(conn.execute(text("SELECT doc_type, year, last_number FROM document_counters")).all())
        accounts = set(conn.execute(text("SELECT code, type FROM accounts WHERE association_id = 1")).all())
    # PC goes on from PC-2026-000041; UNC, PX and PT start at 000001 with their first document.
    assert counters == {("PC", 2026, 41), ("receipt", 2026, 7)}
    assert accounts == {("911", "fund_balance"), ("421", "fund_balance")}
