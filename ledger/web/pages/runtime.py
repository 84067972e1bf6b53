"""What every page needs: the language, a unit of work, the signed-in actor, and the security headers."""

from __future__ import annotations

from datetime import date

from flask import current_app, request, session
from flask_login import current_user

from ledger.clock import today_vn
from ledger.services.access import Actor
from ledger.services.unit_of_work import UnitOfWork

LANGUAGES = ("vi", "en")


def page_language() -> str:
    """``?lang=`` when given, else the signed-in person's choice, else the session's; else Vietnamese,
    whatever the browser prefers (the pages are Vietnamese first; English is a switch)."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return str(current_user.language)
    remembered = session.get("lang")
    if remembered in LANGUAGES:
        return str(remembered)
    return "vi"


def page_uow(*, write: bool) -> UnitOfWork:
    return UnitOfWork(current_app.extensions["ledger.db"], write=write, clock=current_app.extensions["ledger.clock"])


def today() -> date:
    """Today in Vietnam by the application's clock (tests fix it)."""
    return today_vn(current_app.extensions["ledger.clock"]())


def actor() -> Actor:
    """The signed-in person as the services know them (``login_required`` views only)."""
    found: Actor = current_user.actor
    return found


def base_url() -> str:
    return str(current_app.extensions["ledger.settings"].public_base_url)
