"""People signing in to the web pages: who they are, where they work, their password and language."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ledger.domain.errors import ValidationFailed
from ledger.domain.events import PasswordChanged, SignedIn
from ledger.persistence.models import Association, Membership, User
from ledger.services.access import Actor
from ledger.services.unit_of_work import UnitOfWork
from ledger.services.users import PASSWORD_MIN_CHARS, check_password, password_hash

#: The languages of the pages; Vietnamese first.
PAGE_LANGUAGES = ("vi", "en")
PASSWORD_MAX_CHARS = 200


@dataclass(frozen=True)
class Workplace:
    """An association where the person has a role, as the association switcher lists it."""

    code: str
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class LoginView:
    """What the pages know of the person signed in."""

    user_id: int
    email: str
    name: str
    is_admin: bool
    #: The language the person chose for the pages; ``None`` until they choose one.
    language: str | None
    workplaces: tuple[Workplace, ...]


def _workplaces(uow: UnitOfWork, user: User) -> tuple[Workplace, ...]:
    if user.is_admin:
        rows = uow.session.execute(select(Association.code, Association.name).order_by(Association.code)).all()
        return tuple(Workplace(code, name, ("admin",)) for code, name in rows)
    roles: dict[tuple[str, str], list[str]] = {}
    for code, name, role in uow.session.execute(
        select(Association.code, Association.name, Membership.role)
        .join(Membership, Membership.association_id == Association.id)
        .where(Membership.user_id == user.id, Membership.role != "donor")
        .order_by(Association.code, Membership.role)
    ):
        roles.setdefault((code, name), []).append(role)
    return tuple(Workplace(code, name, tuple(r)) for (code, name), r in roles.items())


def _view(uow: UnitOfWork, user: User) -> LoginView:
    return LoginView(
        user_id=user.id,
        email=user.email,
        name=user.name or user.email,
        is_admin=user.is_admin,
        language=user.language if user.language in PAGE_LANGUAGES else None,
        workplaces=_workplaces(uow, user),
    )


def login_view(uow: UnitOfWork, user_id: int) -> LoginView | None:
    """The person behind a session, or ``None`` when the user no longer exists."""
    user = uow.session.get(User, user_id)
    return _view(uow, user) if user is not None else None


def sign_in(uow: UnitOfWork, email: str, password: str) -> LoginView | None:
    """The person whose e-mail and password these are (Argon2id), or ``None``; audited either way."""
    user = check_password(uow, email[:254], password[:PASSWORD_MAX_CHARS])
    who = Actor(user_id=user.id, email=user.email) if user is not None else Actor.system()
    uow.emit(SignedIn(by=who, association_id=None, email=email.strip().lower()[:254], succeeded=user is not None))
    return _view(uow, user) if user is not None else None


def change_password(uow: UnitOfWork, actor: Actor, current: str, new: str) -> None:
    """Replace the actor's password after checking the current one; the new one must differ."""
    assert actor.user_id is not None
    user = uow.session.get(User, actor.user_id)
    assert user is not None
    if check_password(uow, user.email, current[:PASSWORD_MAX_CHARS]) is None:
        raise ValidationFailed(
            "Mật khẩu hiện tại không đúng.",
            "The current password is wrong.",
            errors={"current_password": ["wrong"]},
        )
    if not PASSWORD_MIN_CHARS <= len(new) <= PASSWORD_MAX_CHARS:
        raise ValidationFailed(
            f"Mật khẩu mới cần từ {PASSWORD_MIN_CHARS} đến {PASSWORD_MAX_CHARS} ký tự.",
            f"The new password needs {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters.",
            errors={"new_password": ["length"]},
        )
    if new == current:
        raise ValidationFailed(
            "Mật khẩu mới phải khác mật khẩu hiện tại.",
            "The new password must differ from the current one.",
            errors={"new_password": ["unchanged"]},
        )
    user.password_hash = password_hash(new)
    uow.emit(PasswordChanged(by=actor, association_id=None, email=user.email))


def set_language(uow: UnitOfWork, actor: Actor, language: str) -> None:
    """Remember the page language the person chose."""
    assert actor.user_id is not None
    if language not in PAGE_LANGUAGES:
        raise ValidationFailed("Ngôn ngữ không hợp lệ.", "Unknown language.", errors={"language": ["vi or en"]})
    user = uow.session.get(User, actor.user_id)
    assert user is not None
    user.language = language
