"""Verification: the hash chain, the materialised balances and the documents, recomputed."""

from __future__ import annotations

from typing import Any

from ledger.services import verification
from ledger.services.access import Actor, Need, authorize
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.runtime import api_blueprint, run_read

blp = api_blueprint("verification", "Verifying an association's books")


@blp.route("/associations/<code>/verify", methods=["GET"])
@blp.response(200, s.VerifyOut)
def verify(code: str) -> Any:
    """Recompute the hash chain, check it against the signed checkpoints, recompute the balances
    and compare every document with its entry; name the first bad entry. ``head_seq`` and
    ``head_hash`` are the digest an auditor keeps (``ledger verify --against``)."""

    def service(work: UnitOfWork, actor: Actor) -> dict[str, Any]:
        association = authorize(work, actor, code, Need.READ)
        return verification.verify_books(work, association).fields()

    return run_read(service, s.VerifyOut().dump, snapshot=True)
