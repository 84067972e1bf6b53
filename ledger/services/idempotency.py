"""Idempotent writes: the first answer to a request with an ``Idempotency-Key`` is stored with what it wrote."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ledger.domain.errors import IdempotencyConflict
from ledger.persistence.models import IdempotencyRecord
from ledger.services.unit_of_work import UnitOfWork

_FIND = select(IdempotencyRecord.fingerprint, IdempotencyRecord.status_code, IdempotencyRecord.response)
_INSERT = insert(IdempotencyRecord.table())


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: Any
    #: The stored answer of an earlier request with the same key, not this request's own.
    replayed: bool = False


class OpenWork(Protocol):
    def __call__(self, *, write: bool, single_statement: bool = False) -> UnitOfWork: ...


@dataclass(frozen=True)
class _Stored:
    fingerprint: str
    status_code: int
    response: Any

    def replay(self, fingerprint: str) -> Answer:
        if self.fingerprint != fingerprint:
            raise IdempotencyConflict()
        return Answer(self.status_code, self.response, replayed=True)


class _Answered(Exception):
    def __init__(self, record: _Stored) -> None:
        self.record = record


def _find(work: UnitOfWork, user_id: int, key: str) -> _Stored | None:
    row = work.session.execute(
        _FIND.where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    ).one_or_none()
    return _Stored(*row) if row is not None else None


def _find_alone(open_work: OpenWork, user_id: int, key: str) -> _Stored | None:
    with open_work(write=False, single_statement=True) as work:
        return _find(work, user_id, key)


def _insert(work: UnitOfWork, user_id: int, key: str, fingerprint: str, status_code: int, body: Any) -> None:
    # A Core insert, run at once: a racing retry's duplicate key fails here, inside the caller's try.
    work.session.execute(
        _INSERT,
        {
            "user_id": user_id,
            "key": key,
            "fingerprint": fingerprint,
            "status_code": status_code,
            "response": body,
            "created_at": work.clock(),
        },
    )


def answer_once(
    open_work: OpenWork,
    user_id: int,
    key: str,
    fingerprint: str,
    act: Callable[[UnitOfWork], tuple[int, Any]],
    *,
    remember: Callable[[Exception], tuple[int, Any] | None] = lambda _error: None,
) -> Answer:
    """Run ``act`` (a write and its answer) in one transaction, once per (user, key).

    The first answer is stored in the same transaction as the write. A retry with the same key
    and ``fingerprint`` gets that answer back; another fingerprint gets ``IdempotencyConflict``.
    A refusal that ``remember`` turns into an answer (the API's 422s) is stored as well, after
    the refused transaction has rolled back, so that the same request later is refused again
    rather than tried a second time.
    Two retries racing each other cannot both post: writers of an association queue on its lock
    and the second finds the first's record, and the unique (user, key) constraint turns any
    other race into a rollback followed by the replay.
    """
    earlier = _find_alone(open_work, user_id, key)
    if earlier is not None:
        return earlier.replay(fingerprint)
    try:
        with open_work(write=True) as work:

            def check_after_lock() -> None:
                # A retry that queued behind the first request sees its committed answer.
                found = _find(work, user_id, key)
                if found is not None:
                    raise _Answered(found)

            work.on_lock = check_after_lock
            status_code, body = act(work)
            _insert(work, user_id, key, fingerprint, status_code, body)
            work.commit()
    except _Answered as answered:
        return answered.record.replay(fingerprint)
    except IntegrityError:
        earlier = _find_alone(open_work, user_id, key)
        if earlier is None:
            raise
        return earlier.replay(fingerprint)
    except Exception as error:
        refused = remember(error)
        if refused is None:
            raise
        status_code, body = refused
        try:
            with open_work(write=True) as work:
                _insert(work, user_id, key, fingerprint, status_code, body)
                work.commit()
        except IntegrityError:
            # A retry racing this one stored its answer first: both answer with that one.
            earlier = _find_alone(open_work, user_id, key)
            if earlier is None:
                raise
            return earlier.replay(fingerprint)
    return Answer(status_code, body)
