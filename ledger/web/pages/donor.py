"""A donor's own pages: their receipts (with PDFs), their yearly giving statement, and what the
restricted funds they gave to spent that year. Reached signed in with a donor account, or by a
signed, expiring link made for the donor's e-mail on record (``services/donor_portal.py``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from ledger.clock import today_vn
from ledger.documents.receipt_pdf import render_receipt
from ledger.documents.statement_pdf import render_donor_statement
from ledger.domain.errors import LedgerError, NotFound, Unauthorized
from ledger.domain.policy import KIND_LABELS_EN, KIND_LABELS_VI
from ledger.extensions import limiter
from ledger.formatting import format_date, format_vnd
from ledger.services import donor_portal
from ledger.services.donor_portal import DonorGrant
from ledger.services.unit_of_work import UnitOfWork
from ledger.web.api.rendering import base_url, pdf_response
from ledger.web.pages.runtime import page_language

donor_pages = Blueprint("donor", __name__, url_prefix="/donor")

#: The session key that holds a followed donor link (checked again on every request).
LINK_KEY = "donor_link"


def _uow(*, write: bool) -> UnitOfWork:
    return UnitOfWork(current_app.extensions["ledger.db"], write=write)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _grant(uow: UnitOfWork, code: str) -> DonorGrant:
    """The signed-in donor of ``code``, or the donor of a followed link (still fresh)."""
    if current_user.is_authenticated:
        return donor_portal.grant_for_member(uow, current_user.actor, code)
    token = session.get(LINK_KEY)
    if token:
        grant = _grant_for_link(uow, token)
        if grant.code == code:
            return grant
        raise NotFound("hội", "association")
    raise Unauthorized()


def _grant_for_link(uow: UnitOfWork, token: str) -> DonorGrant:
    """The link's donor; if the link is stale, the refusal says so rather than sending to the log-in."""
    g.donor_link_tried = True
    return donor_portal.grant_for_link(uow, _secret(), token)


@donor_pages.errorhandler(LedgerError)
def _refused(error: LedgerError) -> Any:
    lang = page_language()
    if isinstance(error, Unauthorized):
        session.pop(LINK_KEY, None)
        # Neither signed in nor holding a link: the log-in page, where there is one.
        if not g.get("donor_link_tried") and current_app.login_manager.login_view:  # type: ignore[attr-defined]
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    status = 401 if isinstance(error, Unauthorized) else 404 if isinstance(error, NotFound) else 403
    return Response(
        render_template("donor/refused.html", lang=lang, detail=error.detail(lang), status=status), status=status
    )


@donor_pages.route("/")
def home() -> Any:
    """A donor account's associations; with one, straight to its page."""
    if not current_user.is_authenticated:
        token = session.get(LINK_KEY)
        if token:
            with _uow(write=False) as uow:
                grant = _grant_for_link(uow, token)
            return redirect(url_for("donor.overview", code=grant.code))
        raise Unauthorized()
    with _uow(write=False) as uow:
        places = donor_portal.donor_places(uow, current_user.actor)
    if len(places) == 1:
        return redirect(url_for("donor.overview", code=places[0].code))
    return render_template("donor/home.html", lang=page_language(), places=places)


#: Asking for a link sends e-mail: a few a client address may ask in an hour.
LINK_REQUEST_RATE = "5 per hour"


@donor_pages.route("/link", methods=["GET"])
def ask_for_link() -> Any:
    """A form for a donor without an account: the link goes to the e-mail on record only."""
    return render_template("donor/ask_link.html", lang=page_language(), sent=False)


@donor_pages.route("/link", methods=["POST"])
@limiter.limit(LINK_REQUEST_RATE)
def send_link() -> Any:
    """The same answer whether or not the address is on record: the page tells nobody who gave."""
    with _uow(write=True) as uow:
        donor_portal.send_links_to(uow, request.form.get("email", ""), _secret(), base_url())
        uow.commit()
    return render_template("donor/ask_link.html", lang=page_language(), sent=True)


@donor_pages.route("/link/<token>")
def follow_link(token: str) -> Any:
    """A link from the donor's e-mail: opens their pages in this browser while the link is fresh."""
    with _uow(write=False) as uow:
        grant = _grant_for_link(uow, token)
    session[LINK_KEY] = token
    return redirect(url_for("donor.overview", code=grant.code))


@donor_pages.route("/<code>")
def overview(code: str) -> Any:
    lang = page_language()
    with _uow(write=False) as uow:
        grant = _grant(uow, code)
        this_year = today_vn(uow.clock()).year
        year = request.args.get("year", type=int) or this_year
        if not 2000 <= year <= this_year:
            raise NotFound("năm", "year")
        view = donor_portal.overview(uow, grant, year)
    kinds = KIND_LABELS_VI if lang == "vi" else KIND_LABELS_EN
    return render_template(
        "donor/overview.html",
        lang=lang,
        view=view,
        vnd=lambda amount: format_vnd(amount, lang),
        day=lambda d: format_date(d, lang),
        kind_label=lambda kind: kinds.get(kind, kind),
    )


@donor_pages.route("/<code>/receipts/<number>.pdf")
def receipt_pdf(code: str, number: str) -> Any:
    with _uow(write=True) as uow:
        document = donor_portal.receipt_document(uow, _grant(uow, code), number, base_url())
        uow.commit()
    return pdf_response(render_receipt(document), f"{number}.pdf")


@donor_pages.route("/<code>/statement/<int:year>.pdf")
def statement_pdf(code: str, year: int) -> Any:
    with _uow(write=True) as uow:
        grant = _grant(uow, code)
        document = donor_portal.statement_document(uow, grant, year)
        uow.commit()
    return pdf_response(render_donor_statement(document), f"{code}-{grant.donor_id}-{year}.pdf")
