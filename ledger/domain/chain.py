"""The per-association hash chain: canonical bytes of an entry, its SHA-256, and verification."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from json.encoder import encode_basestring

from ledger.domain.entries import LineDraft, line_values

#: The ``prev_hash`` of an association's first entry.
GENESIS_HASH = "0" * 64
#: Names the canonical format, so that a later change of format can be told apart.
CANONICAL_VERSION = "khl1"


@dataclass(frozen=True)
class SealedEntry:
    """Everything about a posted entry that its hash covers."""

    association: str
    seq: int
    entry_on: date
    kind: str
    memo: str
    reverses_seq: int | None
    created_at: datetime
    created_by: int | None
    lines: tuple[LineDraft, ...]


#: A string as JSON text, quoted as ``json.JSONEncoder(ensure_ascii=False)`` quotes it (the same C function).
json_string = encode_basestring


@lru_cache(maxsize=4096)
def utc_text(instant: datetime) -> str:
    """An aware instant as fixed-width UTC text with microseconds (``…T23:54:13.000120Z``)."""
    if instant.tzinfo is None:
        raise ValueError("the chain only takes timezone-aware instants")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _null_or_int(value: int | None) -> str:
    return "null" if value is None else f"{value}"


def canonical_line(
    account_json: str,
    fund_json: str,
    debit: int,
    credit: int,
    quantity: int | None,
    unit: str | None,
    item: str | None,
    donor: int | None,
    beneficiary: int | None,
) -> str:
    """One line's JSON array. ``account_json`` and ``fund_json`` are the codes already quoted
    (:data:`json_string`), so that a caller encoding many lines can quote each code once."""
    return (
        f"[{account_json},{fund_json},{debit},{credit},"
        f"{'null' if quantity is None else quantity},{'null' if unit is None else json_string(unit)},"
        f"{'null' if item is None else json_string(item)},{'null' if donor is None else donor},"
        f"{'null' if beneficiary is None else beneficiary}]"
    )


def canonical_text(
    association: str,
    seq: int,
    entry_on: str,
    kind: str,
    memo: str,
    reverses_seq: int | None,
    created_at: str,
    created_by: int | None,
    lines: str,
) -> str:
    """The canonical JSON text (see :func:`canonical_bytes`) from an entry's values as text:
    ``entry_on`` as ``YYYY-MM-DD``, ``created_at`` as :func:`utc_text` gives it, ``lines`` the
    comma-joined :func:`canonical_line` of every line in order.

    Written out by hand rather than through ``json``: the chain is built for every posted
    entry and rebuilt for every verified one, and the encoder's generic walk costs more than
    the hashing. The output is byte for byte what ``JSONEncoder(ensure_ascii=False,
    separators=(",", ":"))`` gives for the same document (tests/unit/test_chain.py).
    """
    return (
        f'["{CANONICAL_VERSION}",{json_string(association)},{seq},{json_string(entry_on)},{json_string(kind)},'
        f"{json_string(memo)},{_null_or_int(reverses_seq)},{json_string(created_at)},{_null_or_int(created_by)},[{lines}]]"
    )


def canonical_bytes(entry: SealedEntry) -> bytes:
    """The canonical serialisation the hash is taken over.

    A JSON array, in this order and nothing else:
    ``["khl1", association code, seq, entry date (YYYY-MM-DD), kind, memo, reverses seq or
    null, created_at (UTC, microseconds, ``Z``), created_by or null, lines]`` where each line is
    ``[account code, fund code, debit, credit, quantity, unit, item, donor_id, beneficiary_id]``
    in the entry's line order, absent values as null. Encoded as UTF-8 JSON without spaces
    and without escaping non-ASCII (``ensure_ascii=False``), so Vietnamese memos hash as
    written. Codes, not database ids, name accounts and funds so that an auditor can
    recompute the hash from a statement.
    """
    return _sealed_text(entry).encode()


def entry_text(
    association: str,
    seq: int,
    entry_on: date,
    kind: str,
    memo: str,
    reverses_seq: int | None,
    created_at: datetime,
    created_by: int | None,
    lines: Iterable[LineDraft],
) -> str:
    """The canonical text of an entry being posted (:func:`canonical_bytes`, as text); its hash
    is :func:`link_hash` of the previous hash and this text. The posting loop calls it for
    every entry without building a :class:`SealedEntry`."""
    return canonical_text(
        association,
        seq,
        entry_on.isoformat(),
        kind,
        memo,
        reverses_seq,
        utc_text(created_at),
        created_by,
        ",".join(
            canonical_line(json_string(line.account), json_string(line.fund), *line_values(line)) for line in lines
        ),
    )


def _sealed_text(entry: SealedEntry) -> str:
    return entry_text(
        entry.association,
        entry.seq,
        entry.entry_on,
        entry.kind,
        entry.memo,
        entry.reverses_seq,
        entry.created_at,
        entry.created_by,
        entry.lines,
    )


def link_hash(prev_hash: str, canonical: str) -> str:
    """``SHA-256(prev_hash as ASCII hex + "\\n" + canonical text as UTF-8)`` as lowercase hex."""
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def chain_hash(prev_hash: str, entry: SealedEntry) -> str:
    """The entry's hash: :func:`link_hash` of the previous hash and :func:`canonical_bytes`."""
    return link_hash(prev_hash, _sealed_text(entry))


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    #: Why the first bad entry is bad, in English (``None`` when ok).
    reason: str | None


