"""The served app's own background work: deliver the outbox every half minute and sign each
association's moved chain head daily.

Started only in the serving processes, by gunicorn's ``post_worker_init`` hook
(``gunicorn.conf.py``), never by ``create_app``: ``flask db upgrade``, ``demo seed`` and
``ledger verify`` build the app too and must not send mail. Without gunicorn, run
``flask --app wsgi receipts send --loop`` and ``flask --app wsgi ledger checkpoint`` (cron).
Two workers may both run it: messages are leased one at a time, and a checkpoint is signed
under the association's ledger lock after checking again that it is due.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from ledger.services.checkpoints import sign_due
from ledger.services.outbox import deliver_due

log = logging.getLogger(__name__)
INTERVAL_S = 30
#: Checkpoints are looked at this often (each is signed at most daily).
CHECKPOINT_EVERY_S = 3600


def start_background_work(app: Flask, stop: threading.Event | None = None) -> threading.Thread:
    """Run the outbox sender (when ``SEND_MAIL_IN_BACKGROUND=1`` and ``SMTP_URL`` is set) and the
    daily checkpoints in a daemon thread until ``stop`` is set."""
    settings = app.extensions["ledger.settings"]
    db, clock = app.extensions["ledger.db"], app.extensions["ledger.clock"]
    stop = stop or threading.Event()
    send = bool(settings.send_mail_in_background and settings.smtp_url)

    def loop() -> None:
        last_checkpoints = 0.0
        while not stop.is_set():
            try:
                if send:
                    report = deliver_due(db, settings.smtp_url, settings.public_base_url, clock)
                    if report.sent or report.retried or report.failed or report.dropped:
                        log.info("outbox: %s", report)
                if db.checkpoint_keys is not None and time.monotonic() - last_checkpoints >= CHECKPOINT_EVERY_S:
                    last_checkpoints = time.monotonic()
                    signed = sign_due(db, db.checkpoint_keys, clock)
                    if signed:
                        log.info("checkpoints signed for %s", ", ".join(signed))
            except Exception:  # the loop must outlive a bad round; the error is logged
                log.exception("background round failed")
            stop.wait(INTERVAL_S)

    thread = threading.Thread(target=loop, name="ledger-background", daemon=True)
    thread.start()
    return thread
