"""Tokens and accounts over the API (issue 16, item 3): the owner lists and revokes their tokens, an
administrator disables users and revokes roles; each counts from the next request and is audited."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ledger.persistence.models import AuditEvent, User
from tests.factories import auth, make_association, make_user, work


def _email(app: Flask, user_id: int) -> str:
    with work(app) as uow:
        user = uow.session.get(User, user_id)
        assert user is not None
        return user.email


def _audited(app: Flask, action: str, email: str) -> int:
    with work(app) as uow:
        return len(
            uow.session.execute(
                select(AuditEvent.id).where(AuditEvent.action == action, AuditEvent.object_id == email)
            ).all()
        )


def test_the_owner_lists_their_tokens_and_revokes_the_one_in_use(app: Flask, client: FlaskClient) -> None:
    code = make_association(app)
    user_id, token = make_user(app, code, "treasurer")
    listed = client.get("/api/v1/me/tokens", headers=auth(token))
    assert listed.status_code == 200
    assert listed.headers["Cache-Control"] == "no-store"
    (only,) = listed.get_json()["items"]
    assert only["status"] == "active" and only["revoked_at"] is None
    assert only["expires_at"] > only["created_at"]
    assert token not in listed.get_data(as_text=True)
    revoked = client.post(f"/api/v1/me/tokens/{only['id']}/revoke", json={}, headers=auth(token))
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    assert client.get("/api/v1/me/tokens", headers=auth(token)).status_code == 401
    assert client.get(f"/api/v1/associations/{code}/funds", headers=auth(token)).status_code == 401
    assert _audited(app, "token.revoke", _email(app, user_id)) == 1


def test_another_users_token_is_not_found_and_their_tokens_are_not_mine_to_revoke(
    app: Flask, client: FlaskClient
) -> None:
    code = make_association(app)
    other_id, other = make_user(app, code, "treasurer")
    _, mine = make_user(app, code, "treasurer")
    other_token_id = client.get("/api/v1/me/tokens", headers=auth(other)).get_json()["items"][0]["id"]
    assert client.post(f"/api/v1/me/tokens/{other_token_id}/revoke", json={}, headers=auth(mine)).status_code == 404
    every = client.post("/api/v1/users/revoke-tokens", json={"email": _email(app, other_id)}, headers=auth(mine))
    assert every.status_code == 403
    assert client.get("/api/v1/me/tokens", headers=auth(other)).status_code == 200


def test_an_administrator_disables_a_user_who_is_refused_at_the_next_request(app: Flask, client: FlaskClient) -> None:
    code = make_association(app)
    user_id, token = make_user(app, code, "treasurer")
    _, admin = make_user(app, None, None, admin=True)
    email = _email(app, user_id)
    assert client.post("/api/v1/users/disable", json={"email": email}, headers=auth(token)).status_code == 403
    disabled = client.post("/api/v1/users/disable", json={"email": email}, headers=auth(admin))
    assert disabled.status_code == 200 and disabled.get_json()["disabled_at"] is not None
    assert client.get(f"/api/v1/associations/{code}/funds", headers=auth(token)).status_code == 401
    enabled = client.post("/api/v1/users/enable", json={"email": email}, headers=auth(admin))
    assert enabled.status_code == 200 and enabled.get_json()["disabled_at"] is None
    assert client.get(f"/api/v1/associations/{code}/funds", headers=auth(token)).status_code == 200
    assert (_audited(app, "user.disable", email), _audited(app, "user.enable", email)) == (1, 1)


def test_an_administrator_revokes_a_role_and_revokes_every_token(app: Flask, client: FlaskClient) -> None:
    code = make_association(app)
    user_id, token = make_user(app, code, "treasurer")
    _, admin = make_user(app, None, None, admin=True)
    email = _email(app, user_id)
    body = {"email": email, "association": code, "role": "treasurer"}
    revoked = client.post("/api/v1/users/revoke-role", json=body, headers=auth(admin))
    assert revoked.status_code == 200 and revoked.get_json()["revoked"] is True
    assert client.get(f"/api/v1/associations/{code}/funds", headers=auth(token)).status_code == 404
    again = client.post("/api/v1/users/revoke-role", json=body, headers=auth(admin))
    assert again.status_code == 200 and again.get_json()["revoked"] is False
    assert _audited(app, "user.revoke", email) == 1
    every = client.post("/api/v1/users/revoke-tokens", json={"email": email}, headers=auth(admin))
    assert every.status_code == 200 and [t["status"] for t in every.get_json()["items"]] == ["revoked"]
    assert client.get("/api/v1/me/tokens", headers=auth(token)).status_code == 401
