"""The tables, as SQLAlchemy 2 typed models. Every key that can be is scoped by association."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ledger.persistence.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON()}

    @classmethod
    def table(cls) -> Table:
        """The model's table, for Core statements where the ORM's unit of work costs too much.

        A Core insert or update runs at once and is not flushed later: use it for rows that
        nothing else in the session refers to by object (audit events, counters, outbox).
        """
        table = cls.__table__
        assert isinstance(table, Table)
        return table


class Association(Base):
    __tablename__ = "associations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``QT``, ``QT-DH``, ``QT-DH-P1``: the code names the association everywhere.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: national, province, district, commune, branch, school
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]
    #: Moved on when an account is added (a sub-account such as ``611.1``): processes key
    #: their cached chart on it (``services/charts.py``).
    chart_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The public disclosure list (Decree 03/2026/NĐ-CP) is served without login once this is on.
    publish_disclosure: Mapped[bool] = mapped_column(Boolean, default=False)


class LedgerHead(Base):
    """The chain head of one association's journal; writers lock this row to serialise."""

    __tablename__ = "ledger_heads"

    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), primary_key=True)
    head_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    head_hash: Mapped[str] = mapped_column(String(64))
    #: Nothing may be dated on or before this day: the end of the last closed year or locked month.
    lock_on: Mapped[date | None] = mapped_column(Date)
    #: The latest date anything is posted on: a draft dated before it is checked on its own date.
    last_entry_on: Mapped[date | None] = mapped_column(Date)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("association_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    #: asset, liability, fund_balance, revenue, expense
    type: Mapped[str] = mapped_column(String(20))
    #: Cash, bank and goods may not go below zero in any fund.
    non_negative: Mapped[bool] = mapped_column(Boolean, default=False)
    holds_goods: Mapped[bool] = mapped_column(Boolean, default=False)


class Fund(Base):
    __tablename__ = "funds"
    __table_args__ = (
        UniqueConstraint("association_id", "code"),
        CheckConstraint("restriction IN ('unrestricted', 'restricted', 'endowment')", name="restriction"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    restriction: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(Text, default="")
    #: The policy in force; older versions stay in ``fund_policies``.
    policy_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]


class FundPolicyVersion(Base):
    """A fund's policy as it was from ``valid_from``: entries keep the version they were made under."""

    __tablename__ = "fund_policies"
    __table_args__ = (UniqueConstraint("fund_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Who approved a loosening change (the second person); None when it took effect at once.
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The donor's written consent to a loosening of a restricted fund or an endowment.
    consent_document: Mapped[str | None] = mapped_column(String(100))
    consent_on: Mapped[date | None] = mapped_column(Date)
    #: The approval request this version came from, if it needed one.
    request_id: Mapped[int | None] = mapped_column(Integer)


class JournalEntry(Base):
    """A posted entry. Never updated nor deleted: a correction is a reversal entry.

    Keyed by (association, seq) so that lines need no generated id to point at their
    entry (bulk posting inserts both in one go) and the journal can be sharded by association.
    The association is checked by foreign key on SQLite and, on PostgreSQL, by one check per
    statement instead (migration 0004: a foreign key checks, and locks, row by row).
    """

    __tablename__ = "journal_entries"
    __table_args__ = (
        # An entry can be reversed once: a second reversal pointing to it cannot be stored.
        UniqueConstraint("association_id", "reverses_seq"),
        Index("ix_journal_entries_assoc_date", "association_id", "entry_on"),
    )

    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), primary_key=True)
    #: Numbered per association from 1 without gaps.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    memo: Mapped[str] = mapped_column(String(500), default="")
    reverses_seq: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class JournalLine(Base):
    """One line of a posted entry.

    Its keys are lean, for bulk posting (migration 0004, docs/benchmarks.md). On SQLite the
    line points to its entry, donor and beneficiary by foreign key. On PostgreSQL, where a
    foreign key checks and locks row by row (most of the cost of posting), one check per
    statement over the inserted lines does it: the entry exists, and the donor and
    beneficiary exist and are the line's association's own. On both, the account and fund are
    the association's because the posting service resolves them from its chart, the hash
    covers their codes (``ledger verify`` names a line whose ids no longer give the codes it
    was posted with), and the materialised balance of every (account, fund) posted to keeps
    its own foreign keys.
    """

    __tablename__ = "journal_lines"
    __table_args__ = (
        CheckConstraint("debit_vnd >= 0 AND credit_vnd >= 0", name="not_negative"),
        CheckConstraint("(debit_vnd > 0) <> (credit_vnd > 0)", name="one_side"),
        CheckConstraint("debit_vnd <= 1000000000000000 AND credit_vnd <= 1000000000000000", name="max"),
        ForeignKeyConstraint(["association_id", "seq"], ["journal_entries.association_id", "journal_entries.seq"]),
        Index("ix_journal_lines_assoc_fund_account", "association_id", "fund_id", "account_id"),
        Index(
            "ix_journal_lines_donor",
            "donor_id",
            sqlite_where=text("donor_id IS NOT NULL"),
            postgresql_where=text("donor_id IS NOT NULL"),
        ),
        Index(
            "ix_journal_lines_beneficiary",
            "beneficiary_id",
            sqlite_where=text("beneficiary_id IS NOT NULL"),
            postgresql_where=text("beneficiary_id IS NOT NULL"),
        ),
    )

    association_id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(Integer)
    fund_id: Mapped[int] = mapped_column(Integer)
    debit_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    quantity: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str | None] = mapped_column(String(40))
    item: Mapped[str | None] = mapped_column(String(200))
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donors.id"))
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"))


class Balance(Base):
    """Materialised balance of one (account, fund, goods item), kept in the posting transaction.

    ``net_debit_vnd`` is debits less credits (signed); ``quantity`` is the goods count held.
    ``reserved_vnd`` is what pending disbursements have set aside from this pair.
    """

    __tablename__ = "balances"
    __table_args__ = (CheckConstraint("reserved_vnd >= 0", name="reserved_not_negative"),)

    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    #: ``""`` for lines that are not goods.
    item: Mapped[str] = mapped_column(String(200), primary_key=True, default="")
    net_debit_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved_vnd: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportBalance(Base):
    """What the entries dated in one day (grain ``d``) or month (``m``) moved on one (account, fund),
    by the kind of entry (a reversal counts under the kind of what it reverses).

    Derived from the journal for statements at past dates (``ledger/reports/snapshots.py``),
    up to the entry named in :class:`ReportMark`; never a source of truth.
    """

    __tablename__ = "report_balances"
    __table_args__ = (CheckConstraint("grain IN ('d', 'm')", name="grain"),)

    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), primary_key=True)
    #: ``d``: the day ``starts_on``; ``m``: the month starting on ``starts_on``.
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date, primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    debit_vnd: Mapped[int] = mapped_column(BigInteger)
    credit_vnd: Mapped[int] = mapped_column(BigInteger)


