"""What every API view needs: the database, the caller, and idempotent writes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Response, current_app, g, json, request
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ledger.domain.errors import IdempotencyConflict, Unauthorized, ValidationFailed
from ledger.persistence.models import IdempotencyRecord
from ledger.services.access import Actor
from ledger.services.unit_of_work import Database, UnitOfWork
from ledger.services.users import actor_for_token
from ledger.web.api.schemas import FORBIDDEN_CHARACTERS

T = TypeVar("T")
IDEMPOTENCY_KEY_MAX_CHARS = 200


def database() -> Database:
    db: Database = current_app.extensions["ledger.db"]
    return db


def uow(*, write: bool, snapshot: bool = False, single_statement: bool = False) -> UnitOfWork:
    return UnitOfWork(
        database(),
        write=write,
        clock=current_app.extensions["ledger.clock"],
        snapshot=snapshot,
        single_statement=single_statement,
    )


def current_actor() -> Actor:
    """The caller of this request, from its bearer token; 401 without a valid one."""
    cached = g.get("actor")
    if cached is not None:
        actor: Actor = cached
        return actor
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    with uow(write=False, single_statement=True) as work:
        found = actor_for_token(work, token.strip())
    if found is None:
        raise Unauthorized()
    g.actor = found
    return found


def json_response(status: int, body: Any) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def _fingerprint() -> str:
    """What makes a retry "the same request": its method, path and body.

    A JSON body counts by its meaning, not its bytes: it is hashed written canonically (keys
    sorted, no spaces), so a client that reorders keys or spaces on a retry still gets the first
    answer. A body that is not JSON counts by its bytes.
    """
    digest = hashlib.sha256(request.method.encode())
    digest.update(b" " + request.path.encode() + b"\n")
    payload = request.get_json(silent=True)
    if payload is None:
        digest.update(request.get_data(cache=True))
    else:
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        # A lone surrogate (a JSON "\ud800") is no character; hash its code point rather than fail.
        digest.update(canonical.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass(frozen=True)
class _Stored:
    fingerprint: str
    status_code: int
    response: Any


def _replay(record: _Stored, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyConflict()
    response = json_response(record.status_code, record.response)
    response.headers["Idempotency-Replayed"] = "true"
    return response


def _find(work: UnitOfWork, user_id: int, key: str) -> _Stored | None:
    row = work.session.execute(
        select(IdempotencyRecord.fingerprint, IdempotencyRecord.status_code, IdempotencyRecord.response).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    ).one_or_none()
    return _Stored(*row) if row is not None else None


def run_write(
    service: Callable[[UnitOfWork, Actor], T],
    render: Callable[[T], Any],
    *,
    status: int | Callable[[T], int] = 201,
) -> Response:
    """Run one write service in one transaction and answer with its rendered result.

    With an ``Idempotency-Key``, the first response is stored in the same transaction as
    the write. A retry with the same key and body gets that response back; another body
    gets 409. Two retries racing each other cannot both post: writers of an association
    queue on its lock and the second finds the first's record, and the unique (user, key)
    constraint turns any other race into a rollback followed by the replay.
    """
    actor = current_actor()
    key = request.headers.get("Idempotency-Key")
    if key is not None and (not 0 < len(key) <= IDEMPOTENCY_KEY_MAX_CHARS or FORBIDDEN_CHARACTERS.search(key)):
        raise ValidationFailed(
            "Idempotency-Key phải có từ 1 đến 200 ký tự, không có ký tự điều khiển.",
            "Idempotency-Key must have 1 to 200 characters and no control characters.",
            errors={"Idempotency-Key": ["1 to 200 characters, no control characters"]},
        )
    if key is None or actor.user_id is None:
        with uow(write=True) as work:
            result = service(work, actor)
            code = status(result) if callable(status) else status
            body = render(result)
            work.commit()
        return json_response(code, body)

    fingerprint = _fingerprint()
    user_id = actor.user_id
    with uow(write=False, single_statement=True) as work:
        earlier = _find(work, user_id, key)
    if earlier is not None:
        return _replay(earlier, fingerprint)

    class _Answered(Exception):
        def __init__(self, record: _Stored) -> None:
            self.record = record

    try:
        with uow(write=True) as work:

            def check_after_lock() -> None:
                # A retry that queued behind the first request sees its committed answer.
                found = _find(work, user_id, key)
                if found is not None:
                    raise _Answered(found)

            work.on_lock = check_after_lock
            result = service(work, actor)
            code = status(result) if callable(status) else status
            body = render(result)
            # A Core insert, run at once: a racing retry's duplicate key fails here, inside the try.
            work.session.execute(
                insert(IdempotencyRecord.table()),
                {
                    "user_id": user_id,
                    "key": key,
                    "fingerprint": fingerprint,
                    "status_code": code,
                    "response": body,
                    "created_at": work.clock(),
                },
            )
            work.commit()
    except _Answered as answered:
        return _replay(answered.record, fingerprint)
    except IntegrityError:
        with uow(write=False, single_statement=True) as work:
            earlier = _find(work, user_id, key)
        if earlier is None:
            raise
        return _replay(earlier, fingerprint)
    return json_response(code, body)


def run_read(
    service: Callable[[UnitOfWork, Actor], T], render: Callable[[T], Any], *, snapshot: bool = False
) -> Response:
    """Run one read service; with ``snapshot``, every query sees the same committed state."""
    actor = current_actor()
    with uow(write=False, snapshot=snapshot) as work:
        result = service(work, actor)
        body = render(result)
    return json_response(200, body)
