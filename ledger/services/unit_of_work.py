"""One database transaction per use case, and the per-association writer lock."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, bindparam, insert, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ledger.clock import now_utc
from ledger.domain.chain import GENESIS_HASH
from ledger.domain.errors import ServiceUnavailable
from ledger.domain.events import Event
from ledger.persistence import pipeline
from ledger.persistence.engine import SQLITE_IMMEDIATE
from ledger.persistence.models import LedgerHead, Period

if TYPE_CHECKING:
    from ledger.services.checkpoints import CheckpointKeys

log = logging.getLogger(__name__)

_HEADS = LedgerHead.table()
_PERIODS = Period.table()
#: Built once: a request's statements are made before the lock is taken or are these, so
#: that the time between the lock and the commit, which every other writer of the
#: association waits for, goes to the database rather than to building statements.
_READ_HEAD = select(_HEADS.c.head_seq, _HEADS.c.head_hash, _HEADS.c.lock_on, _HEADS.c.last_entry_on).where(
    _HEADS.c.association_id == bindparam("association")
)
_LOCK_HEAD = _READ_HEAD.with_for_update()
_NEW_HEAD = insert(_HEADS)
_CLOSED_YEARS = select(_PERIODS.c.year).where(
    _PERIODS.c.association_id == bindparam("association"), _PERIODS.c.closed.is_(True)
)


@dataclass
class LedgerState:
    """What a writer holding an association's ledger lock knows of its books until it commits.

    Nobody else changes them meanwhile: the chain head moves only by ``post_entries`` and a
    year closes or reopens only by ``services/periods.py``, all under the lock, and they keep
    this up to date as they write.
    """

    head_seq: int
    head_hash: str
    #: Read after the lock is held (a separate statement: on PostgreSQL the locking
    #: statement's snapshot is older than the lock it waited for).
    closed_years: set[int]
    #: Nothing may be dated on or before it (``services/periods.py`` moves it).
    lock_on: date | None = None
    #: The latest date anything is posted on (kept up to date by ``post_entries``).
    last_entry_on: date | None = None


#: What an event causes, in the transaction that emitted it (``services/handlers.py``).
Handler = Callable[["UnitOfWork", Any], None]


@dataclass
class EventHandlers:
    """The handlers of each kind of event: those registered for its class or for a class it derives from."""

    table: Mapping[type[Event], Sequence[Handler]]
    _resolved: dict[type[Event], tuple[Handler, ...]] = field(default_factory=dict, init=False, repr=False)

    def of(self, kind: type[Event]) -> tuple[Handler, ...]:
        found = self._resolved.get(kind)
        if found is None:
            found = self._resolved[kind] = tuple(h for base in kind.__mro__ for h in self.table.get(base, ()))
        return found


@dataclass
class Database:
    """The engine, the two kinds of session (readers, and writers that take the write lock), event handlers, clock."""

    engine: Engine
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    handlers: EventHandlers
    #: The app's clock: every unit of work opened on this database reads "now" from it unless
    #: given another, so that a fixed clock under test reaches every service and report.
    clock: Callable[[], datetime] = now_utc
    #: The key that signs chain checkpoints (period close signs one): None where nothing signs.
    checkpoint_keys: CheckpointKeys | None = None

    @classmethod
    def for_engine(
        cls,
        engine: Engine,
        handlers: Mapping[type[Event], Sequence[Handler]],
        clock: Callable[[], datetime] = now_utc,
    ) -> Database:
        writer = engine.execution_options(**{SQLITE_IMMEDIATE: True})
        return cls(
            engine=engine,
            read_sessions=sessionmaker(bind=engine, expire_on_commit=False),
            write_sessions=sessionmaker(bind=writer, expire_on_commit=False),
            handlers=EventHandlers(handlers),
            clock=clock,
        )


class UnitOfWork:
    """A transaction: rolled back on the way out unless ``commit()`` was called.

    The entrypoint opens it, calls one service and commits, so that the first response to
    an idempotent request is stored in the same transaction as what it wrote.
    """

    session: Session

    def __init__(
        self,
        db: Database,
        *,
        write: bool = True,
        clock: Callable[[], datetime] | None = None,
        snapshot: bool = False,
        single_statement: bool = False,
    ) -> None:
        assert not (write and single_statement), "a single-statement unit of work only reads"
        self._factory = db.write_sessions if write else db.read_sessions
        self._handlers = db.handlers
        self.write = write
        #: Read everything from one snapshot (verification, statements): on PostgreSQL a
        #: REPEATABLE READ transaction, so that rows committed meanwhile cannot make the chain
        #: head and the entries disagree. A SQLite read transaction is one snapshot already.
        self.snapshot = snapshot
        #: A read of one statement (the API's token and idempotency-key lookups): on PostgreSQL
        #: it runs outside a transaction, which for one statement under READ COMMITTED sees
        #: exactly what a transaction would, without the round trips of BEGIN and its end.
        self.single_statement = single_statement
        self.clock = clock or db.clock
        self.dialect = db.engine.dialect.name
        self.checkpoint_keys = db.checkpoint_keys
        self._locked: dict[int, LedgerState] = {}
        self._pipelined: Connection | None = None
        #: Called once the first ledger lock is held (the API checks idempotency records here,
        #: so that a retry that queued behind the first request sees its committed answer).
        self.on_lock: Callable[[], None] | None = None

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        try:
            self._begin()
        except BaseException as error:
            self._end(committed_read=False)
            unavailable = self._unavailable(error)
            if unavailable is not None:
                raise unavailable from error
            raise
        return self

    def _begin(self) -> None:
        if self.dialect == "postgresql" and not self.write:
            # Readers cannot write by mistake, and may end with COMMIT (see __exit__).
            options: dict[str, object] = {"postgresql_readonly": True}
            if self.snapshot:
                options["isolation_level"] = "REPEATABLE READ"
            elif self.single_statement:
                options = {"isolation_level": "AUTOCOMMIT"}
            self.session.connection(execution_options=options)
        elif self.dialect == "postgresql":
            # A writer's statements that nobody reads the answer of travel with the next one
            # (BEGIN with the first, a posting's rows with the receipt number, the audit
            # row with COMMIT): ``persistence/pipeline.py``.
            self._pipelined = self.session.connection()
            pipeline.enter(self._pipelined)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # A read-only transaction has nothing to undo. Ending it with COMMIT rather than
        # ROLLBACK keeps the connection's prepared statements: psycopg forgets them all
        # (DEALLOCATE ALL) on every rollback, and the server would parse and plan every
        # statement of the next request again (docs/benchmarks.md, section 2).
        committed_read = exc_type is None and not self.write and self.dialect == "postgresql"
        if exc is None:
            self._end(committed_read=committed_read)
            return
        # Ending must never hide why the work failed (a lost connection once came out as
        # SQLAlchemy's PendingRollbackError from here, and the session was never closed).
        self._end(committed_read=False)
        unavailable = self._unavailable(exc)
        if unavailable is not None:
            raise unavailable from exc

    def _end(self, *, committed_read: bool) -> None:
        """Roll back (or end a read with COMMIT) and close, whatever state the connection is in."""
        try:
            if self._pipelined is not None and not self._pipelined.closed and not self._pipelined.invalidated:
                # Not committed: out of pipeline mode before the rollback, which an aborted
                # pipeline (a refused statement) would refuse as well.
                with suppress(Exception):
                    pipeline.leave(self._pipelined, quietly=True, for_good=True)
            if committed_read:
                self.session.commit()
            else:
                self.session.rollback()
        except Exception:
            # The connection is gone or broken: the server has rolled the transaction back
            # already. Closing below hands the connection back to the pool, which drops it.
            log.warning("ending a unit of work failed; closing it", exc_info=True)
        finally:
            self.session.close()

    def _unavailable(self, error: BaseException) -> ServiceUnavailable | None:
        """``ServiceUnavailable`` when ``error`` says the database cannot be reached, else None.

        PostgreSQL: a lost or refused connection, a server shutting down, too many clients
        (SQLAlchemy's OperationalError, InterfaceError, or an invalidated connection). SQLite:
        the database still locked after the busy timeout; SQLite's other operational errors
        are the program's and stay 500s.
        """
        if not isinstance(error, DBAPIError):
            return None
        if error.connection_invalidated:
            return ServiceUnavailable()
        if self.dialect == "postgresql" and isinstance(error, OperationalError | InterfaceError):
            return ServiceUnavailable()
        if isinstance(error, OperationalError) and "locked" in str(error.orig):
            return ServiceUnavailable()
        return None

    def commit(self) -> None:
        self.session.commit()

    def emit(self, event: Event) -> None:
        """Say what happened: its handlers (the audit row, an e-mail to send) write in this transaction, now."""
        for handler in self._handlers.of(type(event)):
            handler(self, event)

    def lock_ledger(self, association_id: int) -> LedgerState:
        """Serialise writers of one association's books until this transaction ends.

        PostgreSQL: ``SELECT … FOR UPDATE`` on the association's chain head row, so two
        gunicorn workers posting to the same association queue up while other associations
        post in parallel. SQLite: the writer session began with ``BEGIN IMMEDIATE`` and
        already holds the database's write lock. Taken once per unit of work: later calls
        return the state the first one read, as the writes since have left it.
        """
        state = self._locked.get(association_id)
        if state is not None:
            return state
        connection = self.session.connection()
        params = {"association": association_id}
        row = connection.execute(_READ_HEAD if self.dialect == "sqlite" else _LOCK_HEAD, params).first()
        head_seq, head_hash, lock_on, last_on = (
            (row[0], row[1], row[2], row[3]) if row is not None else (0, GENESIS_HASH, None, None)
        )
        if row is None:
            # Associations made before their head row existed get one on first write.
            connection.execute(_NEW_HEAD, {"association_id": association_id, "head_seq": 0, "head_hash": GENESIS_HASH})
        closed = set(connection.execute(_CLOSED_YEARS, params).scalars())
        state = self._locked[association_id] = LedgerState(head_seq, head_hash, closed, lock_on, last_on)
        if len(self._locked) == 1 and self.on_lock is not None:
            self.on_lock()
        return state

    def holds_lock(self, association_id: int) -> bool:
        return association_id in self._locked
