"""The chain's canonical text, written out by hand for speed, is exactly the JSON it documents."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.chain import (
    GENESIS_HASH,
    SealedEntry,
    canonical_bytes,
    chain_hash,
    link_hash,
    verify_chain,
)
from ledger.domain.entries import LINE_FIELDS, LineDraft

CREATED = datetime(2026, 11, 23, 16, 54, 13, 120, tzinfo=UTC)


def reference_bytes(entry: SealedEntry) -> bytes:
    """The documented form, through the standard library's JSON encoder."""
    doc = [
        "khl1",
        entry.association,
        entry.seq,
        entry.entry_on.isoformat(),
        entry.kind,
        entry.memo,
        entry.reverses_seq,
        entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        entry.created_by,
        # LINE_FIELDS is the documented order (tests/unit/test_line_shape.py).
        [[getattr(line, name) for name in LINE_FIELDS] for line in entry.lines],
    ]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def test_a_donation_hashes_over_the_documented_bytes() -> None:
    entry = SealedEntry(
        "QT-DH",
        7,
        date(2026, 11, 23),
        "donation",
        'Ủng hộ quỹ "Hoa Phượng Đỏ"\n',
        None,
        datetime(2026, 11, 23, 23, 54, 13, 120, tzinfo=timezone(timedelta(hours=7))),
        3,
        (LineDraft("111", "HPD", debit_vnd=1_200_000, donor_id=42), LineDraft("511", "HPD", credit_vnd=1_200_000)),
    )
    expected = (
        '["khl1","QT-DH",7,"2026-11-23","donation","Ủng hộ quỹ \\"Hoa Phượng Đỏ\\"\\n",null,'
        '"2026-11-23T16:54:13.000120Z",3,[["111","HPD",1200000,0,null,null,null,42,null],'
        '["511","HPD",0,1200000,null,null,null,null,null]]]'
    ).encode()
    assert canonical_bytes(entry) == expected
    assert chain_hash(GENESIS_HASH, entry) == link_hash(GENESIS_HASH, expected.decode())
    assert len(chain_hash(GENESIS_HASH, entry)) == 64


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
optional_ints = st.none() | st.integers(min_value=0, max_value=10**15)
lines = st.builds(
    LineDraft,
    account=texts,
    fund=texts,
    debit_vnd=st.integers(min_value=0, max_value=10**15),
    credit_vnd=st.integers(min_value=0, max_value=10**15),
    quantity=optional_ints,
    unit=st.none() | texts,
    item=st.none() | texts,
    donor_id=optional_ints,
    beneficiary_id=optional_ints,
)
entries = st.builds(
    SealedEntry,
    association=texts,
    seq=st.integers(min_value=1, max_value=2**62),
    entry_on=st.dates(),
    kind=texts,
    memo=texts,
    reverses_seq=optional_ints,
    created_at=st.datetimes(
        min_value=datetime(1000, 1, 2), timezones=st.sampled_from([UTC, timezone(timedelta(hours=7))])
    ),
    created_by=optional_ints,
    lines=st.lists(lines, max_size=4).map(tuple),
)


@given(entries)
def test_the_hand_written_text_is_the_json_encoders_for_any_values(entry: SealedEntry) -> None:
    assert canonical_bytes(entry) == reference_bytes(entry)


def chain_of(count: int) -> list[tuple[int, str, str, str]]:
    stored = []
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        text = f'["khl1","X",{seq}]'
        digest = link_hash(prev, text)
        stored.append((seq, prev, digest, text))
        prev = digest
    return stored


def test_stretches_verified_apart_agree_with_one_pass() -> None:
    stored = chain_of(9)
    whole = verify_chain(stored, expected_head=(9, stored[-1][2]))
    assert whole.ok and whole.entries == 9
    middle = verify_chain(stored[3:6], start=(3, stored[2][2]), expected_head=(6, stored[5][2]))
    assert middle.ok and (middle.entries, middle.head_seq) == (3, 6)

    # A stretch that stops short of the entry it must end at names the first missing entry.
    short = verify_chain(stored[3:5], start=(3, stored[2][2]), expected_head=(6, stored[5][2]))
    assert (short.ok, short.first_bad_seq) == (False, 6)
    # One that starts from a hash the stored entries do not follow names its first entry.
    wrong_start = verify_chain(stored[3:6], start=(3, "f" * 64), expected_head=(6, stored[5][2]))
    assert (wrong_start.first_bad_seq, wrong_start.reason) == (4, "prev_hash does not match the previous entry's hash")
    changed = [*stored[:4], (5, stored[4][1], stored[4][2], stored[4][3] + " "), *stored[5:]]
    bad = verify_chain(changed, expected_head=(9, stored[-1][2]))
    assert (bad.first_bad_seq, bad.reason, bad.head_seq) == (5, "content does not match its hash", 4)
