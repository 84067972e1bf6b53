"""The JSON API of API.md: thin views that parse, call one service and render."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import Response, current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema

from ledger.domain.entries import EntryDraft, LineDraft
from ledger.domain.errors import ValidationFailed
from ledger.persistence.models import Association, Beneficiary, Donation, Donor
from ledger.services import associations as associations_svc
from ledger.services import corrections, donations, funds, journal, parties, receipts, verification
from ledger.services.access import Actor, Need, authorize
from ledger.services.charts import authorized_books
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.runtime import current_actor, run_read, run_write
from ledger.web.errors import problem

blp = Blueprint("api", __name__, url_prefix="/api/v1", description="Khuyến học Fund Ledger API")

_DIGITS = re.compile(r"[0-9]{1,19}")


@blp.before_request
def _authenticate_then_require_json() -> Response | None:
    """Every API request names its caller first: without a valid token it is a 401, whatever its body.

    Only then is a write's body checked to be JSON (415 otherwise, 422 when malformed), before its
    schema reads it. The OpenAPI document is served by flask-smorest's own blueprint and stays public.
    """
    current_actor()
    if request.method in ("POST", "PUT", "PATCH"):
        if not request.is_json:
            return problem(
                415, "unsupported_media_type", "Unsupported media type", "Send the body as application/json."
            )
        if request.get_json(silent=True) is None:
            raise ValidationFailed(
                "Nội dung yêu cầu không phải JSON hợp lệ.",
                "The body is not valid JSON.",
                errors={"body": ["malformed JSON"]},
            )
    return None


def books_for(work: UnitOfWork, actor: Actor, code: str, need: Need) -> Books:
    return authorized_books(work, actor, code, need)


def _cursor(raw: str | None, maximum: int = s.ID_MAX) -> int:
    """The id (or sequence number, up to ``maximum``) a page continues after; 0 for the first page."""
    if raw is None:
        return 0
    if _DIGITS.fullmatch(raw) is None or int(raw) > maximum:
        raise ValidationFailed("Con trỏ trang không hợp lệ.", "Invalid cursor.", errors={"cursor": ["invalid"]})
    return int(raw)


def _page(items: Sequence[Any], next_id: int | None, schema: type[Schema]) -> dict[str, Any]:
    """A page of API.md: ``{items, next_cursor}``, the cursor being the id to continue after, if more."""
    return {"items": schema(many=True).dump(items), "next_cursor": str(next_id) if next_id is not None else None}


def _first(rows: Sequence[Any], limit: int) -> tuple[Sequence[Any], int | None]:
    """The first ``limit`` of ``rows`` (read with one more) and, when there are more, the last one's id."""
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def _association_out(work: UnitOfWork, association: Association) -> dict[str, Any]:
    parent = work.session.get(Association, association.parent_id) if association.parent_id else None
    body: dict[str, Any] = s.AssociationOut().dump(
        {
            "code": association.code,
            "name": association.name,
            "level": association.level,
            "parent": parent.code if parent else None,
            "address": association.address,
        }
    )
    return body


# --- Associations and set-up -------------------------------------------------------------------


@blp.route("/associations", methods=["POST"])
@blp.arguments(s.AssociationIn)
@blp.response(201, s.AssociationOut)
def create_association(data: dict[str, Any]) -> Any:
    """Create an association with the standard chart of accounts and the fund GENERAL (admin)."""

    def service(work: UnitOfWork, actor: Actor) -> dict[str, Any]:
        created = associations_svc.create_association(work, actor, associations_svc.AssociationCommand(**data))
        return _association_out(work, created)

    return run_write(service, lambda body: body)


