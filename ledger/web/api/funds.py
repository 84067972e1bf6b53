"""Funds: creating one, reading balances, and putting a new spending policy in force."""

from __future__ import annotations

from typing import Any

from ledger.services import disbursements, funds
from ledger.services.access import Actor, Need, authorize
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import whole
from ledger.web.api.runtime import api_blueprint, run_read, run_write

blp = api_blueprint("funds", "Funds, their balances and spending policies")


@blp.route("/associations/<code>/funds", methods=["POST"])
@blp.arguments(s.FundIn)
@blp.response(201, s.FundOut)
def create_fund(cmd: funds.FundCommand, code: str) -> Any:
    """Create a fund, from a preset or with an explicit restriction and policy (admin)."""

    def service(work: UnitOfWork, actor: Actor) -> funds.FundView:
        return funds.create_fund(work, actor, authorize(work, actor, code, Need.ADMIN), cmd)

    return run_write(service, s.FundOut().dump)


@blp.route("/associations/<code>/funds", methods=["GET"])
@blp.response(200, s.FundPage)
def list_funds(code: str) -> Any:
    """Every fund with its posted balance, what pending spends reserve, and what is available."""

    def service(work: UnitOfWork, actor: Actor) -> list[funds.FundView]:
        return funds.list_funds(work, authorize(work, actor, code, Need.READ))

    return run_read(service, lambda rows: whole(rows, s.FundOut))


@blp.route("/associations/<code>/funds/<fund_code>", methods=["GET"])
@blp.response(200, s.FundOut)
def get_fund(code: str, fund_code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> funds.FundView:
        return funds.fund_view(work, authorize(work, actor, code, Need.READ), fund_code)

    return run_read(service, s.FundOut().dump)


@blp.route("/associations/<code>/funds/<fund_code>/policy", methods=["PUT"])
@blp.arguments(s.PolicyIn)
@blp.response(200, s.FundOut)
def put_fund_policy(data: dict[str, Any], code: str, fund_code: str) -> Any:
    """Put a new version of a fund's spending policy in force (admin or approver).

    Disbursements keep the policy version they were checked under.
    """

    def service(work: UnitOfWork, actor: Actor) -> funds.FundView:
        books = authorized_books(work, actor, code, Need.APPROVE)
        return disbursements.change_policy(work, actor, books, fund_code, data)

    return run_write(service, s.FundOut().dump, status=200)
