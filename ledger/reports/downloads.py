"""A report for a caller: who may read it, movements brought up to date, one reading, one audit row.

The API and the command line call these; the views never touch the database themselves.
Every download is in the audit log (DESIGN.md, security model), written in its own short
transaction before the bytes go out, so that a long report never holds the writer's lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ledger.clock import today_vn
from ledger.domain.errors import NotFound
from ledger.domain.events import ReportDownloaded
from ledger.persistence.models import Association
from ledger.reports import snapshots
from ledger.services.access import Actor, Need, authorize
from ledger.services.associations import subtree
from ledger.services.unit_of_work import Database, UnitOfWork

#: Formats every report is given in.
FORMATS = ("json", "csv", "xlsx", "pdf")


@dataclass(frozen=True)
class ReportQuery:
    """What the caller asked for: the format and dates as given (None when absent)."""

    format: str = "json"
    as_of: date | None = None
    from_on: date | None = None
    to_on: date | None = None
    params: tuple[tuple[str, Any], ...] = ()

    def param(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)


@dataclass(frozen=True)
class Runtime:
    """The database and the clock the reports run with (the app's, or the command line's)."""

    db: Database
    clock: Callable[[], datetime]

    def work(self, *, write: bool, snapshot: bool = False) -> UnitOfWork:
        return UnitOfWork(self.db, write=write, clock=self.clock, snapshot=snapshot)


Build = Callable[[UnitOfWork, Association, date], Any]


def bring_up_to_date(runtime: Runtime, association_ids: Iterable[int]) -> None:
    """Take the entries posted since the last report into the day and month movements."""
    with runtime.work(write=False) as uow:
        late = snapshots.behind(uow, association_ids)
    for association_id in late:
        with runtime.work(write=True) as uow:
            snapshots.catch_up(uow, association_id)
            uow.commit()


def reachable(runtime: Runtime, actor: Actor, code: str, *, need: Need = Need.READ, tree: bool = False) -> list[int]:
    """The association ``code`` (and with ``tree`` its subtree), checked for ``need``: their ids."""
    with runtime.work(write=False) as uow:
        association = authorize(uow, actor, code, need)
        return [member.id for member in subtree(uow, association)] if tree else [association.id]


def record_download(
    runtime: Runtime, actor: Actor, association_id: int, report: str, query: ReportQuery, *, public: bool = False
) -> None:
    with runtime.work(write=True) as uow:
        uow.emit(
            ReportDownloaded(
                by=actor,
                association_id=association_id,
                report=report,
                format=query.format,
                as_of=query.as_of.isoformat() if query.as_of else None,
                from_on=query.from_on.isoformat() if query.from_on else None,
                to_on=query.to_on.isoformat() if query.to_on else None,
                public=public,
            )
        )
        uow.commit()


def run(
    runtime: Runtime,
    actor: Actor,
    code: str,
    name: str,
    query: ReportQuery,
    build: Build,
    *,
    tree: bool = False,
    need: Need = Need.READ,
) -> Any:
    """Check access, catch the movements up, build the report in one reading, audit the download.

    ``build(uow, association, today)`` makes the report; it runs in a snapshot transaction,
    so that every figure comes from the same committed state.
    """
    ids = reachable(runtime, actor, code, need=need, tree=tree)
    bring_up_to_date(runtime, ids)
    with runtime.work(write=False, snapshot=True) as uow:
        association = uow.session.get(Association, ids[0])
        assert association is not None
        report = build(uow, association, today_vn(runtime.clock()))
    record_download(runtime, actor, ids[0], name, query)
    return report


def run_public(
    runtime: Runtime,
    code: str,
    query: ReportQuery,
    build: Build,
    *,
    allowed: Callable[[UnitOfWork, Association], bool],
) -> Any:
    """A report anyone may read once the association allows it (``allowed``), else 404."""
    with runtime.work(write=False) as uow:
        association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one_or_none()
        if association is None or not allowed(uow, association):
            raise NotFound("hội", "association")
        association_id = association.id
    bring_up_to_date(runtime, [association_id])
    with runtime.work(write=False, snapshot=True) as uow:
        association = uow.session.get(Association, association_id)
        assert association is not None
        report = build(uow, association, today_vn(runtime.clock()))
    record_download(runtime, Actor(user_id=None, email="public"), association_id, "disclosure", query, public=True)
    return report


Stream = Callable[[UnitOfWork, Association, snapshots.Head], Iterator[bytes]]


def run_stream(
    runtime: Runtime, actor: Actor, code: str, name: str, query: ReportQuery, produce: Stream
) -> Iterator[bytes]:
    """Like :func:`run` for a book too long to hold (a journal, a ledger): access is checked and
    the download audited now; the returned iterator reads the books, in one snapshot, as it is
    consumed (a streamed HTTP response), at the chain head of this moment."""
    ids = reachable(runtime, actor, code)
    bring_up_to_date(runtime, ids)
    record_download(runtime, actor, ids[0], name, query)

    def chunks() -> Iterator[bytes]:
        with runtime.work(write=False, snapshot=True) as uow:
            association = uow.session.get(Association, ids[0])
            assert association is not None
            yield from produce(uow, association, snapshots.head(uow, association.id))

    return chunks()
