"""Maker–checker: a disbursement above its fund's threshold is posted only when another person approves it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from ledger.domain.errors import Forbidden, NotFound, SelfApproval
from ledger.domain.events import DisbursementApproved, DisbursementRejected
from ledger.domain.reasons import reason_given
from ledger.domain.states import DISBURSEMENT_STEPS, step
from ledger.persistence.models import Disbursement
from ledger.services import corrections, periods, requests
from ledger.services.access import Actor
from ledger.services.disbursements import (
    DisbursementFilter,
    DisbursementResult,
    DisbursementView,
    command_of,
    find,
    list_disbursements,
    plan_spends,
    post_planned,
    source_of,
    view_of,
)
from ledger.services.journal import BalanceKey, Books, release
from ledger.services.unit_of_work import UnitOfWork


def _decidable(uow: UnitOfWork, books: Books, disbursement_id: int, target: str) -> Disbursement:
    """The disbursement, read under the ledger lock, if it may go to ``target`` from where it is."""
    uow.lock_ledger(books.association.id)
    row = find(uow, books, disbursement_id, fresh=True)
    step(DISBURSEMENT_STEPS, "disbursement", row.status, target)
    return row


def approve(uow: UnitOfWork, actor: Actor, books: Books, disbursement_id: int) -> DisbursementResult:
    """Post a pending disbursement on an approver's word, with the next voucher number of its year.

    The approver is never its maker (maker–checker). Its reservation is released and the
    spend is checked again — the policy, the caps and the balances may have changed while it
    waited — and goods are valued at their average cost as they leave. A refusal leaves it
    pending, reservation and all, for the approver to reject or to approve later.
    """
    row = _decidable(uow, books, disbursement_id, "posted")
    return _post_approved(uow, actor, books, [row], batch=False)[0]


def approve_batch(uow: UnitOfWork, actor: Actor, books: Books, batch_id: int) -> list[DisbursementResult]:
    """Approve every pending item of a batch at once: an award ceremony is one decision.

    All or nothing, checked again item by item as a batch is when it is recorded; the
    approver is the maker of none of them.
    """
    uow.lock_ledger(books.association.id)
    rows = list(
        uow.session.execute(
            select(Disbursement)
            .where(
                Disbursement.association_id == books.association.id,
                Disbursement.batch_id == batch_id,
                Disbursement.status == "pending",
            )
            .order_by(Disbursement.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )
    if not rows:
        raise NotFound(f"đợt chi {batch_id} có khoản chờ duyệt", f"batch {batch_id} with pending items")
    return _post_approved(uow, actor, books, rows, batch=True)


def _post_approved(
    uow: UnitOfWork, actor: Actor, books: Books, rows: list[Disbursement], *, batch: bool
) -> list[DisbursementResult]:
    if actor.user_id is None:
        raise Forbidden(
            "Phiếu chi phải do một người duyệt có tên ký duyệt.",
            "A disbursement must be approved by a named person.",
        )
    if any(row.maker_id == actor.user_id for row in rows):
        raise SelfApproval()
    held: dict[BalanceKey, int] = defaultdict(int)
    for row in rows:
        held[source_of(row)] += row.reserved_vnd
    for key, amount in held.items():
        if amount:
            release(uow, books, key, amount)
    planned = plan_spends(
        uow,
        books,
        [command_of(books, row) for row in rows],
        batch=batch,
        exclude_ids=[row.id for row in rows],
        force_post=True,
    )
    # No longer pending: their goods are the ones leaving now (a refusal rolls this back).
    for row in rows:
        row.status = "posted"
    uow.session.flush()
    entries, numbers = post_planned(uow, actor, books, planned, batch=batch)
    now = uow.clock()
    results: list[DisbursementResult] = []
    for row, one, entry, number in zip(rows, planned, entries, numbers, strict=True):
        row.amount_vnd = one.amount_vnd
        row.policy_version = one.policy_version
        row.approver_id = actor.user_id
        row.decided_at = now
        row.reserved_vnd = 0
        row.entry_seq = entry.seq
        row.voucher_number = number
        results.append(DisbursementResult(view_of(books, row), entry))
    uow.session.flush()
    for row in rows:
        uow.emit(
            DisbursementApproved(
                by=actor,
                association_id=books.association.id,
                disbursement_id=row.id,
                maker_id=row.maker_id,
                amount_vnd=row.amount_vnd,
                voucher=row.voucher_number,
                entry_seq=row.entry_seq,
                policy_version=row.policy_version,
            )
        )
    return results


def reject(uow: UnitOfWork, actor: Actor, books: Books, disbursement_id: int, reason: str) -> DisbursementView:
    """Refuse a pending disbursement with a reason; what it had reserved is available again."""
    reason = reason_given(reason, act_vi="từ chối", act_en="rejection")
    row = _decidable(uow, books, disbursement_id, "rejected")
    release(uow, books, source_of(row), row.reserved_vnd)
    row.status = "rejected"
    # Whoever decides is recorded, also when makers withdraw their own request.
    row.approver_id = actor.user_id
    row.decided_at = uow.clock()
    row.decision_reason = reason
    row.reserved_vnd = 0
    uow.session.flush()
    uow.emit(
        DisbursementRejected(
            by=actor,
            association_id=books.association.id,
            disbursement_id=row.id,
            maker_id=row.maker_id,
            amount_vnd=row.amount_vnd,
            reason=reason,
        )
    )
    return view_of(books, row)


def list_pending(
    uow: UnitOfWork, books: Books, after_id: int = 0, limit: int = 100
) -> tuple[list[DisbursementView], int | None]:
    """A page of disbursements waiting for an approver, oldest first."""
    return list_disbursements(uow, books, DisbursementFilter(status="pending", after_id=after_id, limit=limit))


# --- Requests that need a second person ---------------------------------------------------------


def approve_request(uow: UnitOfWork, actor: Actor, books: Books, request_id: int) -> requests.RequestView:
    """Carry out a pending request on the word of someone who is not its maker.

    What it asks for is checked again against the books of now: a policy changed meanwhile
    (409 ``stale_request``), a reversal whose money was spent meanwhile (422), a year that is
    no longer closed (409). A refusal leaves the request pending, to be rejected or retried.
    """
    row = requests.take_for_approval(uow, actor, books, request_id)
    payload = row.payload
    outcome: dict[str, object]
    if row.kind == "policy_change":
        outcome = requests.apply_policy(uow, actor, books, row)
    elif row.kind == "reversal":
        assert row.entry_seq is not None
        entry = corrections.reverse_now(
            uow,
            actor,
            books,
            row.entry_seq,
            payload["reason"],
            date.fromisoformat(payload["date"]),
            replacement=payload.get("replacement"),
        )
        outcome = {"reversal_seq": entry.seq}
    else:
        year = int(payload["year"])
        reopened = periods.reopen_period(uow, actor, books, year, payload.get("reason", ""))
        outcome = {"year": year, "closing_entries": list(reopened.closing_entries)}
    return requests.mark_approved(uow, actor, books, row, outcome)
