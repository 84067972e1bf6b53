"""Users, their roles per association, and API tokens (stored hashed, expiring, revocable)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, select

from ledger.domain.errors import Conflict, Forbidden, IncompatibleRoles, NotFound, ValidationFailed
from ledger.domain.events import (
    RoleGranted,
    RoleRevoked,
    TokenIssued,
    TokensRevoked,
    UserCreated,
    UserDisabled,
    UserEnabled,
)
from ledger.persistence.models import ApiToken, Association, Membership, User
from ledger.services.access import ROLE_LABELS_VI, Actor, Role, incompatible_with
from ledger.services.unit_of_work import UnitOfWork

#: Argon2's costs by ``PASSWORD_HASH_COST`` (config.py): argon2-cffi's default (RFC 9106's
#: low-memory profile, about a second on our hosts), and its cheapest for test suites, which hash
#: hundreds of passwords. A hash carries its own parameters, so either verifies the other's.
_HASHERS = {
    "standard": PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY),
    "test": PasswordHasher.from_parameters(profiles.CHEAPEST),
}
_hasher = _HASHERS["standard"]
PASSWORD_MIN_CHARS = 10
TOKEN_PREFIX = "khl_"
#: How long a new API token works unless ``API_TOKEN_DAYS`` says otherwise (config.py).
TOKEN_DAYS_DEFAULT = 90


def use_password_hash_cost(cost: str) -> None:
    """Hash new passwords at ``cost`` from now on (one process serves one configuration)."""
    global _hasher
    _hasher = _HASHERS[cost]


def password_hash(password: str) -> str:
    """The Argon2id hash of ``password`` at the configured cost."""
    return _hasher.hash(password)


def token_digest(token: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    uow: UnitOfWork, actor: Actor, email: str, password: str, *, name: str = "", is_admin: bool = False
) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValidationFailed(
            "Địa chỉ email không hợp lệ.", "Not a valid e-mail address.", errors={"email": ["invalid"]}
        )
    if len(password) < PASSWORD_MIN_CHARS:
        raise ValidationFailed(
            f"Mật khẩu cần ít nhất {PASSWORD_MIN_CHARS} ký tự.",
            f"The password needs at least {PASSWORD_MIN_CHARS} characters.",
            errors={"password": ["too short"]},
        )
    if uow.session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict(f"Đã có người dùng {email}.", f"A user {email} already exists.")
    user = User(
        email=email, name=name, password_hash=password_hash(password), is_admin=is_admin, created_at=uow.clock()
    )
    uow.session.add(user)
    uow.session.flush()
    uow.emit(UserCreated(by=actor, association_id=None, email=email, admin=is_admin))
    return user


def find_user(uow: UnitOfWork, email: str) -> User:
    user = uow.session.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise NotFound(f"người dùng {email}", f"user {email}")
    return user


def check_password(uow: UnitOfWork, email: str, password: str) -> User | None:
    user = uow.session.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    if user is None:
        # Spend the same time as a real check so that timing does not tell who exists.
        _hasher.hash(password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return None if user.disabled_at is not None else user


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationFailed(
            "Vai trò không hợp lệ.",
            "Unknown role.",
            errors={"role": [f"must be one of {', '.join(r.value for r in Role)}"]},
        ) from None


def _association(uow: UnitOfWork, code: str) -> Association:
    association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one_or_none()
    if association is None:
        raise NotFound(f"hội {code}", f"association {code}")
    return association


def grant(
    uow: UnitOfWork, actor: Actor, email: str, association_code: str, role: str, donor_id: int | None = None
) -> Membership:
    user = find_user(uow, email)
    association = _association(uow, association_code)
    parsed = _role(role)
    existing = uow.session.execute(
        select(Membership).where(
            Membership.user_id == user.id, Membership.association_id == association.id, Membership.role == parsed.value
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    held = {
        Role(r)
        for r in uow.session.execute(
            select(Membership.role).where(Membership.user_id == user.id, Membership.association_id == association.id)
        ).scalars()
    }
    clash = incompatible_with(held, parsed)
    if clash is not None:
        raise IncompatibleRoles(
            email, association_code, parsed.value, clash.value, ROLE_LABELS_VI[parsed], ROLE_LABELS_VI[clash]
        )
    membership = Membership(user_id=user.id, association_id=association.id, role=parsed.value, donor_id=donor_id)
    uow.session.add(membership)
    uow.emit(RoleGranted(by=actor, association_id=association.id, email=email, role=parsed.value))
    uow.session.flush()
    return membership


def issue_token(uow: UnitOfWork, actor: Actor, email: str, *, days: int = TOKEN_DAYS_DEFAULT) -> str:
    """A new bearer token for ``email`` that works for ``days``; only its digest is stored, so it is shown once."""
    assert days > 0, "API_TOKEN_DAYS is checked by config.py"
    user = find_user(uow, email)
    if user.disabled_at is not None:
        raise Conflict(f"Người dùng {user.email} đã bị khóa.", f"The user {user.email} is disabled.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = uow.clock()
    row = ApiToken(
        user_id=user.id, token_hash=token_digest(token), created_at=now, expires_at=now + timedelta(days=days)
    )
    uow.session.add(row)
    uow.session.flush()
    uow.emit(
        TokenIssued(
            by=actor, association_id=None, email=user.email, token_id=row.id, expires_at=row.expires_at.isoformat()
        )
    )
    return token


@dataclass(frozen=True)
class TokenView:
    """An API token as its owner and the administrator see it: never the token itself."""

    id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    #: ``active``, ``expired`` or ``revoked``.
    status: str


def _token_view(row: ApiToken, now: datetime) -> TokenView:
    if row.revoked_at is not None:
        status = "revoked"
    elif row.expires_at <= now:
        status = "expired"
    else:
        status = "active"
    return TokenView(row.id, row.created_at, row.expires_at, row.revoked_at, status)


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden(
            "Chỉ quản trị hệ thống mới được quản lý tài khoản của người khác.",
            "Only a system administrator can manage other people's accounts.",
        )


def _owner_or_admin(uow: UnitOfWork, actor: Actor, email: str) -> User:
    user = find_user(uow, email)
    if actor.user_id != user.id:
        _require_admin(actor)
    return user


def list_tokens(uow: UnitOfWork, actor: Actor, email: str) -> list[TokenView]:
    """Every token ever issued to ``email``, newest first (its owner, or an administrator)."""
    user = _owner_or_admin(uow, actor, email)
    rows = uow.session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).scalars()
    now = uow.clock()
    return [_token_view(row, now) for row in rows]


def list_own_tokens(uow: UnitOfWork, actor: Actor) -> list[TokenView]:
    """The caller's own tokens (the API's ``GET /me/tokens``)."""
    return list_tokens(uow, actor, actor.email)


def revoke_tokens(uow: UnitOfWork, actor: Actor, email: str, token_id: int | None = None) -> list[TokenView]:
    """Revoke one token of ``email`` (``token_id``) or, without it, every token still working.

    Revoked from the next request on: every request reads its token afresh. Revoking a token
    already revoked changes nothing and is not logged again. Its owner, or an administrator.
    """
    user = _owner_or_admin(uow, actor, email)
    now = uow.clock()
    stmt = select(ApiToken).where(ApiToken.user_id == user.id)
    if token_id is not None:
        stmt = stmt.where(ApiToken.id == token_id)
    rows = list(uow.session.execute(stmt.with_for_update()).scalars())
    if token_id is not None and not rows:
        raise NotFound("token", "token")
    revoked = []
    for row in rows:
        if row.revoked_at is None:
            row.revoked_at = now
            revoked.append(row)
    uow.session.flush()
    if revoked:
        uow.emit(TokensRevoked(by=actor, association_id=None, email=user.email, token_ids=[r.id for r in revoked]))
    return [_token_view(row, now) for row in rows]


def revoke_own_token(uow: UnitOfWork, actor: Actor, token_id: int) -> TokenView:
    """The caller revokes one of their own tokens (another user's token is ``not_found``)."""
    return revoke_tokens(uow, actor, actor.email, token_id)[0]


@dataclass(frozen=True)
class RoleRevocation:
    email: str
    association: str
    role: str
    #: False when the user did not hold the role.
    revoked: bool


@dataclass(frozen=True)
class UserView:
    email: str
    is_admin: bool
    disabled_at: datetime | None


def set_disabled(uow: UnitOfWork, actor: Actor, email: str, *, disabled: bool) -> UserView:
    """Disable a user (their tokens and sessions stop working at their next request) or enable them again.

    Their tokens are kept as they are: enabling the user again brings back only those that
    neither expired nor were revoked meanwhile. An administrator's act.
    """
    _require_admin(actor)
    user = find_user(uow, email)
    if actor.user_id is not None and actor.user_id == user.id and disabled:
        raise Conflict("Không thể tự khóa tài khoản của mình.", "You cannot disable your own account.")
    if (user.disabled_at is not None) != disabled:
        user.disabled_at = uow.clock() if disabled else None
        uow.session.flush()
        event = UserDisabled if disabled else UserEnabled
        uow.emit(event(by=actor, association_id=None, email=user.email))
    return UserView(user.email, user.is_admin, user.disabled_at)


def revoke_role(uow: UnitOfWork, actor: Actor, email: str, association_code: str, role: str) -> bool:
    """Take ``role`` in ``association_code`` from ``email``, from their next request on; False if they had none.

    An administrator's act (the command line acts as one).
    """
    _require_admin(actor)
    user = find_user(uow, email)
    association = _association(uow, association_code)
    parsed = _role(role)
    removed = (
        uow.session.execute(
            delete(Membership)
            .where(
                Membership.user_id == user.id,
                Membership.association_id == association.id,
                Membership.role == parsed.value,
            )
            .returning(Membership.id)
        )
        .scalars()
        .all()
    )
    if removed:
        uow.emit(RoleRevoked(by=actor, association_id=association.id, email=user.email, role=parsed.value))
    return bool(removed)


#: Built once: every API request runs it. A token works while it is neither revoked nor expired
#: and its user is not disabled.
_ACTOR_FOR_TOKEN = (
    select(User.id, User.is_admin, User.email, Membership.association_id, Membership.role)
    .select_from(ApiToken)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(Membership, Membership.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("digest"),
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > bindparam("now", type_=ApiToken.expires_at.type),
        User.disabled_at.is_(None),
    )
)


def actor_for_token(uow: UnitOfWork, token: str) -> Actor | None:
    """The user behind a working ``token``, with their roles, read in one statement; else None."""
    rows = uow.session.connection().execute(_ACTOR_FOR_TOKEN, {"digest": token_digest(token), "now": uow.clock()}).all()
    if not rows:
        return None
    user_id, is_admin, email = rows[0][:3]
    memberships = tuple((row.association_id, row.role) for row in rows if row.association_id is not None)
    return Actor(user_id=user_id, is_admin=is_admin, email=email, memberships=memberships)


@dataclass(frozen=True)
class SignedIn:
    """What a web session knows of its user."""

    user_id: int
    email: str
    name: str
    is_admin: bool


def signed_in(uow: UnitOfWork, user_id: int) -> SignedIn | None:
    """The user of a web session, if they still exist and are not disabled (from their next request on)."""
    user = uow.session.get(User, user_id)
    if user is None or user.disabled_at is not None:
        return None
    return SignedIn(user.id, user.email, user.name, user.is_admin)
