"""Verification: the hash chain, the materialised balances and the documents, recomputed."""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import TooManyRequests

from ledger.services import verification
from ledger.services.access import Actor, Need, authorize
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.runtime import api_blueprint, run_read
from ledger.web.limits import chain_verification_allowed, last_results

blp = api_blueprint("verification", "Verifying an association's books")


@blp.route("/associations/<code>/verify", methods=["GET"])
@blp.response(200, s.VerifyOut)
def verify(code: str) -> Any:
    """Recompute the hash chain, check it against the signed checkpoints, recompute the balances
    and compare every document with its entry; name the first bad entry. ``head_seq`` and
    ``head_hash`` are the digest an auditor keeps (``ledger verify --against``).

    A whole chain takes seconds at 10^6 entries: past ``VERIFY_CHAIN_RATE`` per association the
    last result is answered again, with the time it was computed (``verified_at``, ``from_cache``).
    """

    def service(work: UnitOfWork, actor: Actor) -> dict[str, Any]:
        association = authorize(work, actor, code, Need.READ)
        if not chain_verification_allowed(association.code):
            cached = last_results().get(f"verify:{association.code}")
            if cached is None:
                raise TooManyRequests("The chain was verified too often; try again in a minute.", retry_after=60)
            return {**cached, "from_cache": True}
        fields = verification.verify_books(work, association).fields()
        result: dict[str, Any] = s.VerifyOut().dump({**fields, "verified_at": work.clock(), "from_cache": False})
        last_results().put(f"verify:{association.code}", result)
        return result

    return run_read(service, lambda result: result, snapshot=True)
