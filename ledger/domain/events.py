"""What happened in the books: the events services emit, which handlers turn into audit rows and e-mails.

Pure data. A service says what happened (``uow.emit(DonationRecorded(...))``); the handlers of
``services/handlers.py`` run in the same transaction, so the audit row and the outbox message
are stored with what they describe or not at all.

An ``Audited`` event is one row of the audit log: its ``action`` on its ``object_type``, the
object being the field named by ``object_field``, and every other field of the event its detail
(in the order declared here, which is what the audit log shows).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, ClassVar, Protocol


class Who(Protocol):
    """Who did it: a user, or the command line's system actor (no user id)."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def email(self) -> str: ...


@dataclass(frozen=True, kw_only=True)
class Event:
    #: Who did it.
    by: Who
    #: Whose books it happened in; ``None`` for what concerns no association (a user account).
    association_id: int | None


@dataclass(frozen=True, kw_only=True)
class Audited(Event):
    """An event the audit log keeps as one row."""

    action: ClassVar[str]
    object_type: ClassVar[str]
    #: The name of the field that identifies the object acted on.
    object_field: ClassVar[str]


_DETAIL_FIELDS: dict[type[Audited], tuple[str, ...]] = {}


def _detail_fields(kind: type[Audited]) -> tuple[str, ...]:
    names = _DETAIL_FIELDS.get(kind)
    if names is None:
        names = _DETAIL_FIELDS[kind] = tuple(
            f.name for f in fields(kind) if f.name not in ("by", "association_id", kind.object_field)
        )
    return names


def audit_object_id(event: Audited) -> str:
    return str(getattr(event, event.object_field))


def audit_detail(event: Audited) -> dict[str, Any]:
    """The event's own fields, but who did it, where and to which object: the audit row's detail."""
    return {name: getattr(event, name) for name in _detail_fields(type(event))}


# --- Setting up ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AssociationCreated(Audited):
    action = "association.create"
    object_type = "association"
    object_field = "code"
    code: str
    name: str
    level: str
    parent: str | None


@dataclass(frozen=True, kw_only=True)
class FundCreated(Audited):
    action = "fund.create"
    object_type = "fund"
    object_field = "code"
    code: str
    restriction: str
    preset: str | None
    #: The policy document in force from the start (``FundPolicy.to_document``).
    policy: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class FundPolicyChanged(Audited):
    action = "fund.policy"
    object_type = "fund"
    object_field = "code"
    code: str
    version: int
    policy: dict[str, Any]
    #: Who proposed a change a second person approved (``by``), the request, and the donor's consent.
    proposed_by: int | None = None
    request_id: int | None = None
    consent: dict[str, str] | None = None


@dataclass(frozen=True, kw_only=True)
class DonorCreated(Audited):
    action = "donor.create"
    object_type = "donor"
    object_field = "donor_id"
    donor_id: int


@dataclass(frozen=True, kw_only=True)
class BeneficiaryCreated(Audited):
    action = "beneficiary.create"
    object_type = "beneficiary"
    object_field = "beneficiary_id"
    beneficiary_id: int


@dataclass(frozen=True, kw_only=True)
class DonorEdited(Audited):
    action = "donor.edit"
    object_type = "donor"
    object_field = "donor_id"
    donor_id: int
    #: The names of the fields that changed.
    changed: list[str]


@dataclass(frozen=True, kw_only=True)
class BeneficiaryEdited(Audited):
    action = "beneficiary.edit"
    object_type = "beneficiary"
    object_field = "beneficiary_id"
    beneficiary_id: int
    changed: list[str]


# --- Money in ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DonationRecorded(Audited):
    action = "donation.record"
    object_type = "receipt"
    object_field = "receipt_number"
    receipt_number: str
    entry_seq: int
    amount_vnd: int
    fund: str
    method: str


@dataclass(frozen=True, kw_only=True)
class ReceiptIssued(Event):
    """A receipt was numbered (for a donation or a collected pledge): the donor may be sent it."""

    donation_id: int
    receipt_number: str
    donor_id: int
    fund_id: int
    amount_vnd: int
    received_on: date


@dataclass(frozen=True, kw_only=True)
class ReceiptEmailRequested(Audited):
    """A treasurer asked, from the receipt's page, for the receipt to be e-mailed to the donor (again)."""

    action = "receipt.email"
    object_type = "receipt"
    object_field = "receipt_number"
    receipt_number: str


@dataclass(frozen=True, kw_only=True)
class ReceiptVoided(Audited):
    action = "receipt.void"
    object_type = "receipt"
    object_field = "receipt_number"
    receipt_number: str
    reason: str
    reversal_seq: int
    #: The receipt that replaces the voided one, if any (the donor's void notice points to it).
    replacement: str | None = None
    donation_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class PledgeRecorded(Audited):
    action = "pledge.record"
    object_type = "pledge"
    object_field = "pledge_id"
    pledge_id: int
    donor_id: int
    fund: str
    amount_vnd: int
    entry_seq: int


