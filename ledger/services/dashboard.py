"""What the treasurers' and chairs' pages read: a dashboard, a spend's preview, the approvals queue.

Read side only: every figure comes from the same materialised balances, policies and rules
the posting services use (``funds``, ``disbursements.SpendTally``, ``domain.policy``), so a
page never shows a rule or a balance computed a second way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select

from ledger.domain.accounts import AccountType
from ledger.domain.errors import NotFound, PurposeViolation
from ledger.domain.money import format_vnd
from ledger.domain.policy import (
    DISBURSEMENT_KINDS,
    FundPolicy,
    SpendRequest,
    check_spend,
    needs_approval,
)
from ledger.domain.policy_words import policy_sentences
from ledger.persistence import journal_store
from ledger.persistence.models import (
    Balance,
    Beneficiary,
    Donor,
    JournalEntry,
    JournalLine,
    LedgerHead,
    User,
)
from ledger.services import funds, parties, requests
from ledger.services.approvals import list_pending
from ledger.services.disbursements import SpendTally
from ledger.services.journal import Books
from ledger.services.unit_of_work import UnitOfWork

#: How many of the latest entries the dashboard lists.
LATEST_ENTRIES = 10
#: How many donors or beneficiaries a picker or a search shows at most.
PICKER_MAX = 500
#: Where a spend's money leaves from, by ``paid_from``.
SOURCE_ACCOUNT = {"cash": "111", "bank": "112", "in_kind": "156"}


@dataclass(frozen=True)
class FundSummary:
    code: str
    name: str
    restriction: str
    purpose: str
    posted_vnd: int
    reserved_vnd: int
    available_vnd: int
    rules: tuple[str, ...]


@dataclass(frozen=True)
class MonthFlow:
    month: int
    received_vnd: int
    spent_vnd: int


@dataclass(frozen=True)
class EntrySummary:
    seq: int
    entry_on: date
    kind: str
    memo: str
    amount_vnd: int
    reverses: int | None


@dataclass(frozen=True)
class PendingRequest:
    """A request for a second person (policy change, reversal, period reopening), as the queue shows it."""

    #: The number behind the public id ``req-<n>``.
    id: int
    public_id: str
    kind: str
    #: What is asked, as a sentence in the page's language.
    title: str
    #: (label, value) pairs of what the approver needs to decide, in the page's language.
    facts: tuple[tuple[str, str], ...]
    maker_id: int | None
    maker: str


@dataclass(frozen=True)
class PendingSpend:
    """A disbursement waiting for an approver, with the rule that asked for approval and the figures."""

    id: int
    fund: str
    fund_name: str
    kind: str
    amount_vnd: int
    paid_from: str
    paid_on: date
    memo: str
    beneficiary: str
    maker_id: int | None
    maker: str
    threshold_vnd: int | None
    #: The rule that asked for a second person, as a sentence.
    reason: str
    fund_available_vnd: int
    beneficiary_received_vnd: int


@dataclass(frozen=True)
class ChainStatus:
    head_seq: int
    head_hash: str


@dataclass(frozen=True)
class Dashboard:
    code: str
    name: str
    year: int
    funds: tuple[FundSummary, ...]
    months: tuple[MonthFlow, ...]
    latest: tuple[EntrySummary, ...]
    pending: tuple[PendingSpend, ...]
    chain: ChainStatus

    @property
    def received_vnd(self) -> int:
        return sum(m.received_vnd for m in self.months)

    @property
    def spent_vnd(self) -> int:
        return sum(m.spent_vnd for m in self.months)


@dataclass(frozen=True)
class Choice:
    """An option of a picker: a donor, a beneficiary or a fund."""

    value: str
    label: str


@dataclass(frozen=True)
class SpendPreview:
    """What a treasurer sees before submitting a disbursement."""

    fund: str
    fund_name: str
    rules: tuple[str, ...]
    available_vnd: int
    source_available_vnd: int | None
    beneficiary_received_vnd: int | None
    #: The rule the spend would break (``None`` when it passes the fund's rules, or when the
    #: form is not complete enough to tell), with its sentence.
    refusal_rule: str | None
    refusal: str | None
    needs_approval: bool


# --- Funds ----------------------------------------------------------------------------------------


def fund_summaries(uow: UnitOfWork, books: Books, lang: str) -> tuple[FundSummary, ...]:
    return tuple(
        FundSummary(
            code=f.code,
            name=f.name,
            restriction=f.restriction,
            purpose=f.purpose,
            posted_vnd=f.posted_balance_vnd,
            reserved_vnd=f.reserved_vnd,
            available_vnd=f.available_balance_vnd,
            rules=tuple(policy_sentences(f.restriction, FundPolicy.parse(f.policy), lang)),
        )
        for f in funds.list_funds(uow, books.association)
    )


def _year_flows(uow: UnitOfWork, books: Books, year: int) -> tuple[MonthFlow, ...]:
    """Received (revenue) and spent (expenses) per month of ``year``, reversals netted out."""
    revenue = {a.id for a in books.accounts.values() if a.type == AccountType.REVENUE}
    expense = {a.id for a in books.accounts.values() if a.type == AccountType.EXPENSE}
    line, entry = JournalLine, JournalEntry
    rows = uow.session.execute(
        select(entry.entry_on, line.account_id, func.sum(line.debit_vnd), func.sum(line.credit_vnd))
        .join(entry, and_(entry.association_id == line.association_id, entry.seq == line.seq))
        .where(
            line.association_id == books.association.id,
            line.account_id.in_(sorted(revenue | expense)),
            entry.entry_on >= date(year, 1, 1),
            entry.entry_on <= date(year, 12, 31),
        )
        .group_by(entry.entry_on, line.account_id)
    )
    received: dict[int, int] = defaultdict(int)
    spent: dict[int, int] = defaultdict(int)
    for on, account_id, debits, credits in rows:
        if account_id in revenue:
            received[on.month] += int(credits or 0) - int(debits or 0)
        else:
            spent[on.month] += int(debits or 0) - int(credits or 0)
    return tuple(MonthFlow(m, received[m], spent[m]) for m in range(1, 13))


def _latest(uow: UnitOfWork, books: Books) -> tuple[EntrySummary, ...]:
    entries = list(
        uow.session.execute(
            select(JournalEntry)
            .where(JournalEntry.association_id == books.association.id)
            .order_by(JournalEntry.seq.desc())
            .limit(LATEST_ENTRIES)
        ).scalars()
    )
    if not entries:
        return ()
    totals = dict(
        uow.session.execute(
            select(JournalLine.seq, func.sum(JournalLine.debit_vnd))
            .where(JournalLine.association_id == books.association.id, JournalLine.seq.in_([e.seq for e in entries]))
            .group_by(JournalLine.seq)
        ).all()
    )
    return tuple(
        EntrySummary(e.seq, e.entry_on, e.kind, e.memo, int(totals.get(e.seq, 0) or 0), e.reverses_seq) for e in entries
    )


def chain_status(uow: UnitOfWork, books: Books) -> ChainStatus:
    head = uow.session.get(LedgerHead, books.association.id)
    return ChainStatus(head.head_seq, head.head_hash) if head is not None else ChainStatus(0, "")


def dashboard(uow: UnitOfWork, books: Books, today: date, lang: str) -> Dashboard:
    return Dashboard(
        code=books.association.code,
        name=books.association.name,
        year=today.year,
        funds=fund_summaries(uow, books, lang),
        months=_year_flows(uow, books, today.year),
        latest=_latest(uow, books),
        pending=tuple(pending_spends(uow, books, lang)),
        chain=chain_status(uow, books),
    )


# --- Pickers and directory -------------------------------------------------------------------------


def fund_choices(books: Books) -> list[Choice]:
    return [Choice(code, f"{fund.name} ({code})") for code, fund in sorted(books.funds.items())]


def donor_choices(uow: UnitOfWork, books: Books) -> list[Choice]:
    rows = uow.session.execute(
        select(Donor.id, Donor.name)
        .where(Donor.association_id == books.association.id)
        .order_by(Donor.name)
        .limit(PICKER_MAX)
    )
    return [Choice(str(i), name) for i, name in rows]


def beneficiary_choices(uow: UnitOfWork, books: Books) -> list[Choice]:
    rows = uow.session.execute(
        select(Beneficiary.id, Beneficiary.name, Beneficiary.school, Beneficiary.grade)
        .where(Beneficiary.association_id == books.association.id)
        .order_by(Beneficiary.name, Beneficiary.id)
        .limit(PICKER_MAX)
    )
    return [
        Choice(str(i), " · ".join(part for part in (name, school, grade) if part)) for i, name, school, grade in rows
    ]


def goods_held(uow: UnitOfWork, books: Books) -> list[Choice]:
    """The goods the association's funds hold now (the in-kind account), to hand out."""
    goods = books.accounts.get(SOURCE_ACCOUNT["in_kind"])
    if goods is None:
        return []
    rows = uow.session.execute(
        select(Balance.fund_id, Balance.item, Balance.quantity)
        .where(Balance.association_id == books.association.id, Balance.account_id == goods.id, Balance.quantity > 0)
        .order_by(Balance.item)
    )
    return [Choice(item, f"{item} ({books.funds_by_id[fund_id].code}: {quantity})") for fund_id, item, quantity in rows]