class ReportMark(Base):
    """The last entry of an association whose lines :class:`ReportBalance` holds."""

    __tablename__ = "report_marks"

    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), primary_key=True)
    through_seq: Mapped[int] = mapped_column(BigInteger)


class YearTotal(Base):
    """Running totals of an (account, fund, beneficiary) in a calendar year, kept in the posting transaction.

    Only revenue and expense accounts: what a fund received, spent on running costs, earned
    as interest, and paid to each beneficiary in a year, which the spending rules check under
    the ledger lock. Reading them is a few rows; aggregating the year's journal lines there
    instead took 550 ms at 3,500 entries on PostgreSQL without planner statistics, while every
    other writer of the association waited (issue 16).
    """

    __tablename__ = "year_totals"

    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), primary_key=True)
    fund_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The lines' beneficiary, ``0`` for lines without one (no foreign key: 0 is no row).
    beneficiary_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    debit_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_vnd: Mapped[int] = mapped_column(BigInteger, default=0)


class Donor(Base):
    __tablename__ = "donors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    #: person or organisation
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    tax_code: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    #: Shown as "Nhà hảo tâm ẩn danh" in public lists when set.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    #: When the donor is another association of the tree: a consolidation eliminates its gifts.
    member_association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id"))


class Beneficiary(Base):
    __tablename__ = "beneficiaries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    #: student, teacher, school, family
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    school: Mapped[str] = mapped_column(String(200), default="")
    grade: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    #: Children's names are masked in every public output.
    is_minor: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Who receives and signs for a minor's money or goods (parent or guardian on record).
    guardian_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: How the guardian is related to the child ("mẹ", "bố", "bà nội"), printed beside the name.
    guardian_relation: Mapped[str] = mapped_column(String(60), default="", server_default="")
    created_at: Mapped[datetime]
    #: When the recipient is another association of the tree: a consolidation eliminates what it got.
    member_association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id"))


