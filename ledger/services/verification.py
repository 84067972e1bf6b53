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
from typing import Any

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


def _per_entry(association_id: int) -> Any:
    """What each entry's lines say, one row per seq: the figures documents are compared with."""
    debit_qty = case((JournalLine.debit_vnd > 0, JournalLine.quantity), else_=None)
    return (
        select(
            JournalLine.seq.label("seq"),
            func.sum(JournalLine.debit_vnd).label("debit"),
            func.min(JournalLine.fund_id).label("fund_min"),
            func.max(JournalLine.fund_id).label("fund_max"),
            func.min(JournalLine.donor_id).label("donor_min"),
            func.max(JournalLine.donor_id).label("donor_max"),
            func.min(JournalLine.beneficiary_id).label("beneficiary_min"),
            func.max(JournalLine.beneficiary_id).label("beneficiary_max"),
            func.sum(debit_qty).label("quantity"),
            func.min(JournalLine.item).label("item_min"),
            func.max(JournalLine.item).label("item_max"),
        )
        .where(JournalLine.association_id == association_id)
        .group_by(JournalLine.seq)
        .subquery()
    )


def _reversals(association_id: int) -> Any:
    return (
        select(
            JournalEntry.reverses_seq.label("reversed"),
            JournalEntry.seq.label("seq"),
            JournalEntry.entry_on.label("on"),
        )
        .where(JournalEntry.association_id == association_id, JournalEntry.reverses_seq.is_not(None))
        .subquery()
    )


def _one(low: Any, high: Any) -> Any:
    """The value every line agrees on, ``"several"`` when they differ, None when none has one."""
    return low if low == high else "several"


