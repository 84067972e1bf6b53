"""The app as gunicorn serves it, on the tests' fixed clock, saying which worker answered (tests only)."""

from __future__ import annotations

import os
from datetime import datetime

from flask import Response

from ledger import create_app
from ledger.clock import FixedClock

app = create_app(clock=FixedClock(datetime.fromisoformat(os.environ["LEDGER_TEST_NOW"])))


@app.after_request
def _worker(response: Response) -> Response:
    response.headers["X-Worker-Pid"] = str(os.getpid())
    return response