#: What the verifier reads of each stored entry: ``(seq, stored prev_hash, stored hash,
#: canonical text rebuilt from its stored values)``.
StoredEntry = tuple[int, str, str, str]

MISSING_AT_END = "the recorded chain head does not match the last entry: entries are missing"


def verify_chain(
    stored: Iterable[StoredEntry],
    *,
    start: tuple[int, str] = (0, GENESIS_HASH),
    expected_head: tuple[int, str] | None = None,
) -> ChainReport:
    """Recompute the chain from the stored entries in seq order.

    Names the first entry whose numbering, link or hash does not match. ``start`` is the
    ``(seq, stored hash)`` of the entry before the first one read (nothing before an
    association's first entry), so that a stretch of the chain can be verified on its own
    and stretches side by side (``ledger.services.verification``). When ``expected_head``
    (the head the service recorded, or the stored end of the stretch) is given, a chain that
    stops short of it — entries deleted from the end — or runs past it is bad too.
    """
    last_seq, prev = start
    count = 0
    for seq, stored_prev, stored_hash, canonical in stored:
        count += 1
        reason = None
        if seq != last_seq + 1:
            reason = f"sequence jumps from {last_seq} to {seq}"
        elif stored_prev != prev:
            reason = "prev_hash does not match the previous entry's hash"
        elif link_hash(prev, canonical) != stored_hash:
            reason = "content does not match its hash"
        if reason is not None:
            return ChainReport(False, count, last_seq, prev, last_seq + 1, reason)
        prev = stored_hash
        last_seq = seq
    if expected_head is not None and expected_head != (last_seq, prev):
        return ChainReport(False, count, last_seq, prev, last_seq + 1, MISSING_AT_END)
    return ChainReport(True, count, last_seq, prev, None, None)


#: Names the format of the bytes a checkpoint signs.
CHECKPOINT_VERSION = "khl-checkpoint1"


def checkpoint_message(association: str, seq: int, head_hash: str, signed_at: datetime) -> bytes:
    """The bytes a checkpoint's signature covers: format, association code, head seq and hash,
    and the signing instant, one per line. The code rather than the database id, so that a
    checkpoint cannot be moved to another association's books, nor read differently elsewhere."""
    return f"{CHECKPOINT_VERSION}\n{association}\n{seq}\n{head_hash}\n{utc_text(signed_at)}".encode()


@dataclass(frozen=True)
class Checkpoint:
    """A signed head as stored: what :func:`checkpoint_message` gave, and the signature over it."""

    seq: int
    head_hash: str
    signed_at: datetime
    key_id: str
    signature: str


@dataclass(frozen=True)
class CheckpointFinding:
    """Why the chain does not pass through a checkpoint: ``first_bad_seq`` is the first entry
    after the last checkpoint that still holds (the rewrite lies between it and ``checkpoint``)."""

    checkpoint: Checkpoint
    first_bad_seq: int
    reason: str


def check_checkpoints(
    association: str,
    checkpoints: Iterable[Checkpoint],
    stored_hashes: dict[int, str],
    signature_valid: Callable[[Checkpoint, bytes], str | None],
) -> CheckpointFinding | None:
    """The first checkpoint (in seq order) that does not hold, or None.

    A checkpoint holds when ``signature_valid`` finds its signature good (it answers None, or
    why not) and the entry at its seq still has the hash it signed (``stored_hashes``: seq →
    stored hash, seq 0 the genesis). With a chain whose every link and hash recompute, that
    means the chain passes through the checkpoint.
    """
    last_good = 0
    for point in sorted(checkpoints, key=lambda p: (p.seq, p.signed_at)):
        message = checkpoint_message(association, point.seq, point.head_hash, point.signed_at)
        problem = signature_valid(point, message)
        if problem is None:
            stored = GENESIS_HASH if point.seq == 0 else stored_hashes.get(point.seq)
            if stored is None:
                problem = f"entry {point.seq}, signed at a checkpoint, is missing"
            elif stored != point.head_hash:
                problem = (
                    f"the chain no longer passes through the checkpoint signed at entry {point.seq} "
                    f"on {utc_text(point.signed_at)[:10]}: history was rewritten after entry {last_good}, "
                    "the last checkpoint that still holds"
                )
        if problem is not None:
            return CheckpointFinding(point, last_good + 1, problem)
        last_good = point.seq
    return None
