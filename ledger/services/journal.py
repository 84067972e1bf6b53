"""The posting service: the only way anything reaches the journal, and the journal's reads."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from ledger.clock import today_vn
from ledger.domain.accounts import AccountType, signed_net_asset_effect
from ledger.domain.chain import entry_text, link_hash
from ledger.domain.entries import EntryDraft, LineDraft, reversal_of, validate_entry
from ledger.domain.errors import (
    AlreadyReversed,
    InsufficientFunds,
    InsufficientGoods,
    LedgerError,
    NotFound,
    PeriodClosed,
    ValidationFailed,
)
from ledger.domain.events import EntryPosted
from ledger.domain.policy import check_transfer_out
from ledger.persistence import pipeline
from ledger.persistence.models import (
    Account,
    Association,
    Balance,
    Beneficiary,
    Disbursement,
    Donor,
    Fund,
    JournalEntry,
    JournalLine,
    LedgerHead,
)
from ledger.persistence.pipeline import NO_ANSWER
from ledger.services.access import Actor
from ledger.services.funds import policies_in_force
from ledger.services.unit_of_work import UnitOfWork

#: A materialised balance is keyed by (account id, fund id, goods item or "").
BalanceKey = tuple[int, int, str]


class EntryView(NamedTuple):
    """A posted entry as the API and documents show it (a named tuple: one is made for every
    posted entry, and a frozen dataclass takes longer to make than the entry takes to hash)."""

    association: str
    seq: int
    entry_on: date
    memo: str
    kind: str
    lines: tuple[LineDraft, ...]
    hash: str
    prev_hash: str
    reverses: int | None
    reversed_by: int | None
    created_at: datetime
    created_by: int | None


class Books:
    """One association's chart and funds, loaded once per unit of work.

    A caller that has them already (the API keeps each chart per process and reads the funds
    with the association: ``services/charts.py``) passes them in instead.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        association: Association,
        *,
        accounts: Iterable[Account] | None = None,
        funds: Iterable[Fund] | None = None,
    ) -> None:
        self.uow = uow
        self.association = association
        if accounts is None:
            accounts = uow.session.execute(select(Account).where(Account.association_id == association.id)).scalars()
        self.accounts: dict[str, Account] = {a.code: a for a in accounts}
        self.accounts_by_id = {a.id: a for a in self.accounts.values()}
        if funds is None:
            funds = uow.session.execute(select(Fund).where(Fund.association_id == association.id)).scalars()
        self.funds: dict[str, Fund] = {f.code: f for f in funds}
        self.funds_by_id = {f.id: f for f in self.funds.values()}
        #: Plain facts for the posting loop: ``(id, holds_goods, non_negative)`` by account code.
        self.account_facts = {code: (a.id, a.holds_goods, a.non_negative) for code, a in self.accounts.items()}
        self.fund_ids = {code: f.id for code, f in self.funds.items()}
        #: Donors this unit of work has found to be the association's (``donations.known_donor``).
        self.known_donors: set[int] = set()

    def fund(self, code: str) -> Fund:
        fund = self.funds.get(code)
        if fund is None:
            raise NotFound(f"quỹ {code}", f"fund {code}")
        return fund

    def account(self, code: str) -> Account:
        account = self.accounts.get(code)
        if account is None:
            raise NotFound(f"tài khoản {code}", f"account {code}")
        return account


def _resolve(books: Books, draft: EntryDraft, index: int | None) -> None:
    """Refuse lines naming an account or fund this association does not have."""
    facts, funds = books.account_facts, books.fund_ids
    if all(
        line.account in facts and line.fund in funds and (line.quantity is not None or not facts[line.account][1])
        for line in draft.lines
    ):
        return
    errors: dict[str, list[str]] = {}
    for i, line in enumerate(draft.lines):
        if line.account not in facts:
            errors.setdefault(f"lines.{i}.account", []).append(f"unknown account {line.account!r}")
        if line.fund not in funds:
            errors.setdefault(f"lines.{i}.fund", []).append(f"unknown fund {line.fund!r}")
        if line.account in facts and facts[line.account][1] and line.quantity is None:
            errors.setdefault(f"lines.{i}.quantity", []).append(
                "goods lines need a quantity (goods are counted as well as valued)"
            )
    raise _indexed(
        ValidationFailed(
            "Bút toán nhắc đến tài khoản hoặc quỹ không có trong sổ của hội.",
            "The entry names an account or fund this association does not have.",
            errors=errors,
        ),
        index,
    )


