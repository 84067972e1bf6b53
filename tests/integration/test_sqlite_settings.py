"""Every SQLite connection gets the ledger's settings (``persistence/engine.py``), whatever database the suite runs on."""

from __future__ import annotations

from pathlib import Path

from ledger.persistence.engine import make_engine


def test_a_sqlite_connection_has_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    try:
        with engine.connect() as connection:

            def read(pragma: str) -> object:
                return connection.exec_driver_sql(f"PRAGMA {pragma}").scalar_one()

            assert read("journal_mode") == "wal"
            assert read("foreign_keys") == 1
            assert read("synchronous") == 1  # NORMAL
            assert read("busy_timeout") == 60_000
            assert read("wal_autocheckpoint") == 1_000  # SQLite's default: see SQLITE_PRAGMAS
    finally:
        engine.dispose()
