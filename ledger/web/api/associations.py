"""Associations: creating one with its chart of accounts, reading it and its chart."""

from __future__ import annotations

from typing import Any

from ledger.services import associations
from ledger.services.access import Actor, Need, authorize
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import whole
from ledger.web.api.runtime import api_blueprint, run_read, run_write

blp = api_blueprint("associations", "Associations and their charts of accounts")


@blp.route("/associations", methods=["POST"])
@blp.arguments(s.AssociationIn)
@blp.response(201, s.AssociationOut)
def create_association(cmd: associations.AssociationCommand) -> Any:
    """Create an association with the standard chart of accounts and the fund GENERAL (admin)."""

    def service(work: UnitOfWork, actor: Actor) -> associations.AssociationView:
        return associations.association_view(work, associations.create_association(work, actor, cmd))

    return run_write(service, s.AssociationOut().dump)


@blp.route("/associations/<code>", methods=["GET"])
@blp.response(200, s.AssociationOut)
def get_association(code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> associations.AssociationView:
        return associations.association_view(work, authorize(work, actor, code, Need.READ))

    return run_read(service, s.AssociationOut().dump)


@blp.route("/associations/<code>/accounts", methods=["GET"])
@blp.response(200, s.AccountPage)
def list_accounts(code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> Any:
        return associations.list_accounts(work, authorize(work, actor, code, Need.READ))

    # The whole chart fits one page.
    return run_read(service, lambda rows: whole(rows, s.AccountOut))
