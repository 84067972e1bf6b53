"""Donors and beneficiaries: registering them and reading them page by page."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ledger.services import donor_portal, parties
from ledger.services.access import Actor, Need, authorize
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import base_url, first, page
from ledger.web.api.runtime import api_blueprint, run_read, run_write

blp = api_blueprint("parties", "Donors and beneficiaries")


@blp.route("/associations/<code>/donors", methods=["POST"])
@blp.arguments(s.DonorIn)
@blp.response(201, s.DonorOut)
def create_donor(cmd: parties.DonorCommand, code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> parties.DonorView:
        return parties.create_donor(work, actor, authorize(work, actor, code, Need.WRITE), cmd)

    return run_write(service, s.DonorOut().dump)


@blp.route("/associations/<code>/donors", methods=["GET"])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, s.page_of(s.DonorOut))
def list_donors(query: dict[str, Any], code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> list[parties.DonorView]:
        association = authorize(work, actor, code, Need.READ)
        return parties.list_donors(work, association, s.cursor(query["cursor"]), query["limit"] + 1)

    return run_read(service, lambda rows: page(*first(rows, query["limit"]), s.DonorOut))


@blp.route("/associations/<code>/donors/<id:donor_id>", methods=["GET"])
@blp.response(200, s.DonorOut)
def get_donor(code: str, donor_id: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> parties.DonorView:
        return parties.get_donor(work, authorize(work, actor, code, Need.READ), donor_id)

    return run_read(service, s.DonorOut().dump)


@blp.route("/associations/<code>/beneficiaries", methods=["POST"])
@blp.arguments(s.BeneficiaryIn)
@blp.response(201, s.BeneficiaryOut)
def create_beneficiary(cmd: parties.BeneficiaryCommand, code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> parties.BeneficiaryView:
        return parties.create_beneficiary(work, actor, authorize(work, actor, code, Need.WRITE), cmd)

    return run_write(service, s.BeneficiaryOut().dump)


@blp.route("/associations/<code>/beneficiaries", methods=["GET"])
@blp.arguments(s.PageQuery, location="query")
@blp.response(200, s.page_of(s.BeneficiaryOut))
def list_beneficiaries(query: dict[str, Any], code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> list[parties.BeneficiaryView]:
        association = authorize(work, actor, code, Need.READ)
        return parties.list_beneficiaries(work, association, s.cursor(query["cursor"]), query["limit"] + 1)

    return run_read(service, lambda rows: page(*first(rows, query["limit"]), s.BeneficiaryOut))


@blp.route("/associations/<code>/beneficiaries/<id:beneficiary_id>", methods=["GET"])
@blp.response(200, s.BeneficiaryOut)
def get_beneficiary(code: str, beneficiary_id: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> parties.BeneficiaryView:
        return parties.get_beneficiary(work, authorize(work, actor, code, Need.READ), beneficiary_id)

    return run_read(service, s.BeneficiaryOut().dump)


@blp.route("/associations/<code>/donors/<id:donor_id>/link", methods=["POST"])
@blp.response(202, s.DonorLinkOut)
def send_donor_link(code: str, donor_id: int) -> Any:
    """E-mail the donor a signed link to their own pages (receipts, statements), valid for a week."""

    def service(work: UnitOfWork, actor: Actor) -> dict[str, str]:
        authorize(work, actor, code, Need.WRITE)
        secret = str(current_app.config["SECRET_KEY"])
        return {"sent_to": donor_portal.send_link(work, actor, code, donor_id, secret, base_url())}

    return run_write(service, s.DonorLinkOut().dump, status=202)
