"""Amounts in words read the way Vietnamese accounting vouchers read them (DESIGN.md, "Amounts in words")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.amount_words import amount_in_words_en, amount_in_words_vi
from ledger.domain.errors import ValidationFailed
from ledger.domain.money import AMOUNT_VND_MAX

VOUCHER_READINGS = [
    (1, "Một đồng"),
    (5, "Năm đồng"),
    (10, "Mười đồng"),
    (11, "Mười một đồng"),
    (14, "Mười bốn đồng"),
    (15, "Mười lăm đồng"),
    (20, "Hai mươi đồng"),
    (21, "Hai mươi mốt đồng"),
    (24, "Hai mươi tư đồng"),
    (25, "Hai mươi lăm đồng"),
    (101, "Một trăm linh một đồng"),
    (104, "Một trăm linh bốn đồng"),
    (105, "Một trăm linh năm đồng"),
    (115, "Một trăm mười lăm đồng"),
    (1_000, "Một nghìn đồng chẵn"),
    (2_021, "Hai nghìn không trăm hai mươi mốt đồng"),
    (1_000_005, "Một triệu không trăm linh năm đồng"),
    (1_050_000, "Một triệu không trăm năm mươi nghìn đồng chẵn"),
    (1_200_000, "Một triệu hai trăm nghìn đồng chẵn"),
    (150_000_000, "Một trăm năm mươi triệu đồng chẵn"),
    (1_001_000_000, "Một tỷ không trăm linh một triệu đồng chẵn"),
    (1_000_000_000_000, "Một nghìn tỷ đồng chẵn"),
    (1_005_000_000_000, "Một nghìn không trăm linh năm tỷ đồng chẵn"),
    (1_000_000_000_005, "Một nghìn tỷ không trăm linh năm đồng"),
    (10**15, "Một triệu tỷ đồng chẵn"),
]


@pytest.mark.parametrize(("amount_vnd", "words"), VOUCHER_READINGS)
def test_amounts_read_as_on_a_voucher(amount_vnd: int, words: str) -> None:
    assert amount_in_words_vi(amount_vnd) == words


def test_whole_thousands_end_without_chan_when_the_custom_is_not_followed() -> None:
    assert amount_in_words_vi(1_200_000, chan=False) == "Một triệu hai trăm nghìn đồng"


@pytest.mark.parametrize(
    ("amount_vnd", "words"),
    [
        (1, "One dong"),
        (21, "Twenty-one dong"),
        (105, "One hundred five dong"),
        (2_021, "Two thousand twenty-one dong"),
        (1_200_000, "One million two hundred thousand dong"),
        (1_000_005, "One million five dong"),
        (10**15, "One quadrillion dong"),
    ],
)
def test_english_readings_use_the_short_scale(amount_vnd: int, words: str) -> None:
    assert amount_in_words_en(amount_vnd) == words


@pytest.mark.parametrize("amount", [0, -1, -1_200_000, AMOUNT_VND_MAX + 1, True, False, 1.5, "1000"])
def test_zero_negative_too_large_and_non_integer_amounts_are_refused(amount: object) -> None:
    for reader in (amount_in_words_vi, amount_in_words_en):
        with pytest.raises(ValidationFailed) as refused:
            reader(amount)  # type: ignore[arg-type]
        assert refused.value.code == "validation_error"
        assert refused.value.message_vi and refused.value.message_en


_DIGIT_VALUES = {
    "không": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
}


def _read_back(words: str) -> int:
    """An independent reader of the voucher reading, to check the words mean the amount."""
    total = section = group = digit = 0
    for word in words.lower().removesuffix(" chẵn").removesuffix(" đồng").split():
        if word in _DIGIT_VALUES:
            digit = _DIGIT_VALUES[word]
        elif word == "trăm":
            group, digit = group + digit * 100, 0
        elif word == "mươi":
            group, digit = group + digit * 10, 0
        elif word == "mười":
            group += 10
        elif word == "linh":
            continue
        elif word == "nghìn":
            section, group, digit = section + (group + digit) * 1000, 0, 0
        elif word == "triệu":
            section, group, digit = section + (group + digit) * 10**6, 0, 0
        elif word == "tỷ":
            total, section, group, digit = (section + group + digit) * 10**9, 0, 0, 0
        else:
            raise AssertionError(f"unexpected word {word!r} in {words!r}")
    return total + section + group + digit


amounts = st.integers(min_value=1, max_value=AMOUNT_VND_MAX)


@given(amounts)
def test_the_words_read_back_to_the_same_amount(amount_vnd: int) -> None:
    assert _read_back(amount_in_words_vi(amount_vnd)) == amount_vnd


@given(amounts)
def test_every_group_after_the_leading_one_is_read_with_its_hundreds(amount_vnd: int) -> None:
    groups = [int(amount_vnd // 1000**place % 1000) for place in range(6)]
    while groups[-1] == 0:
        groups.pop()
    non_zero = sum(1 for group in groups if group)
    leading_without_hundreds = 1 if groups[-1] < 100 else 0
    words = amount_in_words_vi(amount_vnd).split()
    assert words.count("trăm") == non_zero - leading_without_hundreds


@given(amounts, st.booleans())
def test_the_sentence_is_stable_capitalised_and_ends_in_dong(amount_vnd: int, chan: bool) -> None:
    words = amount_in_words_vi(amount_vnd, chan=chan)
    assert words == amount_in_words_vi(amount_vnd, chan=chan)
    assert words[0].isupper() and words[1:] == words[1:].lower()
    assert "lẻ" not in words.split()
    assert "  " not in words
    if chan and amount_vnd % 1000 == 0:
        assert words.endswith(" đồng chẵn")
    else:
        assert words.endswith(" đồng")


@given(amounts)
def test_english_words_start_with_a_capital_and_end_in_dong(amount_vnd: int) -> None:
    words = amount_in_words_en(amount_vnd)
    assert words[0].isupper() and words.endswith(" dong")
    assert words.isascii()