def _check_parties(uow: UnitOfWork, books: Books, drafts: Sequence[EntryDraft], batch: bool) -> None:
    """Refuse donors and beneficiaries that are not this association's (one query per kind).

    A line naming another association's donor would credit them with this association's
    money, and would tell the poster that such a donor exists.
    """
    association_id = books.association.id
    donors = {line.donor_id for d in drafts for line in d.lines if line.donor_id is not None}
    beneficiaries = {line.beneficiary_id for d in drafts for line in d.lines if line.beneficiary_id is not None}
    wanted = {
        "donor_id": (donors, books.known_donors, _KNOWN_DONORS),
        "beneficiary_id": (beneficiaries, set(), _KNOWN_BENEFICIARIES),
    }
    for field_name, (ids, found_before, query) in wanted.items():
        asked = ids - found_before
        if not asked:
            continue
        params = {"association": association_id, "ids": list(asked)}
        known = found_before | set(uow.session.connection().execute(query, params).scalars())
        if ids <= known:
            continue
        for index, draft in enumerate(drafts):
            for i, line in enumerate(draft.lines):
                if getattr(line, field_name) not in known | {None}:
                    raise _indexed(
                        ValidationFailed(
                            "Bút toán nhắc đến nhà tài trợ hoặc người thụ hưởng không có trong sổ của hội.",
                            "The entry names a donor or beneficiary this association does not have.",
                            errors={f"lines.{i}.{field_name}": ["unknown in this association"]},
                        ),
                        index if batch else None,
                    )


_KNOWN_DONORS = select(Donor.id).where(
    Donor.association_id == bindparam("association"), Donor.id.in_(bindparam("ids", expanding=True))
)
_KNOWN_BENEFICIARIES = select(Beneficiary.id).where(
    Beneficiary.association_id == bindparam("association"), Beneficiary.id.in_(bindparam("ids", expanding=True))
)


def at_item(error: LedgerError, index: int) -> LedgerError:
    """Say that item ``index`` of a batch was refused: ``errors`` keys become ``items.<i>.…``."""
    error.extra["index"] = index
    if error.errors:
        error.errors = {f"items.{index}.{key}": value for key, value in error.errors.items()}
    else:
        error.errors = {f"items.{index}": [error.message_en]}
    return error


def _indexed(error: LedgerError, index: int | None) -> LedgerError:
    """``at_item`` for a batch; a single entry's error is left as it is."""
    return at_item(error, index) if index is not None else error


def load_balances(uow: UnitOfWork, association_id: int, fund_ids: set[int]) -> dict[BalanceKey, Balance]:
    rows = uow.session.execute(
        select(Balance)
        .where(Balance.association_id == association_id, Balance.fund_id.in_(fund_ids))
        .execution_options(populate_existing=True)
    ).scalars()
    return {(b.account_id, b.fund_id, b.item): b for b in rows}


def _positions(uow: UnitOfWork, association_id: int, fund_ids: set[int]) -> dict[BalanceKey, _Position]:
    """The stored balances of ``fund_ids``, as plain positions to change in memory."""
    rows = uow.session.connection().execute(_READ_POSITIONS, {"association": association_id, "funds": list(fund_ids)})
    return {(a, f, item): _Position(net, quantity, reserved, True) for a, f, item, net, quantity, reserved in rows}


class _Position:
    """A balance being changed in memory before it is written back."""

    __slots__ = ("existed", "net", "quantity", "reserved")

    def __init__(self, net: int, quantity: int, reserved: int, existed: bool) -> None:
        self.net = net
        self.quantity = quantity
        self.reserved = reserved
        self.existed = existed


