"""Statements and books for auditors (``…/reports/*``, ``…/export/journal``, ``GET /associations``),
in JSON, CSV, XLSX and PDF: thin views over ``ledger/reports``; every download is audited there."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app, stream_with_context
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ledger.clock import today_vn
from ledger.documents.report_files import MIMETYPES, render_chunks
from ledger.reports import catalogue, disclosure, downloads, plaintext
from ledger.reports.downloads import FORMATS, ReportQuery, Runtime
from ledger.reports.model import Report
from ledger.services.directory import readable_associations
from ledger.web.api.runtime import api_blueprint, current_actor, run_read, run_write
from ledger.web.api.schemas import PAGE_DEFAULT, PAGE_MAX, AssociationOut, Day, Flag, Text

blp = api_blueprint("reports", "Statements, books and exports for auditors")
#: What anyone may read without a login (the disclosure list an association has published).
#: Outside ``/api/v1``, like the public receipt verification page: no token is asked for.
public_blp = Blueprint("public_reports", __name__, url_prefix="", description="Public disclosure lists")

_FILE: dict[str, Any] = {"content": {"text/csv": {}, MIMETYPES["xlsx"]: {}, "application/pdf": {}}}


#: A report's dates stay within the years books can hold: a period from 0001-01-01 has no day
#: before it to take the opening balance at (Schemathesis found the 500 that made).
REPORT_DAYS = validate.Range(min=date(1900, 1, 1), max=date(2999, 12, 31), error="a date from 1900 to 2999")


class ReportArgs(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))
    as_of = Day(load_default=None, validate=REPORT_DAYS)
    from_ = Day(data_key="from", load_default=None, validate=REPORT_DAYS)
    to = Day(load_default=None, validate=REPORT_DAYS)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("must not be after to", "from")


class BookArgs(ReportArgs):
    account = Text(load_default=None)


class ExportArgs(Schema):
    format = fields.String(load_default="hledger", validate=validate.OneOf(["hledger", "ledger"]))
    from_ = Day(data_key="from", load_default=None, validate=REPORT_DAYS)
    to = Day(data_key="to", load_default=None, validate=REPORT_DAYS)


class ReportOut(Schema):
    """API.md's report shape; ``rows`` as each report documents."""

    report = fields.String()
    association = fields.String()
    period = fields.Dict()
    generated_at = fields.String()
    head_seq = fields.Integer()
    head_hash = fields.String()
    rows = fields.List(fields.Dict())
    totals = fields.Dict()


def runtime() -> Runtime:
    return Runtime(current_app.extensions["ledger.db"], current_app.extensions["ledger.clock"])


def query_of(args: dict[str, Any], **params: Any) -> ReportQuery:
    return ReportQuery(
        format=args["format"],
        as_of=args.get("as_of"),
        from_on=args.get("from_"),
        to_on=args.get("to"),
        params=tuple(sorted(params.items())),
    )


def send(report: Report, fmt: str) -> Response:
    """The report in the format asked for, as a download (JSON inline)."""
    return _download(b"".join(render_chunks(report, fmt)), fmt, report.filename(fmt))


