"""Web sessions (Flask-Login): log-in (rate-limited), log-out, password change, the page language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from ledger.demo import DEMO_PASSWORD
from ledger.domain.errors import LedgerError
from ledger.extensions import limiter, login_manager
from ledger.services import logins
from ledger.services.access import Actor
from ledger.services.logins import LoginView, Workplace
from ledger.web.pages.forms import ChangePasswordForm, LanguageForm, LoginForm
from ledger.web.pages.runtime import LANGUAGES, actor, page_language, page_uow

auth = Blueprint("auth", __name__)

#: Failed log-ins allowed per account, and per client address, before the form is refused for a
#: while (429). Only failures count; counted where every worker sees them (README, REDIS_URL).
LOGIN_FAILURES_PER_ACCOUNT = "5 per 15 minutes"
LOGIN_FAILURES_PER_ADDRESS = "20 per 15 minutes"


@dataclass
class SessionUser(UserMixin):
    """What a page knows of its user; ``actor`` is the same ``Actor`` the services check."""

    view: LoginView

    def get_id(self) -> str:
        return str(self.view.user_id)

    @property
    def name(self) -> str:
        return self.view.name

    @property
    def email(self) -> str:
        return self.view.email

    @property
    def language(self) -> str | None:
        return self.view.language

    @property
    def workplaces(self) -> tuple[Workplace, ...]:
        return self.view.workplaces

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.view.user_id, is_admin=self.view.is_admin, email=self.view.email)


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    with page_uow(write=False) as uow:
        view = logins.login_view(uow, int(user_id))
    return SessionUser(view) if view is not None else None


login_manager.login_view = "auth.login"
login_manager.login_message = ""


def _account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()[:254]


def _address_key() -> str:
    return "login-address:" + (request.remote_addr or "unknown")


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never another host) may be where a log-in leads."""
    if not target:
        return None
    parts = urlparse(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_of(view: LoginView) -> str:
    if view.workplaces and all(place.roles == ("donor",) for place in view.workplaces):
        # A donor's log-in has no books to keep: its page is its receipts and statement.
        return url_for("donor.home")
    if len(view.workplaces) == 1:
        return url_for("books.dashboard", code=view.workplaces[0].code)
    return url_for("auth.workplaces")


@auth.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_FAILURES_PER_ACCOUNT, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(LOGIN_FAILURES_PER_ADDRESS, key_func=_address_key, methods=["POST"], deduct_when=_failed)
def login() -> Any:
    form = LoginForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_of(current_user.view))
    if form.validate_on_submit():
        with page_uow(write=True) as uow:
            view = logins.sign_in(uow, form.email.data or "", form.password.data or "")
            uow.commit()
        if view is not None:
            language = session.get("lang")
            session.clear()  # a fresh session: nothing from before the log-in is kept but the language
            if language in LANGUAGES:
                session["lang"] = language
            login_user(SessionUser(view))
            settings = current_app.extensions["ledger.settings"]
            if form.password.data == DEMO_PASSWORD and not settings.demo_mode:
                session["must_change_password"] = True
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")) or home_of(view))
        form.password.errors = [_("The e-mail or the password is wrong.")]
        return Response(render_template("pages/login.html", form=form), status=401)
    return render_template("pages/login.html", form=form)


@auth.route("/logout", methods=["POST"])
def logout() -> Any:
    language = page_language()
    logout_user()
    session.clear()
    session["lang"] = language
    flash(_("You are logged out."))
    return redirect(url_for("auth.login"))


@auth.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with page_uow(write=True) as uow:
                logins.change_password(uow, actor(), form.current_password.data or "", form.new_password.data or "")
                uow.commit()
        except LedgerError as error:
            target = form.current_password if "current_password" in (error.errors or {}) else form.new_password
            target.errors = [error.detail(page_language())]
        else:
            session.pop("must_change_password", None)
            flash(_("Your password is changed."))
            return redirect(home_of(current_user.view))
    return render_template("pages/change_password.html", form=form, forced=session.get("must_change_password"))


@auth.route("/workplaces")
@login_required
def workplaces() -> Any:
    return render_template("pages/workplaces.html")


@auth.route("/language", methods=["POST"])
def language() -> Any:
    """Switch the pages' language; remembered with the person when signed in, else in the session."""
    form = LanguageForm()
    chosen = form.language.data if form.validate_on_submit() else None
    if chosen in LANGUAGES:
        session["lang"] = chosen
        if current_user.is_authenticated:
            with page_uow(write=True) as uow:
                logins.set_language(uow, actor(), chosen)
                uow.commit()
    return redirect(_safe_next(form.next.data) or url_for("pages.index"))


@auth.before_app_request
def _password_change_first() -> Any:
    """A seeded demo account outside demo mode goes nowhere before it has a password of its own."""
    if not session.get("must_change_password") or not current_user.is_authenticated:
        return None
    if request.endpoint in ("auth.change_password", "auth.logout", "auth.language", "static"):
        return None
    if request.blueprint == "api":
        return None
    return redirect(url_for("auth.change_password"))