def post_entries(
    uow: UnitOfWork,
    books: Books,
    drafts: Sequence[EntryDraft],
    *,
    created_by: int | None,
) -> list[EntryView]:
    """Validate, number, chain and write ``drafts`` in order, all or nothing.

    Every check runs before the first write: the entry balances per fund, names only this
    association's accounts and funds, falls in an open period, and leaves no cash, bank or
    goods pair below zero once pending reservations are counted. Balances are updated in
    the same transaction so that reading one never scans history.
    """
    association = books.association
    batch = len(drafts) > 1
    # What needs no lock is checked before taking it: every other writer of the association
    # waits from the moment it is taken until this transaction commits.
    for index, draft in enumerate(drafts):
        try:
            validate_entry(draft)
        except LedgerError as error:
            raise _indexed(error, index if batch else None) from None
        _resolve(books, draft, index if batch else None)
    _check_parties(uow, books, drafts, batch)

    ledger = uow.lock_ledger(association.id)
    closed = ledger.closed_years
    if closed:
        for index, draft in enumerate(drafts):
            if draft.entry_on.year in closed:
                raise _indexed(PeriodClosed(draft.entry_on.year), index if batch else None)

    # Plain facts per code: reading a mapped attribute per line costs more than the rest of the line.
    account_facts, fund_ids = books.account_facts, books.fund_ids
    session = uow.session
    session.flush()  # what the ORM holds back (a reservation, say) is read with the balances
    positions = _positions(uow, association.id, {fund_ids[line.fund] for draft in drafts for line in draft.lines})
    goods_credited = any(line.credit_vnd and account_facts[line.account][1] for draft in drafts for line in draft.lines)
    # Goods promised to pending disbursements are not free to leave by any other way either.
    pending_goods = _pending_goods(uow, association.id) if goods_credited else {}
    for index, draft in enumerate(drafts):
        touched: list[tuple[BalanceKey, str, bool, str, str]] = []
        for line in draft.lines:
            account_id, goods, non_negative = account_facts[line.account]
            key = (account_id, fund_ids[line.fund], (line.item or "") if goods else "")
            pos = positions.get(key)
            if pos is None:
                pos = positions[key] = _Position(0, 0, 0, False)
            pos.net += line.debit_vnd - line.credit_vnd
            if goods and line.quantity is not None:
                pos.quantity += line.quantity if line.debit_vnd else -line.quantity
            if line.credit_vnd and non_negative:
                touched.append((key, line.account, goods, line.fund, line.item or ""))
        for key, account_code, goods, fund_code, item in touched:
            pos = positions[key]
            free = pos.quantity - pending_goods.get((key[1], item), 0) if goods else 0
            if free < 0:
                requested = sum(
                    (line.quantity or 0) * (1 if line.credit_vnd else -1)
                    for line in draft.lines
                    if line.account == account_code and line.fund == fund_code and (line.item or "") == item
                )
                raise _indexed(
                    InsufficientGoods(account_code, fund_code, item, free + requested, requested),
                    index if batch else None,
                )
            if pos.net - pos.reserved < 0:
                requested = sum(
                    line.credit_vnd - line.debit_vnd
                    for line in draft.lines
                    if line.account == account_code and line.fund == fund_code and (line.item or "") == item
                )
                raise _indexed(
                    InsufficientFunds(account_code, fund_code, pos.net - pos.reserved + requested, requested, item),
                    index if batch else None,
                )

    created_at = uow.clock()
    views: list[EntryView] = []
    line_rows: list[tuple[Any, ...]] = []
    association_id, association_code = association.id, association.code

    def sealed() -> Iterator[tuple[Any, ...]]:
        """Each entry's row as soon as it is hashed, so that PostgreSQL writes the entries
        while the rest are hashed (``COPY`` streams); the lines and views are gathered on the
        way."""
        seq, prev = ledger.head_seq, ledger.head_hash
        for draft in drafts:
            seq += 1
            digest = link_hash(
                prev,
                entry_text(
                    association_code,
                    seq,
                    draft.entry_on,
                    draft.kind,
                    draft.memo,
                    draft.reverses_seq,
                    created_at,
                    created_by,
                    draft.lines,
                ),
            )
            for line_no, line in enumerate(draft.lines, start=1):
                line_rows.append(
                    (
                        association_id,
                        seq,
                        line_no,
                        account_facts[line.account][0],
                        fund_ids[line.fund],
                        line.debit_vnd,
                        line.credit_vnd,
                        line.quantity,
                        line.unit,
                        line.item,
                        line.donor_id,
                        line.beneficiary_id,
                    )
                )
            views.append(
                EntryView(
                    association=association_code,
                    seq=seq,
                    entry_on=draft.entry_on,
                    memo=draft.memo,
                    kind=draft.kind,
                    lines=draft.lines,
                    hash=digest,
                    prev_hash=prev,
                    reverses=draft.reverses_seq,
                    reversed_by=None,
                    created_at=created_at,
                    created_by=created_by,
                )
            )
            yield (
                association_id,
                seq,
                draft.entry_on,
                draft.kind,
                draft.memo,
                draft.reverses_seq,
                created_at,
                created_by,
                prev,
                digest,
            )
            prev = digest

    _insert_rows(session, JournalEntry, ENTRY_COLUMNS, sealed(), len(drafts))
    _insert_rows(session, JournalLine, LINE_COLUMNS, line_rows, len(line_rows))
    _write_balances(session, association.id, positions)
    if views:
        ledger.head_seq, ledger.head_hash = views[-1].seq, views[-1].hash
        session.connection().execute(
            _MOVE_HEAD, {"association": association.id, "seq": ledger.head_seq, "hash": ledger.head_hash}
        )
    return views


