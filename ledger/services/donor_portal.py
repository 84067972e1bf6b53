"""What a donor may see of the books: their own receipts, their giving statement, and what the
restricted funds they gave to spent in the same year (by kind, with a count of the people helped,
never their names).

A donor reaches these pages in one of two ways, both ending in a ``DonorGrant`` (this donor of
this association):
- signed in with an account that holds the ``donor`` role for that donor (``grant_for_member``);
- by a signed link (``issue_link``/``grant_for_link``) that names the association, the donor and
  the e-mail on record when it was made; it expires after ``LINK_MAX_AGE`` and stops working as
  soon as the donor's e-mail on record changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from ledger.documents.models import DonorStatementDocument, ReceiptDocument
from ledger.domain.errors import NotFound, Unauthorized, ValidationFailed
from ledger.domain.events import DonorLinkSent, StatementDownloaded
from ledger.persistence.models import Association, Disbursement, Donation, Donor, Fund, Membership, OutboxMessage
from ledger.services import downloads, receipts
from ledger.services.access import Actor, Role
from ledger.services.unit_of_work import UnitOfWork

#: How long a donor's signed link opens their pages (seconds): a week.
LINK_MAX_AGE = 7 * 24 * 3600
_LINK_SALT = "ledger.donor-link"


@dataclass(frozen=True)
class DonorGrant:
    """This donor of this association, and who is looking (for the audit log)."""

    association_id: int
    code: str
    donor_id: int
    actor: Actor


@dataclass(frozen=True)
class DonorPlace:
    """An association where the signed-in user is a donor."""

    code: str
    association: str
    donor_id: int
    donor: str


@dataclass(frozen=True)
class DonorReceipt:
    number: str
    received_on: date
    amount_vnd: int
    fund: str
    status: str
    verify_token: str
    voided_on: date | None
    replaced_by: str | None


@dataclass(frozen=True)
class KindSpent:
    kind: str
    amount_vnd: int


@dataclass(frozen=True)
class RestrictedFundYear:
    """A restricted fund the donor gave to in ``year``: their gifts, and what the fund spent that year."""

    fund: str
    purpose: str
    given_vnd: int
    spent: tuple[KindSpent, ...]
    spent_vnd: int
    #: Distinct beneficiaries paid by the fund that year (a number, never a name).
    beneficiaries: int


@dataclass(frozen=True)
class DonorOverview:
    code: str
    association: str
    donor: str
    year: int
    #: Years with at least one receipt, newest first (``year`` always among them).
    years: tuple[int, ...]
    #: Every receipt of ``year``, oldest first.
    receipts: tuple[DonorReceipt, ...]
    year_total_vnd: int
    restricted: tuple[RestrictedFundYear, ...]


def donor_places(uow: UnitOfWork, actor: Actor) -> list[DonorPlace]:
    """The associations where ``actor`` holds the donor role, with the donor they see."""
    if actor.user_id is None:
        return []
    rows = uow.session.execute(
        select(Association.code, Association.name, Donor.id, Donor.name)
        .join(Membership, Membership.association_id == Association.id)
        .join(Donor, Donor.id == Membership.donor_id)
        .where(Membership.user_id == actor.user_id, Membership.role == Role.DONOR.value)
        .order_by(Association.name)
    ).all()
    return [DonorPlace(code, name, donor_id, donor) for code, name, donor_id, donor in rows]


def grant_for_member(uow: UnitOfWork, actor: Actor, code: str) -> DonorGrant:
    """The donor that ``actor`` is in association ``code``; ``NotFound`` for anyone else."""
    for place in donor_places(uow, actor):
        if place.code == code:
            association_id = uow.session.execute(select(Association.id).where(Association.code == code)).scalar_one()
            return DonorGrant(association_id, code, place.donor_id, actor)
    raise NotFound("hội", "association")


def _serializer(secret: str, now: datetime) -> URLSafeTimedSerializer:
    """Signed with the app's secret; timestamps come from the app's clock, not the machine's."""
    stamp = int(now.timestamp())

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    return URLSafeTimedSerializer(secret, salt=_LINK_SALT, signer=ClockSigner)


