"""PostgreSQL's pipeline mode for writers: a statement whose answer nobody reads waits for the next one.

Every statement sent to PostgreSQL and waited for is a round trip, and from the moment a writer
holds an association's ledger lock every round trip is time that the association's other
writers wait (docs/benchmarks.md, section 2). A posting's entry and line rows, its balances and
chain head, and a donation's outbox and audit rows are answered by nothing that the writer
reads: they need only be sent before the next statement whose answer it does read, or before
the commit.

So a writing unit of work on PostgreSQL (``enter``) puts its connection in psycopg's pipeline
mode when a statement with ``NO_ANSWER`` (and no ``RETURNING``) comes, which is then only
queued; the next statement without it, or the commit, is queued after it and sends them all,
and the connection leaves pipeline mode with its answer (``_answer_now``). Statements in a row
that each need an answer run outside pipeline mode, which costs less CPU per statement. The
unit of work starts in pipeline mode, so that BEGIN travels with its first statement. Nothing
else changes: the statements run in the order they were issued, in the one transaction that
``BEGIN`` opened, and an error in a queued statement aborts that transaction and is raised,
as SQLAlchemy's exception, by the statement or commit that sends it.
SQLite runs in the process and has no round trips: there the option means nothing.
"""

from __future__ import annotations

from contextlib import ExitStack, suppress
from typing import Any

from sqlalchemy import Connection, Engine, event

#: Execution option of a statement whose result the writer never reads (no rows, no row count).
NO_ANSWER_OPTION = "ledger_no_answer"
NO_ANSWER = {NO_ANSWER_OPTION: True}
#: Markers in the pooled connection's ``info``: it belongs to a writer (may queue), and it is
#: in pipeline mode now.
_WRITER = "ledger.pipeline.writer"
_OPEN = "ledger.pipeline.open"


def install(engine: Engine) -> None:
    """Give ``engine``'s writers (``enter``) statements that wait for the next one (``NO_ANSWER``)."""
    event.listen(engine, "before_cursor_execute", _queue_unanswered)
    event.listen(engine, "after_cursor_execute", _answer_now)
    event.listen(engine, "reset", _leave_on_return)
    event.listen(engine, "invalidate", _forget_on_invalidate)


def enter(connection: Connection) -> None:
    """Let a writer's connection (PostgreSQL's; others are left as they are) queue statements
    until it goes back to the pool, after its commit or with its rollback.

    It starts in pipeline mode, so that BEGIN travels with the first statement."""
    if connection.dialect.name != "postgresql":
        return
    connection.info[_WRITER] = True
    _open(connection.info, connection.connection.driver_connection)


def leave(connection: Connection, *, quietly: bool = False, for_good: bool = False) -> None:
    """Send what is queued and leave pipeline mode; ``for_good`` before what pipeline mode
    cannot run while it lasts (COPY, a server-side cursor). ``quietly`` on the way to a
    rollback, when an error sending it changes nothing (the rollback then finds out whether
    the connection is still good)."""
    info = connection.info
    if for_good:
        info.pop(_WRITER, None)
    _close(info, quietly=quietly)


def _open(info: dict[str, Any], driver: Any) -> None:
    stack = ExitStack()
    stack.enter_context(driver.pipeline())
    info[_OPEN] = stack


def _close(info: dict[str, Any], *, quietly: bool = False) -> None:
    stack: ExitStack | None = info.pop(_OPEN, None)
    if stack is None:
        return
    if not quietly:
        stack.close()
        return
    with suppress(Exception):
        stack.close()


def _leave_on_return(_dbapi_connection: Any, record: Any, _state: Any) -> None:
    """Before the pool resets a connection coming back (its ROLLBACK), out of pipeline mode
    (quietly, as ``leave``): after a commit nothing is queued, and otherwise it is rolled back."""
    record.info.pop(_WRITER, None)
    _close(record.info, quietly=True)


def _forget_on_invalidate(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
    """A lost connection leaves pipeline mode with nothing to send (quietly: the socket is gone)."""
    _leave_on_return(_dbapi_connection, record, None)


def _queue_unanswered(
    connection: Connection, cursor: Any, _statement: str, _parameters: Any, context: Any, _executemany: bool
) -> None:
    if context is None or not context.execution_options.get(NO_ANSWER_OPTION):
        return
    info = connection.info
    if _WRITER in info and _OPEN not in info:
        _open(info, cursor.connection)


def _answer_now(
    connection: Connection, _cursor: Any, statement: str, _parameters: Any, context: Any, _executemany: bool
) -> None:
    info = connection.info
    if _OPEN not in info:
        return
    if context is not None and context.execution_options.get(NO_ANSWER_OPTION) and " RETURNING " not in statement:
        return
    # Sends the queue, this statement last, and reads every answer: SQLAlchemy then finds this
    # statement's rows or row count on its cursor as it would outside pipeline mode, and the
    # statements after it run outside pipeline mode (cheaper) until one waits again.
    _close(info)