#: Below this many rows one INSERT of all of them is as quick as the bulk paths (one entry from the API).
BULK_ROWS_MIN = 64

_BALANCES = Balance.table()
_HEADS = LedgerHead.table()
#: The statements of a posting, built once (see ``unit_of_work``: the time under the ledger
#: lock goes to the database rather than to building statements).
_READ_POSITIONS = select(
    _BALANCES.c.account_id,
    _BALANCES.c.fund_id,
    _BALANCES.c.item,
    _BALANCES.c.net_debit_vnd,
    _BALANCES.c.quantity,
    _BALANCES.c.reserved_vnd,
).where(
    _BALANCES.c.association_id == bindparam("association"), _BALANCES.c.fund_id.in_(bindparam("funds", expanding=True))
)
_UPDATE_BALANCE = (
    update(_BALANCES)
    .where(
        _BALANCES.c.account_id == bindparam("account"),
        _BALANCES.c.fund_id == bindparam("fund"),
        _BALANCES.c.item == bindparam("goods_item"),
    )
    .values(net_debit_vnd=bindparam("net"), quantity=bindparam("count"))
    .execution_options(**NO_ANSWER)
)
_INSERT_BALANCE = insert(_BALANCES).execution_options(**NO_ANSWER)
_MOVE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.association_id == bindparam("association"))
    .values(head_seq=bindparam("seq"), head_hash=bindparam("hash"))
    .execution_options(**NO_ANSWER)
)


#: The columns of a journal row, in the order ``post_entries`` builds them.
ENTRY_COLUMNS = (
    "association_id",
    "seq",
    "entry_on",
    "kind",
    "memo",
    "reverses_seq",
    "created_at",
    "created_by",
    "prev_hash",
    "hash",
)
LINE_COLUMNS = (
    "association_id",
    "seq",
    "line_no",
    "account_id",
    "fund_id",
    "debit_vnd",
    "credit_vnd",
    "quantity",
    "unit",
    "item",
    "donor_id",
    "beneficiary_id",
)