@blp.route("/associations/<code>", methods=["GET"])
@blp.response(200, s.AssociationOut)
def get_association(code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> dict[str, Any]:
        return _association_out(work, authorize(work, actor, code, Need.READ))

    return run_read(service, lambda body: body)


@blp.route("/associations/<code>/accounts", methods=["GET"])
@blp.response(200, s.AccountPage)
def list_accounts(code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> Any:
        return associations_svc.list_accounts(work, authorize(work, actor, code, Need.READ))

    # The whole chart fits one page; the shape is the one every list has (API.md).
    return run_read(service, lambda rows: {"items": s.AccountOut(many=True).dump(rows), "next_cursor": None})


@blp.route("/associations/<code>/funds", methods=["POST"])
@blp.arguments(s.FundIn)
@blp.response(201, s.FundOut)
def create_fund(data: dict[str, Any], code: str) -> Any:
    """Create a fund, from a preset or with an explicit restriction and policy (admin)."""

    def service(work: UnitOfWork, actor: Actor) -> funds.FundView:
        association = authorize(work, actor, code, Need.ADMIN)
        fund = funds.create_fund_in(work, actor, association, funds.FundCommand(**data))
        work.session.flush()
        return funds.fund_view(work, association, fund.code)

    return run_write(service, s.FundOut().dump)


@blp.route("/associations/<code>/funds", methods=["GET"])
@blp.response(200, s.FundPage)
def list_funds(code: str) -> Any:
    """Every fund with its posted balance, what pending spends reserve, and what is available."""

    def service(work: UnitOfWork, actor: Actor) -> list[funds.FundView]:
        return funds.list_funds(work, authorize(work, actor, code, Need.READ))

    return run_read(service, lambda rows: {"items": s.FundOut(many=True).dump(rows), "next_cursor": None})


@blp.route("/associations/<code>/funds/<fund_code>", methods=["GET"])
@blp.response(200, s.FundOut)
def get_fund(code: str, fund_code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> funds.FundView:
        return funds.fund_view(work, authorize(work, actor, code, Need.READ), fund_code)

    return run_read(service, s.FundOut().dump)


@blp.route("/associations/<code>/donors", methods=["POST"])
@blp.arguments(s.DonorIn)
@blp.response(201, s.DonorOut)
def create_donor(data: dict[str, Any], code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> Donor:
        association = authorize(work, actor, code, Need.WRITE)
        return parties.create_donor(work, actor, association, parties.DonorCommand(**data))

    return run_write(service, s.DonorOut().dump)


@blp.route("/associations/<code>/donors", methods=["GET"])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, s.page_of(s.DonorOut))
def list_donors(query: dict[str, Any], code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> list[Donor]:
        association = authorize(work, actor, code, Need.READ)
        return parties.list_donors(work, association, _cursor(query["cursor"]), query["limit"] + 1)

    return run_read(service, lambda rows: _page(*_first(rows, query["limit"]), s.DonorOut))


@blp.route("/associations/<code>/donors/<id:donor_id>", methods=["GET"])
@blp.response(200, s.DonorOut)
def get_donor(code: str, donor_id: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> Donor:
        return parties.get_donor(work, authorize(work, actor, code, Need.READ), donor_id)

    return run_read(service, s.DonorOut().dump)


@blp.route("/associations/<code>/beneficiaries", methods=["POST"])
@blp.arguments(s.BeneficiaryIn)
@blp.response(201, s.BeneficiaryOut)
def create_beneficiary(data: dict[str, Any], code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> Beneficiary:
        association = authorize(work, actor, code, Need.WRITE)
        return parties.create_beneficiary(work, actor, association, parties.BeneficiaryCommand(**data))

    return run_write(service, s.BeneficiaryOut().dump)


@blp.route("/associations/<code>/beneficiaries", methods=["GET"])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, s.page_of(s.BeneficiaryOut))
def list_beneficiaries(query: dict[str, Any], code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> list[Beneficiary]:
        association = authorize(work, actor, code, Need.READ)
        return parties.list_beneficiaries(work, association, _cursor(query["cursor"]), query["limit"] + 1)

    return run_read(service, lambda rows: _page(*_first(rows, query["limit"]), s.BeneficiaryOut))


@blp.route("/associations/<code>/beneficiaries/<id:beneficiary_id>", methods=["GET"])
@blp.response(200, s.BeneficiaryOut)
def get_beneficiary(code: str, beneficiary_id: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> Beneficiary:
        return parties.get_beneficiary(work, authorize(work, actor, code, Need.READ), beneficiary_id)

    return run_read(service, s.BeneficiaryOut().dump)


# --- Donations and receipts --------------------------------------------------------------------


def receipt_body(association_code: str, donation: Donation | donations.DonationView, fund: str) -> dict[str, Any]:
    base = current_app.extensions["ledger.settings"].public_base_url
    number = donation.receipt_number
    body: dict[str, Any] = s.RECEIPT_OUT.dump(
        {
            "receipt_number": number,
            "received_on": donation.received_on,
            "amount_vnd": donation.amount_vnd,
            "fund": fund,
            "donor_id": donation.donor_id,
            "method": donation.method,
            "status": donation.status,
            "verify_url": receipts.verify_url(base, donation.verify_token),
            "pdf_url": f"{base}/api/v1/associations/{association_code}/receipts/{number}.pdf",
            "entry_seq": donation.entry.seq if isinstance(donation, donations.DonationView) else donation.entry_seq,
            "voided_on": getattr(donation, "voided_on", None),
            "void_reason": getattr(donation, "void_reason", None),
        }
    )
    return body


@blp.route("/associations/<code>/donations", methods=["POST"])
@blp.arguments(s.DonationIn())
@blp.response(201, s.DonationOut)
def record_donation(data: dict[str, Any], code: str) -> Any:
    """Record a donation in cash, by bank or in kind, and number its receipt."""
    cmd = donations.DonationCommand(
        donor_id=data["donor_id"],
        fund=data["fund"],
        method=data["method"],
        amount_vnd=data["amount"],
        received_on=data["received_on"],
        items=tuple(
            donations.ItemCommand(i["description"], i["quantity"], i["unit"], i["unit_value"]) for i in data["items"]
        ),
        memo=data.get("memo", ""),
    )

    def service(work: UnitOfWork, actor: Actor) -> donations.DonationView:
        return donations.record_donation(work, actor, books_for(work, actor, code, Need.WRITE), cmd)

    return run_write(
        service,
        lambda v: {"entry": s.ENTRY_OUT.dump(v.entry), "receipt": receipt_body(code, v, v.fund)},
    )


@blp.route("/associations/<code>/receipts/<number>", methods=["GET"])
@blp.response(200, s.ReceiptOut)
def get_receipt(code: str, number: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> dict[str, Any]:
        books = books_for(work, actor, code, Need.READ)
        donation = donations.get_receipt(work, books, number)
        return receipt_body(code, donation, books.funds_by_id[donation.fund_id].code)

    return run_read(service, lambda body: body)


# --- The journal --------------------------------------------------------------------------------


@blp.route("/associations/<code>/entries", methods=["POST"])
@blp.arguments(s.EntryIn)
@blp.response(201, s.EntryOut)
def post_entry(data: dict[str, Any], code: str) -> Any:
    """Post a general journal entry (opening balances, interest, adjustments); it must balance per fund."""
    draft = EntryDraft(
        entry_on=data["date"],
        memo=data["memo"],
        kind=data["kind"],
        lines=tuple(
            LineDraft(
                account=line["account"],
                fund=line["fund"],
                debit_vnd=line["debit"] or 0,
                credit_vnd=line["credit"] or 0,
                quantity=line["quantity"],
                unit=line["unit"],
                item=line["item"],
                donor_id=line["donor_id"],
                beneficiary_id=line["beneficiary_id"],
            )
            for line in data["lines"]
        ),
    )

    def service(work: UnitOfWork, actor: Actor) -> journal.EntryView:
        books = books_for(work, actor, code, Need.WRITE)
        return journal.post_general_entry(work, actor, books, draft)

    return run_write(service, s.ENTRY_OUT.dump)


@blp.route("/associations/<code>/entries", methods=["GET"])
@blp.arguments(s.EntryQuery, location="query")
@blp.response(200, s.page_of(s.EntryOut))
def list_entries(query: dict[str, Any], code: str) -> Any:
    flt = journal.EntryFilter(
        from_on=query["from_"],
        to_on=query["to"],
        fund=query["fund"],
        account=query["account"],
        after_seq=_cursor(query["cursor"], s.SEQ_MAX),
        limit=query["limit"],
    )

    def service(work: UnitOfWork, actor: Actor) -> tuple[list[journal.EntryView], int | None]:
        return journal.list_entries(work, books_for(work, actor, code, Need.READ), flt)

    return run_read(service, lambda page: _page(page[0], page[1], s.EntryOut))


@blp.route("/associations/<code>/entries/<seq:seq>", methods=["GET"])
@blp.response(200, s.EntryOut)
def get_entry(code: str, seq: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> journal.EntryView:
        return journal.get_entry(work, books_for(work, actor, code, Need.READ), seq)

    return run_read(service, s.ENTRY_OUT.dump)


@blp.route("/associations/<code>/entries/<seq:seq>/reverse", methods=["POST"])
@blp.arguments(s.ReverseIn)
@blp.response(201, s.EntryOut)
def reverse_entry(data: dict[str, Any], code: str, seq: int) -> Any:
    """Reverse a posted entry with a reason; its receipt or voucher becomes void."""

    def service(work: UnitOfWork, actor: Actor) -> journal.EntryView:
        books = books_for(work, actor, code, Need.WRITE)
        return corrections.reverse(work, actor, books, seq, data["reason"], data["date"])

    return run_write(service, s.ENTRY_OUT.dump)


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


from ledger.web.api import spending  # noqa: E402, F401 - adds the spending routes to this blueprint
