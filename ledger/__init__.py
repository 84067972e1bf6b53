"""Khuyến học Fund Ledger: the application factory."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import Flask

from ledger.clock import now_utc
from ledger.config import load_settings
from ledger.persistence.engine import make_engine
from ledger.services.checkpoints import CheckpointKeys
from ledger.services.handlers import HANDLERS
from ledger.services.unit_of_work import Database

#: The largest request body: a batch of 1,000 disbursements fits well inside it.
MAX_CONTENT_LENGTH = 4 * 1024 * 1024


def create_app(
    overrides: dict[str, str] | None = None,
    *,
    clock: Callable[[], datetime] = now_utc,
    instance_path: str | None = None,
) -> Flask:
    """Build the app from the environment (``DATABASE_URL``, ``SECRET_KEY``, ``SMTP_URL``)."""
    app = Flask(
        __name__,
        instance_path=instance_path or str(Path(__file__).resolve().parent.parent / "instance"),
        template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
        static_folder=str(Path(__file__).resolve().parent / "static"),
    )
    settings = load_settings(Path(app.instance_path), overrides)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        API_TITLE="Khuyến học Fund Ledger",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        # The pages' session: never readable by scripts, not sent along with other sites'
        # requests, and only over HTTPS when the service is served over HTTPS.
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parent / "translations"),
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    engine = make_engine(settings.database_url)
    app.extensions["ledger.settings"] = settings
    db = Database.for_engine(engine, HANDLERS, clock)
    db.checkpoint_keys = CheckpointKeys(settings.checkpoint_key_file, settings.checkpoint_trusted_keys)
    app.extensions["ledger.db"] = db
    app.extensions["ledger.clock"] = clock
    from ledger.services.users import use_password_hash_cost

    use_password_hash_cost(settings.password_hash_cost)
    if settings.password_hash_cost != "standard":
        logging.getLogger(__name__).warning(
            "PASSWORD_HASH_COST=%s: passwords are hashed for tests, not for use", settings.password_hash_cost
        )

    from flask_smorest import Api

    from ledger.extensions import babel, csrf, limiter, login_manager
    from ledger.web import limits
    from ledger.web.api import (
        accounts,
        approvals,
        associations,
        audit_log,
        chart,
        disbursements,
        donations,
        entries,
        funds,
        paperwork,
        parties,
        payables,
        periods,
        pledges,
        reports,
        transfers,
        verification,
    )
    from ledger.web.converters import install_converters
    from ledger.web.edges import install_edges
    from ledger.web.errors import register_error_handlers
    from ledger.web.pages.runtime import page_language

    # Before any blueprint adds its routes: rules pick their converters when they are added.
    install_converters(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=page_language)
    csrf.init_app(app)
    limits.configure(app, settings)
    limiter.init_app(app)
    # One Api per app: its OpenAPI document belongs to the app it describes.
    api = Api(
        app, spec_kwargs={"info": {"description": "Double-entry books for Associations for Promotion of Education."}}
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    # One blueprint per resource of the API, each made by ``web/api/runtime.api_blueprint``.
    for resource in (
        associations,
        funds,
        parties,
        donations,
        entries,
        disbursements,
        approvals,
        payables,
        periods,
        pledges,
        transfers,
        verification,
        audit_log,
        paperwork,
        chart,
        reports,
        accounts,
    ):
        api.register_blueprint(resource.blp)
        # Bearer tokens, not cookies: no CSRF. Limited per token (``web/limits.py``).
        csrf.exempt(resource.blp)
    # The public disclosure list (no login): the one route of the API outside ``api_blueprint``.
    api.register_blueprint(reports.public_blp)
    from ledger.web.pages import register_pages
    from ledger.web.pages.donor import donor_pages
    from ledger.web.pages.public import public_pages

    register_pages(app)
    app.register_blueprint(public_pages)
    app.register_blueprint(donor_pages)
    register_error_handlers(app)
    install_edges(app)
    from ledger.cli import register_cli

    register_cli(app)
    if not app.debug:
        logging.basicConfig(level=logging.INFO)
    return app
