"""Reading a statement straight from the database driver's cursor, for the long reads.

Exporting or verifying a whole journal reads millions of rows: SQLAlchemy's result rows cost
more than fetching them (docs/benchmarks.md), so those reads take the driver's own cursor,
in the unit of work's transaction like any other statement of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from ledger.persistence import pipeline


def driver_cursor(connection: Connection, stmt: Any, *, name: str, itersize: int) -> Any:
    """The driver's cursor with ``stmt`` executed, to be read with ``fetchmany(itersize)``.

    PostgreSQL gets a named (server-side) cursor fetching ``itersize`` rows a round trip
    (psycopg would fetch 100 otherwise, PERFORMANCE.md); ``name`` must be unique among the
    transaction's open cursors. sqlite3's cursor streams as it is. Close it when done: a
    reader that stops early must not leave it open.
    """
    compiled = stmt.compile(dialect=connection.dialect)
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        # On a writer's connection, out of pipeline mode for good: a server-side cursor cannot
        # run in it, and a long read gains nothing from it.
        pipeline.leave(connection, for_good=True)
        cursor = driver.cursor(name=name)
        cursor.itersize = itersize
        cursor.execute(str(compiled), compiled.params)
    else:
        cursor = driver.cursor()
        cursor.execute(str(compiled), [compiled.params[key] for key in compiled.positiontup or ()])
    return cursor
