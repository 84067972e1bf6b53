"""Web sessions (Flask-Login): the signed-in user of the HTML pages."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_login import UserMixin

from ledger.extensions import login_manager
from ledger.services.access import Actor
from ledger.services.unit_of_work import UnitOfWork
from ledger.services.users import signed_in


@dataclass
class SessionUser(UserMixin):  # type: ignore[misc]
    """What a page knows of its user; the same ``Actor`` the services check."""

    user_id: int
    email: str
    name: str
    is_admin: bool

    def get_id(self) -> str:
        return str(self.user_id)

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, is_admin=self.is_admin, email=self.email)


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    with UnitOfWork(current_app.extensions["ledger.db"], write=False) as uow:
        user = signed_in(uow, int(user_id))
    return SessionUser(user.user_id, user.email, user.name, user.is_admin) if user is not None else None
