"""Maker–checker: a disbursement above its fund's threshold is posted only when another person approves it."""

from __future__ import annotations

from ledger.domain.errors import Forbidden, SelfApproval
from ledger.domain.events import DisbursementApproved, DisbursementRejected
from ledger.domain.reasons import reason_given
from ledger.domain.states import DISBURSEMENT_STEPS, step
from ledger.persistence.models import Disbursement
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
from ledger.services.journal import Books, release
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
    if actor.user_id is None:
        raise Forbidden(
            "Phiếu chi phải do một người duyệt có tên ký duyệt.",
            "A disbursement must be approved by a named person.",
        )
    if row.maker_id == actor.user_id:
        raise SelfApproval()
    release(uow, books, source_of(row), row.reserved_vnd)
    planned = plan_spends(uow, books, [command_of(books, row)], batch=False, exclude_id=row.id, force_post=True)[0]
    # No longer pending: its goods are the ones leaving now (a refusal rolls this back).
    row.status = "posted"
    uow.session.flush()
    entries, numbers = post_planned(uow, actor, books, [planned], batch=False)
    row.amount_vnd = planned.amount_vnd
    row.policy_version = planned.policy_version
    row.approver_id = actor.user_id
    row.decided_at = uow.clock()
    row.reserved_vnd = 0
    row.entry_seq = entries[0].seq
    row.voucher_number = numbers[0]
    uow.session.flush()
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
    return DisbursementResult(view_of(books, row), entries[0])


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
