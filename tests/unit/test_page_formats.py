"""How the pages read amounts and dates as Vietnamese write them, and say a fund's rules in words."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.policy import PRESETS, FundPolicy
from ledger.domain.policy_words import policy_sentences
from ledger.web.pages.forms import parse_day, parse_vnd


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.200.000", 1_200_000),
        ("1 200 000 ₫", 1_200_000),
        ("1200000", 1_200_000),
        ("1,500,000", 1_500_000),
        ("500.000đ", 500_000),
        ("2.000.000 VND", 2_000_000),
    ],
)
def test_an_amount_is_read_with_or_without_thousands_separators(typed: str, amount: int) -> None:
    assert parse_vnd(typed) == amount


@pytest.mark.parametrize("typed", ["", "12a", "-1000", "1.2.3e4", "9" * 17])
def test_what_is_not_a_whole_amount_of_dong_is_not_read(typed: str) -> None:
    assert parse_vnd(typed) is None


def test_a_date_is_read_day_first_or_as_iso_and_an_impossible_one_is_not() -> None:
    assert parse_day("04/12/2026") == date(2026, 12, 4)
    assert parse_day("4/1/2026") == date(2026, 1, 4)
    assert parse_day("2026-11-23") == date(2026, 11, 23)
    assert parse_day("31/02/2026") is None
    assert parse_day("12/31/2026") is None


def test_the_scholarship_fund_rules_read_as_sentences_in_both_languages() -> None:
    preset = PRESETS["hoa_phuong_do"]
    vi = policy_sentences(preset.restriction, preset.policy, "vi")
    en = policy_sentences(preset.restriction, preset.policy, "en")
    assert vi[0] == "Loại quỹ: có mục đích chỉ định."
    assert "Chỉ chi cho: học bổng, khen thưởng." in vi
    assert "Tối đa 2.000.000 ₫ mỗi lần chi." in vi
    assert "Khoản chi trên 10.000.000 ₫ phải chờ chủ tịch hội duyệt." in vi
    assert "At most 2,000,000 ₫ per disbursement." in en
    assert "Its money may not be moved to another fund." in en
    assert len(vi) == len(en)


def test_a_fund_without_limits_says_only_what_kind_of_fund_it_is() -> None:
    assert policy_sentences("unrestricted", FundPolicy(), "en") == ["Kind of fund: unrestricted."]