def _download(body: Any, fmt: str, filename: str) -> Response:
    response = Response(body, mimetype=MIMETYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = MIMETYPES[fmt]
    if fmt != "json":
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _run_book(code: str, name: str, args: dict[str, Any]) -> Response:
    query = query_of(args)
    rt = runtime()
    today = today_vn(rt.clock())
    chunks = downloads.run_stream(rt, current_actor(), code, name, query, catalogue.streamer(name, query, today))
    when = query.as_of or query.to_on or today
    return _download(stream_with_context(chunks), query.format, f"{code}-{name}-{when.isoformat()}.{query.format}")


def _run(code: str, name: str, args: dict[str, Any]) -> Response:
    query = query_of(args)
    tree = name in catalogue.TREE_REPORTS
    report = downloads.run(runtime(), current_actor(), code, name, query, catalogue.builder(name, query), tree=tree)
    return send(report, query.format)


@blp.route("/associations/<code>/reports/trial-balance", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut, description="JSON, or the CSV, XLSX or PDF download")
@blp.doc(responses={"200": _FILE})
def trial_balance(args: dict[str, Any], code: str) -> Response:
    """Every (account, fund) balance at the end of ``as_of`` (default today): nets to zero."""
    return _run(code, "trial-balance", args)


@blp.route("/associations/<code>/reports/fund-balances", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def fund_balances(args: dict[str, Any], code: str) -> Response:
    """The fund statement (quyết toán quỹ) for ``from``..``to`` (default: this year to today):
    opening, received by cash, bank and goods, spent by kind, transfers, closing, reserved, available."""
    return _run(code, "fund-balances", args)


@blp.route("/associations/<code>/reports/activities", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def activities(args: dict[str, Any], code: str) -> Response:
    """Revenue and expenses by fund and restriction for ``from``..``to`` (default: this year to today)."""
    return _run(code, "activities", args)


@blp.route("/associations/<code>/reports/disclosure", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def disclosure_report(args: dict[str, Any], code: str) -> Response:
    """The public disclosure list (donations and spending, children masked), for the association's readers."""
    return _run(code, "disclosure", args)


@public_blp.route("/disclosure/<code>", methods=["GET"])
@public_blp.arguments(ReportArgs, location="query")
@public_blp.response(200, ReportOut)
@public_blp.doc(responses={"200": _FILE}, security=[])
def public_disclosure(args: dict[str, Any], code: str) -> Response:
    """The disclosure list without login, once the association has turned publication on (404 before)."""
    query = query_of(args)
    build = catalogue.builder("disclosure", query)
    report = downloads.run_public(runtime(), code, query, build, allowed=disclosure.published)
    return send(report, query.format)


class PublicationIn(Schema):
    published = Flag(required=True)


class PublicationOut(Schema):
    association = fields.String()
    published = fields.Boolean()


@blp.route("/associations/<code>/disclosure/publication", methods=["PUT"])
@blp.arguments(PublicationIn)
@blp.response(200, PublicationOut)
def set_publication(data: dict[str, Any], code: str) -> Response:
    """Turn the public disclosure list on or off (approver or admin; audited)."""

    def service(work: Any, actor: Any) -> dict[str, Any]:
        association = disclosure.set_publication(work, actor, code, data["published"])
        return {"association": association.code, "published": association.publish_disclosure}

    return run_write(service, lambda body: body, status=200)


@blp.route("/associations/<code>/reports/receipt-register", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def receipt_register(args: dict[str, Any], code: str) -> Response:
    """Every receipt number in order with date, amount, fund and status; voids with date and reason;
    ``gaps`` lists any number missing from its series (there must be none)."""
    return _run(code, "receipt-register", args)


@blp.route("/associations/<code>/reports/voucher-register", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def voucher_register(args: dict[str, Any], code: str) -> Response:
    """Every voucher number in order, as the receipt register."""
    return _run(code, "voucher-register", args)


@blp.route("/associations/<code>/reports/consolidated", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def consolidated_report(args: dict[str, Any], code: str) -> Response:
    """The association and its subtree: a column per member, what members gave each other eliminated, one total."""
    return _run(code, "consolidated", args)


@blp.route("/associations/<code>/reports/goods-book", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def goods_book(args: dict[str, Any], code: str) -> Response:
    """Sổ nhập–xuất–tồn: per fund and item, quantities and values in, out and on hand at average cost."""
    return _run(code, "goods-book", args)


@blp.route("/associations/<code>/reports/audit-log", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def audit_log_report(args: dict[str, Any], code: str) -> Response:
    """The audit log of ``from``..``to`` (Vietnam dates) as a file: every write and download."""
    return _run(code, "audit-log", args)


@blp.route("/associations/<code>/reports/verification", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def verification_report(args: dict[str, Any], code: str) -> Response:
    """The chain verified (head digest, first break), balances and documents checked: ``ok`` and the checks."""
    return _run(code, "verification", args)


@blp.route("/associations/<code>/reports/general-journal", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def general_journal(args: dict[str, Any], code: str) -> Response:
    """Nhật ký chung: every line of every entry in order, with its receipt or voucher number (streamed)."""
    return _run_book(code, "general-journal", args)


@blp.route("/associations/<code>/reports/general-ledger", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def general_ledger(args: dict[str, Any], code: str) -> Response:
    """Sổ cái: every line per account and fund with running balances, balances brought forward (streamed)."""
    return _run_book(code, "general-ledger", args)


@blp.route("/associations/<code>/reports/cash-book", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def cash_book(args: dict[str, Any], code: str) -> Response:
    """Sổ quỹ tiền mặt (111): opening balance, each receipt and voucher with its number, running and closing balance."""
    return _run_book(code, "cash-book", args)


@blp.route("/associations/<code>/reports/bank-book", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses={"200": _FILE})
def bank_book(args: dict[str, Any], code: str) -> Response:
    """Sổ tiền gửi ngân hàng (112), as the cash book."""
    return _run_book(code, "bank-book", args)


@blp.route("/associations/<code>/export/journal", methods=["GET"])
@blp.arguments(ExportArgs, location="query")
@blp.doc(responses={"200": {"description": "An hledger / ledger-cli journal", "content": {"text/plain": {}}}})
def export_journal(args: dict[str, Any], code: str) -> Response:
    """The journal as an hledger / ledger-cli file (``format=hledger``): ``hledger balance`` on it
    gives the trial balance to the đồng."""
    query = ReportQuery(format=args["format"], from_on=args.get("from_"), to_on=args.get("to"))

    def produce(uow: Any, association: Any, head: Any) -> Any:
        for part in plaintext.iter_journal(uow, association, from_on=query.from_on, to_on=query.to_on, head=head):
            yield part.encode("utf-8")

    chunks = downloads.run_stream(runtime(), current_actor(), code, "journal", query, produce)
    response = Response(stream_with_context(chunks), mimetype="text/plain")
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{code}.journal"'
    return response


class AssociationPageArgs(Schema):
    limit = fields.Integer(load_default=PAGE_DEFAULT, validate=validate.Range(1, PAGE_MAX))
    cursor = Text(load_default=None)


class AssociationPage(Schema):
    items = fields.List(fields.Nested(AssociationOut))
    next_cursor = fields.String(allow_none=True)


@blp.route("/associations", methods=["GET"])
@blp.arguments(AssociationPageArgs, location="query")
@blp.response(200, AssociationPage)
def list_associations(args: dict[str, Any]) -> Response:
    """The associations the caller may read, in code order: their own, and an auditor's subtree."""

    def service(work: Any, actor: Any) -> dict[str, Any]:
        page, next_code = readable_associations(work, actor, after=args["cursor"], limit=args["limit"])
        items = [
            {"code": a.code, "name": a.name, "level": a.level, "parent": parent, "address": a.address}
            for a, parent in page
        ]
        return {"items": AssociationOut(many=True).dump(items), "next_cursor": next_code}

    return run_read(service, lambda body: body)
