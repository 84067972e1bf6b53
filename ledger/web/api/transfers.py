"""Money between funds (transfers) and into them from the bank (interest)."""

from __future__ import annotations

from typing import Any

from ledger.services import interest, journal, transfers
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.runtime import api_blueprint, run_write

blp = api_blueprint("transfers", "Transfers between funds and interest")


@blp.route("/associations/<code>/transfers", methods=["POST"])
@blp.arguments(s.TransferIn)
@blp.response(201, s.EntryOut)
def transfer(cmd: transfers.TransferCommand, code: str) -> Any:
    """Move money between two funds where the source fund's policy allows it (never out of a
    restricted or endowment fund unless its policy says so: 422 ``purpose_violation``)."""

    def service(work: UnitOfWork, actor: Actor) -> journal.EntryView:
        return transfers.transfer(work, actor, authorized_books(work, actor, code, Need.WRITE), cmd)

    return run_write(service, s.ENTRY_OUT.dump)


@blp.route("/associations/<code>/interest", methods=["POST"])
@blp.arguments(s.InterestIn)
@blp.response(201, s.EntryOut)
def record_interest(cmd: interest.InterestCommand, code: str) -> Any:
    """Record interest a fund's deposit earned (Dr 112, Cr 515): what an endowment may spend."""

    def service(work: UnitOfWork, actor: Actor) -> journal.EntryView:
        return interest.record_interest(work, actor, authorized_books(work, actor, code, Need.WRITE), cmd)

    return run_write(service, s.ENTRY_OUT.dump)