def _insert_rows(
    session: Session,
    model: type[JournalEntry] | type[JournalLine],
    columns: tuple[str, ...],
    rows: Iterable[tuple[Any, ...]],
    count: int,
) -> None:
    """Write the ``count`` ``rows`` (values in ``columns`` order) into ``model``'s table inside
    the session's transaction, by the fastest path there is.

    Profiling the bulk posting (docs/benchmarks.md) found the ORM bulk insert taking most of a
    batch: per-row statements with their parameter processing. PostgreSQL gets ``COPY`` instead,
    SQLite the driver's own ``executemany`` with values converted by the columns' types (once
    per distinct value: a batch shares its instant and most of its dates). Both run in the same
    transaction and fire the same constraints and triggers as an INSERT.
    """
    table = model.table()
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection
        if count >= BULK_ROWS_MIN:
            pipeline.leave(connection)  # COPY cannot run in pipeline mode: what waits is sent first
            with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # One statement for all the rows, as the driver takes them (PostgreSQL checks the
            # lines' references once per statement, migration 0004): its text is the same for
            # the same count, so the server prepares it once per connection.
            rows = list(rows)
            connection.exec_driver_sql(
                _values_sql(table.name, columns, len(rows)),
                tuple(v for r in rows for v in r),
                execution_options=NO_ANSWER,
            )
        return
    if dialect.name != "sqlite":
        connection.execute(insert(table).values([dict(zip(columns, row, strict=True)) for row in rows]))
        return
    rows = list(rows)
    for i, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is None:
            continue
        converted: dict[Any, Any] = {}
        values = []
        for row in rows:
            value = row[i]
            text = converted.get(value)
            if text is None:
                text = converted[value] = processor(value)
            values.append(text)
        rows = [(*row[:i], text, *row[i + 1 :]) for row, text in zip(rows, values, strict=True)]
    connection.exec_driver_sql(_values_sql(table.name, columns, 1, "?"), rows, execution_options=NO_ANSWER)


@functools.cache
def _values_sql(table: str, columns: tuple[str, ...], count: int, mark: str = "%s") -> str:
    """``INSERT INTO table (columns) VALUES (%s, …), …`` for ``count`` rows, with the driver's
    placeholder ``mark`` (psycopg's ``%s``, sqlite3's ``?``)."""
    row = f"({', '.join([mark] * len(columns))})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * count)}"


def _pending_goods(uow: UnitOfWork, association_id: int) -> dict[tuple[int, str], int]:
    """How many of each (fund id, goods item) pending disbursements are waiting to hand out."""
    rows = uow.session.execute(
        select(Disbursement.fund_id, Disbursement.item, func.sum(Disbursement.quantity))
        .where(
            Disbursement.association_id == association_id,
            Disbursement.status == "pending",
            Disbursement.paid_from == "in_kind",
        )
        .group_by(Disbursement.fund_id, Disbursement.item)
    ).all()
    return {(fund_id, item or ""): int(quantity or 0) for fund_id, item, quantity in rows}


def _write_balances(session: Session, association_id: int, positions: dict[BalanceKey, _Position]) -> None:
    """Write back the balances the postings changed: one executemany of updates, one of inserts."""
    updates = [
        {"account": key[0], "fund": key[1], "goods_item": key[2], "net": pos.net, "count": pos.quantity}
        for key, pos in positions.items()
        if pos.existed
    ]
    inserts = [
        {
            "association_id": association_id,
            "account_id": key[0],
            "fund_id": key[1],
            "item": key[2],
            "net_debit_vnd": pos.net,
            "quantity": pos.quantity,
            "reserved_vnd": 0,
        }
        for key, pos in positions.items()
        if not pos.existed
    ]
    connection = session.connection()
    if updates:
        connection.execute(_UPDATE_BALANCE, updates)
    if inserts:
        connection.execute(_INSERT_BALANCE, inserts)


