"""Fixtures: an app on a fresh database per test run (SQLite file, or a PostgreSQL schema).

The schema is built by the Alembic migrations, never by ``create_all``, so the migrations
are what is tested. Tests do not share rows: each makes its own association (see
``tests/factories.py``), so the committed writes of one test never meet another's.
Set ``DATABASE_URL`` to a PostgreSQL URL to run the same suite there.

The app runs on a fixed clock (``LEDGER_TEST_NOW``, an ISO 8601 instant with its offset;
default 2026-12-05T03:00:00+00:00), so no answer depends on the day the suite runs: a test
says "this year", "tomorrow" or "the future" from the ``today`` fixture, never with a literal.
Passwords are hashed at Argon2's test cost (``PASSWORD_HASH_COST=test``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine

from ledger import create_app
from ledger.clock import FixedClock, today_vn
from ledger.persistence.migrate import upgrade
from ledger.services.unit_of_work import Database, UnitOfWork

# Two pytest workers share two cores with a database: generation speed varies, results do not.
settings.register_profile("ledger", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ledger")

#: The instant the app under test lives at unless ``LEDGER_TEST_NOW`` says otherwise:
#: 10:00 on 5 December 2026 in Vietnam.
DEFAULT_TEST_NOW = "2026-12-05T03:00:00+00:00"


def _test_now() -> datetime:
    text = os.environ.get("LEDGER_TEST_NOW") or DEFAULT_TEST_NOW
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise pytest.UsageError(f"LEDGER_TEST_NOW={text} names no instant: give its offset, e.g. +00:00")
    return instant


@pytest.fixture(scope="session")
def app_clock() -> FixedClock:
    return FixedClock(_test_now())


def _postgres_schema_url(base: str, schema: str) -> str:
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        path = tmp_path_factory.mktemp("db") / "ledger.sqlite3"
        yield f"sqlite:///{path}"
        return
    # Each run (and each xdist worker) gets its own schema, dropped at the end.
    schema = f"test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield _postgres_schema_url(base, schema)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory, app_clock: FixedClock) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "PASSWORD_HASH_COST": "test",
        },
        clock=app_clock,
        instance_path=str(instance),
    )
    application.config.update(TESTING=True)
    upgrade(application.extensions["ledger.db"].engine)
    yield application
    application.extensions["ledger.db"].engine.dispose()


@pytest.fixture
def clock(app_clock: FixedClock) -> Iterator[FixedClock]:
    """The app's clock, for a test that moves it on; it is back at the start for the next test."""
    yield app_clock
    app_clock.reset()


@pytest.fixture
def now(app_clock: FixedClock) -> datetime:
    """The app's "now": an aware UTC instant."""
    return app_clock.start


@pytest.fixture
def today(now: datetime) -> date:
    """The app's "today": the date in Vietnam at ``now``."""
    return today_vn(now)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Database:
    database: Database = app.extensions["ledger.db"]
    return database


@pytest.fixture
def uow(db: Database) -> UnitOfWork:
    return UnitOfWork(db)


@pytest.fixture
def is_postgres(db: Database) -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
