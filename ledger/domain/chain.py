"""The per-association hash chain: canonical bytes of an entry, its SHA-256, and verification."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
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
