"""Every SQLite connection gets the ledger's settings (``persistence/engine.py``), whatever database the suite runs on."""

from __future__ import annotations

import os
import stat
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


def test_a_new_sqlite_database_and_its_log_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    # The usual umask, which leaves new files readable by everyone (0644).
    previous = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{path}")
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE donors (name TEXT)")
            connection.exec_driver_sql("INSERT INTO donors VALUES ('Nguyễn Thị Hồng Nhung')")
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM donors").scalar_one()
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}
        engine.dispose()
    finally:
        os.umask(previous)