# --- A disbursement before it is submitted ---------------------------------------------------------


def spend_preview(
    uow: UnitOfWork,
    books: Books,
    *,
    fund_code: str,
    lang: str,
    paid_on: date,
    kind: str | None = None,
    paid_from: str | None = None,
    beneficiary_id: int | None = None,
    amount_vnd: int | None = None,
) -> SpendPreview:
    """The fund's rules, its available balance, what the beneficiary got this year, and the verdict
    of the fund's own rules (``domain.policy.check_spend``) on what the form holds so far.

    Balances and caps are checked again, under the ledger lock, when the spend is submitted.
    """
    fund = books.funds.get(fund_code)
    if fund is None:
        raise NotFound(f"quỹ {fund_code}", f"fund {fund_code}")
    view = funds.fund_view(uow, books.association, fund_code)
    policy = FundPolicy.parse(view.policy)
    category: str | None = None
    if beneficiary_id is not None:
        category = parties.get_beneficiary(uow, books.association, beneficiary_id).category
    tally = SpendTally(uow, books)
    tally.load([(fund, beneficiary_id, paid_on.year)])
    facts = tally.facts(fund, beneficiary_id, paid_on.year)
    source_available: int | None = None
    if paid_from in SOURCE_ACCOUNT and paid_from != "in_kind":
        account = books.accounts[SOURCE_ACCOUNT[paid_from]]
        stored = journal_store.load_balances(uow.session, books.association.id, {fund.id}).get(
            (account.id, fund.id, "")
        )
        source_available = stored.net_debit_vnd - stored.reserved_vnd if stored is not None else 0
    rule: str | None = None
    refusal: str | None = None
    if kind in DISBURSEMENT_KINDS and amount_vnd is not None and amount_vnd > 0:
        request = SpendRequest(kind, amount_vnd, paid_on, beneficiary_id, category)
        try:
            check_spend(fund.restriction, policy, request, facts)
        except PurposeViolation as violation:
            rule, refusal = violation.rule, violation.detail(lang)
    return SpendPreview(
        fund=fund.code,
        fund_name=fund.name,
        rules=tuple(policy_sentences(fund.restriction, policy, lang)),
        available_vnd=view.available_balance_vnd,
        source_available_vnd=source_available,
        beneficiary_received_vnd=facts.beneficiary_paid_in_year_vnd if beneficiary_id is not None else None,
        refusal_rule=rule,
        refusal=refusal,
        needs_approval=amount_vnd is not None and needs_approval(policy, amount_vnd),
    )


