"""The server's own mail sender: a daemon thread that delivers the outbox every half minute."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from ledger.services.outbox import deliver_due

log = logging.getLogger(__name__)
INTERVAL_S = 30


def start_background_sender(app: Flask) -> threading.Thread:
    """Deliver queued receipts in the background (several workers may run it: messages are leased)."""
    settings = app.extensions["ledger.settings"]

    def loop() -> None:
        while True:
            try:
                report = deliver_due(
                    app.extensions["ledger.db"],
                    settings.smtp_url,
                    settings.public_base_url,
                    app.extensions["ledger.clock"],
                )
                if report.sent or report.retried or report.failed:
                    log.info("outbox: %s", report)
            except Exception:  # the loop must outlive a bad round; the error is logged
                log.exception("outbox delivery round failed")
            time.sleep(INTERVAL_S)

    thread = threading.Thread(target=loop, name="outbox-sender", daemon=True)
    thread.start()
    return thread
