"""User accounts: a caller's own API tokens, and an administrator disabling users and revoking roles and tokens."""

from __future__ import annotations

from typing import Any

from ledger.services import users
from ledger.services.access import Actor
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api import schemas as s
from ledger.web.api.rendering import whole
from ledger.web.api.runtime import api_blueprint, run_read, run_write

blp = api_blueprint("accounts", "API tokens and user accounts")


@blp.route("/me/tokens", methods=["GET"])
@blp.response(200, s.TokenPage)
def my_tokens() -> Any:
    """The caller's API tokens, newest first: id, status, issued, expires, revoked (never the token)."""

    def service(work: UnitOfWork, actor: Actor) -> list[users.TokenView]:
        return users.list_own_tokens(work, actor)

    return run_read(service, lambda tokens: whole(tokens, s.TokenOut))


@blp.route("/me/tokens/<id:token_id>/revoke", methods=["POST"])
@blp.response(200, s.TokenOut)
def revoke_my_token(token_id: int) -> Any:
    """Revoke one of the caller's tokens (the one in use too): refused from the next request on."""

    def service(work: UnitOfWork, actor: Actor) -> users.TokenView:
        return users.revoke_own_token(work, actor, token_id)

    return run_write(service, s.TokenOut().dump, status=200)


@blp.route("/users/revoke-tokens", methods=["POST"])
@blp.arguments(s.RevokeTokensIn)
@blp.response(200, s.TokenPage)
def revoke_tokens(body: dict[str, Any]) -> Any:
    """Revoke one token of a user (``token_id``) or all of them (the user, or an administrator)."""

    def service(work: UnitOfWork, actor: Actor) -> list[users.TokenView]:
        return users.revoke_tokens(work, actor, body["email"], body["token_id"])

    return run_write(service, lambda tokens: whole(tokens, s.TokenOut), status=200)


@blp.route("/users/disable", methods=["POST"])
@blp.arguments(s.UserIn)
@blp.response(200, s.UserOut)
def disable_user(body: dict[str, Any]) -> Any:
    """Disable a user: their tokens and sessions are refused from their next request on (admin)."""

    def service(work: UnitOfWork, actor: Actor) -> users.UserView:
        return users.set_disabled(work, actor, body["email"], disabled=True)

    return run_write(service, s.UserOut().dump, status=200)


@blp.route("/users/enable", methods=["POST"])
@blp.arguments(s.UserIn)
@blp.response(200, s.UserOut)
def enable_user(body: dict[str, Any]) -> Any:
    """Enable a disabled user again (admin)."""

    def service(work: UnitOfWork, actor: Actor) -> users.UserView:
        return users.set_disabled(work, actor, body["email"], disabled=False)

    return run_write(service, s.UserOut().dump, status=200)


@blp.route("/users/revoke-role", methods=["POST"])
@blp.arguments(s.RoleRevokeIn)
@blp.response(200, s.RoleRevokedOut)
def revoke_role(body: dict[str, Any]) -> Any:
    """Take a role in an association from a user, from their next request on (admin)."""

    def service(work: UnitOfWork, actor: Actor) -> users.RoleRevocation:
        revoked = users.revoke_role(work, actor, body["email"], body["association"], body["role"])
        return users.RoleRevocation(body["email"].strip().lower(), body["association"], body["role"], revoked)

    return run_write(service, s.RoleRevokedOut().dump, status=200)
