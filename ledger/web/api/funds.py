"""Funds: creating one, reading balances, and putting a new spending policy in force."""

from __future__ import annotations

from typing import Any

from ledger.domain.policy import Consent
from ledger.services import funds, requests
from ledger.services.access import Actor, Need, authorize
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import page, request_body, whole
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


_SECOND_PERSON = "A second person must approve it: the request, listed under GET …/approvals."


def _policy_change(data: dict[str, Any], code: str, fund_code: str, *, replace: bool) -> Any:
    changes = dict(data)
    raw_consent = changes.pop("consent", None)
    reason = changes.pop("reason", "") or ""
    consent = Consent(raw_consent["document"], raw_consent["date"]) if raw_consent else None

    def service(work: UnitOfWork, actor: Actor) -> requests.PolicyChangeResult:
        books = authorized_books(work, actor, code, Need.PROPOSE)
        return requests.propose_policy(
            work, actor, books, fund_code, changes, replace=replace, consent=consent, reason=reason
        )

    def render(result: requests.PolicyChangeResult) -> dict[str, Any]:
        if result.request is not None:
            return request_body(result.request)
        body: dict[str, Any] = s.FundOut().dump(result.fund)
        return body

    return run_write(service, render, status=lambda result: 202 if result.request is not None else 200)


@blp.route("/associations/<code>/funds/<fund_code>/policy", methods=["PATCH"])
@blp.arguments(s.PolicyChangeIn)
@blp.response(200, s.FundOut, description="Only tightens: in force at once.")
@blp.alt_response(202, schema=s.RequestOut, description=_SECOND_PERSON)
def patch_fund_policy(data: dict[str, Any], code: str, fund_code: str) -> Any:
    """Change some keys of a fund's policy (``null`` removes a limit); the others stay as they are.

    A change that only tightens is in force at once (200). One that loosens (new kinds, wider
    categories, higher caps or threshold, more paying days, transfers out) waits for a second
    person (202); for a restricted fund or an endowment it also needs ``consent: {document,
    date}``, the donor's written agreement (422 ``consent_required`` without it).
    """
    return _policy_change(data, code, fund_code, replace=False)


@blp.route("/associations/<code>/funds/<fund_code>/policy", methods=["PUT"])
@blp.arguments(s.PolicyChangeIn)
@blp.response(200, s.FundOut, description="Only tightens: in force at once.")
@blp.alt_response(202, schema=s.RequestOut, description=_SECOND_PERSON)
def put_fund_policy(data: dict[str, Any], code: str, fund_code: str) -> Any:
    """Replace a fund's whole policy: keys left out mean no limit (prefer PATCH). Same rules as PATCH."""
    return _policy_change(data, code, fund_code, replace=True)


@blp.route("/associations/<code>/funds/<fund_code>/policy/versions", methods=["GET"])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, s.PolicyVersionPage)
def list_policy_versions(query: dict[str, Any], code: str, fund_code: str) -> Any:
    """Every version of a fund's policy, oldest first, with who made it, who approved it and the consent."""

    def service(work: UnitOfWork, actor: Actor) -> tuple[list[funds.PolicyVersionView], int | None]:
        association = authorize(work, actor, code, Need.READ)
        return funds.policy_versions(work, association, fund_code, s.cursor(query["cursor"]), query["limit"])

    return run_read(service, lambda found: page(*found, s.PolicyVersionOut))