# --- The approvals queue ------------------------------------------------------------------------------


def pending_spends(uow: UnitOfWork, books: Books, lang: str) -> list[PendingSpend]:
    """Every disbursement waiting for an approver, oldest first, with why it waits and its figures."""
    waiting, _ = list_pending(uow, books, limit=200)
    if not waiting:
        return []
    people = dict(
        uow.session.execute(
            select(User.id, User.name).where(User.id.in_({w.maker_id for w in waiting if w.maker_id is not None}))
        ).all()
    )
    named = dict(
        uow.session.execute(
            select(Beneficiary.id, Beneficiary.name).where(
                Beneficiary.id.in_({w.beneficiary_id for w in waiting if w.beneficiary_id is not None})
            )
        ).all()
    )
    views = {f.code: f for f in funds.list_funds(uow, books.association)}
    tally = SpendTally(uow, books)
    tally.load([(books.funds[w.fund], w.beneficiary_id, w.paid_on.year) for w in waiting])
    out: list[PendingSpend] = []
    for w in waiting:
        view = views[w.fund]
        threshold = FundPolicy.parse(view.policy).approval_threshold_vnd
        if threshold is not None:
            reason = (
                f"Above the fund's approval threshold of {format_vnd(threshold, lang)} (rule approval_threshold)."
                if lang == "en"
                else f"Vượt ngưỡng phải duyệt của quỹ là {format_vnd(threshold, lang)} (quy tắc approval_threshold)."
            )
        else:
            reason = "Waits for an approver." if lang == "en" else "Chờ người duyệt."
        facts = tally.facts(books.funds[w.fund], w.beneficiary_id, w.paid_on.year)
        out.append(
            PendingSpend(
                id=w.id,
                fund=w.fund,
                fund_name=view.name,
                kind=w.kind,
                amount_vnd=w.amount_vnd,
                paid_from=w.paid_from,
                paid_on=w.paid_on,
                memo=w.memo,
                beneficiary=named.get(w.beneficiary_id, "") if w.beneficiary_id is not None else "",
                maker_id=w.maker_id,
                maker=people.get(w.maker_id, "") if w.maker_id is not None else "",
                threshold_vnd=threshold,
                reason=reason,
                fund_available_vnd=view.available_balance_vnd,
                # The tally counts pending spends too: show what was received besides this one.
                beneficiary_received_vnd=facts.beneficiary_paid_in_year_vnd - w.amount_vnd
                if w.beneficiary_id is not None
                else 0,
            )
        )
    return out


