"""Requests that need a second person: a loosening policy change, a reversal that voids a
receipt or a voucher, and a period reopening (API.md "Requests that need a second person").

A request writes nothing but itself. Someone other than its maker approves it (approver or
administrator), and only then is the change made, checked again against the books of that
moment; or rejects it with a reason. DESIGN.md "Controls" says which two people agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ledger.clock import today_vn
from ledger.domain.errors import Conflict, Forbidden, LedgerError, NotFound, SelfApproval, ValidationFailed
from ledger.domain.events import RequestApproved, RequestOpened, RequestRejected
from ledger.domain.policy import CONSENT_RESTRICTIONS, Consent, FundPolicy, loosened_keys
from ledger.domain.reasons import reason_given
from ledger.domain.states import step
from ledger.persistence.models import ApprovalRequest, Fund
from ledger.services import funds
from ledger.services.access import Actor
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork

#: pending → approved | rejected, nothing after.
REQUEST_STEPS: dict[str, frozenset[str]] = {
    "pending": frozenset({"approved", "rejected"}),
    "approved": frozenset(),
    "rejected": frozenset(),
}
KINDS = ("policy_change", "reversal", "period_reopen")
#: How a request is named in a sentence.
KIND_LABELS_VI = {
    "policy_change": "đề nghị thay đổi chính sách quỹ",
    "reversal": "đề nghị đảo bút toán",
    "period_reopen": "đề nghị mở lại năm tài chính",
}
KIND_LABELS_EN = {
    "policy_change": "policy change request",
    "reversal": "reversal request",
    "period_reopen": "period reopening request",
}
#: Pending requests shown on the first page of ``GET …/approvals`` at most.
PENDING_SHOWN_MAX = 1000
#: A request's public id: ``req-<n>``, never mistaken for a disbursement's number.
ID_PREFIX = "req-"
CONSENT_DOCUMENT_MAX_CHARS = 100


class ConsentRequired(LedgerError):
    code = "consent_required"
    title = "The donor's written consent is needed"

    def __init__(self, fund: str, keys: tuple[str, ...]) -> None:
        super().__init__(
            f"Thay đổi này nới rộng chính sách của quỹ {fund} ({', '.join(keys)}), là quỹ có mục đích chỉ "
            "định hoặc quỹ gốc: cần văn bản đồng ý của nhà tài trợ (consent: số văn bản và ngày) và một "
            "người thứ hai duyệt.",
            f"This change loosens the policy of fund {fund} ({', '.join(keys)}), which is restricted or an "
            "endowment: it needs the donor's written consent (consent: document number and date) and a "
            "second person's approval.",
            rule="donor_consent",
            loosens=list(keys),
            errors={"consent": ["required when a restricted fund or an endowment is loosened"]},
        )


class StaleRequest(Conflict):
    code = "stale_request"
    title = "The request was made against books that have changed"

    def __init__(self, vi: str, en: str, **extra: Any) -> None:
        super().__init__(vi, en, **extra)


@dataclass(frozen=True)
class RequestView:
    id: str
    kind: str
    status: str
    fund: str | None
    entry_seq: int | None
    year: int | None
    details: dict[str, Any]
    maker_id: int | None
    created_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    decision_reason: str | None
    outcome: dict[str, Any] | None


@dataclass(frozen=True)
class PolicyChangeResult:
    """A change in force at once (``fund``) or waiting for a second person (``request``)."""

    fund: funds.FundView | None
    request: RequestView | None


def public_id(row_id: int) -> str:
    return f"{ID_PREFIX}{row_id}"


def view_of(books: Books, row: ApprovalRequest) -> RequestView:
    payload = dict(row.payload)
    return RequestView(
        id=public_id(row.id),
        kind=row.kind,
        status=row.status,
        fund=books.funds_by_id[row.fund_id].code if row.fund_id is not None else None,
        entry_seq=row.entry_seq,
        year=payload.get("year"),
        details=payload,
        maker_id=row.maker_id,
        created_at=row.created_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_reason=row.decision_reason,
        outcome=row.outcome,
    )


def open_request(
    uow: UnitOfWork,
    actor: Actor,
    books: Books,
    kind: str,
    payload: dict[str, Any],
    *,
    fund_id: int | None = None,
    entry_seq: int | None = None,
) -> RequestView:
    """Store a request (under the ledger lock, which the caller holds) and audit it."""
    assert kind in KINDS, kind
    if actor.user_id is None:
        raise Forbidden("Đề nghị phải do một người có tên lập.", "A request must be made by a named person.")
    row = ApprovalRequest(
        association_id=books.association.id,
        kind=kind,
        status="pending",
        fund_id=fund_id,
        entry_seq=entry_seq,
        payload=payload,
        maker_id=actor.user_id,
        created_at=uow.clock(),
    )
    uow.session.add(row)
    uow.session.flush()
    uow.emit(
        RequestOpened(by=actor, association_id=books.association.id, request_id=row.id, kind=kind, details=payload)
    )
    return view_of(books, row)


def pending_for_entry(uow: UnitOfWork, books: Books, seq: int) -> int | None:
    """The id of a pending reversal request of entry ``seq``, if one waits."""
    found = uow.session.execute(
        select(ApprovalRequest.id).where(
            ApprovalRequest.association_id == books.association.id,
            ApprovalRequest.kind == "reversal",
            ApprovalRequest.status == "pending",
            ApprovalRequest.entry_seq == seq,
        )
    ).scalar_one_or_none()
    return found


# --- Policy changes -----------------------------------------------------------------------------


def propose_policy(
    uow: UnitOfWork,
    actor: Actor,
    books: Books,
    fund_code: str,
    changes: dict[str, Any],
    *,
    replace: bool,
    consent: Consent | None,
    reason: str = "",
) -> PolicyChangeResult:
    """Change a fund's policy: at once when it only tightens, else as a request for a second person.

    ``changes`` holds the keys to change (``null`` removes a limit) or, with ``replace``, the
    whole new document (PUT). A change that loosens a restricted fund or an endowment also
    needs the donor's written ``consent``, recorded with the version and in the audit log.
    """
    fund = books.fund(fund_code)
    uow.lock_ledger(books.association.id)
    uow.session.refresh(fund)
    version, current = funds.policies_in_force(uow, [fund.id])[fund.id]
    new = FundPolicy.parse(changes) if replace else current.with_overrides(changes)
    if consent is not None and consent.on > today_vn(uow.clock()):
        raise ValidationFailed(
            "Ngày của văn bản đồng ý không thể ở tương lai.",
            "The consent's date cannot be in the future.",
            errors={"consent.date": ["not in the future"]},
        )
    loose = loosened_keys(fund.restriction, current, new)
    if not loose:
        funds.change_policy(uow, actor, books.association, fund, new.to_document(), consent=consent)
        uow.session.flush()
        return PolicyChangeResult(funds.fund_view(uow, books.association, fund_code), None)
    if fund.restriction in CONSENT_RESTRICTIONS and consent is None:
        raise ConsentRequired(fund.code, loose)
    payload: dict[str, Any] = {
        "policy": new.to_document(),
        "based_on_version": version,
        "loosens": list(loose),
        "consent": consent.as_json() if consent is not None else None,
        "reason": reason_given(reason, act_vi="thay đổi chính sách", act_en="policy change", required=False),
    }
    request = open_request(uow, actor, books, "policy_change", payload, fund_id=fund.id)
    return PolicyChangeResult(None, request)


def apply_policy(uow: UnitOfWork, actor: Actor, books: Books, row: ApprovalRequest) -> dict[str, Any]:
    fund = uow.session.get(Fund, row.fund_id)
    assert fund is not None
    uow.session.refresh(fund)
    payload = row.payload
    if fund.policy_version != payload["based_on_version"]:
        raise StaleRequest(
            f"Chính sách của quỹ {fund.code} đã đổi (phiên bản {fund.policy_version}) từ khi đề nghị được lập "
            f"trên phiên bản {payload['based_on_version']}: hãy từ chối đề nghị này và lập đề nghị mới.",
            f"Fund {fund.code}'s policy has changed (version {fund.policy_version}) since this request was made "
            f"on version {payload['based_on_version']}: reject it and make a new one.",
            policy_version=fund.policy_version,
        )
    consent_raw = payload.get("consent")
    consent = Consent(consent_raw["document"], date.fromisoformat(consent_raw["date"])) if consent_raw else None
    funds.change_policy(
        uow, actor, books.association, fund, payload["policy"], consent=consent, approved_by=actor, request_id=row.id
    )
    return {"policy_version": fund.policy_version}


# --- Deciding -----------------------------------------------------------------------------------


def _find(uow: UnitOfWork, books: Books, request_id: int) -> ApprovalRequest:
    row = uow.session.execute(
        select(ApprovalRequest)
        .where(ApprovalRequest.association_id == books.association.id, ApprovalRequest.id == request_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("đề nghị", "request")
    return row


def _pending(uow: UnitOfWork, books: Books, request_id: int, target: str) -> ApprovalRequest:
    uow.lock_ledger(books.association.id)
    row = _find(uow, books, request_id)
    step(REQUEST_STEPS, "request", row.status, target)
    return row


def take_for_approval(uow: UnitOfWork, actor: Actor, books: Books, request_id: int) -> ApprovalRequest:
    """The pending request ``request_id``, if ``actor`` may approve it: never its maker."""
    row = _pending(uow, books, request_id, "approved")
    if actor.user_id is None:
        raise Forbidden("Đề nghị phải do một người có tên duyệt.", "A request must be approved by a named person.")
    if row.maker_id == actor.user_id:
        raise SelfApproval(KIND_LABELS_VI[row.kind], KIND_LABELS_EN[row.kind])
    return row


def mark_approved(
    uow: UnitOfWork, actor: Actor, books: Books, row: ApprovalRequest, outcome: dict[str, Any]
) -> RequestView:
    """Record that ``row`` was carried out, with what it did."""
    return _decided(uow, actor, books, row, "approved", outcome=outcome)


def reject(uow: UnitOfWork, actor: Actor, books: Books, request_id: int, reason: str) -> RequestView:
    """Refuse a pending request with a reason; nothing it asked for happens."""
    reason = reason_given(reason, act_vi="từ chối", act_en="rejection")
    row = _pending(uow, books, request_id, "rejected")
    return _decided(uow, actor, books, row, "rejected", reason=reason)


def _decided(
    uow: UnitOfWork,
    actor: Actor,
    books: Books,
    row: ApprovalRequest,
    status: str,
    *,
    outcome: dict[str, Any] | None = None,
    reason: str | None = None,
) -> RequestView:
    row.status = status
    row.decided_by = actor.user_id
    row.decided_at = uow.clock()
    row.outcome = outcome
    row.decision_reason = reason
    uow.session.flush()
    if status == "approved":
        uow.emit(
            RequestApproved(
                by=actor,
                association_id=books.association.id,
                request_id=row.id,
                kind=row.kind,
                maker_id=row.maker_id,
                outcome=outcome or {},
            )
        )
    else:
        uow.emit(
            RequestRejected(
                by=actor,
                association_id=books.association.id,
                request_id=row.id,
                kind=row.kind,
                maker_id=row.maker_id,
                reason=reason or "",
            )
        )
    return view_of(books, row)


def list_pending(uow: UnitOfWork, books: Books) -> list[RequestView]:
    """Pending requests, oldest first (at most ``PENDING_SHOWN_MAX``)."""
    rows = uow.session.execute(
        select(ApprovalRequest)
        .where(ApprovalRequest.association_id == books.association.id, ApprovalRequest.status == "pending")
        .order_by(ApprovalRequest.id)
        .limit(PENDING_SHOWN_MAX)
    ).scalars()
    return [view_of(books, row) for row in rows]


def get_request(uow: UnitOfWork, books: Books, request_id: int) -> RequestView:
    return view_of(books, _find(uow, books, request_id))