class Donation(Base):
    """A donation and its receipt. Status moves valid → void when its entry is reversed."""

    __tablename__ = "donations"
    __table_args__ = (
        UniqueConstraint("association_id", "receipt_number"),
        UniqueConstraint("association_id", "entry_seq"),
        Index("uq_donations_association_id_cash_voucher_number", "association_id", "cash_voucher_number", unique=True),
        CheckConstraint("amount_vnd > 0", name="positive_amount"),
        CheckConstraint("status IN ('valid', 'void')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"))
    entry_seq: Mapped[int] = mapped_column(BigInteger)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    #: cash, bank, in_kind, pledge
    method: Mapped[str] = mapped_column(String(20))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(String(500), default="")
    #: The bank's or payer's reference the treasurer typed ("UNC số 0912"), printed on the receipt.
    reference: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: ``<ASSOC>-<YEAR>-<NNNNNN>``, gapless per association and year, never reused.
    receipt_number: Mapped[str] = mapped_column(String(64))
    #: The cash phiếu thu ``<ASSOC>-PT-<YEAR>-<NNNNNN>`` of money received in cash (form 01-TT);
    #: none for bank and goods, nor for cash received before migration 0005.
    cash_voucher_number: Mapped[str | None] = mapped_column(String(64))
    #: Unguessable token of the public verification page (not the number).
    verify_token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="valid")
    voided_on: Mapped[date | None] = mapped_column(Date)
    void_reason: Mapped[str | None] = mapped_column(String(500))
    void_entry_seq: Mapped[int | None] = mapped_column(BigInteger)
    #: The pledge this money was collected for (its reversal reopens the pledge).
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("pledges.id"), index=True)
    #: The voided receipt this one was issued to correct (same donor); a voided receipt has at
    #: most one replacement, which its public verification page names.
    replaces_donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"), index=True, unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class DonationItem(Base):
    __tablename__ = "donation_items"
    __table_args__ = (CheckConstraint("quantity > 0 AND unit_value_vnd > 0", name="positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(40))
    unit_value_vnd: Mapped[int] = mapped_column(BigInteger)


class DocumentCounter(Base):
    """The last number handed out per association, document kind and year (gapless numbering)."""

    __tablename__ = "document_counters"

    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), primary_key=True)
    #: ``receipt`` or a voucher kind: ``PC`` cash, ``UNC`` bank, ``PX`` goods, ``PT`` cash received
    doc_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(BigInteger, default=0)


class Period(Base):
    """A fiscal year (calendar year). A closed one takes no entry dated inside it."""

    __tablename__ = "periods"

    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    #: A disabled user's tokens and sessions stop working at their next request.
    disabled_at: Mapped[datetime | None]
    #: The language of the web pages this person chose (``vi`` or ``en``); ``None``: Vietnamese.
    language: Mapped[str | None] = mapped_column(String(5), default=None)


class Membership(Base):
    """A role of a user in one association (auditors of a parent reach its subtree)."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "association_id", "role"),
        CheckConstraint("role IN ('treasurer', 'accountant', 'approver', 'auditor', 'donor')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"))
    role: Mapped[str] = mapped_column(String(20))
    #: A donor login sees the statements of this donor only.
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donors.id"))


class ApiToken(Base):
    """A bearer token, stored as its SHA-256 so a copy of the database gives no one access."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    #: A token stops working at this instant (``API_TOKEN_DAYS`` after it was issued).
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Who did what, when: every write and every download."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_assoc_at", "association_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[dict[str, Any]]