def reserve(uow: UnitOfWork, books: Books, amounts: Mapping[BalanceKey, int]) -> None:
    """Set ``amounts`` aside on their (account, fund, item) balances for pending disbursements.

    Each pair must have that much available (posted balance less what is already reserved),
    else ``InsufficientFunds`` and nothing changes; a pair with no balance row yet gets one.
    Called under the ledger lock, so two pending spends can never promise the same money:
    ``post_entries`` then counts the reservations when it checks that nothing goes below zero.
    """
    association_id = books.association.id
    assert uow.holds_lock(association_id), "reservations change under the ledger lock"
    wanted = {key: amount for key, amount in amounts.items() if amount}
    if not wanted:
        return
    stored = load_balances(uow, association_id, {key[1] for key in wanted})
    for key, amount in sorted(wanted.items()):
        assert amount > 0, amount
        row = stored.get(key)
        available = row.net_debit_vnd - row.reserved_vnd if row is not None else 0
        if available < amount:
            account_id, fund_id, item = key
            raise InsufficientFunds(
                books.accounts_by_id[account_id].code, books.funds_by_id[fund_id].code, available, amount, item
            )
    for key, amount in wanted.items():
        row = stored.get(key)
        if row is None:
            account_id, fund_id, item = key
            uow.session.add(
                Balance(
                    association_id=association_id,
                    account_id=account_id,
                    fund_id=fund_id,
                    item=item,
                    net_debit_vnd=0,
                    quantity=0,
                    reserved_vnd=amount,
                )
            )
        else:
            row.reserved_vnd += amount
    uow.session.flush()


def release(uow: UnitOfWork, books: Books, key: BalanceKey, amount_vnd: int) -> None:
    """Give back what a pending disbursement had set aside (it was approved or rejected)."""
    association_id = books.association.id
    assert uow.holds_lock(association_id), "reservations change under the ledger lock"
    row = load_balances(uow, association_id, {key[1]}).get(key)
    # A reservation is only ever released by the disbursement that made it, so it is there.
    assert row is not None and row.reserved_vnd >= amount_vnd, (key, amount_vnd)
    row.reserved_vnd -= amount_vnd
    uow.session.flush()


def entry_lines(uow: UnitOfWork, books: Books, seqs: Sequence[int]) -> dict[int, list[LineDraft]]:
    """The lines of the entries ``seqs``, in line order, with codes rather than ids."""
    rows = uow.session.execute(
        select(JournalLine)
        .where(JournalLine.association_id == books.association.id, JournalLine.seq.in_(seqs))
        .order_by(JournalLine.seq, JournalLine.line_no)
    ).scalars()
    out: dict[int, list[LineDraft]] = defaultdict(list)
    for row in rows:
        out[row.seq].append(line_of(books, row))
    return out


def line_of(books: Books, row: JournalLine) -> LineDraft:
    return LineDraft(
        account=books.accounts_by_id[row.account_id].code,
        fund=books.funds_by_id[row.fund_id].code,
        debit_vnd=row.debit_vnd,
        credit_vnd=row.credit_vnd,
        quantity=row.quantity,
        unit=row.unit,
        item=row.item,
        donor_id=row.donor_id,
        beneficiary_id=row.beneficiary_id,
    )


def _views(uow: UnitOfWork, books: Books, entries: Sequence[JournalEntry]) -> list[EntryView]:
    seqs = [e.seq for e in entries]
    if not seqs:
        return []
    lines = entry_lines(uow, books, seqs)
    reversed_by = dict(
        uow.session.execute(
            select(JournalEntry.reverses_seq, JournalEntry.seq).where(
                JournalEntry.association_id == books.association.id,
                JournalEntry.reverses_seq.in_(seqs),
            )
        ).all()
    )
    return [
        EntryView(
            association=books.association.code,
            seq=e.seq,
            entry_on=e.entry_on,
            memo=e.memo,
            kind=e.kind,
            lines=tuple(lines[e.seq]),
            hash=e.hash,
            prev_hash=e.prev_hash,
            reverses=e.reverses_seq,
            reversed_by=reversed_by.get(e.seq),
            created_at=e.created_at,
            created_by=e.created_by,
        )
        for e in entries
    ]


