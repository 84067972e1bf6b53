"""The transactional outbox: receipts queued with their donation, delivered by SMTP with retries.

A message is written in the same transaction as the donation, so a donation never exists
without its e-mail, and a mail server that is down loses nothing: the sender retries with
back-off until the server takes the message, then records the delivery.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlparse

from sqlalchemy import insert, select, update

from ledger.documents.receipt_pdf import render_receipt
from ledger.domain.events import ReceiptIssued, ReceiptVoided
from ledger.domain.money import format_vnd
from ledger.persistence.models import Association, Donation, Donor, Fund, OutboxMessage
from ledger.persistence.pipeline import NO_ANSWER
from ledger.services.receipts import receipt_document, verify_url
from ledger.services.unit_of_work import Database, UnitOfWork

log = logging.getLogger(__name__)

#: How long a sender holds the one message it is trying before another sender may try it.
LEASE = timedelta(minutes=5)
#: After this many failed attempts a message is marked failed for a person to look at.
MAX_ATTEMPTS = 12
#: Messages sent per round at most (each leased on its own).
BATCH = 50
SMTP_TIMEOUT_S = 20
SENDER_ADDRESS = "khuyenhoc-ledger@localhost"


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4 … minutes after each failure, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


#: Nothing reads its answer (not even its id): sent with the next statement (``persistence/pipeline.py``).
_QUEUE = insert(OutboxMessage.table()).inline().execution_options(**NO_ANSWER)


def queue_receipt_email(uow: UnitOfWork, event: ReceiptIssued) -> None:
    """Queue the receipt for a donor who has an e-mail address and did not ask to stay anonymous."""
    session = uow.session
    # Already in the session, read by the posting that issued the receipt: no query.
    donor = session.get(Donor, event.donor_id)
    association = session.get(Association, event.association_id)
    fund = session.get(Fund, event.fund_id)
    assert donor is not None and association is not None and fund is not None
    if not donor.email or donor.anonymous:
        return
    now = uow.clock()
    number = event.receipt_number
    # A Core insert (cheaper than the ORM's flush on every donation): the sender finds the
    # message by its status and nothing in this transaction refers to it, so on PostgreSQL it
    # goes with the next statement or the commit (``persistence/pipeline.py``).
    session.connection().execute(
        _QUEUE,
        {
            "association_id": association.id,
            "kind": "receipt_email",
            "recipient": donor.email,
            "subject": f"Giấy biên nhận tài trợ {number} – {association.name}",
            "body": (
                f"Kính gửi {donor.name},\n\n"
                f"{association.name} trân trọng cảm ơn khoản tài trợ {format_vnd(event.amount_vnd)} "
                f"cho {fund.name} ngày {event.received_on:%d/%m/%Y}.\n"
                f"Giấy biên nhận số {number} được gửi kèm thư này.\n\n"
                f"Dear {donor.name}, thank you for your gift; receipt {number} is attached.\n"
            ),
            "donation_id": event.donation_id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


def queue_void_notice(uow: UnitOfWork, event: ReceiptVoided) -> None:
    """Queue a void notice (kind ``void_notice``) for a voided receipt: not the thanks again."""
    if event.donation_id is None:
        return
    session = uow.session
    donation = session.get(Donation, event.donation_id)
    assert donation is not None
    donor = session.get(Donor, donation.donor_id)
    association = session.get(Association, donation.association_id)
    fund = session.get(Fund, donation.fund_id)
    assert donor is not None and association is not None and fund is not None
    if not donor.email or donor.anonymous:
        return
    now = uow.clock()
    replacement = event.replacement
    if replacement:
        instead_vi = f"Giấy biên nhận thay thế là số {replacement}.\n"
        instead_en = f" It is replaced by receipt {replacement}."
    else:
        instead_vi = instead_en = ""
    uow.session.connection().execute(
        _QUEUE,
        {
            "association_id": association.id,
            "kind": "void_notice",
            "recipient": donor.email,
            "subject": f"Thông báo hủy giấy biên nhận {donation.receipt_number} – {association.name}",
            "body": (
                f"Kính gửi {donor.name},\n\n"
                f"{association.name} thông báo giấy biên nhận số {donation.receipt_number} "
                f"({format_vnd(donation.amount_vnd)} cho {fund.name}, ngày {donation.received_on:%d/%m/%Y}) "
                f"đã bị hủy ngày {donation.voided_on:%d/%m/%Y}. Lý do: {donation.void_reason}.\n"
                f"{instead_vi}\n"
                f"Dear {donor.name}, receipt {donation.receipt_number} has been voided "
                f"(reason: {donation.void_reason}).{instead_en}\n"
            ),
            "donation_id": donation.id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    retried: int
    failed: int
    #: Not sent: the receipt it thanked for was voided first.
    dropped: int = 0
    #: Sent or tried after the lease ran out and another sender took the message over.
    lost: int = 0


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    user: str | None
    password: str | None
    ssl: bool

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlparse(url)
        secure = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (465 if secure else 25),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            ssl=secure,
        )

    def send(self, message: EmailMessage) -> None:
        client: smtplib.SMTP
        if self.ssl:
            client = smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT_S, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_S)
        with client:
            if self.user and self.password:
                client.login(self.user, self.password)
            client.send_message(message)


def _lease_one(db: Database, clock: Callable[[], datetime], lease: timedelta) -> tuple[int, str] | None:
    """Take the oldest due message for ``lease``: ``(id, lease token)``, or None when none is due.

    One message at a time, so that a slow mail server never keeps a batch past its lease (where
    a second sender would take the rest of it again), and a sender that dies holds one message.
    """
    with UnitOfWork(db, clock=clock) as uow:
        now = uow.clock()
        stmt = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
        )
        if uow.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        message_id = uow.session.execute(stmt).scalar_one_or_none()
        if message_id is None:
            return None
        token = secrets.token_hex(16)
        uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(next_attempt_at=now + lease, lease_token=token)
        )
        uow.commit()
        return message_id, token


def message_id_of(message_id: int) -> str:
    """The same Message-ID on every attempt: a mail system that gets a message twice (a sender
    killed between the SMTP hand-over and recording it) can tell the copy and drop it."""
    return f"<outbox-{message_id}@khuyenhoc-ledger>"


def _compose(uow: UnitOfWork, message: OutboxMessage, base_url: str) -> EmailMessage | None:
    """The e-mail, or None when it is no longer to be sent (a thank-you for a voided receipt:
    the void notice goes instead). Raises whatever stops it from being built."""
    donation = uow.session.get(Donation, message.donation_id) if message.donation_id is not None else None
    if message.kind == "receipt_email" and donation is not None and donation.status == "void":
        return None
    email = EmailMessage()
    email["From"] = SENDER_ADDRESS
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message_id_of(message.id)
    body = message.body
    if message.kind == "void_notice" and donation is not None:
        body += f"\nKiểm tra giấy biên nhận / Verify the receipt: {verify_url(base_url, donation.verify_token)}\n"
        email.set_content(body)
    elif message.kind == "receipt_email" and donation is not None:
        body += f"\nKiểm tra giấy biên nhận / Verify the receipt: {verify_url(base_url, donation.verify_token)}\n"
        email.set_content(body)
        pdf = render_receipt(receipt_document(uow, donation, base_url))
        email.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{donation.receipt_number}.pdf")
    else:
        email.set_content(body)
    return email


def _record(
    db: Database, clock: Callable[[], datetime], message_id: int, token: str, outcome: str, error: str | None
) -> str:
    """Record what became of a leased message; only the holder of the lease may (a sender whose
    lease ran out finds the token changed and records nothing). Returns what was recorded:
    ``sent``, ``retried``, ``failed``, ``dropped`` or ``lost`` (the lease)."""
    with UnitOfWork(db, clock=clock) as uow:
        message = uow.session.execute(
            select(OutboxMessage)
            .where(
                OutboxMessage.id == message_id, OutboxMessage.lease_token == token, OutboxMessage.status == "pending"
            )
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if message is None:
            return "lost"
        now = uow.clock()
        message.lease_token = None
        if outcome == "dropped":
            message.status, message.last_error = "dropped", error
        elif outcome == "sent":
            message.attempts += 1
            message.status, message.sent_at, message.last_error = "sent", now, None
        else:
            message.attempts += 1
            message.last_error = error
            if message.attempts >= MAX_ATTEMPTS:
                message.status, outcome = "failed", "failed"
            else:
                message.next_attempt_at, outcome = now + backoff(message.attempts), "retried"
        uow.commit()
        return outcome


def deliver_due(
    db: Database,
    smtp_url: str,
    base_url: str,
    clock: Callable[[], datetime],
    limit: int = BATCH,
    *,
    lease: timedelta = LEASE,
) -> DeliveryReport:
    """Send up to ``limit`` messages that are due, one at a time; record each delivery, or the
    failure and the next try. A message that cannot be built or sent is retried with back-off
    and marked failed with its reason after :data:`MAX_ATTEMPTS`; it never stops the others."""
    target = SmtpTarget.parse(smtp_url)
    counts = {"sent": 0, "retried": 0, "failed": 0, "dropped": 0, "lost": 0}
    for _ in range(limit):
        leased = _lease_one(db, clock, lease)
        if leased is None:
            break
        message_id, token = leased
        error: str | None = None
        email: EmailMessage | None = None
        try:
            with UnitOfWork(db, write=False, clock=clock) as uow:
                message = uow.session.get(OutboxMessage, message_id)
                assert message is not None
                email = _compose(uow, message, base_url)
        except Exception as exc:  # a message that cannot be built is this message's failure only
            error = f"cannot build the message: {type(exc).__name__}: {exc}"[:1000]
            log.warning("outbox message %s: %s", message_id, error)
        if error is None and email is None:
            outcome = _record(db, clock, message_id, token, "dropped", "its receipt was voided before it left")
        else:
            if email is not None:
                try:
                    target.send(email)
                except (OSError, smtplib.SMTPException) as exc:
                    error = f"{type(exc).__name__}: {exc}"[:1000]
            outcome = _record(db, clock, message_id, token, "sent" if error is None else "error", error)
        counts[outcome] += 1
    return DeliveryReport(**counts)