@dataclass(frozen=True, kw_only=True)
class PledgeCollected(Audited):
    action = "pledge.collect"
    object_type = "pledge"
    object_field = "pledge_id"
    pledge_id: int
    amount_vnd: int
    method: str
    receipt: str
    entry_seq: int
    collected_vnd: int


@dataclass(frozen=True, kw_only=True)
class PledgeCancelled(Audited):
    action = "pledge.cancel"
    object_type = "pledge"
    object_field = "pledge_id"
    pledge_id: int
    reversal_seq: int


@dataclass(frozen=True, kw_only=True)
class PledgeUncollected(Audited):
    action = "pledge.uncollect"
    object_type = "pledge"
    object_field = "pledge_id"
    pledge_id: int
    amount_vnd: int
    receipt: str
    reversal_seq: int


# --- The journal ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EntryPosted(Audited):
    action = "entry.post"
    object_type = "entry"
    object_field = "seq"
    seq: int
    kind: str


@dataclass(frozen=True, kw_only=True)
class EntryReversed(Audited):
    action = "entry.reverse"
    object_type = "entry"
    object_field = "seq"
    seq: int
    reversal_seq: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class InterestPosted(Audited):
    action = "interest.post"
    object_type = "entry"
    object_field = "seq"
    seq: int
    fund: str
    amount_vnd: int


@dataclass(frozen=True, kw_only=True)
class TransferPosted(Audited):
    action = "transfer.post"
    object_type = "entry"
    object_field = "seq"
    seq: int
    from_fund: str
    to_fund: str
    amount_vnd: int
    account: str


@dataclass(frozen=True, kw_only=True)
class PeriodClosed(Audited):
    action = "period.close"
    object_type = "period"
    object_field = "year"
    year: int
    #: The closing entries the close posted (``domain/closing.py``).
    closing_entries: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PeriodReopened(Audited):
    action = "period.reopen"
    object_type = "period"
    object_field = "year"
    year: int
    reason: str
    #: When and by whom it had been closed (ISO 8601 instant, user id).
    was_closed_at: str | None
    was_closed_by: int | None
    #: The reversals of the year's closing entries the reopening posted.
    closing_reversals: tuple[int, ...] = ()


# --- Money out --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _DisbursementMade(Audited):
    object_type = "disbursement"
    object_field = "disbursement_id"
    disbursement_id: int
    fund: str
    kind: str
    amount_vnd: int
    status: str
    voucher: str | None
    entry_seq: int | None
    policy_version: int


@dataclass(frozen=True, kw_only=True)
class DisbursementPosted(_DisbursementMade):
    action = "disbursement.post"


@dataclass(frozen=True, kw_only=True)
class DisbursementRequested(_DisbursementMade):
    """Above the fund's approval threshold: pending, its amount reserved."""

    action = "disbursement.request"


@dataclass(frozen=True, kw_only=True)
class DisbursementBatchRecorded(Audited):
    action = "disbursement.batch"
    object_type = "disbursement_batch"
    object_field = "batch_id"
    batch_id: int
    count: int
    total_vnd: int
    posted: int
    pending_ids: list[int]
    first_id: int
    last_id: int


@dataclass(frozen=True, kw_only=True)
class DisbursementApproved(Audited):
    action = "disbursement.approve"
    object_type = "disbursement"
    object_field = "disbursement_id"
    disbursement_id: int
    maker_id: int | None
    amount_vnd: int
    voucher: str | None
    entry_seq: int | None
    policy_version: int


@dataclass(frozen=True, kw_only=True)
class DisbursementRejected(Audited):
    action = "disbursement.reject"
    object_type = "disbursement"
    object_field = "disbursement_id"
    disbursement_id: int
    maker_id: int | None
    amount_vnd: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class DisbursementVoided(Audited):
    action = "disbursement.void"
    object_type = "disbursement"
    object_field = "disbursement_id"
    disbursement_id: int
    voucher: str | None
    reversal_seq: int
    reason: str


# --- Downloads: who read which document is part of the record ---------------------------------


@dataclass(frozen=True, kw_only=True)
class ReceiptDownloaded(Audited):
    action = "receipt.download"
    object_type = "receipt"
    object_field = "receipt_number"
    receipt_number: str


@dataclass(frozen=True, kw_only=True)
class StatementDownloaded(Audited):
    action = "statement.download"
    object_type = "donor"
    object_field = "donor_id"
    donor_id: int
    year: int
    format: str


