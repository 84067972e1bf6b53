"""Engines for SQLite and PostgreSQL, with the per-database settings the ledger relies on."""

from __future__ import annotations

import os
import select
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError

from ledger.persistence import pipeline

#: Execution option that makes a SQLite transaction take the write lock at BEGIN.
SQLITE_IMMEDIATE = "ledger_sqlite_immediate"
#: What every SQLite connection is set to, in this order (the benchmark's raw inserts too).
#: The write-ahead log is checkpointed at SQLite's default of 1,000 pages: with
#: ``synchronous=NORMAL`` the log reaches the disk at a checkpoint, so a larger one (faster bulk
#: posting, docs/benchmarks.md) would put more commits at risk from a power cut.
SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=60000",
)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and IMMEDIATE writers,
    PostgreSQL a pool that hands out only connections the server has not closed, and writers
    that send statements nobody reads the answer of with the next one (``pipeline``).

    SQLite serialises writers per database. Taking the write lock at ``BEGIN IMMEDIATE``
    (rather than at the first write, as the default deferred transaction does) means a
    writer that reads a balance and then writes cannot be overtaken by another writer in
    between, and nobody fails with "database is locked" halfway: they wait their turn.
    """
    if url.startswith("sqlite"):
        _create_private(make_url(url).database)
        # A pool of connections (SQLAlchemy's default for a SQLite file): a request reuses a
        # connection whose pragmas are already set instead of opening the file again.
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkout", _idle_connection_alive)
    pipeline.install(engine)
    return engine


def _create_private(path: str | None) -> None:
    """Create a SQLite database file readable and writable by its owner only (0600).

    It holds donors' names and addresses and the users' password hashes. SQLite gives its
    write-ahead log and shared-memory files the database file's permissions, so they are
    private too. An existing file is left as its owner set it.
    """
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return
    except FileNotFoundError:
        # No such directory: SQLite will say so when it connects.
        return
    # The process's umask may have taken bits away, never added any: 0600 exactly.
    os.chmod(path, 0o600)


def _idle_connection_alive(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Hand out a pooled PostgreSQL connection only if the server has not closed it.

    A server that restarts or ends a session (``pg_terminate_backend``) says goodbye on the
    socket: an idle connection with anything to read is one the server has given up. Looking
    costs one ``poll`` with no wait; SQLAlchemy's ``pool_pre_ping`` would send a query and
    wait for its answer on every checkout, two round trips of every API request. Raising
    ``DisconnectionError`` makes the pool drop the connection and connect again.
    """
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("the connection is closed")
    # poll, not select: a process may hold more file descriptors than select can watch.
    watch = select.poll()
    watch.register(dbapi_connection.pgconn.socket, select.POLLIN)
    if watch.poll(0):
        raise DisconnectionError("the server closed the connection")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(SQLITE_IMMEDIATE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")
