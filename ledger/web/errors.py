"""The one mapping from the ledger's refusals (and HTTP errors) to problem+json (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from ledger.domain.errors import LedgerError, ServiceUnavailable

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

#: HTTP status for each code of API.md (and the few this service adds).
STATUS_OF_CODE: dict[str, int] = {
    "validation_error": 422,
    "unbalanced_entry": 422,
    "insufficient_funds": 422,
    "purpose_violation": 422,
    "period_closed": 422,
    "self_approval": 403,
    "idempotency_conflict": 409,
    "not_found": 404,
    "unauthorized": 401,
    "forbidden": 403,
    "conflict": 409,
    "already_reversed": 409,
    "invalid_transition": 409,
    "incompatible_roles": 409,
    "consent_required": 422,
    "stale_request": 409,
    "more_than_owed": 422,
    "unsupported_media_type": 415,
    "payload_too_large": 413,
    "method_not_allowed": 405,
    "rate_limited": 429,
    "internal_error": 500,
    "service_unavailable": 503,
}

_HTTP_CODE = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def language() -> str:
    """``en`` when the request prefers English, else Vietnamese (API.md: ``vi`` by default)."""
    return request.accept_languages.best_match(["vi", "en"], default="vi") or "vi"


def problem_body(status: int, code: str, title: str, detail: str, **members: Any) -> dict[str, Any]:
    body = {
        "type": f"https://khuyenhoc.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update({k: v for k, v in members.items() if v is not None})
    return body


def problem(status: int, code: str, title: str, detail: str, **members: Any) -> Response:
    body = problem_body(status, code, title, detail, **members)
    try:
        content = json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        # A refusal may echo what the client sent (an unknown field's name); a lone surrogate
        # in it cannot be written as UTF-8, only as a JSON escape.
        content = json.dumps(body, ensure_ascii=True).encode()
    response = Response(content, status=status, mimetype=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="khuyenhoc-ledger"'
    return response


def ledger_problem(error: LedgerError) -> Response:
    status = STATUS_OF_CODE.get(error.code, 422)
    response = problem(status, error.code, error.title, error.detail(language()), errors=error.errors, **error.extra)
    if isinstance(error, ServiceUnavailable):
        response.headers["Retry-After"] = str(error.RETRY_AFTER_S)
    return response


def refusal(error: Exception) -> tuple[int, dict[str, Any]] | None:
    """The answer to remember under a write's ``Idempotency-Key`` when its service refused it (a 422).

    The request itself was refused (its amount, its policy, its period), so the same request
    sent again gets the same refusal rather than a second try (API.md). Other errors are not
    remembered: a 503 or a 409 says nothing about the request, and a retry may succeed.
    """
    if not isinstance(error, LedgerError) or STATUS_OF_CODE.get(error.code, 422) != 422:
        return None
    body = problem_body(422, error.code, error.title, error.detail(language()), errors=error.errors, **error.extra)
    # As the client would read it (dates written as text): the stored answer is plain JSON.
    text = json.dumps(body, ensure_ascii=False)
    try:
        text.encode()
    except UnicodeEncodeError:
        # It echoes a lone surrogate the client sent, which no database stores: refused again
        # the same way on a retry, without being remembered.
        return None
    stored: dict[str, Any] = json.loads(text)
    return 422, stored


def _webargs_errors(error: HTTPException) -> dict[str, Any] | None:
    data = getattr(error, "data", None)
    messages = (data or {}).get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, dict):
        return None
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    code = _HTTP_CODE.get(status, "internal_error" if status >= 500 else "validation_error")
    errors = _webargs_errors(error)
    if status == 422 or (status == 400 and errors):
        status, code = 422, "validation_error"
        detail = (
            "The request has fields that are missing or wrong: see errors."
            if language() == "en"
            else "Yêu cầu có trường thiếu hoặc sai: xem chi tiết trong errors."
        )
        return problem(422, code, "The request is not valid", detail, errors=errors)
    response = problem(status, code, error.name, error.description or error.name)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(LedgerError, ledger_problem)
    app.register_error_handler(HTTPException, http_problem)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # Never a stack trace to a client: log it, answer with a plain problem.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(
            500,
            "internal_error",
            "Internal error",
            "Lỗi hệ thống; xin thử lại sau." if language() == "vi" else "Internal error; please try again later.",
        )