_REQUEST_TITLES = {
    "policy_change": ("Thay đổi chính sách quỹ {fund} (nới rộng)", "Change of the policy of fund {fund} (loosens it)"),
    "reversal": ("Đảo bút toán số {seq}, hủy chứng từ {voids}", "Reversal of entry {seq}, voiding {voids}"),
    "period_reopen": ("Mở lại năm tài chính {year}", "Reopening of fiscal year {year}"),
}


def pending_requests(uow: UnitOfWork, books: Books, lang: str) -> list[PendingRequest]:
    """Every request waiting for a second person, oldest first, with what it asks in plain words."""
    waiting = requests.list_pending(uow, books)
    if not waiting:
        return []
    people = dict(
        uow.session.execute(
            select(User.id, User.name).where(User.id.in_({w.maker_id for w in waiting if w.maker_id is not None}))
        ).all()
    )
    en = lang == "en"
    out: list[PendingRequest] = []
    for w in waiting:
        d = w.details
        vi_title, en_title = _REQUEST_TITLES.get(w.kind, (w.kind, w.kind))
        title = (en_title if en else vi_title).format(
            fund=w.fund or "", seq=w.entry_seq or "", voids=d.get("voids") or "", year=w.year or ""
        )
        facts: list[tuple[str, str]] = []
        if d.get("reason"):
            facts.append(("Reason" if en else "Lý do", str(d["reason"])))
        if w.kind == "policy_change":
            facts.append(("Loosens" if en else "Nới rộng", ", ".join(d.get("loosens") or [])))
            consent = d.get("consent") or {}
            if consent:
                facts.append(
                    (
                        "Donor's written consent" if en else "Văn bản đồng ý của nhà tài trợ",
                        f"{consent.get('document', '')} ({consent.get('date', '')})",
                    )
                )
            facts.extend(
                (("New rule" if en else "Quy tắc mới"), sentence)
                for sentence in policy_sentences(
                    books.fund(w.fund).restriction if w.fund else "unrestricted",
                    FundPolicy.parse(d.get("policy") or {}),
                    lang,
                )
            )
        elif w.kind == "reversal":
            facts.append(("Dated" if en else "Ngày đảo", str(d.get("date", ""))))
            if d.get("replacement"):
                facts.append(("Replacement receipt" if en else "Biên nhận thay thế", str(d["replacement"])))
        out.append(
            PendingRequest(
                id=int(w.id.removeprefix(requests.ID_PREFIX)),
                public_id=w.id,
                kind=w.kind,
                title=title,
                facts=tuple(facts),
                maker_id=w.maker_id,
                maker=people.get(w.maker_id, "") if w.maker_id is not None else "",
            )
        )
    return out
