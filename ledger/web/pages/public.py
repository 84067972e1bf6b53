"""Pages anyone may read without an account: an association's chain head, to keep a copy of.

(The receipt verification page is in ``ledger/web/pages/__init__.py``; the disclosure page
comes with the statements.)
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template

from ledger.domain.chain import Checkpoint
from ledger.domain.errors import NotFound
from ledger.extensions import limiter
from ledger.formatting import format_datetime
from ledger.services.publication import ChainHead, chain_head
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api.runtime import json_response
from ledger.web.pages import VERIFY_RATE, _wants_json
from ledger.web.pages.runtime import page_language

public_pages = Blueprint("public", __name__)


def head_json(head: ChainHead) -> dict[str, Any]:
    return {
        "association": head.association,
        "code": head.code,
        "head_seq": head.head_seq,
        "head_hash": head.head_hash,
        "head_at": head.head_at.isoformat() if head.head_at else None,
        "checkpoint": _checkpoint_json(head.checkpoint) if head.checkpoint else None,
    }


def _checkpoint_json(point: Checkpoint) -> dict[str, Any]:
    """As ``ledger verify`` checks it: Ed25519 over ``checkpoint_message`` (``domain/chain.py``)."""
    return {
        "seq": point.seq,
        "hash": point.head_hash,
        "signed_at": point.signed_at.isoformat(),
        "key_id": point.key_id,
        "signature": point.signature,
    }


def _head(code: str) -> ChainHead:
    with UnitOfWork(current_app.extensions["ledger.db"], write=False) as uow:
        return chain_head(uow, code)


@public_pages.route("/public/<code>/chain")
@limiter.limit(VERIFY_RATE)
def chain(code: str) -> Any:
    """The association's chain head (last entry's number and hash): anyone may keep a copy."""
    lang = page_language()
    try:
        head = _head(code)
    except NotFound:
        if _wants_json():
            return json_response(404, {"status": "unknown"})
        return Response(render_template("public/unknown.html", lang=lang), status=404)
    if _wants_json():
        return json_response(200, head_json(head))
    return render_template(
        "public/chain.html",
        lang=lang,
        head=head,
        head_at=format_datetime(head.head_at, lang) if head.head_at else None,
        signed_at=format_datetime(head.checkpoint.signed_at, lang) if head.checkpoint else None,
    )


@public_pages.route("/public/<code>/chain.json")
@limiter.limit(VERIFY_RATE)
def chain_download(code: str) -> Any:
    """The same digest as a file to keep."""
    try:
        head = _head(code)
    except NotFound:
        return json_response(404, {"status": "unknown"})
    response = json_response(200, head_json(head))
    response.headers["Content-Disposition"] = f'attachment; filename="{code}-chain-head-{head.head_seq}.json"'
    return response
