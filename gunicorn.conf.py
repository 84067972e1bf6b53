"""gunicorn's settings for serving the ledger: ``scripts/run`` and the HTTP benchmark both use them.

Two processes, each with a few threads (the ``gthread`` worker): a thread waiting on the
database or on an association's writer lock leaves the core to another request of the same
process, and connections stay open between requests (keep-alive) instead of one TCP handshake
per request as with the ``sync`` worker. Python runs one thread at a time per process, so more
threads than this only queue inside the process.
"""

workers = 2
worker_class = "gthread"
threads = 2
#: Seconds an idle keep-alive connection stays open.
keepalive = 5