def issue_link(uow: UnitOfWork, secret: str, code: str, donor_id: int) -> str:
    """A token for the donor's pages, bound to the e-mail on record (refused without one)."""
    association, donor = _donor_of(uow, code, donor_id)
    if not donor.email:
        raise ValidationFailed(
            "Nhà tài trợ chưa có địa chỉ e-mail trong sổ.",
            "The donor has no e-mail address on record.",
            errors={"email": ["the donor has no e-mail address on record"]},
        )
    token: str = _serializer(secret, uow.clock()).dumps([association.id, donor.id, donor.email.lower()])
    return token


def link_url(base_url: str, token: str) -> str:
    return f"{base_url}/donor/link/{token}"


def send_link(uow: UnitOfWork, actor: Actor, code: str, donor_id: int, secret: str, base_url: str) -> str:
    """Queue a signed link to the donor's pages to their e-mail on record; returns that address.

    The link goes in the outbox message only: the audit row says who sent a link to whom, not the link.
    """
    association, donor = _donor_of(uow, code, donor_id)
    token = issue_link(uow, secret, code, donor_id)
    assert donor.email is not None
    now = uow.clock()
    days = LINK_MAX_AGE // 86400
    uow.session.add(
        OutboxMessage(
            association_id=association.id,
            kind="donor_link",
            recipient=donor.email,
            subject=f"Các khoản tài trợ của bạn tại {association.name}",
            body=(
                f"Kính gửi {donor.name},\n\n"
                f"{association.name} gửi bạn đường dẫn để xem các giấy biên nhận, bản kê tài trợ theo năm "
                f"và việc sử dụng các quỹ bạn đã góp (có hiệu lực {days} ngày):\n{link_url(base_url, token)}\n\n"
                f"Dear {donor.name}, this link opens your receipts and giving statements for {days} days.\n"
            ),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    uow.emit(DonorLinkSent(by=actor, association_id=association.id, donor_id=donor.id, email=donor.email))
    return donor.email


#: A donor who asks for their link by e-mail address gets one per association that has the address
#: on record, at most this many.
MAX_LINKS_PER_REQUEST = 10
SELF_SERVICE = Actor(user_id=None, email="donor-self-service")


def send_links_to(uow: UnitOfWork, email: str, secret: str, base_url: str) -> int:
    """A link to every donor record with this e-mail on record (none for an unknown address).

    Whoever asks, the link only ever goes to the address on record, so asking for someone
    else's address sends them their own link and shows the asker nothing.
    """
    wanted = email.strip().lower()
    if "@" not in wanted or len(wanted) > 254:
        return 0
    rows = uow.session.execute(
        select(Association.code, Donor.id)
        .join(Donor, Donor.association_id == Association.id)
        .where(func.lower(Donor.email) == wanted)
        .order_by(Donor.id)
        .limit(MAX_LINKS_PER_REQUEST)
    ).all()
    for code, donor_id in rows:
        send_link(uow, SELF_SERVICE, code, donor_id, secret, base_url)
    return len(rows)


def grant_for_link(uow: UnitOfWork, secret: str, token: str, max_age: int = LINK_MAX_AGE) -> DonorGrant:
    """The donor a link was made for, while it is fresh and the e-mail on record is unchanged."""
    try:
        association_id, donor_id, email = _serializer(secret, uow.clock()).loads(token, max_age=max_age)
    except SignatureExpired as expired:
        raise Unauthorized() from expired
    except (BadSignature, ValueError, TypeError) as bad:
        raise NotFound("liên kết", "link") from bad
    donor = uow.session.get(Donor, donor_id)
    association = uow.session.get(Association, association_id)
    if donor is None or association is None or donor.association_id != association.id:
        raise NotFound("liên kết", "link")
    if (donor.email or "").lower() != email:
        raise Unauthorized()
    return DonorGrant(association.id, association.code, donor.id, Actor(user_id=None, email=f"donor-link:{email}"))


def _donor_of(uow: UnitOfWork, code: str, donor_id: int) -> tuple[Association, Donor]:
    association = uow.session.execute(select(Association).where(Association.code == code)).scalar_one_or_none()
    donor = uow.session.get(Donor, donor_id)
    if association is None or donor is None or donor.association_id != association.id:
        raise NotFound("nhà tài trợ", "donor")
    return association, donor


def overview(uow: UnitOfWork, grant: DonorGrant, year: int) -> DonorOverview:
    """The donor's receipts of ``year``, their total, and their restricted funds' spending that year."""
    session = uow.session
    association = session.get(Association, grant.association_id)
    donor = session.get(Donor, grant.donor_id)
    assert association is not None and donor is not None
    years = {
        received_on.year
        for received_on in session.execute(
            select(Donation.received_on).where(
                Donation.association_id == grant.association_id, Donation.donor_id == grant.donor_id
            )
        ).scalars()
    }
    rows = receipts.receipts_of_year(uow, association, donor, year)
    replaced_by: dict[int | None, str] = {
        replaced: number
        for replaced, number in session.execute(
            select(Donation.replaces_donation_id, Donation.receipt_number).where(
                Donation.replaces_donation_id.in_([d.id for d, _, _ in rows if d.status == "void"])
            )
        )
    }
    lines = tuple(
        DonorReceipt(
            d.receipt_number,
            d.received_on,
            d.amount_vnd,
            fund_name,
            d.status,
            d.verify_token,
            d.voided_on,
            replaced_by.get(d.id),
        )
        for d, _, fund_name in rows
    )
    given: dict[int, int] = {}
    for d, _, _ in rows:
        if d.status == "valid":
            given[d.fund_id] = given.get(d.fund_id, 0) + d.amount_vnd
    funds = {fund_id: session.get(Fund, fund_id) for fund_id in given}
    restricted = tuple(
        _fund_year(uow, fund, year, given[fund_id])
        for fund_id, fund in funds.items()
        if fund is not None and fund.restriction != "unrestricted"
    )
    return DonorOverview(
        code=association.code,
        association=association.name,
        donor=donor.name,
        year=year,
        years=tuple(sorted(years | {year}, reverse=True)),
        receipts=lines,
        year_total_vnd=sum(line.amount_vnd for line in lines if line.status == "valid"),
        restricted=restricted,
    )


def _fund_year(uow: UnitOfWork, fund: Fund, year: int, given_vnd: int) -> RestrictedFundYear:
    """What ``fund`` paid out in ``year`` (posted disbursements only), by kind, and to how many people."""
    in_year = (
        Disbursement.fund_id == fund.id,
        Disbursement.status == "posted",
        Disbursement.paid_on >= date(year, 1, 1),
        Disbursement.paid_on <= date(year, 12, 31),
    )
    by_kind = uow.session.execute(
        select(Disbursement.kind, func.sum(Disbursement.amount_vnd))
        .where(*in_year)
        .group_by(Disbursement.kind)
        .order_by(Disbursement.kind)
    ).all()
    helped = uow.session.execute(
        select(func.count(func.distinct(Disbursement.beneficiary_id))).where(*in_year)
    ).scalar_one()
    spent = tuple(KindSpent(kind, int(amount)) for kind, amount in by_kind)
    return RestrictedFundYear(
        fund=fund.name,
        purpose=fund.purpose,
        given_vnd=given_vnd,
        spent=spent,
        spent_vnd=sum(k.amount_vnd for k in spent),
        beneficiaries=int(helped),
    )


def _own_donation(uow: UnitOfWork, grant: DonorGrant, number: str) -> Donation:
    """The receipt ``number`` if it is this donor's; another donor's receipt is ``NotFound``, as if it did not exist."""
    donation = uow.session.execute(
        select(Donation).where(Donation.association_id == grant.association_id, Donation.receipt_number == number)
    ).scalar_one_or_none()
    if donation is None or donation.donor_id != grant.donor_id:
        raise NotFound(f"biên nhận {number}", f"receipt {number}")
    return donation


def receipt_document(uow: UnitOfWork, grant: DonorGrant, number: str, base_url: str) -> ReceiptDocument:
    """The donor's own receipt as its PDF shows it; the download goes to the audit log."""
    return downloads.handed_out_receipt(uow, grant.actor, _own_donation(uow, grant, number), base_url)


def statement_document(uow: UnitOfWork, grant: DonorGrant, year: int) -> DonorStatementDocument:
    """The donor's giving statement of ``year``; the download goes to the audit log."""
    association = uow.session.get(Association, grant.association_id)
    donor = uow.session.get(Donor, grant.donor_id)
    assert association is not None and donor is not None
    document = receipts.donor_statement(uow, association, donor, year)
    uow.emit(
        StatementDownloaded(
            by=grant.actor, association_id=grant.association_id, donor_id=grant.donor_id, year=year, format="pdf"
        )
    )
    return document
