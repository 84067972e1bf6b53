"""API tokens expire and can be listed and revoked; users can be disabled and roles revoked (issue 16, item 3).

Each takes effect at the caller's very next request, and each is in the audit log.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from ledger.clock import FixedClock
from ledger.persistence.models import AuditEvent, User
from tests.factories import auth, make_association, make_user, work


def _email_of(app: Flask, user_id: int) -> str:
    with work(app) as uow:
        user = uow.session.get(User, user_id)
        assert user is not None
        return user.email


def _actions_about(app: Flask, email: str) -> list[str]:
    with work(app) as uow:
        return list(
            uow.session.execute(
                select(AuditEvent.action)
                .where(AuditEvent.object_type == "user", AuditEvent.object_id == email)
                .order_by(AuditEvent.id)
            ).scalars()
        )


def _funds(app: Flask, code: str, token: str) -> int:
    return app.test_client().get(f"/api/v1/associations/{code}/funds", headers=auth(token)).status_code


def test_a_token_works_for_ninety_days_and_is_refused_after(app: Flask, clock: FixedClock) -> None:
    code = make_association(app)
    _, token = make_user(app, code, "treasurer")
    clock.advance(timedelta(days=90) - timedelta(seconds=1))
    assert _funds(app, code, token) == 200
    clock.advance(timedelta(seconds=1))
    assert _funds(app, code, token) == 401


def test_the_token_lifetime_is_configured_by_api_token_days(
    app: Flask, runner: FlaskCliRunner, clock: FixedClock
) -> None:
    code = make_association(app)
    user_id, _ = make_user(app, code, "auditor")
    email = _email_of(app, user_id)
    settings = app.extensions["ledger.settings"]
    app.extensions["ledger.settings"] = type(settings)(**{**settings.__dict__, "api_token_days": 7})
    try:
        issued = runner.invoke(args=["users", "token", "--email", email])
    finally:
        app.extensions["ledger.settings"] = settings
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip()
    clock.advance(timedelta(days=7) - timedelta(seconds=1))
    assert _funds(app, code, token) == 200
    clock.advance(timedelta(seconds=1))
    assert _funds(app, code, token) == 401


def test_tokens_are_listed_and_a_revoked_one_is_refused_at_the_next_request(app: Flask, runner: FlaskCliRunner) -> None:
    code = make_association(app)
    user_id, first = make_user(app, code, "treasurer")
    email = _email_of(app, user_id)
    second = runner.invoke(args=["users", "token", "--email", email]).output.strip()
    listed = runner.invoke(args=["users", "tokens", "--email", email])
    assert listed.exit_code == 0, listed.output
    rows = [line.split("\t") for line in listed.output.splitlines()]
    assert [row[1] for row in rows] == ["active", "active"]
    # Never the token itself, nor its digest.
    assert first not in listed.output and second not in listed.output
    newest_id = rows[0][0]

    revoked = runner.invoke(args=["users", "revoke-token", "--email", email, "--token-id", newest_id])
    assert revoked.exit_code == 0, revoked.output
    assert _funds(app, code, second) == 401
    assert _funds(app, code, first) == 200
    statuses = [
        line.split("\t")[1] for line in runner.invoke(args=["users", "tokens", "--email", email]).output.splitlines()
    ]
    assert statuses == ["revoked", "active"]

    every = runner.invoke(args=["users", "revoke-token", "--email", email, "--all"])
    assert every.exit_code == 0, every.output
    assert _funds(app, code, first) == 401
    assert _actions_about(app, email).count("token.revoke") == 2


def test_revoke_token_needs_exactly_one_of_token_id_and_all(app: Flask, runner: FlaskCliRunner) -> None:
    user_id, _ = make_user(app, None, None)
    email = _email_of(app, user_id)
    assert runner.invoke(args=["users", "revoke-token", "--email", email]).exit_code == 2
    both = runner.invoke(args=["users", "revoke-token", "--email", email, "--token-id", "1", "--all"])
    assert both.exit_code == 2
    another = runner.invoke(args=["users", "revoke-token", "--email", email, "--token-id", "999999"])
    assert another.exit_code == 2 and "not_found" in another.output


def test_a_disabled_user_is_refused_at_the_next_request_and_can_be_enabled_again(
    app: Flask, runner: FlaskCliRunner
) -> None:
    code = make_association(app)
    user_id, token = make_user(app, code, "treasurer")
    email = _email_of(app, user_id)
    assert _funds(app, code, token) == 200
    disabled = runner.invoke(args=["users", "disable", "--email", email])
    assert disabled.exit_code == 0, disabled.output
    assert _funds(app, code, token) == 401
    # No new token for a disabled user either.
    assert runner.invoke(args=["users", "token", "--email", email]).exit_code == 2
    enabled = runner.invoke(args=["users", "enable", "--email", email])
    assert enabled.exit_code == 0, enabled.output
    assert _funds(app, code, token) == 200
    assert _actions_about(app, email)[-2:] == ["user.disable", "user.enable"]


def test_a_revoked_role_counts_from_the_next_request(app: Flask, runner: FlaskCliRunner) -> None:
    code = make_association(app)
    user_id, token = make_user(app, code, "treasurer")
    email = _email_of(app, user_id)
    assert _funds(app, code, token) == 200
    revoked = runner.invoke(args=["users", "revoke", "--email", email, "--association", code, "--role", "treasurer"])
    assert revoked.exit_code == 0 and "no longer treasurer" in revoked.output
    # No role left there: the association is not even shown to exist.
    assert _funds(app, code, token) == 404
    again = runner.invoke(args=["users", "revoke", "--email", email, "--association", code, "--role", "treasurer"])
    assert again.exit_code == 0 and "was not treasurer" in again.output
    assert _actions_about(app, email).count("user.revoke") == 1
    unknown = runner.invoke(args=["users", "revoke", "--email", email, "--association", code, "--role", "owner"])
    assert unknown.exit_code == 2
