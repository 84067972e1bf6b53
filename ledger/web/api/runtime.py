"""What every API view needs: its blueprint, the database, the caller, and idempotent writes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, g, json, request
from flask_smorest import Blueprint

from ledger.domain.errors import Unauthorized, ValidationFailed
from ledger.domain.text import FORBIDDEN_CHARACTERS
from ledger.services import idempotency
from ledger.services.access import Actor
from ledger.services.unit_of_work import Database, UnitOfWork
from ledger.services.users import actor_for_token
from ledger.web.errors import PROBLEM_JSON, problem, refusal
from ledger.web.limits import limit_per_token

T = TypeVar("T")
IDEMPOTENCY_KEY_MAX_CHARS = 200
API_PREFIX = "/api/v1"


def api_blueprint(name: str, description: str) -> Blueprint:
    """The blueprint of one resource of the API: under ``/api/v1``, limited per token, every request
    authenticated, then checked as JSON.

    Every resource's blueprint comes from here, so that none can miss the checks.
    """
    blp = Blueprint(name, __name__, url_prefix=API_PREFIX, description=description)
    blp.before_request(_authenticate_then_require_json)
    limit_per_token()(blp)
    return blp


def _authenticate_then_require_json() -> Response | None:
    """Every API request names its caller first: without a valid token it is a 401, whatever its body.

    Only then is a write's body checked to be JSON (415 otherwise, 422 when malformed), before its
    schema reads it. The OpenAPI document is served by flask-smorest's own blueprint and stays public.
    """
    current_actor()
    if request.method in ("POST", "PUT", "PATCH"):
        if not request.is_json:
            return problem(
                415, "unsupported_media_type", "Unsupported media type", "Send the body as application/json."
            )
        if request.get_json(silent=True) is None:
            raise ValidationFailed(
                "Nội dung yêu cầu không phải JSON hợp lệ.",
                "The body is not valid JSON.",
                errors={"body": ["malformed JSON"]},
            )
    return None


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


def run_write(
    service: Callable[[UnitOfWork, Actor], T],
    render: Callable[[T], Any],
    *,
    status: int | Callable[[T], int] = 201,
) -> Response:
    """Run one write service in one transaction and answer with its rendered result.

    With an ``Idempotency-Key``, the first response is stored in the same transaction as
    the write, and a retry gets it back (``services/idempotency.py``).
    """
    actor = current_actor()
    key = request.headers.get("Idempotency-Key")
    if key is not None and (not 0 < len(key) <= IDEMPOTENCY_KEY_MAX_CHARS or FORBIDDEN_CHARACTERS.search(key)):
        raise ValidationFailed(
            "Idempotency-Key phải có từ 1 đến 200 ký tự, không có ký tự điều khiển.",
            "Idempotency-Key must have 1 to 200 characters and no control characters.",
            errors={"Idempotency-Key": ["1 to 200 characters, no control characters"]},
        )

    def act(work: UnitOfWork) -> tuple[int, Any]:
        result = service(work, actor)
        return (status(result) if callable(status) else status), render(result)

    if key is None or actor.user_id is None:
        with uow(write=True) as work:
            code, body = act(work)
            work.commit()
        return json_response(code, body)
    answer = idempotency.answer_once(uow, actor.user_id, key, _fingerprint(), act, remember=refusal)
    response = json_response(answer.status_code, answer.body)
    if answer.status_code >= 400:
        response.mimetype = PROBLEM_JSON
    if answer.replayed:
        response.headers["Idempotency-Replayed"] = "true"
    return response


def run_read(
    service: Callable[[UnitOfWork, Actor], T], render: Callable[[T], Any], *, snapshot: bool = False
) -> Response:
    """Run one read service; with ``snapshot``, every query sees the same committed state."""
    actor = current_actor()
    with uow(write=False, snapshot=snapshot) as work:
        result = service(work, actor)
        body = render(result)
    return json_response(200, body)


def run_download(service: Callable[[UnitOfWork, Actor], T], render: Callable[[T], Response]) -> Response:
    """Run a download service (it writes its download event) and render the document in the same transaction."""
    actor = current_actor()
    with uow(write=True) as work:
        response = render(service(work, actor))
        work.commit()
    return response
