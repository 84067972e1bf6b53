"""The per-association hash chain: canonical bytes of an entry, its SHA-256, and verification."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from ledger.domain.entries import LineDraft

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


#: One encoder for every entry: ``json.dumps`` with these options would build a new one per call.
_CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=4096)
def utc_text(instant: datetime) -> str:
    """An aware instant as fixed-width UTC text with microseconds (``…T23:54:13.000120Z``)."""
    if instant.tzinfo is None:
        raise ValueError("the chain only takes timezone-aware instants")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    lines = [
        [
            line.account,
            line.fund,
            line.debit_vnd,
            line.credit_vnd,
            line.quantity,
            line.unit,
            line.item,
            line.donor_id,
            line.beneficiary_id,
        ]
        for line in entry.lines
    ]
    doc = [
        CANONICAL_VERSION,
        entry.association,
        entry.seq,
        entry.entry_on.isoformat(),
        entry.kind,
        entry.memo,
        entry.reverses_seq,
        utc_text(entry.created_at),
        entry.created_by,
        lines,
    ]
    return _CANONICAL_JSON.encode(doc).encode()


def chain_hash(prev_hash: str, entry: SealedEntry) -> str:
    """``SHA-256(prev_hash as ASCII hex + "\\n" + canonical bytes)`` as lowercase hex."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_bytes(entry))
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    #: Why the first bad entry is bad, in English (``None`` when ok).
    reason: str | None


def verify_chain(
    stored: Iterable[tuple[SealedEntry, str, str]],
    *,
    expected_head: tuple[int, str] | None = None,
) -> ChainReport:
    """Recompute the chain from ``(entry, stored prev_hash, stored hash)`` in seq order.

    Names the first entry whose numbering, link or hash does not match. When
    ``expected_head`` (the head the service recorded) is given, a chain that stops short of
    it — entries deleted from the end — is bad too.
    """
    prev = GENESIS_HASH
    count = 0
    last_seq = 0
    for entry, stored_prev, stored_hash in stored:
        count += 1
        reason = None
        if entry.seq != last_seq + 1:
            reason = f"sequence jumps from {last_seq} to {entry.seq}"
        elif stored_prev != prev:
            reason = "prev_hash does not match the previous entry's hash"
        elif chain_hash(prev, entry) != stored_hash:
            reason = "content does not match its hash"
        if reason is not None:
            bad_seq = last_seq + 1 if entry.seq != last_seq + 1 else entry.seq
            return ChainReport(False, count, last_seq, prev, bad_seq, reason)
        prev = stored_hash
        last_seq = entry.seq
    if expected_head is not None and expected_head != (last_seq, prev):
        return ChainReport(
            False,
            count,
            last_seq,
            prev,
            last_seq + 1,
            "the recorded chain head does not match the last entry: entries are missing",
        )
    return ChainReport(True, count, last_seq, prev, None, None)
