"""The journal: posting a general entry, reading entries, reversing one."""

from __future__ import annotations

from typing import Any

from ledger.domain.entries import EntryDraft
from ledger.services import corrections, journal
from ledger.services.access import Actor, Need
from ledger.services.charts import authorized_books
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import page, request_body
from ledger.web.api.runtime import api_blueprint, run_read, run_write

blp = api_blueprint("entries", "The journal: entries and reversals")


@blp.route("/associations/<code>/entries", methods=["POST"])
@blp.arguments(s.EntryIn)
@blp.response(201, s.EntryOut)
def post_entry(draft: EntryDraft, code: str) -> Any:
    """Post a general journal entry (opening balances, interest, adjustments); it must balance per fund."""

    def service(work: UnitOfWork, actor: Actor) -> journal.EntryView:
        return journal.post_general_entry(work, actor, authorized_books(work, actor, code, Need.WRITE), draft)

    return run_write(service, s.ENTRY_OUT.dump)


@blp.route("/associations/<code>/entries", methods=["GET"])
@blp.arguments(s.EntryQuery, location="query")
@blp.response(200, s.page_of(s.EntryOut))
def list_entries(flt: journal.EntryFilter, code: str) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> tuple[list[journal.EntryView], int | None]:
        return journal.list_entries(work, authorized_books(work, actor, code, Need.READ), flt)

    return run_read(service, lambda found: page(*found, s.EntryOut))


@blp.route("/associations/<code>/entries/<seq:seq>", methods=["GET"])
@blp.response(200, s.EntryOut)
def get_entry(code: str, seq: int) -> Any:
    def service(work: UnitOfWork, actor: Actor) -> journal.EntryView:
        return journal.get_entry(work, authorized_books(work, actor, code, Need.READ), seq)

    return run_read(service, s.ENTRY_OUT.dump)


@blp.route("/associations/<code>/entries/<seq:seq>/reverse", methods=["POST"])
@blp.arguments(s.ReverseIn)
@blp.response(201, s.EntryOut, description="Reversed at once (the entry voids no receipt or voucher).")
@blp.alt_response(202, schema=s.RequestOut, description="It would void a receipt or voucher: a request.")
def reverse_entry(data: dict[str, Any], code: str, seq: int) -> Any:
    """Reverse a posted entry with a reason.

    When it would void a receipt or a voucher, the reversal is a request (202) that an approver
    who is not its maker approves; the donor then gets a void notice (pointing to
    ``replacement``, a receipt that replaces the voided one, if given).
    """

    def service(work: UnitOfWork, actor: Actor) -> corrections.ReversalOutcome:
        books = authorized_books(work, actor, code, Need.WRITE)
        return corrections.reverse(
            work, actor, books, seq, data["reason"], data["date"], replacement=data.get("replacement")
        )

    def render(outcome: corrections.ReversalOutcome) -> dict[str, Any]:
        if outcome.request is not None:
            return request_body(outcome.request)
        body: dict[str, Any] = s.ENTRY_OUT.dump(outcome.entry)
        return body

    return run_write(service, render, status=lambda outcome: 202 if outcome.request is not None else 201)
