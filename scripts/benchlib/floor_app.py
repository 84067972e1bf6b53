"""The stack's own limit for one posting over HTTP: what the HTTP benchmark measures us against.

A Flask app served as the ledger is (gunicorn, ``gunicorn.conf.py``) that answers
``POST /floor`` by reading the JSON body, running ``FLOOR_STATEMENTS`` statements that do
nothing (``SELECT 1``) in one transaction on the ledger's engine (``make_engine``: the same
pool, and on SQLite the same pragmas), committing, and answering 201 with a small JSON body.
``FLOOR_STATEMENTS`` is the number of statements one donation runs (``count_statements`` in
``benchlib.http_load``), so the rate wrk gets from it is the most any code could get from this
machine, framework and database driver with that many round trips: ours is reported as a
fraction of it. ``FLOOR_STATEMENTS=0`` measures the framework alone.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from ledger.persistence.engine import make_engine

app = Flask(__name__)
_engine = make_engine(os.environ["DATABASE_URL"])
_statements = int(os.environ.get("FLOOR_STATEMENTS", "0"))
_nothing = text("SELECT 1")


@app.get("/api/v1/openapi.json")
def ready() -> ResponseReturnValue:
    return jsonify(ready=True)


@app.post("/floor")
def floor() -> ResponseReturnValue:
    body = request.get_json()
    if _statements:
        with _engine.begin() as connection:
            for _ in range(_statements):
                connection.execute(_nothing).scalar()
    return jsonify(amount=body.get("amount")), 201
