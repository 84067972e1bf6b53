"""What every request and response passes through: a bound on JSON nesting, security headers, no caching of personal data."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import BadRequest

#: The deepest JSON a request may nest: the API's deepest body (a policy's windows in a fund) is 4.
JSON_DEPTH_MAX = 32
#: Answers that may carry donors' and beneficiaries' names, addresses and amounts: kept by no cache.
_DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/plain",
    }
)


class JSONTooDeep(BadRequest):
    description = f"The JSON body nests deeper than {JSON_DEPTH_MAX} levels."


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` containers; walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def refuse_deep_json() -> None:
    """A JSON body nested past ``JSON_DEPTH_MAX`` is a 400 before anything reads it.

    Python's parser gives up on 100,000 levels with a RecursionError (a 500 before this), and
    a body just shallow enough to parse would fail the same way later in the schemas or in
    the idempotency key's canonical form. A body that is not JSON at all is left to them.
    """
    if not request.is_json:
        return
    data = request.get_data(cache=True)
    if not data:
        return
    try:
        parsed = json.loads(data)
    except RecursionError:
        raise JSONTooDeep() from None
    except ValueError:
        return
    if _depth_exceeds(parsed, JSON_DEPTH_MAX):
        raise JSONTooDeep()


#: The pages' policy: no inline script or style anywhere (their scripts are files under
#: ``ledger/static/``), nothing from another site, never framed.
PAGE_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def secure_headers(response: Response) -> Response:
    """Security headers on every response; ``no-store`` on every answer that may carry personal data."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", PAGE_CONTENT_SECURITY_POLICY)
    elif response.mimetype in ("application/json", "application/problem+json"):
        # JSON is never a page: nothing in it may run, frame or load anything.
        headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
    # An answer to a signed-in caller (a bearer token) may name donors and beneficiaries; a
    # document (receipt, voucher, statement, export) always does.
    if g.get("actor") is not None or response.mimetype in _DOCUMENT_TYPES:
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
    return response


def install_edges(app: Flask) -> None:
    app.before_request(refuse_deep_json)
    app.after_request(secure_headers)
