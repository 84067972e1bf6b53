"""gunicorn's settings for serving the ledger: ``scripts/run`` and the HTTP benchmark both use them.

Two processes of the ``sync`` worker, one request at a time each. Every posting to an
association waits for that association's writer lock; a ``gthread`` worker's second thread
then competes for the process's one Python interpreter lock with the thread that holds the
ledger lock, and holds it longer. Measured with wrk on the 2-core machine (10^4 entries,
16 connections, PostgreSQL): sync 137–155 requests/s with p99 192–254 ms, gthread with one
thread 134 requests/s (p99 244 ms), with two threads 83 requests/s (p99 416 ms).
"""

workers = 2
worker_class = "sync"


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """The serving processes (and only they) deliver the outbox and sign daily checkpoints: not
    ``create_app``, which every ``flask`` command runs too (``ledger/mail_worker.py``)."""
    from ledger.mail_worker import start_background_work

    # Only the ledger's app (the benchmark serves another one with these settings).
    if "ledger.settings" in getattr(worker.wsgi, "extensions", {}):
        start_background_work(worker.wsgi)
