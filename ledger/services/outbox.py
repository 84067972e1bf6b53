"""The transactional outbox: receipts queued with their donation, delivered by SMTP with retries.

A message is written in the same transaction as the donation, so a donation never exists
without its e-mail, and a mail server that is down loses nothing: the sender retries with
back-off until the server takes the message, then records the delivery.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlparse

from sqlalchemy import insert, select

from ledger.documents.receipt_pdf import render_receipt
from ledger.domain.events import ReceiptIssued
from ledger.domain.money import format_vnd
from ledger.persistence.models import Association, Donation, Donor, Fund, OutboxMessage
from ledger.persistence.pipeline import NO_ANSWER
from ledger.services.receipts import receipt_document, verify_url
from ledger.services.unit_of_work import Database, UnitOfWork

#: How long a sender holds a message it is trying before another sender may try it.
LEASE = timedelta(minutes=5)
#: After this many failed attempts a message is marked failed for a person to look at.
MAX_ATTEMPTS = 12
#: Messages taken per round.
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


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    retried: int
    failed: int


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


def _lease_due(db: Database, clock: Callable[[], datetime], limit: int) -> list[int]:
    with UnitOfWork(db, clock=clock) as uow:
        now = uow.clock()
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if uow.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        messages = list(uow.session.execute(stmt).scalars())
        for message in messages:
            message.next_attempt_at = now + LEASE
        uow.commit()
        return [m.id for m in messages]


def _compose(uow: UnitOfWork, message: OutboxMessage, base_url: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = SENDER_ADDRESS
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    # A stable id: a mail system that sees the same message twice can tell.
    email["Message-ID"] = f"<outbox-{message.id}@khuyenhoc-ledger>"
    body = message.body
    if message.donation_id is not None:
        donation = uow.session.get(Donation, message.donation_id)
        assert donation is not None
        body += f"\nKiểm tra giấy biên nhận / Verify the receipt: {verify_url(base_url, donation.verify_token)}\n"
        email.set_content(body)
        pdf = render_receipt(receipt_document(uow, donation, base_url))
        email.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{donation.receipt_number}.pdf")
    else:
        email.set_content(body)
    return email


def deliver_due(
    db: Database, smtp_url: str, base_url: str, clock: Callable[[], datetime], limit: int = BATCH
) -> DeliveryReport:
    """Send every message that is due; record each delivery, or the failure and the next try."""
    target = SmtpTarget.parse(smtp_url)
    sent = retried = failed = 0
    for message_id in _lease_due(db, clock, limit):
        with UnitOfWork(db, write=False, clock=clock) as uow:
            message = uow.session.get(OutboxMessage, message_id)
            assert message is not None
            email = _compose(uow, message, base_url)
        error: str | None = None
        try:
            target.send(email)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
        with UnitOfWork(db, clock=clock) as uow:
            message = uow.session.get(OutboxMessage, message_id)
            assert message is not None
            now = uow.clock()
            message.attempts += 1
            if error is None:
                message.status, message.sent_at, message.last_error = "sent", now, None
                sent += 1
            elif message.attempts >= MAX_ATTEMPTS:
                message.status, message.last_error = "failed", error
                failed += 1
            else:
                message.next_attempt_at, message.last_error = now + backoff(message.attempts), error
                retried += 1
            uow.commit()
    return DeliveryReport(sent=sent, retried=retried, failed=failed)