def get_entry(uow: UnitOfWork, books: Books, seq: int) -> EntryView:
    entry = uow.session.get(JournalEntry, (books.association.id, seq))
    if entry is None:
        raise NotFound(f"bút toán số {seq}", f"entry {seq}")
    return _views(uow, books, [entry])[0]


@dataclass(frozen=True)
class EntryFilter:
    from_on: date | None = None
    to_on: date | None = None
    fund: str | None = None
    account: str | None = None
    after_seq: int = 0
    limit: int = 100


def list_entries(uow: UnitOfWork, books: Books, flt: EntryFilter) -> tuple[list[EntryView], int | None]:
    """A page of entries in seq order, and the seq to continue after (``None`` at the end)."""
    stmt = select(JournalEntry).where(
        JournalEntry.association_id == books.association.id, JournalEntry.seq > flt.after_seq
    )
    if flt.from_on:
        stmt = stmt.where(JournalEntry.entry_on >= flt.from_on)
    if flt.to_on:
        stmt = stmt.where(JournalEntry.entry_on <= flt.to_on)
    if flt.fund or flt.account:
        lines = select(JournalLine.seq).where(JournalLine.association_id == books.association.id)
        if flt.fund:
            if flt.fund not in books.funds:
                raise ValidationFailed(
                    f"Hội không có quỹ {flt.fund}.", f"No fund {flt.fund} here.", errors={"fund": ["unknown fund"]}
                )
            lines = lines.where(JournalLine.fund_id == books.funds[flt.fund].id)
        if flt.account:
            if flt.account not in books.accounts:
                raise ValidationFailed(
                    f"Hội không có tài khoản {flt.account}.",
                    f"No account {flt.account} here.",
                    errors={"account": ["unknown account"]},
                )
            lines = lines.where(JournalLine.account_id == books.accounts[flt.account].id)
        stmt = stmt.where(JournalEntry.seq.in_(lines))
    rows = list(uow.session.execute(stmt.order_by(JournalEntry.seq).limit(flt.limit + 1)).scalars())
    more = len(rows) > flt.limit
    rows = rows[: flt.limit]
    return _views(uow, books, rows), (rows[-1].seq if more and rows else None)


def reverse_entry(
    uow: UnitOfWork,
    books: Books,
    seq: int,
    *,
    reason: str,
    reversed_on: date,
    created_by: int | None,
) -> EntryView:
    """Post the entry that undoes entry ``seq``; an entry is reversed at most once.

    The journal is append-only: the original stays as it was and the reversal points to
    it. Reversing is refused when what it gives back has already been spent (cash, bank or
    goods would go below zero), as any other posting would be.
    """
    uow.lock_ledger(books.association.id)
    original = get_entry(uow, books, seq)
    if original.reversed_by is not None:
        raise AlreadyReversed(seq, original.reversed_by)
    if reversed_on < original.entry_on or reversed_on > today_vn(uow.clock()):
        raise ValidationFailed(
            f"Ngày đảo phải từ ngày của bút toán số {seq} ({original.entry_on:%d/%m/%Y}) đến hôm nay.",
            f"A reversal is dated from its entry's date ({original.entry_on.isoformat()}) to today.",
            errors={"date": ["from the reversed entry's date to today"]},
        )
    if original.kind == "reversal":
        raise ValidationFailed(
            f"Bút toán số {seq} là bút toán đảo; hãy ghi lại bút toán đúng thay vì đảo lần nữa.",
            f"Entry {seq} is itself a reversal; post the right entry again instead of reversing it.",
        )
    memo = f"Đảo bút toán số {seq}: {reason}"[:500]
    draft = EntryDraft(
        entry_on=reversed_on,
        memo=memo,
        kind="reversal",
        lines=reversal_of(original.lines),
        reverses_seq=seq,
    )
    return post_entries(uow, books, [draft], created_by=created_by)[0]


#: What a hand-made entry may touch: it moves money between assets, liabilities and fund
#: balances. Income is recorded as a donation, pledge or interest and spending as a
#: disbursement, so that a receipt or a voucher exists and the fund's policy is checked.
GENERAL_ENTRY_ACCOUNT_TYPES = frozenset({AccountType.ASSET, AccountType.LIABILITY, AccountType.FUND_BALANCE})


