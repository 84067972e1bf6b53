"""Fixtures: an app on a fresh database per test run (SQLite file, or a PostgreSQL schema).

The schema is built by the Alembic migrations, never by ``create_all``, so the migrations
are what is tested. Tests do not share rows: each makes its own association (see
``tests/factories.py``), so the committed writes of one test never meet another's.
Set ``DATABASE_URL`` to a PostgreSQL URL to run the same suite there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine

from ledger import create_app
from ledger.persistence.migrate import upgrade
from ledger.services.unit_of_work import Database, UnitOfWork

# Two pytest workers share two cores with a database: generation speed varies, results do not.
settings.register_profile("ledger", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ledger")


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
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key-not-for-production"},
        instance_path=str(instance),
    )
    application.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    upgrade(application.extensions["ledger.db"].engine)
    yield application
    application.extensions["ledger.db"].engine.dispose()


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
