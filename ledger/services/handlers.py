"""What each event causes, in the transaction that emitted it: registered once, given to the ``Database``.

Every ``Audited`` event writes its audit row; a numbered receipt queues its e-mail to the donor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ledger.domain.events import Audited, Event, PeriodClosed, ReceiptIssued, ReceiptVoided
from ledger.services import audit, checkpoints, outbox
from ledger.services.unit_of_work import Handler

HANDLERS: Mapping[type[Event], Sequence[Handler]] = {
    Audited: (audit.write_row,),
    ReceiptIssued: (outbox.queue_receipt_email,),
    # A closed year is signed outside the database (a chain checkpoint).
    PeriodClosed: (checkpoints.sign_at_period_close,),
    # The donor of a voided receipt hears of it (and of its replacement), not the thanks again.
    ReceiptVoided: (outbox.queue_void_notice,),
}
