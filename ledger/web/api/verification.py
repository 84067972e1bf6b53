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
    """Recompute the hash chain and the materialised balances; name the first bad entry."""

    def service(work: UnitOfWork, actor: Actor) -> dict[str, Any]:
        association = authorize(work, actor, code, Need.READ)
        report = verification.verify_association(work, association)
        mismatches = verification.check_balances(work, association)
        problems = verification.check_documents(work, association)
        return {**report.__dict__, "balances_ok": not mismatches, "documents_ok": not problems, "problems": problems}

    return run_read(service, s.VerifyOut().dump, snapshot=True)