@dataclass(frozen=True, kw_only=True)
class VouchersDownloaded(Audited):
    action = "voucher.download"
    object_type = "voucher"
    #: A voucher number, or ``batch-<id>-vouchers`` for every voucher of a batch.
    object_field = "document"
    document: str
    count: int


@dataclass(frozen=True, kw_only=True)
class SigningListDownloaded(Audited):
    action = "signing_list.download"
    object_type = "disbursement_batch"
    object_field = "batch_id"
    batch_id: int


@dataclass(frozen=True, kw_only=True)
class SponsorshipConfirmationDownloaded(Audited):
    action = "sponsorship_confirmation.download"
    object_type = "donor"
    object_field = "donor_id"
    donor_id: int
    year: int


# --- The chart of accounts ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AccountCreated(Audited):
    """A sub-account added for programme detail (``611.1``)."""

    action = "account.create"
    object_type = "account"
    object_field = "code"
    code: str
    name: str


# --- Users ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UserCreated(Audited):
    action = "user.create"
    object_type = "user"
    object_field = "email"
    email: str
    admin: bool


@dataclass(frozen=True, kw_only=True)
class DonorLinkSent(Audited):
    """A signed link to the donor's own pages was queued to the e-mail on record (the link is not kept here)."""

    action = "donor.link"
    object_type = "donor"
    object_field = "donor_id"
    donor_id: int
    email: str


@dataclass(frozen=True, kw_only=True)
class RoleGranted(Audited):
    action = "user.grant"
    object_type = "user"
    object_field = "email"
    email: str
    role: str


@dataclass(frozen=True, kw_only=True)
class SignedIn(Audited):
    """A log-in to the web pages, or (``succeeded`` false) a refused one for this e-mail address."""

    action = "login"
    object_type = "user"
    object_field = "email"
    email: str
    succeeded: bool


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Audited):
    action = "user.password"
    object_type = "user"
    object_field = "email"
    email: str


@dataclass(frozen=True, kw_only=True)
class TokenIssued(Audited):
    action = "token.issue"
    object_type = "user"
    object_field = "email"
    email: str
    token_id: int
    #: ISO 8601: when the token stops working.
    expires_at: str


@dataclass(frozen=True, kw_only=True)
class TokensRevoked(Audited):
    action = "token.revoke"
    object_type = "user"
    object_field = "email"
    email: str
    token_ids: list[int]


@dataclass(frozen=True, kw_only=True)
class UserDisabled(Audited):
    action = "user.disable"
    object_type = "user"
    object_field = "email"
    email: str


@dataclass(frozen=True, kw_only=True)
class UserEnabled(Audited):
    action = "user.enable"
    object_type = "user"
    object_field = "email"
    email: str


@dataclass(frozen=True, kw_only=True)
class RoleRevoked(Audited):
    action = "user.revoke"
    object_type = "user"
    object_field = "email"
    email: str
    role: str


@dataclass(frozen=True, kw_only=True)
class ReportDownloaded(Audited):
    """A statement, book or export read by someone (issue 17: every download is in the audit log)."""

    action = "report.download"
    object_type = "report"
    object_field = "report"
    report: str
    format: str
    #: The dates asked for, ``YYYY-MM-DD`` or ``None``.
    as_of: str | None = None
    from_on: str | None = None
    to_on: str | None = None
    #: Read without a login, from the public disclosure address.
    public: bool = False


@dataclass(frozen=True, kw_only=True)
class DisclosurePublicationSet(Audited):
    """The public disclosure list turned on or off."""

    action = "disclosure.publication"
    object_type = "association"
    object_field = "code"
    code: str
    published: bool


# --- What a second person decides (issue 15) --------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RequestOpened(Audited):
    """A change one person may not make alone waits for a second (policy, reversal, reopening)."""

    action = "request.open"
    object_type = "approval_request"
    object_field = "request_id"
    request_id: int
    kind: str
    details: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class RequestApproved(Audited):
    action = "request.approve"
    object_type = "approval_request"
    object_field = "request_id"
    request_id: int
    kind: str
    maker_id: int | None
    #: What the approval did: the policy version, the reversal's entry, the reopened year.
    outcome: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class RequestRejected(Audited):
    action = "request.reject"
    object_type = "approval_request"
    object_field = "request_id"
    request_id: int
    kind: str
    maker_id: int | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class PeriodLocked(Audited):
    """The books were locked through the end of a month (nothing dated on or before it posts)."""

    action = "period.lock"
    object_type = "period"
    object_field = "through"
    through: str


@dataclass(frozen=True, kw_only=True)
class AwardPaid(Audited):
    """An award accrued to 338 was paid from cash or bank."""

    action = "payable.pay"
    object_type = "entry"
    object_field = "seq"
    seq: int
    fund: str
    beneficiary_id: int
    amount_vnd: int
    voucher: str
