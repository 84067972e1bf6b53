"""A journal line's fields are spelled once (``LINE_FIELDS``), and every reader and writer follows them."""

from __future__ import annotations

from dataclasses import fields

from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.entries import LINE_FIELDS, LINE_VALUE_FIELDS, LineDraft, line_values, reversal_of


def test_the_line_fields_are_the_documented_canonical_order() -> None:
    # The chain's canonical text (ledger/domain/chain.py) documents this order: it must never change.
    assert LINE_FIELDS == (
        "account",
        "fund",
        "debit_vnd",
        "credit_vnd",
        "quantity",
        "unit",
        "item",
        "donor_id",
        "beneficiary_id",
    )
    assert tuple(f.name for f in fields(LineDraft)) == LINE_FIELDS


lines = st.builds(
    LineDraft,
    account=st.sampled_from(["111", "156", "611"]),
    fund=st.sampled_from(["HPD", "TET"]),
    debit_vnd=st.integers(0, 10**6),
    credit_vnd=st.integers(0, 10**6),
    quantity=st.none() | st.integers(1, 100),
    unit=st.none() | st.text(max_size=5),
    item=st.none() | st.text(max_size=5),
    donor_id=st.none() | st.integers(1, 9),
    beneficiary_id=st.none() | st.integers(1, 9),
)


@given(lines)
def test_a_line_rebuilt_from_its_codes_and_values_is_the_same_line(line: LineDraft) -> None:
    assert line_values(line) == tuple(getattr(line, name) for name in LINE_VALUE_FIELDS)
    assert LineDraft.of(line.account, line.fund, line_values(line)) == line


@given(lines)
def test_reversing_a_line_swaps_only_its_debit_and_credit(line: LineDraft) -> None:
    (back,) = reversal_of((line,))
    assert (back.debit_vnd, back.credit_vnd) == (line.credit_vnd, line.debit_vnd)
    assert reversal_of((back,)) == (line,)
