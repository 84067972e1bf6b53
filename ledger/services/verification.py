"""Proof that the books were not altered: the hash chain recomputed, balances recomputed from lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, String, and_, case, func, select, type_coerce
from sqlalchemy.pool import NullPool

from ledger.domain.chain import (
    GENESIS_HASH,
    ChainReport,
    Checkpoint,
    StoredEntry,
    canonical_line,
    canonical_text,
    check_checkpoints,
    json_string,
    utc_text,
    verify_chain,
)
from ledger.persistence import journal_store
from ledger.persistence.cursors import driver_cursor
from ledger.persistence.engine import make_engine
from ledger.persistence.models import (
    Account,
    Association,
    Balance,
    Disbursement,
    Donation,
    DonationItem,
    Fund,
    JournalEntry,
    JournalLine,
    LedgerHead,
    Pledge,
)
from ledger.services.checkpoints import SignatureCheck, checkpoints_of
from ledger.services.unit_of_work import UnitOfWork

#: Rows fetched per round trip when streaming the journal.
STREAM_CHUNK = 20_000
#: What a verifying process is given: association id and code, first and last seq (None: to the
#: end), the (seq, stored hash) before the first, the (seq, stored hash) it must end at, and
#: the PostgreSQL snapshot to read.
Stretch = tuple[int, str, int, "int | None", tuple[int, str], tuple[int, str], "str | None"]
_ROOT = Path(__file__).resolve().parents[2]
#: Entries without their document named at most per kind (the rest are counted in one line).
ORPHANS_NAMED = 100
#: Below this many entries per process, starting another process costs more than it saves.
MIN_ENTRIES_PER_WORKER = 50_000


def verify_association(
    uow: UnitOfWork,
    association: Association,
    *,
    workers: int = 1,
    min_per_worker: int = MIN_ENTRIES_PER_WORKER,
) -> ChainReport:
    """Recompute the association's chain and name the first entry that does not match.

    With ``workers`` > 1 and a long enough journal, the chain is cut into consecutive
    stretches of seq numbers verified side by side, each in a process of its own: an entry's
    hash depends only on its own values and the stored hash before it, so each stretch starts
    from the stored hash of the entry before it and must end at the stored hash of its last
    entry, and the first stretch that fails names the same entry a single pass would. On
    PostgreSQL the processes read the snapshot of ``uow`` (``pg_export_snapshot``); a SQLite
    reader reads the file as it was when it started, and entries appended meanwhile lie past
    the recorded head this unit of work read.
    """
    head = uow.session.get(LedgerHead, association.id)
    expected = (head.head_seq, head.head_hash) if head is not None else None
    connection = uow.session.connection()
    url = connection.engine.url
    parts = min(workers, (expected[0] if expected else 0) // max(min_per_worker, 1))
    if parts <= 1 or expected is None or url.database in (None, "", ":memory:"):
        return verify_chain(
            _stored_entries(connection, association.id, association.code, 1, None), expected_head=expected
        )
    bounds = [expected[0] * k // parts for k in range(parts + 1)]
    stored_hashes = dict(
        uow.session.execute(
            select(JournalEntry.seq, JournalEntry.hash).where(
                JournalEntry.association_id == association.id, JournalEntry.seq.in_(bounds[1:-1])
            )
        ).all()
    )
    snapshot = None
    if connection.dialect.name == "postgresql":
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    stretches: list[Stretch] = []
    for k in range(parts):
        lo, hi = bounds[k] + 1, bounds[k + 1]
        start = (bounds[k], stored_hashes.get(bounds[k], "") if k else GENESIS_HASH)
        last = k == parts - 1
        end = expected if last else (hi, stored_hashes.get(hi, ""))
        stretches.append((association.id, association.code, lo, None if last else hi, start, end, snapshot))
    return _joined(_run_stretches(url.render_as_string(hide_password=False), stretches))


def _run_stretches(url: str, stretches: list[Stretch]) -> list[ChainReport]:
    """Each stretch in a Python process of its own (``python -m ledger.services.verification``),
    told what to read on its standard input (the URL may hold a password: not on the command
    line), answering with its report as JSON. Plain child processes rather than
    ``multiprocessing``, which would re-run the parent's main module in each child."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
    children = []
    for stretch in stretches:
        errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed once the child is read
        child = subprocess.Popen(
            [sys.executable, "-m", "ledger.services.verification"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        assert child.stdin is not None
        child.stdin.write(json.dumps({"url": url, "stretch": stretch}).encode())
        child.stdin.close()
        children.append((child, errors))
    reports = []
    for child, errors in children:
        assert child.stdout is not None
        with child.stdout:
            out = child.stdout.read()
        child.wait()
        errors.seek(0)
        said = errors.read().decode(errors="replace").strip()
        errors.close()
        if child.returncode != 0:
            raise RuntimeError(f"a verifying process failed: {said[-2000:]}")
        reports.append(ChainReport(**json.loads(out)))
    return reports


def _joined(reports: list[ChainReport]) -> ChainReport:
    """The stretches' reports as one: the first bad stretch names the first bad entry."""
    read = 0
    for report in reports:
        read += report.entries
        if not report.ok:
            return replace(report, entries=read)
    return replace(reports[-1], entries=read)


def _verify_stretch(url: str, stretch: Stretch) -> ChainReport:
    """One stretch of the chain, with a connection of its own."""
    association_id, code, lo, hi, (start_seq, start_hash), (end_seq, end_hash), snapshot = stretch
    start, end = (start_seq, start_hash), (end_seq, end_hash)
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if snapshot is not None:
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            report = verify_chain(
                _stored_entries(connection, association_id, code, lo, hi), start=start, expected_head=end
            )
            connection.rollback()
            return report
    finally:
        engine.dispose()


def _stored_entries(
    connection: Connection, association_id: int, code: str, lo: int, hi: int | None
) -> Iterator[StoredEntry]:
    """The entries ``lo``..``hi`` (to the end when ``hi`` is None) in seq order, streamed, each
    with the canonical text its stored values give (:func:`ledger.domain.chain.canonical_text`).

    Read from the driver's own cursors, :data:`STREAM_CHUNK` rows a round trip: SQLAlchemy's
    result rows cost as much as the hashing (docs/benchmarks.md). Dates and instants reach
    the text without becoming Python objects where the stored form already is the canonical
    one: PostgreSQL formats them (``to_char``), SQLite keeps them as fixed-width ISO text.
    """
    accounts = {
        account_id: json_string(account_code)
        for account_id, account_code in connection.execute(
            select(Account.id, Account.code).where(Account.association_id == association_id)
        )
    }
    funds = {
        fund_id: json_string(fund_code)
        for fund_id, fund_code in connection.execute(
            select(Fund.id, Fund.code).where(Fund.association_id == association_id)
        )
    }
    postgres = connection.dialect.name == "postgresql"
    entry_on: Any = JournalEntry.entry_on
    created_at: Any = JournalEntry.created_at
    if postgres:
        entry_on = func.to_char(JournalEntry.entry_on, "YYYY-MM-DD")
        created_at = func.to_char(func.timezone("UTC", JournalEntry.created_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    else:
        created_at = type_coerce(JournalEntry.created_at, String)
    in_range = [JournalEntry.association_id == association_id, JournalEntry.seq >= lo]
    lines_in_range = [JournalLine.association_id == association_id, JournalLine.seq >= lo]
    if hi is not None:
        in_range.append(JournalEntry.seq <= hi)
        lines_in_range.append(JournalLine.seq <= hi)
    entry_cursor = driver_cursor(
        connection,
        select(
            JournalEntry.seq,
            entry_on,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalEntry.reverses_seq,
            created_at,
            JournalEntry.created_by,
            JournalEntry.prev_hash,
            JournalEntry.hash,
        )
        .where(*in_range)
        .order_by(JournalEntry.seq),
        name=f"verify_entries_{lo}",
        itersize=STREAM_CHUNK,
    )
    line_cursor = driver_cursor(
        connection,
        select(
            JournalLine.seq,
            JournalLine.account_id,
            JournalLine.fund_id,
            *journal_store.LINE_VALUE_COLUMNS,
        )
        .where(*lines_in_range)
        .order_by(JournalLine.seq, JournalLine.line_no),
        name=f"verify_lines_{lo}",
        itersize=STREAM_CHUNK,
    )
    # Flattened in C (chain.from_iterable over fetchmany): a generator per row costs more.
    entries = chain.from_iterable(iter(partial(entry_cursor.fetchmany, STREAM_CHUNK), []))
    lines = chain.from_iterable(iter(partial(line_cursor.fetchmany, STREAM_CHUNK), []))
    try:
        pending = next(lines, None)
        for seq, on, kind, memo, reverses, created, created_by, prev_hash, digest in entries:
            own: list[str] = []
            while pending is not None and pending[0] <= seq:
                if pending[0] == seq:
                    account_id, fund_id = pending[1], pending[2]
                    account = accounts.get(account_id) or json_string(f"?{account_id}")
                    fund = funds.get(fund_id) or json_string(f"?{fund_id}")
                    own.append(canonical_line(account, fund, *pending[3:]))
                pending = next(lines, None)
            if postgres:
                pass
            elif type(created) is str and len(created) == 32 and created[26:] == "+00:00" and type(on) is str:
                created = created[:26] + "Z"
            else:
                on, created = _sqlite_texts(on, created)
            yield (
                seq,
                prev_hash,
                digest,
                canonical_text(code, seq, on, kind, memo, reverses, created, created_by, ",".join(own)),
            )
    finally:
        # A verification that stops at the first bad entry leaves the cursors half-read.
        entry_cursor.close()
        line_cursor.close()


def _sqlite_texts(on: Any, created: Any) -> tuple[str, str]:
    """SQLite's stored date and instant as the chain's text. The column types store
    ``YYYY-MM-DD`` and ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``; the caller turns the latter into the
    canonical text by dropping the offset; anything else is parsed here as the column types
    would read it. A value that parses to nothing stays as it is: its entry's hash will not
    match, and the entry is named."""
    if not (isinstance(on, str) and len(on) == 10):
        on = _parsed(date.fromisoformat, on, date.isoformat)
    if isinstance(created, str) and len(created) == 32 and created.endswith("+00:00"):
        created = created[:26] + "Z"
    else:
        created = _parsed(datetime.fromisoformat, created, utc_text)
    return on, created


def _parsed(parse: Callable[[str], Any], value: Any, text: Callable[[Any], str]) -> str:
    try:
        return text(parse(str(value)))
    except (TypeError, ValueError):
        return str(value)


@dataclass(frozen=True)
class BalanceMismatch:
    account: str
    fund: str
    item: str
    materialised_vnd: int
    recomputed_vnd: int
    materialised_quantity: int
    recomputed_quantity: int


def check_balances(uow: UnitOfWork, association: Association) -> list[BalanceMismatch]:
    """Recompute every (account, fund, item) balance from the lines and compare with the stored ones."""
    accounts = {
        a.id: a for a in uow.session.execute(select(Account).where(Account.association_id == association.id)).scalars()
    }
    funds = dict(uow.session.execute(select(Fund.id, Fund.code).where(Fund.association_id == association.id)).all())
    recomputed: dict[tuple[int, int, str], list[int]] = defaultdict(lambda: [0, 0])
    rows = uow.session.execute(
        select(
            JournalLine.account_id,
            JournalLine.fund_id,
            JournalLine.item,
            func.sum(JournalLine.debit_vnd - JournalLine.credit_vnd),
            func.sum(
                func.coalesce(JournalLine.quantity, 0)
                * (func.sign(JournalLine.debit_vnd) - func.sign(JournalLine.credit_vnd))
            ),
        )
        .where(JournalLine.association_id == association.id)
        .group_by(JournalLine.account_id, JournalLine.fund_id, JournalLine.item)
    )
    for account_id, fund_id, item, net, qty in rows:
        # A line may name an account that is not this association's (written behind the
        # service's back): it is reported, not a reason to stop.
        account = accounts.get(account_id)
        goods = account is not None and account.holds_goods
        key = (account_id, fund_id, (item or "") if goods else "")
        recomputed[key][0] += int(net or 0)
        if goods:
            recomputed[key][1] += int(qty or 0)
    stored = {
        (b.account_id, b.fund_id, b.item): (b.net_debit_vnd, b.quantity)
        for b in uow.session.execute(select(Balance).where(Balance.association_id == association.id)).scalars()
    }
    out: list[BalanceMismatch] = []
    for key in sorted(set(recomputed) | set(stored)):
        net, qty = recomputed.get(key, [0, 0])
        s_net, s_qty = stored.get(key, (0, 0))
        if (net, qty) != (s_net, s_qty):
            account_id, fund_id, item = key
            account = accounts.get(account_id)
            out.append(
                BalanceMismatch(
                    account.code if account is not None else f"?{account_id}",
                    funds.get(fund_id, f"?{fund_id}"),
                    item,
                    s_net,
                    net,
                    s_qty,
                    qty,
                )
            )
    return out


class EntryFacts(NamedTuple):
    """What the journal says about the entry a document carries, to compare the document with.

    ``kind`` is None when the entry is missing. Fields that lines may disagree on (fund, donor,
    beneficiary, item) read :data:`SEVERAL` when they do."""

    kind: str | None
    entry_on: date | None
    debit_vnd: int
    fund_id: int | str | None
    donor_id: int | str | None
    beneficiary_id: int | str | None
    quantity: int | None
    item: str | None
    #: The entry that reverses it, and its date.
    reversed_by: int | None
    reversed_on: date | None


#: What :class:`EntryFacts` says of a field its lines disagree on.
SEVERAL = "several"


def _agreed(low: Any, high: Any) -> Any:
    return low if low == high else SEVERAL


def _documents_with_facts(uow: UnitOfWork, association_id: int, model: Any, seq_column: Any) -> Iterator[Any]:
    """Every ``model`` row of the association with the :class:`EntryFacts` of its entry: one
    read, the lines grouped by entry and the reversals joined."""
    a = association_id
    debit_quantity = case((JournalLine.debit_vnd > 0, JournalLine.quantity), else_=None)
    lines = (
        select(
            JournalLine.seq.label("seq"),
            func.sum(JournalLine.debit_vnd).label("debit"),
            func.min(JournalLine.fund_id).label("fund_min"),
            func.max(JournalLine.fund_id).label("fund_max"),
            func.min(JournalLine.donor_id).label("donor_min"),
            func.max(JournalLine.donor_id).label("donor_max"),
            func.min(JournalLine.beneficiary_id).label("beneficiary_min"),
            func.max(JournalLine.beneficiary_id).label("beneficiary_max"),
            func.sum(debit_quantity).label("quantity"),
            func.min(JournalLine.item).label("item_min"),
            func.max(JournalLine.item).label("item_max"),
        )
        # Only the lines of entries that carry this kind of document: each entry is read once
        # over the three kinds, not three times.
        .where(
            JournalLine.association_id == a,
            JournalLine.seq.in_(select(seq_column).where(model.association_id == a, seq_column.is_not(None))),
        )
        .group_by(JournalLine.seq)
        .subquery()
    )
    reversals = (
        select(
            JournalEntry.reverses_seq.label("reversed"),
            JournalEntry.seq.label("seq"),
            JournalEntry.entry_on.label("on"),
        )
        .where(JournalEntry.association_id == a, JournalEntry.reverses_seq.is_not(None))
        .subquery()
    )
    rows = uow.session.execute(
        select(model, JournalEntry.kind, JournalEntry.entry_on, lines, reversals.c.seq, reversals.c.on)
        .outerjoin(JournalEntry, and_(JournalEntry.association_id == a, JournalEntry.seq == seq_column))
        .outerjoin(lines, lines.c.seq == seq_column)
        .outerjoin(reversals, reversals.c.reversed == seq_column)
        .where(model.association_id == a)
    )
    for document, kind, entry_on, _, debit, f1, f2, d1, d2, b1, b2, quantity, i1, i2, reversed_by, reversed_on in rows:
        yield (
            document,
            EntryFacts(
                kind,
                entry_on,
                int(debit or 0),
                _agreed(f1, f2),
                _agreed(d1, d2),
                _agreed(b1, b2),
                quantity,
                _agreed(i1, i2),
                reversed_by,
                reversed_on,
            ),
        )


def _entry_problems(
    what: str,
    seq: int | None,
    facts: EntryFacts,
    kinds: tuple[str, ...],
    fields: dict[str, tuple[Any, Any]],
    voided: bool,
    void_seq: int | None,
) -> list[str]:
    """Where a document disagrees with its entry: ``fields`` maps a field's name to (what the
    document says, what the entry says); ``voided``/``void_seq`` are the document's status and
    the reversal it names, compared with whether (and by which entry) the entry was reversed."""
    if facts.kind is None:
        return [f"{what}: its entry {seq} is missing"]
    problems = []
    if facts.kind not in kinds:
        problems.append(f"{what}: entry {seq} is a {facts.kind}, not a {kinds[0]}")
    problems.extend(
        f"{what}: {name} is {document} but entry {seq} says {entry}"
        for name, (document, entry) in fields.items()
        if document != entry
    )
    if facts.reversed_by is not None and not voided:
        problems.append(f"{what} is not void but entry {facts.reversed_by} reverses its entry {seq}")
    elif facts.reversed_by is None and voided:
        problems.append(f"{what} is void but its entry {seq} was never reversed")
    elif voided and void_seq != facts.reversed_by:
        problems.append(f"{what}: its void entry is {void_seq} but entry {facts.reversed_by} reverses entry {seq}")
    return problems


def check_documents(uow: UnitOfWork, association: Association) -> list[str]:
    """Receipts, vouchers, disbursements, pledges and reservations must say what the journal says.

    These rows are not covered by the hash chain: each is compared with its (hashed) entry, and
    its status with whether that entry was reversed, so that a receipt set back to valid or a
    pledge marked collected behind the service's back is named, field by field.
    """
    a = association.id
    funds = dict(uow.session.execute(select(Fund.id, Fund.code).where(Fund.association_id == a)).all())

    def fund(fund_id: Any) -> Any:
        return funds.get(fund_id, fund_id)

    problems: list[str] = []
    # The goods a receipt lists (its items) against the goods its entry brought in.
    goods = {
        donation_id: (int(quantity), int(value))
        for donation_id, quantity, value in uow.session.execute(
            select(
                DonationItem.donation_id,
                func.sum(DonationItem.quantity),
                func.sum(DonationItem.quantity * DonationItem.unit_value_vnd),
            )
            .join(Donation, Donation.id == DonationItem.donation_id)
            .where(Donation.association_id == a)
            .group_by(DonationItem.donation_id)
        )
    }
    for d, facts in _documents_with_facts(uow, a, Donation, Donation.entry_seq):
        what = f"receipt {d.receipt_number}"
        fields = {
            "amount": (d.amount_vnd, facts.debit_vnd),
            "date": (d.received_on, facts.entry_on),
            "fund": (fund(d.fund_id), fund(facts.fund_id)),
            "donor": (d.donor_id, facts.donor_id),
        }
        if d.method == "in_kind" or d.id in goods:
            quantity, value = goods.get(d.id, (0, 0))
            fields["goods quantity"] = (quantity, facts.quantity)
            fields["goods value"] = (value, facts.debit_vnd)
        if d.status == "void" and facts.reversed_by is not None:
            fields["voided on"] = (d.voided_on, facts.reversed_on)
        kinds = ("donation", "pledge_collection")
        problems += _entry_problems(what, d.entry_seq, facts, kinds, fields, d.status == "void", d.void_entry_seq)

    for d, facts in _documents_with_facts(uow, a, Disbursement, Disbursement.entry_seq):
        what = f"voucher {d.voucher_number}" if d.voucher_number else f"disbursement {d.id}"
        if d.status in ("pending", "rejected"):
            if d.entry_seq is not None or d.voucher_number is not None:
                problems.append(f"{what} is {d.status} but has entry {d.entry_seq}")
            if (d.reserved_vnd > 0) != (d.status == "pending"):
                problems.append(f"{what} is {d.status} with {d.reserved_vnd} reserved")
            continue
        fields = {
            "amount": (d.amount_vnd, facts.debit_vnd),
            "date": (d.paid_on, facts.entry_on),
            "fund": (fund(d.fund_id), fund(facts.fund_id)),
            "beneficiary": (d.beneficiary_id, facts.beneficiary_id),
        }
        if d.paid_from == "in_kind":
            fields["quantity"] = (d.quantity, facts.quantity)
            fields["item"] = (d.item, facts.item)
        if d.reserved_vnd:
            problems.append(f"{what} is {d.status} with {d.reserved_vnd} still reserved")
        problems += _entry_problems(
            what, d.entry_seq, facts, ("disbursement",), fields, d.status == "void", d.void_entry_seq
        )

    # What was collected of each pledge: its valid receipts.
    collected = dict(
        uow.session.execute(
            select(Donation.pledge_id, func.sum(Donation.amount_vnd))
            .where(Donation.association_id == a, Donation.pledge_id.is_not(None), Donation.status == "valid")
            .group_by(Donation.pledge_id)
        ).all()
    )
    for p, facts in _documents_with_facts(uow, a, Pledge, Pledge.entry_seq):
        what = f"pledge {p.id}"
        fields = {
            "amount": (p.amount_vnd, facts.debit_vnd),
            "date": (p.pledged_on, facts.entry_on),
            "fund": (fund(p.fund_id), fund(facts.fund_id)),
            "donor": (p.donor_id, facts.donor_id),
        }
        cancelled = p.status == "cancelled"
        problems += _entry_problems(what, p.entry_seq, facts, ("pledge",), fields, cancelled, facts.reversed_by)
        got = int(collected.get(p.id, 0))
        if p.collected_vnd != got:
            problems.append(f"{what}: collected is {p.collected_vnd} but its valid receipts add up to {got}")
        expected = "cancelled" if cancelled else ("collected" if got == p.amount_vnd else "open")
        if p.status != expected:
            problems.append(f"{what}: status is {p.status} but its receipts make it {expected}")

    problems += _entries_without_documents(uow, a)
    problems += _reservation_problems(uow, a, funds)
    return problems


def _entries_without_documents(uow: UnitOfWork, a: int) -> list[str]:
    """Entries that carry a document must have it: a receipt deleted to hide a donation is named."""
    problems = []
    for kinds, table, seq_column in (
        (("donation", "pledge_collection"), Donation, Donation.entry_seq),
        (("disbursement",), Disbursement, Disbursement.entry_seq),
        (("pledge",), Pledge, Pledge.entry_seq),
    ):
        orphans = uow.session.execute(
            select(JournalEntry.seq, JournalEntry.kind)
            .outerjoin(table, and_(table.association_id == a, seq_column == JournalEntry.seq))
            .where(JournalEntry.association_id == a, JournalEntry.kind.in_(kinds), table.id.is_(None))
            .order_by(JournalEntry.seq)
            .limit(ORPHANS_NAMED + 1)
        ).all()
        name = table.__tablename__[:-1]
        problems += [f"entry {seq} is a {kind} without its {name} row" for seq, kind in orphans[:ORPHANS_NAMED]]
        if len(orphans) > ORPHANS_NAMED:
            problems.append(f"and more {kinds[0]} entries without their {name} row")
    return problems


def _reservation_problems(uow: UnitOfWork, a: int, funds: dict[int, str]) -> list[str]:
    """What pending disbursements hold back is what the balances say is reserved."""
    held: dict[tuple[int, int, str], int] = defaultdict(int)
    for row in uow.session.execute(
        select(Disbursement).where(Disbursement.association_id == a, Disbursement.status == "pending")
    ).scalars():
        if row.reserved_account_id is not None:
            item = (row.item or "") if row.paid_from == "in_kind" else ""
            held[(row.reserved_account_id, row.fund_id, item)] += row.reserved_vnd
    stored = {
        (b.account_id, b.fund_id, b.item): b.reserved_vnd
        for b in uow.session.execute(
            select(Balance).where(Balance.association_id == a, Balance.reserved_vnd != 0)
        ).scalars()
    }
    accounts = dict(uow.session.execute(select(Account.id, Account.code).where(Account.association_id == a)).all())
    problems = []
    for key in sorted(set(held) | set(stored)):
        if held.get(key, 0) != stored.get(key, 0):
            account_id, fund_id, item = key
            problems.append(
                f"reserved on account {accounts.get(account_id, account_id)} fund {funds.get(fund_id, fund_id)}"
                f"{' item ' + item if item else ''} is {stored.get(key, 0)} but pending disbursements hold "
                f"{held.get(key, 0)}"
            )
    return problems


@dataclass(frozen=True)
class Digest:
    """A head an auditor saved earlier (``GET …/verify`` or ``ledger verify``): the chain must still pass through it."""

    association: str | None
    head_seq: int
    head_hash: str


def read_digests(text: str) -> list[Digest]:
    """Digests from a file: the JSON of ``GET …/verify`` (one object, or a list of them), or
    lines ``<association> <head_seq> <head_hash>``. Raises ValueError on anything else."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        data = json.loads(stripped)
        items = data if isinstance(data, list) else [data]
        out = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("head_seq"), int):
                raise ValueError("each digest needs an integer head_seq and a head_hash")
            out.append(Digest(item.get("association"), item["head_seq"], str(item["head_hash"])))
        return out
    digests = []
    for line in stripped.splitlines():
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit():
            raise ValueError(f"not a digest line: {line!r} (expected: association head_seq head_hash)")
        digests.append(Digest(parts[0], int(parts[1]), parts[2]))
    return digests


@dataclass(frozen=True)
class BooksReport:
    """Everything ``ledger verify`` and ``GET …/verify`` say about one association's books."""

    association: str
    chain: ChainReport
    checkpoints: int
    last_checkpoint: Checkpoint | None
    #: Checkpoints and saved digests the chain no longer passes through.
    anchor_problems: list[str]
    balance_mismatches: list[BalanceMismatch]
    #: Documents (receipts, vouchers, disbursements, pledges, reservations) that disagree with the journal.
    document_problems: list[str]
    #: The first entry that is wrong or, after a rewrite, the first one no checkpoint vouches for.
    first_bad_seq: int | None

    @property
    def ok(self) -> bool:
        return self.chain.ok and not (self.anchor_problems or self.balance_mismatches or self.document_problems)

    def fields(self) -> dict[str, Any]:
        """The report as ``GET …/verify`` answers it (``VerifyOut``)."""
        chain = self.chain
        return {
            "association": self.association,
            "ok": self.ok,
            "entries": chain.entries,
            "head_seq": chain.head_seq,
            "head_hash": chain.head_hash,
            "first_bad_seq": self.first_bad_seq,
            "reason": chain.reason or next(iter(self.anchor_problems), None),
            "chain_ok": chain.ok,
            "checkpoints_ok": not self.anchor_problems,
            "checkpoints": self.checkpoints,
            "last_checkpoint": self.last_checkpoint,
            "balances_ok": not self.balance_mismatches,
            "documents_ok": not self.document_problems,
            "problems": self.anchor_problems + self.document_problems,
        }


def verify_books(
    uow: UnitOfWork,
    association: Association,
    *,
    workers: int = 1,
    against: Sequence[Digest] = (),
) -> BooksReport:
    """The chain recomputed, checked against every signed checkpoint and every digest given,
    the balances recomputed and every document compared with its entry."""
    chain_report = verify_association(uow, association, workers=workers)
    points = checkpoints_of(uow, association.id)
    if uow.checkpoint_keys is not None:
        # The checkpoints this host logged outside the database count even if their rows are gone.
        stored_signatures = {p.signature for p in points}
        points += [p for p in uow.checkpoint_keys.logged(association.code) if p.signature not in stored_signatures]
    anchored = [(p.seq, p.head_hash) for p in points] + [(d.head_seq, d.head_hash) for d in against]
    wanted = sorted({seq for seq, _ in anchored if seq > 0})
    stored: dict[int, str] = {}
    for k in range(0, len(wanted), 1000):
        stored.update(
            uow.session.execute(
                select(JournalEntry.seq, JournalEntry.hash).where(
                    JournalEntry.association_id == association.id, JournalEntry.seq.in_(wanted[k : k + 1000])
                )
            ).all()
        )
    problems: list[str] = []
    first_bad = chain_report.first_bad_seq
    finding = check_checkpoints(association.code, points, stored, SignatureCheck(uow.checkpoint_keys))
    if finding is not None:
        problems.append(finding.reason)
        first_bad = min(first_bad or finding.first_bad_seq, finding.first_bad_seq)
    holding = [p.seq for p in points if (GENESIS_HASH if p.seq == 0 else stored.get(p.seq)) == p.head_hash]
    for digest in against:
        held = GENESIS_HASH if digest.head_seq == 0 else stored.get(digest.head_seq)
        if held != digest.head_hash:
            since = 1 + max((seq for seq in holding if seq < digest.head_seq), default=0)
            problems.append(
                f"the chain no longer passes through the saved digest of entry {digest.head_seq} "
                f"({digest.head_hash[:16]}…): entry {digest.head_seq} "
                + ("is missing" if held is None else f"now has hash {held[:16]}…")
            )
            first_bad = min(first_bad or since, since)
    return BooksReport(
        association=association.code,
        chain=chain_report,
        checkpoints=len(points),
        last_checkpoint=max(points, key=lambda p: (p.signed_at, p.seq), default=None),
        anchor_problems=problems,
        balance_mismatches=check_balances(uow, association),
        document_problems=check_documents(uow, association),
        first_bad_seq=first_bad,
    )


def _main() -> None:
    """A verifying child process: a stretch in on stdin, its report out on stdout as JSON."""
    task = json.load(sys.stdin)
    report = _verify_stretch(task["url"], tuple(task["stretch"]))
    json.dump(asdict(report), sys.stdout)


if __name__ == "__main__":
    _main()