class IdempotencyRecord(Base):
    """The first response to a write sent with an ``Idempotency-Key``, stored with the write."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of method, path and body: another body under the same key is a conflict.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class DisbursementBatch(Base):
    """A batch entered at once (an award ceremony, a Tet gift day): posted all or nothing."""

    __tablename__ = "disbursement_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    memo: Mapped[str] = mapped_column(String(500), default="")
    count: Mapped[int] = mapped_column(Integer)
    total_vnd: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Disbursement(Base):
    """A spend from a fund. pending → posted | rejected; posted → void (by a reversal).

    While pending, its amount is reserved on the (account, fund, item) it will be paid
    from, so that two pending spends cannot promise the same money twice.
    """

    __tablename__ = "disbursements"
    __table_args__ = (
        UniqueConstraint("association_id", "voucher_number"),
        UniqueConstraint("association_id", "entry_seq"),
        CheckConstraint("amount_vnd > 0", name="positive_amount"),
        CheckConstraint("status IN ('pending', 'posted', 'rejected', 'void')", name="status"),
        Index("ix_disbursements_assoc_status", "association_id", "status"),
        Index("ix_disbursements_beneficiary", "beneficiary_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    #: scholarship, tet_gift, bookcase, award, support, operating
    kind: Mapped[str] = mapped_column(String(20))
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    #: cash, bank, in_kind
    paid_from: Mapped[str] = mapped_column(String(20))
    #: For goods: which item and how many (the value is their average cost).
    item: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str | None] = mapped_column(String(40))
    paid_on: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(String(500), default="")
    #: The sub-account of the kind's expense account it is booked to (``611.1``); ``None``: the account itself.
    expense_account: Mapped[str | None] = mapped_column(String(20))
    #: Who is paid when it is not the beneficiary: a bookcase's supplier, with the school as
    #: beneficiary. Empty when the beneficiary (or a minor's guardian) receives it.
    payee_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    payee_address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: The bank's reference of a transfer ("UNC số 0912"), printed on the voucher.
    reference: Mapped[str] = mapped_column(String(100), default="", server_default="")
    status: Mapped[str] = mapped_column(String(10))
    #: The policy version the spend was checked against.
    policy_version: Mapped[int] = mapped_column(Integer)
    maker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    #: What the pending spend holds back: the account it will be paid from.
    reserved_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    reserved_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_seq: Mapped[int | None] = mapped_column(BigInteger)
    #: ``<ASSOC>-PC|UNC|PX-<YEAR>-<NNNNNN>`` by how it was paid (cash, bank, goods), given when
    #: posted, gapless per association, kind and year (before migration 0005 all were PC).
    voucher_number: Mapped[str | None] = mapped_column(String(64))
    void_entry_seq: Mapped[int | None] = mapped_column(BigInteger)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("disbursement_batches.id"), index=True)
    created_at: Mapped[datetime]


class Pledge(Base):
    """A promised donation (receivable, account 138) and how much of it was collected."""

    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("amount_vnd > 0 AND collected_vnd >= 0 AND collected_vnd <= amount_vnd", name="amounts"),
        CheckConstraint("status IN ('open', 'collected', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    collected_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    pledged_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    entry_seq: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message to send (a receipt by e-mail), stored in the same transaction as its cause.

    A sender delivers it later and retries with back-off, so a mail server that is down
    never loses a receipt, and a message is marked sent once it was handed over.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'dropped')", name="status"),
        Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    #: receipt_email | void_notice (each kind is composed by its own code)
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: What the message is about (e.g. the donation whose receipt PDF is attached).
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"))
    #: pending, sent, failed (after its retries, with ``last_error``), dropped (no longer to be
    #: sent: the receipt it thanks for was voided before it left).
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    #: Set by the sender that holds the message until ``next_attempt_at``; only that sender may
    #: record the outcome, so a sender whose lease ran out cannot overwrite another's.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class ChainCheckpoint(Base):
    """An association's chain head (seq and hash) signed with a key kept outside the database.

    Whoever owns the database can rewrite an entry and every hash after it, but cannot sign:
    ``ledger verify`` checks each checkpoint's signature and that the chain still passes
    through it (``services/checkpoints.py``).
    """

    __tablename__ = "chain_checkpoints"
    __table_args__ = (Index("ix_chain_checkpoints_assoc_seq", "association_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"))
    #: The head signed: ``0`` and the genesis hash for books without entries.
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime]
    #: daily, period_close, manual
    reason: Mapped[str] = mapped_column(String(20))
    #: The first 16 hex digits of SHA-256 over the raw public key.
    key_id: Mapped[str] = mapped_column(String(16))
    #: Ed25519 signature over :func:`ledger.domain.chain.checkpoint_message`, hex.
    signature: Mapped[str] = mapped_column(String(128))


class ApprovalRequest(Base):
    """A change one person may not make alone (API.md "Requests that need a second person").

    pending → approved | rejected. ``payload`` holds what is to be done (the policy document,
    the entry to reverse, the year to reopen); nothing happens until someone other than the
    maker approves it, and then it is checked again against the books of that moment.
    """

    __tablename__ = "approval_requests"
    __table_args__ = (
        CheckConstraint("kind IN ('policy_change', 'reversal', 'period_reopen')", name="kind"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        Index("ix_approval_requests_association_status", "association_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"))
    #: policy_change | reversal | period_reopen
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: The fund of a policy change.
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"))
    #: The entry a reversal undoes.
    entry_seq: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]]
    maker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    #: What the approval did: the policy version, the reversal's entry number, the reopened year.
    outcome: Mapped[dict[str, Any] | None]