def post_general_entry(uow: UnitOfWork, actor: Actor, books: Books, draft: EntryDraft) -> EntryView:
    """Post a hand-made entry: opening balances, moves between cash and bank, transfers between funds.

    It never spends nor earns: an entry that lowers the association's net assets is a
    disbursement, and one that raises them is a donation or interest (only opening balances,
    entered before the first transaction, bring money in without one). Money that leaves one
    fund for another is a transfer, allowed only where the source fund's policy allows it:
    restricted money is never moved to another purpose (Decree 03/2026/NĐ-CP: use for the
    purpose given). The policies are read under the ledger lock, so a policy changed a moment
    ago is the one that counts.
    """
    association = books.association
    head = uow.lock_ledger(association.id)
    today = today_vn(uow.clock())
    errors: dict[str, list[str]] = {}
    if draft.entry_on > today:
        errors["date"] = ["an entry cannot be dated in the future"]
    for i, line in enumerate(draft.lines):
        account = books.accounts.get(line.account)
        if account is not None and AccountType(account.type) not in GENERAL_ENTRY_ACCOUNT_TYPES:
            errors[f"lines.{i}.account"] = [
                "income is recorded as a donation, pledge or interest and spending as a disbursement "
                "(POST …/disbursements), so that the fund's policy is checked and a voucher exists"
            ]
    if errors:
        raise ValidationFailed(
            "Bút toán tổng hợp chỉ chuyển tiền giữa tài sản, nợ phải trả và số dư quỹ; khoản thu ghi "
            "bằng phiếu tài trợ hoặc lãi, khoản chi ghi bằng phiếu chi để kiểm tra đúng mục đích.",
            "A general entry only moves money between assets, liabilities and fund balances; income is "
            "recorded as a donation or interest and spending as a disbursement, so that the policy is checked.",
            errors=errors,
        )
    effects: dict[str, int] = defaultdict(int)
    for line in draft.lines:
        account = books.accounts.get(line.account)
        if account is not None:
            effects[line.fund] += signed_net_asset_effect(AccountType(account.type), line.debit_vnd, line.credit_vnd)
    total = sum(effects.values())
    if total < 0:
        raise ValidationFailed(
            "Bút toán này làm giảm tài sản của hội: khoản chi phải ghi bằng phiếu chi.",
            "This entry lowers the association's net assets: spending is recorded as a disbursement.",
            errors={"lines": ["net assets would fall by " + str(-total) + " VND"]},
        )
    if total > 0 and (draft.kind != "opening" or _has_transactions(uow, association.id, head.head_seq)):
        raise ValidationFailed(
            "Chỉ số dư đầu kỳ (ghi trước giao dịch đầu tiên) mới được ghi tăng tài sản mà không qua phiếu thu.",
            "Only opening balances, entered before the first transaction, raise net assets without a donation.",
            errors={"kind": ["opening balances only, before the first transaction"]},
        )
    losing = {
        books.funds[code].id: books.funds[code]
        for code, effect in effects.items()
        if effect < 0 and code in books.funds
    }
    policies = policies_in_force(uow, losing)
    for fund_id, fund in sorted(losing.items()):
        check_transfer_out(fund.restriction, policies[fund_id][1])
    entry = post_entries(uow, books, [draft], created_by=actor.user_id)[0]
    uow.emit(EntryPosted(by=actor, association_id=association.id, seq=entry.seq, kind=draft.kind))
    return entry


def _has_transactions(uow: UnitOfWork, association_id: int, head_seq: int) -> bool:
    """Whether anything but opening balances was posted already."""
    if head_seq == 0:
        return False
    return (
        uow.session.execute(
            select(JournalEntry.seq)
            .where(JournalEntry.association_id == association_id, JournalEntry.kind != "opening")
            .limit(1)
        ).first()
        is not None
    )
