"""Users, their roles per association, and API tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select

from ledger.domain.errors import Conflict, IncompatibleRoles, NotFound, ValidationFailed
from ledger.domain.events import RoleGranted, TokenIssued, UserCreated
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


def use_password_hash_cost(cost: str) -> None:
    """Hash new passwords at ``cost`` from now on (one process serves one configuration)."""
    global _hasher
    _hasher = _HASHERS[cost]


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
    user = User(email=email, name=name, password_hash=_hasher.hash(password), is_admin=is_admin, created_at=uow.clock())
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
    return user


def grant(
    uow: UnitOfWork, actor: Actor, email: str, association_code: str, role: str, donor_id: int | None = None
) -> Membership:
    user = find_user(uow, email)
    association = uow.session.execute(
        select(Association).where(Association.code == association_code)
    ).scalar_one_or_none()
    if association is None:
        raise NotFound(f"hội {association_code}", f"association {association_code}")
    try:
        parsed = Role(role)
    except ValueError:
        raise ValidationFailed(
            "Vai trò không hợp lệ.",
            "Unknown role.",
            errors={"role": [f"must be one of {', '.join(r.value for r in Role)}"]},
        ) from None
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


def issue_token(uow: UnitOfWork, actor: Actor, email: str) -> str:
    """A new bearer token for ``email``; only its digest is stored, so it is shown once."""
    user = find_user(uow, email)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    uow.session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), created_at=uow.clock()))
    uow.emit(TokenIssued(by=actor, association_id=None, email=user.email))
    return token


#: Built once: every API request runs it.
_ACTOR_FOR_TOKEN = (
    select(User.id, User.is_admin, User.email, Membership.association_id, Membership.role)
    .select_from(ApiToken)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(Membership, Membership.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None))
)


def actor_for_token(uow: UnitOfWork, token: str) -> Actor | None:
    """The user behind an unrevoked ``token``, with their roles, read in one statement; else None."""
    rows = uow.session.connection().execute(_ACTOR_FOR_TOKEN, {"digest": token_digest(token)}).all()
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
    """The user of a web session, if they still exist."""
    user = uow.session.get(User, user_id)
    return SignedIn(user.id, user.email, user.name, user.is_admin) if user is not None else None