def check_documents(uow: UnitOfWork, association: Association) -> list[str]:
    """Receipts, vouchers, disbursements, pledges and reservations must say what the journal says.

    These rows are not covered by the hash chain: each is compared with its (hashed) entry,
    and its status with whether that entry was reversed, so that a receipt set back to valid
    or a pledge marked collected behind the service's back is named, field by field.
    """
    a = association.id
    funds = dict(uow.session.execute(select(Fund.id, Fund.code).where(Fund.association_id == a)).all())
    lines, reversals = _per_entry(a), _reversals(a)
    problems: list[str] = []

    def compare(what: str, seq: int, row: Any, fields: dict[str, tuple[Any, Any]]) -> None:
        """``fields``: name → (the document's value, the entry's value)."""
        for name, (document, entry) in fields.items():
            if document != entry:
                problems.append(f"{what}: {name} is {document} but entry {seq} says {entry}")

    def status(what: str, seq: int, voided: bool, void_seq: int | None, reversal: Any) -> None:
        if reversal.seq is not None and not voided:
            problems.append(f"{what} is not void but entry {reversal.seq} reverses its entry {seq}")
        elif reversal.seq is None and voided:
            problems.append(f"{what} is void but its entry {seq} was never reversed")
        elif voided and void_seq != reversal.seq:
            problems.append(f"{what}: its void entry is {void_seq} but entry {reversal.seq} reverses entry {seq}")

    def joined(*columns: Any, seq: Any) -> Any:
        return (
            select(*columns, JournalEntry.kind, JournalEntry.entry_on, lines, reversals.c.seq, reversals.c.on)
            .outerjoin(JournalEntry, and_(JournalEntry.association_id == a, JournalEntry.seq == seq))
            .outerjoin(lines, lines.c.seq == seq)
            .outerjoin(reversals, reversals.c.reversed == seq)
        )

    # Receipts (donations and collected pledges).
    for d, kind, entry_on, *rest in uow.session.execute(
        joined(Donation, seq=Donation.entry_seq).where(Donation.association_id == a)
    ):
        agg, reversal = rest[:11], _Reversal(*rest[11:])
        what = f"receipt {d.receipt_number}"
        if entry_on is None:
            problems.append(f"{what}: its entry {d.entry_seq} is missing")
            continue
        if kind not in ("donation", "pledge_collection"):
            problems.append(f"{what}: entry {d.entry_seq} is a {kind}, not a donation")
        compare(
            what,
            d.entry_seq,
            agg,
            {
                "amount": (d.amount_vnd, int(agg[1] or 0)),
                "date": (d.received_on, entry_on),
                "fund": (funds.get(d.fund_id, d.fund_id), funds.get(_one(agg[2], agg[3]), _one(agg[2], agg[3]))),
                "donor": (d.donor_id, _one(agg[4], agg[5])),
            },
        )
        status(what, d.entry_seq, d.status == "void", d.void_entry_seq, reversal)
        if d.status == "void" and reversal.seq is not None and d.voided_on != reversal.on:
            problems.append(f"{what}: voided on {d.voided_on} but its reversal {reversal.seq} is dated {reversal.on}")

    # Disbursements and their vouchers.
    for d, kind, entry_on, *rest in uow.session.execute(
        joined(Disbursement, seq=Disbursement.entry_seq).where(Disbursement.association_id == a)
    ):
        agg, reversal = rest[:11], _Reversal(*rest[11:])
        what = f"voucher {d.voucher_number}" if d.voucher_number else f"disbursement {d.id}"
        if d.status in ("pending", "rejected"):
            if d.entry_seq is not None or d.voucher_number is not None:
                problems.append(f"{what} is {d.status} but has entry {d.entry_seq}")
            if (d.reserved_vnd > 0) != (d.status == "pending"):
                problems.append(f"{what} is {d.status} with {d.reserved_vnd} reserved")
            continue
        if entry_on is None:
            problems.append(f"{what}: its entry {d.entry_seq} is missing")
            continue
        if kind != "disbursement":
            problems.append(f"{what}: entry {d.entry_seq} is a {kind}, not a disbursement")
        fields = {
            "amount": (d.amount_vnd, int(agg[1] or 0)),
            "date": (d.paid_on, entry_on),
            "fund": (funds.get(d.fund_id, d.fund_id), funds.get(_one(agg[2], agg[3]), _one(agg[2], agg[3]))),
            "beneficiary": (d.beneficiary_id, _one(agg[6], agg[7])),
            "reserved": (d.reserved_vnd, 0),
        }
        if d.paid_from == "in_kind":
            fields["quantity"] = (d.quantity, agg[8])
            fields["item"] = (d.item, _one(agg[9], agg[10]))
        compare(what, d.entry_seq, agg, fields)
        status(what, d.entry_seq, d.status == "void", d.void_entry_seq, reversal)

    # Pledges: their entry, whether they were cancelled, and what was collected of them.
    collected = dict(
        uow.session.execute(
            select(Donation.pledge_id, func.sum(Donation.amount_vnd))
            .where(Donation.association_id == a, Donation.pledge_id.is_not(None), Donation.status == "valid")
            .group_by(Donation.pledge_id)
        ).all()
    )
    for p, kind, entry_on, *rest in uow.session.execute(
        joined(Pledge, seq=Pledge.entry_seq).where(Pledge.association_id == a)
    ):
        agg, reversal = rest[:11], _Reversal(*rest[11:])
        what = f"pledge {p.id}"
        if entry_on is None:
            problems.append(f"{what}: its entry {p.entry_seq} is missing")
            continue
        if kind != "pledge":
            problems.append(f"{what}: entry {p.entry_seq} is a {kind}, not a pledge")
        compare(
            what,
            p.entry_seq,
            agg,
            {
                "amount": (p.amount_vnd, int(agg[1] or 0)),
                "date": (p.pledged_on, entry_on),
                "fund": (funds.get(p.fund_id, p.fund_id), funds.get(_one(agg[2], agg[3]), _one(agg[2], agg[3]))),
                "donor": (p.donor_id, _one(agg[4], agg[5])),
            },
        )
        status(what, p.entry_seq, p.status == "cancelled", reversal.seq, reversal)
        got = int(collected.get(p.id, 0))
        if p.collected_vnd != got:
            problems.append(f"{what}: collected is {p.collected_vnd} but its valid receipts add up to {got}")
        expected = "cancelled" if p.status == "cancelled" else ("collected" if got == p.amount_vnd else "open")
        if p.status != expected:
            problems.append(f"{what}: status is {p.status} but its receipts make it {expected}")

    # Entries that carry a document must have it.
    for kind, table, seq_column in (
        (("donation", "pledge_collection"), Donation, Donation.entry_seq),
        (("disbursement",), Disbursement, Disbursement.entry_seq),
        (("pledge",), Pledge, Pledge.entry_seq),
    ):
        orphans = uow.session.execute(
            select(JournalEntry.seq, JournalEntry.kind)
            .outerjoin(table, and_(table.association_id == a, seq_column == JournalEntry.seq))
            .where(JournalEntry.association_id == a, JournalEntry.kind.in_(kind), table.id.is_(None))
            .order_by(JournalEntry.seq)
            .limit(ORPHANS_NAMED + 1)
        ).all()
        problems.extend(
            f"entry {seq} is a {k} without its {table.__tablename__[:-1]} row" for seq, k in orphans[:ORPHANS_NAMED]
        )
        if len(orphans) > ORPHANS_NAMED:
            problems.append(f"and more {kind[0]} entries without their {table.__tablename__}")

    # Reservations: what pending disbursements hold back is what the balances say is reserved.
    held: dict[tuple[int, int, str], int] = defaultdict(int)
    for row in uow.session.execute(
        select(Disbursement).where(Disbursement.association_id == a, Disbursement.status == "pending")
    ).scalars():
        if row.reserved_account_id is not None:
            held[(row.reserved_account_id, row.fund_id, (row.item or "") if row.paid_from == "in_kind" else "")] += (
                row.reserved_vnd
            )
    stored = {
        (b.account_id, b.fund_id, b.item): b.reserved_vnd
        for b in uow.session.execute(select(Balance).where(Balance.association_id == a)).scalars()
        if b.reserved_vnd
    }
    accounts = dict(uow.session.execute(select(Account.id, Account.code).where(Account.association_id == a)).all())
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
class _Reversal:
    seq: int | None
    on: date | None


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
