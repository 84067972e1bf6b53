"""Fund spending policies: reading the policy document, presets, and the right-purpose rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.errors import PurposeViolation, ValidationFailed
from ledger.domain.money import AMOUNT_VND_MAX
from ledger.domain.policy import (
    BENEFICIARY_CATEGORIES,
    CATEGORY_LABELS_EN,
    CATEGORY_LABELS_VI,
    DISBURSEMENT_KINDS,
    KIND_EXPENSE_ACCOUNT,
    KIND_LABELS_EN,
    KIND_LABELS_VI,
    POLICY_KEYS,
    PRESETS,
    RESTRICTION_LABELS_EN,
    RESTRICTION_LABELS_VI,
    RESTRICTIONS,
    SPEND_RULES,
    DateWindow,
    FundPolicy,
    SpendFacts,
    SpendRequest,
    check_spend,
    check_transfer_out,
    loosened_keys,
    needs_approval,
)

MONEY_KEYS = ("max_per_disbursement", "max_per_beneficiary_per_year", "approval_threshold")


def spend(**changes: Any) -> SpendRequest:
    base = SpendRequest(
        kind="scholarship",
        amount_vnd=1_000_000,
        paid_on=date(2026, 9, 5),
        beneficiary_id=7,
        beneficiary_category="poor_household",
    )
    return replace(base, **changes)


def facts(**changes: Any) -> SpendFacts:
    base = SpendFacts(
        beneficiary_paid_in_year_vnd=0,
        fund_received_in_year_vnd=0,
        running_costs_in_year_vnd=0,
        endowment_income_vnd=0,
        endowment_spent_vnd=0,
    )
    return replace(base, **changes)


def refusal(
    policy: FundPolicy,
    request: SpendRequest,
    known: SpendFacts | None = None,
    restriction: str = "restricted",
) -> PurposeViolation:
    with pytest.raises(PurposeViolation) as caught:
        check_spend(restriction, policy, request, known or facts())
    return caught.value


def parse_errors(document: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        FundPolicy.parse(document)
    assert caught.value.errors
    return caught.value.errors


def parse_errors_of_override(base: FundPolicy, overrides: dict[str, object]) -> dict[str, Any]:
    with pytest.raises(ValidationFailed) as caught:
        base.with_overrides(overrides)
    return caught.value.errors or {}


# --- Vocabulary -------------------------------------------------------------------------------


def test_every_kind_has_an_expense_account_and_labels_in_both_languages() -> None:
    assert set(KIND_EXPENSE_ACCOUNT) == set(DISBURSEMENT_KINDS)
    assert set(KIND_LABELS_VI) == set(KIND_LABELS_EN) == set(DISBURSEMENT_KINDS)
    assert KIND_EXPENSE_ACCOUNT["operating"] == "642"


def test_every_category_and_restriction_has_labels_in_both_languages() -> None:
    assert set(CATEGORY_LABELS_VI) == set(CATEGORY_LABELS_EN) == set(BENEFICIARY_CATEGORIES)
    assert set(RESTRICTION_LABELS_VI) == set(RESTRICTION_LABELS_EN) == set(RESTRICTIONS)


def test_the_six_categories_of_the_api_come_first() -> None:
    assert BENEFICIARY_CATEGORIES[:6] == (
        "poor_household",
        "near_poor",
        "orphan",
        "ethnic_minority",
        "disability",
        "excellent_achievement",
    )


# --- allowed_kinds ------------------------------------------------------------------------------


def test_scholarship_fund_pays_a_scholarship() -> None:
    policy = FundPolicy(allowed_kinds=("scholarship", "award"))
    check_spend("restricted", policy, spend(kind="scholarship"), facts())


def test_scholarship_fund_refuses_running_costs_in_words_a_treasurer_understands() -> None:
    policy = FundPolicy(allowed_kinds=("scholarship", "award"))
    refused = refusal(policy, spend(kind="operating", beneficiary_id=None))
    assert refused.rule == "allowed_kinds"
    assert refused.message_vi == ("Quỹ này chỉ được chi cho: học bổng, khen thưởng; không được chi «chi hoạt động».")
    assert refused.message_en == "This fund may only pay scholarships, awards; not running costs."
    assert refused.extra["rule"] == "allowed_kinds"


# --- beneficiary_categories ---------------------------------------------------------------------


def test_a_beneficiary_in_an_eligible_category_is_paid() -> None:
    policy = FundPolicy(beneficiary_categories=("poor_household", "orphan"))
    check_spend("restricted", policy, spend(beneficiary_category="orphan"), facts())


def test_a_beneficiary_outside_the_eligible_categories_is_refused() -> None:
    policy = FundPolicy(beneficiary_categories=("poor_household", "orphan"))
    refused = refusal(policy, spend(beneficiary_category="teacher"))
    assert refused.rule == "beneficiary_categories"
    assert "«giáo viên»" in refused.message_vi
    assert "'teacher'" in refused.message_en


def test_a_spend_without_a_beneficiary_is_refused_when_categories_are_set() -> None:
    policy = FundPolicy(beneficiary_categories=("poor_household",))
    refused = refusal(policy, spend(beneficiary_id=None, beneficiary_category=None))
    assert refused.rule == "beneficiary_categories"
    assert "must name its beneficiary" in refused.message_en


def test_a_beneficiary_without_a_recorded_category_is_refused_when_categories_are_set() -> None:
    policy = FundPolicy(beneficiary_categories=("poor_household",))
    refused = refusal(policy, spend(beneficiary_category=None))
    assert refused.rule == "beneficiary_categories"
    assert "no category recorded" in refused.message_en


def test_running_costs_need_no_beneficiary_even_when_categories_are_set() -> None:
    policy = FundPolicy(beneficiary_categories=("poor_household",), max_per_beneficiary_per_year_vnd=1)
    request = spend(kind="operating", beneficiary_id=None, beneficiary_category=None)
    check_spend("unrestricted", policy, request, facts())


# --- max_per_disbursement -----------------------------------------------------------------------


def test_a_disbursement_exactly_at_the_cap_is_paid() -> None:
    policy = FundPolicy(max_per_disbursement_vnd=2_000_000)
    check_spend("restricted", policy, spend(amount_vnd=2_000_000), facts())


def test_a_disbursement_one_dong_over_the_cap_is_refused() -> None:
    policy = FundPolicy(max_per_disbursement_vnd=2_000_000)
    refused = refusal(policy, spend(amount_vnd=2_000_001))
    assert refused.rule == "max_per_disbursement"
    assert "2.000.000 ₫" in refused.message_vi
    assert "2,000,001 ₫" in refused.message_en
    assert refused.extra["limit"] == 2_000_000


# --- max_per_beneficiary_per_year ---------------------------------------------------------------


def test_a_beneficiary_may_reach_the_yearly_cap_exactly() -> None:
    policy = FundPolicy(max_per_beneficiary_per_year_vnd=3_000_000)
    known = facts(beneficiary_paid_in_year_vnd=2_000_000)
    check_spend("restricted", policy, spend(amount_vnd=1_000_000), known)


def test_a_beneficiary_going_one_dong_over_the_yearly_cap_is_refused() -> None:
    policy = FundPolicy(max_per_beneficiary_per_year_vnd=3_000_000)
    known = facts(beneficiary_paid_in_year_vnd=2_000_000)
    refused = refusal(policy, spend(amount_vnd=1_000_001), known)
    assert refused.rule == "max_per_beneficiary_per_year"
    assert "2026" in refused.message_vi
    assert "only 1,000,000 ₫ is left" in refused.message_en


def test_a_spend_without_a_beneficiary_is_refused_when_a_yearly_cap_is_set() -> None:
    policy = FundPolicy(max_per_beneficiary_per_year_vnd=3_000_000)
    refused = refusal(policy, spend(beneficiary_id=None, beneficiary_category=None))
    assert refused.rule == "max_per_beneficiary_per_year"


# --- windows ------------------------------------------------------------------------------------

TET_2026 = DateWindow(date(2025, 12, 15), date(2026, 3, 3))


@pytest.mark.parametrize("paid_on", [TET_2026.from_on, date(2026, 2, 17), TET_2026.to_on])
def test_a_window_includes_both_of_its_ends(paid_on: date) -> None:
    policy = FundPolicy(windows=(TET_2026,))
    check_spend("restricted", policy, spend(kind="tet_gift", paid_on=paid_on), facts())


@pytest.mark.parametrize(
    "paid_on",
    [TET_2026.from_on - timedelta(days=1), TET_2026.to_on + timedelta(days=1)],
)
def test_a_day_just_outside_the_window_is_refused(paid_on: date) -> None:
    policy = FundPolicy(windows=(TET_2026,))
    refused = refusal(policy, spend(kind="tet_gift", paid_on=paid_on))
    assert refused.rule == "windows"
    assert "15/12/2025–03/03/2026" in refused.message_vi
    assert paid_on.isoformat() in refused.message_en


def test_any_one_of_several_windows_lets_a_spend_through() -> None:
    second = DateWindow(date(2026, 8, 15), date(2026, 9, 15))
    policy = FundPolicy(windows=(TET_2026, second))
    check_spend("restricted", policy, spend(paid_on=date(2026, 9, 15)), facts())


# --- running_cost_cap_pct -----------------------------------------------------------------------


def test_running_costs_may_reach_the_cap_exactly() -> None:
    policy = FundPolicy(running_cost_cap_pct=5)
    known = facts(fund_received_in_year_vnd=1_000_000, running_costs_in_year_vnd=40_000)
    request = spend(kind="operating", amount_vnd=10_000, beneficiary_id=None)
    check_spend("unrestricted", policy, request, known)


def test_running_costs_one_dong_over_the_cap_are_refused() -> None:
    policy = FundPolicy(running_cost_cap_pct=5)
    known = facts(fund_received_in_year_vnd=1_000_000, running_costs_in_year_vnd=40_000)
    request = spend(kind="operating", amount_vnd=10_001, beneficiary_id=None)
    refused = refusal(policy, request, known, restriction="unrestricted")
    assert refused.rule == "running_cost_cap_pct"
    assert "5%" in refused.message_vi
    assert "50,000 ₫" in refused.message_en


def test_a_fraction_of_a_dong_under_the_cap_does_not_round_up() -> None:
    # 5% of 999.999 ₫ is 49.999,95 ₫: 49.999 ₫ fits, 50.000 ₫ does not.
    policy = FundPolicy(running_cost_cap_pct=5)
    known = facts(fund_received_in_year_vnd=999_999)
    check_spend(
        "unrestricted",
        policy,
        spend(kind="operating", amount_vnd=49_999, beneficiary_id=None),
        known,
    )
    refused = refusal(
        policy,
        spend(kind="operating", amount_vnd=50_000, beneficiary_id=None),
        known,
        restriction="unrestricted",
    )
    assert refused.rule == "running_cost_cap_pct"


def test_a_zero_percent_cap_refuses_every_running_cost() -> None:
    policy = FundPolicy(running_cost_cap_pct=0)
    known = facts(fund_received_in_year_vnd=10**9)
    request = spend(kind="operating", amount_vnd=1, beneficiary_id=None)
    assert refusal(policy, request, known).rule == "running_cost_cap_pct"


def test_the_running_cost_cap_does_not_limit_scholarships() -> None:
    policy = FundPolicy(running_cost_cap_pct=0)
    check_spend("restricted", policy, spend(kind="scholarship"), facts())


@given(
    pct=st.integers(0, 100),
    received=st.integers(0, AMOUNT_VND_MAX),
    spent=st.integers(0, AMOUNT_VND_MAX),
    amount=st.integers(1, AMOUNT_VND_MAX),
)
def test_the_running_cost_cap_agrees_with_exact_fractions(pct: int, received: int, spent: int, amount: int) -> None:
    policy = FundPolicy(running_cost_cap_pct=pct)
    known = facts(fund_received_in_year_vnd=received, running_costs_in_year_vnd=spent)
    request = spend(kind="operating", amount_vnd=amount, beneficiary_id=None)
    within = spent + amount <= Fraction(pct, 100) * received
    try:
        check_spend("unrestricted", policy, request, known)
    except PurposeViolation as refused:
        assert refused.rule == "running_cost_cap_pct"
        assert not within
    else:
        assert within


# --- endowment_income ---------------------------------------------------------------------------


def test_an_endowment_may_spend_exactly_its_income() -> None:
    known = facts(endowment_income_vnd=5_000_000, endowment_spent_vnd=3_000_000)
    check_spend("endowment", FundPolicy(), spend(amount_vnd=2_000_000), known)


def test_an_endowment_spending_one_dong_of_principal_is_refused() -> None:
    known = facts(endowment_income_vnd=5_000_000, endowment_spent_vnd=3_000_000)
    refused = refusal(FundPolicy(), spend(amount_vnd=2_000_001), known, restriction="endowment")
    assert refused.rule == "endowment_income"
    assert "chỉ còn 2.000.000 ₫" in refused.message_vi
    assert "only 2,000,000 ₫ is left" in refused.message_en


def test_a_restricted_fund_is_not_held_to_endowment_income() -> None:
    check_spend("restricted", FundPolicy(), spend(amount_vnd=2_000_001), facts())


# --- order of the rules -------------------------------------------------------------------------


def test_the_first_rule_broken_in_the_documented_order_is_the_one_reported() -> None:
    policy = FundPolicy(
        allowed_kinds=("award",),
        beneficiary_categories=("orphan",),
        max_per_disbursement_vnd=100,
        max_per_beneficiary_per_year_vnd=100,
        windows=(DateWindow(date(2026, 1, 1), date(2026, 1, 31)),),
        running_cost_cap_pct=0,
    )
    known = facts(beneficiary_paid_in_year_vnd=100)
    request = spend(
        kind="scholarship",
        amount_vnd=1_000,
        paid_on=date(2026, 5, 1),
        beneficiary_category="school",
    )
    fixes: list[dict[str, Any]] = [
        {"kind": "award"},
        {"beneficiary_category": "orphan"},
        {"amount_vnd": 100},
        {"beneficiary_id": 8},  # Another beneficiary: the known facts are not theirs.
        {"paid_on": date(2026, 1, 15)},
    ]
    seen = []
    for fix in fixes:
        seen.append(refusal(policy, request, known, restriction="endowment").rule)
        request = replace(request, **fix)
        if "beneficiary_id" in fix:
            known = replace(known, beneficiary_paid_in_year_vnd=0)
    seen.append(refusal(policy, request, known, restriction="endowment").rule)
    assert seen == [
        "allowed_kinds",
        "beneficiary_categories",
        "max_per_disbursement",
        "max_per_beneficiary_per_year",
        "windows",
        "endowment_income",
    ]
    assert [rule for rule in SPEND_RULES if rule != "running_cost_cap_pct"] == seen


def test_running_costs_are_checked_after_the_windows_and_before_endowment_income() -> None:
    policy = FundPolicy(windows=(DateWindow(date(2026, 1, 1), date(2026, 1, 31)),), running_cost_cap_pct=0)
    request = spend(kind="operating", paid_on=date(2026, 5, 1), beneficiary_id=None)
    assert refusal(policy, request, restriction="endowment").rule == "windows"
    request = replace(request, paid_on=date(2026, 1, 31))
    assert refusal(policy, request, restriction="endowment").rule == "running_cost_cap_pct"
    assert SPEND_RULES.index("windows") < SPEND_RULES.index("running_cost_cap_pct")
    assert SPEND_RULES.index("running_cost_cap_pct") < SPEND_RULES.index("endowment_income")


def test_a_policy_without_limits_lets_any_spend_of_an_unrestricted_fund_through() -> None:
    for kind in DISBURSEMENT_KINDS:
        request = spend(kind=kind, amount_vnd=AMOUNT_VND_MAX, beneficiary_id=None)
        check_spend("unrestricted", FundPolicy(), request, facts())


# --- approval and transfers ---------------------------------------------------------------------


def test_a_disbursement_exactly_at_the_threshold_needs_no_approval() -> None:
    policy = FundPolicy(approval_threshold_vnd=20_000_000)
    assert not needs_approval(policy, 20_000_000)
    assert needs_approval(policy, 20_000_001)


def test_no_threshold_means_no_approval_and_zero_means_every_disbursement_waits() -> None:
    assert not needs_approval(FundPolicy(), AMOUNT_VND_MAX)
    assert needs_approval(FundPolicy(approval_threshold_vnd=0), 1)


@pytest.mark.parametrize("restriction", ["restricted", "endowment"])
def test_money_given_for_a_purpose_does_not_leave_its_fund(restriction: str) -> None:
    with pytest.raises(PurposeViolation) as caught:
        check_transfer_out(restriction, FundPolicy())
    assert caught.value.rule == "transfers_out_allowed"
    assert "quỹ khác" in caught.value.message_vi


@pytest.mark.parametrize("restriction", ["restricted", "endowment"])
def test_a_restricted_fund_may_transfer_out_when_its_policy_says_so(restriction: str) -> None:
    check_transfer_out(restriction, FundPolicy(transfers_out_allowed=True))


def test_an_unrestricted_fund_transfers_out_unless_its_policy_forbids_it() -> None:
    check_transfer_out("unrestricted", FundPolicy())
    with pytest.raises(PurposeViolation) as caught:
        check_transfer_out("unrestricted", FundPolicy(transfers_out_allowed=False))
    assert caught.value.rule == "transfers_out_allowed"


# --- parsing the policy document ----------------------------------------------------------------

API_EXAMPLE = {
    "allowed_kinds": ["scholarship", "support"],
    "beneficiary_categories": [
        "poor_household",
        "near_poor",
        "orphan",
        "ethnic_minority",
        "disability",
        "excellent_achievement",
    ],
    "max_per_disbursement": 2000000,
    "max_per_beneficiary_per_year": 3000000,
    "windows": [{"from": "2026-12-15", "to": "2027-03-04"}],
    "approval_threshold": 20000000,
    "running_cost_cap_pct": 5,
}


def test_the_example_of_the_api_document_parses_and_writes_back_the_same() -> None:
    policy = FundPolicy.parse(API_EXAMPLE)
    assert policy.allowed_kinds == ("scholarship", "support")
    assert policy.windows == (DateWindow(date(2026, 12, 15), date(2027, 3, 4)),)
    assert policy.max_per_disbursement_vnd == 2_000_000
    assert policy.transfers_out_allowed is None
    assert policy.to_document() == API_EXAMPLE


def test_an_empty_document_and_null_values_mean_no_limits() -> None:
    assert FundPolicy.parse({}) == FundPolicy()
    assert FundPolicy.parse(dict.fromkeys(POLICY_KEYS)) == FundPolicy()
    assert FundPolicy().to_document() == {}


def test_parse_errors_are_collected_for_every_field_at_once() -> None:
    errors = parse_errors(
        {
            "allowed_kinds": ["scholarship", "lunch"],
            "beneficiary_categories": ["rich"],
            "max_per_disbursement": 0,
            "max_per_beneficiary_per_year": "3000000",
            "windows": [{"from": "2026-03-01", "to": "2026-02-01"}],
            "approval_threshold": 1.5,
            "running_cost_cap_pct": 101,
            "transfers_out_allowed": "yes",
            "tet_window": "yes",
            "colour": "red",
        }
    )
    assert set(errors) == {f"policy.{key}" for key in (*POLICY_KEYS, "colour")}
    assert "Unknown kind 'lunch'." in errors["policy.allowed_kinds"]
    assert "Unknown category 'rich'." in errors["policy.beneficiary_categories"]
    assert errors["policy.windows"] == ["Window 1: 'from' 2026-03-01 is after 'to' 2026-02-01."]


def test_a_refused_document_has_a_vietnamese_main_message() -> None:
    with pytest.raises(ValidationFailed) as caught:
        FundPolicy.parse({"running_cost_cap_pct": -1})
    assert caught.value.code == "validation_error"
    assert caught.value.detail("vi").startswith("Chính sách chi của quỹ không hợp lệ")
    assert caught.value.detail("en").startswith("The fund's spending policy is not valid")


@pytest.mark.parametrize("key", MONEY_KEYS)
@pytest.mark.parametrize("value", [1.5, 2000000.0, "2000000", True, False, [1], {"vnd": 1}])
def test_money_must_be_a_json_integer(key: str, value: object) -> None:
    errors = parse_errors({key: value})
    assert list(errors) == [f"policy.{key}"]
    assert "whole number of đồng" in errors[f"policy.{key}"][0]


@pytest.mark.parametrize("key", MONEY_KEYS)
def test_money_may_be_as_large_as_the_ledger_allows_and_no_larger(key: str) -> None:
    assert FundPolicy.parse({key: AMOUNT_VND_MAX}).to_document() == {key: AMOUNT_VND_MAX}
    assert list(parse_errors({key: AMOUNT_VND_MAX + 1})) == [f"policy.{key}"]
    assert list(parse_errors({key: -1})) == [f"policy.{key}"]


@pytest.mark.parametrize("key", ["max_per_disbursement", "max_per_beneficiary_per_year"])
def test_a_cap_of_zero_is_refused(key: str) -> None:
    assert list(parse_errors({key: 0})) == [f"policy.{key}"]


def test_an_approval_threshold_of_zero_is_allowed() -> None:
    assert FundPolicy.parse({"approval_threshold": 0}).approval_threshold_vnd == 0


@pytest.mark.parametrize("pct", [0, 100])
def test_the_running_cost_cap_may_be_zero_or_a_hundred_percent(pct: int) -> None:
    assert FundPolicy.parse({"running_cost_cap_pct": pct}).running_cost_cap_pct == pct


@pytest.mark.parametrize("pct", [-1, 101, 5.0, "5", True])
def test_the_running_cost_cap_outside_whole_percentages_is_refused(pct: object) -> None:
    assert list(parse_errors({"running_cost_cap_pct": pct})) == ["policy.running_cost_cap_pct"]


@pytest.mark.parametrize("value", [1, 0, "true", [True]])
def test_transfers_out_allowed_must_be_true_or_false(value: object) -> None:
    assert list(parse_errors({"transfers_out_allowed": value})) == ["policy.transfers_out_allowed"]


@pytest.mark.parametrize(
    "document",
    [
        {"allowed_kinds": []},
        {"allowed_kinds": "scholarship"},
        {"allowed_kinds": ["scholarship", "scholarship"]},
        {"allowed_kinds": ["scholarship", 3]},
        {"beneficiary_categories": []},
        {"beneficiary_categories": [None]},
    ],
)
def test_kind_and_category_lists_must_name_known_values_once(document: dict[str, object]) -> None:
    (key,) = document
    assert list(parse_errors(document)) == [f"policy.{key}"]


@pytest.mark.parametrize(
    "windows",
    [
        [],
        {"from": "2026-01-01", "to": "2026-01-31"},
        ["2026-01-01"],
        [{"from": "2026-01-01"}],
        [{"from": "2026-1-1", "to": "2026-01-31"}],
        [{"from": "20260101", "to": "2026-01-31"}],
        [{"from": "2026-02-30", "to": "2026-03-31"}],
        [{"from": "2026-01-01", "to": "2026-01-31", "note": "Tết"}],
        [{"from": "2026-01-02", "to": "2026-01-01"}],
        [{"from": "2026-01-01", "to": "2026-01-31"}] * 101,
    ],
)
def test_malformed_windows_are_refused(windows: object) -> None:
    assert list(parse_errors({"windows": windows})) == ["policy.windows"]


def test_a_window_of_one_day_is_accepted() -> None:
    policy = FundPolicy.parse({"windows": [{"from": "2026-02-17", "to": "2026-02-17"}]})
    assert policy.windows == (DateWindow(date(2026, 2, 17), date(2026, 2, 17)),)


@pytest.mark.parametrize("document", [None, [], "policy", 3])
def test_a_document_that_is_not_an_object_is_refused(document: object) -> None:
    assert parse_errors(document) == {"policy": ["Must be a JSON object."]}


def test_a_policy_built_in_code_is_checked_like_a_parsed_one() -> None:
    with pytest.raises(ValidationFailed) as caught:
        FundPolicy(
            allowed_kinds=("lunch",),
            windows=(DateWindow(date(2026, 2, 1), date(2026, 1, 1)),),
            running_cost_cap_pct=150,
        )
    assert set(caught.value.errors or {}) == {
        "policy.allowed_kinds",
        "policy.windows",
        "policy.running_cost_cap_pct",
    }


def test_overrides_replace_keys_and_null_removes_a_limit() -> None:
    base = PRESETS["hoa_phuong_do"].policy
    policy = base.with_overrides({"max_per_disbursement": 2_500_000, "approval_threshold": None})
    assert policy.max_per_disbursement_vnd == 2_500_000
    assert policy.approval_threshold_vnd is None
    assert policy.allowed_kinds == base.allowed_kinds
    assert list(parse_errors_of_override(base, {"max_per_disbursement": 2.5})) == ["policy.max_per_disbursement"]


# --- presets ------------------------------------------------------------------------------------


def test_the_presets_are_the_ones_the_api_names() -> None:
    assert list(PRESETS) == [
        "general",
        "hoa_phuong_do",
        "tet_gifts",
        "bookcases",
        "school_support",
        "talent_endowment",
    ]


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_policy_survives_its_own_document(name: str) -> None:
    preset = PRESETS[name]
    assert preset.restriction in RESTRICTIONS
    assert preset.name_vi and preset.name_en and preset.purpose_vi and preset.purpose_en
    assert FundPolicy.parse(preset.policy.to_document()) == preset.policy


def test_the_general_fund_pays_running_costs_and_may_transfer_out() -> None:
    general = PRESETS["general"]
    request = spend(kind="operating", amount_vnd=5_000_000, beneficiary_id=None)
    check_spend(general.restriction, general.policy, request, facts())
    check_transfer_out(general.restriction, general.policy)


def test_hoa_phuong_do_pays_a_poor_pupil_two_million_but_no_running_costs() -> None:
    preset = PRESETS["hoa_phuong_do"]
    assert preset.restriction == "restricted"
    check_spend(preset.restriction, preset.policy, spend(amount_vnd=2_000_000), facts())
    request = spend(kind="operating", beneficiary_id=None)
    assert refusal(preset.policy, request).rule == "allowed_kinds"
    assert needs_approval(preset.policy, 20_000_001)
    with pytest.raises(PurposeViolation):
        check_transfer_out(preset.restriction, preset.policy)


@pytest.mark.parametrize(
    ("tet", "full_moon"),
    [
        (date(2025, 1, 29), date(2025, 2, 12)),
        (date(2026, 2, 17), date(2026, 3, 3)),
        (date(2027, 2, 6), date(2027, 2, 20)),
        (date(2028, 1, 26), date(2028, 2, 9)),
        (date(2031, 1, 23), date(2031, 2, 6)),
    ],
)
def test_the_tet_gift_season_runs_from_mid_december_to_the_first_full_moon_every_year(
    tet: date, full_moon: date
) -> None:
    preset = PRESETS["tet_gifts"]
    assert preset.policy.tet_window and preset.policy.windows is None
    # Rằm tháng Giêng is the 15th day of the first lunar month: Tet + 14 days.
    assert full_moon == tet + timedelta(days=14)
    for day in (date(tet.year - 1, 12, 15), tet, full_moon):
        check_spend(preset.restriction, preset.policy, spend(kind="tet_gift", amount_vnd=500_000, paid_on=day), facts())
    for day in (date(tet.year - 1, 12, 14), full_moon + timedelta(days=1)):
        request = spend(kind="tet_gift", amount_vnd=500_000, paid_on=day)
        assert refusal(preset.policy, request, restriction=preset.restriction).rule == "windows"


def test_tet_gifts_are_refused_in_summer() -> None:
    preset = PRESETS["tet_gifts"]
    request = spend(kind="tet_gift", amount_vnd=500_000, paid_on=date(2026, 7, 1))
    assert refusal(preset.policy, request).rule == "windows"


def test_the_talent_endowment_spends_only_its_income_on_excellent_pupils() -> None:
    preset = PRESETS["talent_endowment"]
    assert preset.restriction == "endowment"
    request = spend(beneficiary_category="excellent_achievement", amount_vnd=1_000_000)
    rich = facts(endowment_income_vnd=1_000_000)
    check_spend(preset.restriction, preset.policy, request, rich)
    refused = refusal(preset.policy, request, facts(), restriction=preset.restriction)
    assert refused.rule == "endowment_income"


# --- round trip ---------------------------------------------------------------------------------


def names(known: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...] | None]:
    return st.none() | st.lists(st.sampled_from(known), min_size=1, unique=True).map(tuple)


windows_strategy = st.lists(
    st.tuples(st.dates(), st.dates()).map(lambda pair: DateWindow(min(pair), max(pair))),
    min_size=1,
    max_size=5,
).map(tuple)

policies = st.builds(
    FundPolicy,
    allowed_kinds=names(DISBURSEMENT_KINDS),
    beneficiary_categories=names(BENEFICIARY_CATEGORIES),
    max_per_disbursement_vnd=st.none() | st.integers(1, AMOUNT_VND_MAX),
    max_per_beneficiary_per_year_vnd=st.none() | st.integers(1, AMOUNT_VND_MAX),
    windows=st.none() | windows_strategy,
    approval_threshold_vnd=st.none() | st.integers(0, AMOUNT_VND_MAX),
    running_cost_cap_pct=st.none() | st.integers(0, 100),
    transfers_out_allowed=st.none() | st.booleans(),
)


@given(policies)
def test_a_policy_reads_back_from_its_own_document(policy: FundPolicy) -> None:
    document = policy.to_document()
    assert None not in document.values()
    assert FundPolicy.parse(document) == policy


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from([*POLICY_KEYS, "other"]), json_values, max_size=5))
def test_any_json_document_either_parses_or_is_refused_as_invalid(document: dict[str, Any]) -> None:
    try:
        policy = FundPolicy.parse(document)
    except ValidationFailed as refused:
        assert refused.errors
        assert all(key.startswith("policy.") for key in refused.errors)
    else:
        assert FundPolicy.parse(policy.to_document()) == policy


# --- Approval threshold: no splitting (issue 15, item 5) ----------------------------------------


def test_the_threshold_counts_a_beneficiarys_day_and_a_batchs_total() -> None:
    policy = FundPolicy(approval_threshold_vnd=5_000_000)
    assert not needs_approval(policy, 4_900_000)
    assert needs_approval(policy, 4_900_000, same_day_to_beneficiary_vnd=4_900_000)
    assert needs_approval(policy, 4_900_000, batch_total_vnd=49_000_000)
    assert not needs_approval(policy, 100_000, same_day_to_beneficiary_vnd=4_900_000, batch_total_vnd=5_000_000)
    assert not needs_approval(FundPolicy(), 10**15, batch_total_vnd=10**15)


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_can_reach_an_approver(name: str) -> None:
    preset = PRESETS[name]
    threshold = preset.policy.approval_threshold_vnd
    assert threshold is not None
    # A ceremony of the largest single spend the preset allows reaches the threshold.
    largest = preset.policy.max_per_disbursement_vnd or threshold + 1
    count = threshold // largest + 1
    assert needs_approval(preset.policy, largest, batch_total_vnd=largest * count)


# --- Policy changes: what loosens (issue 15, item 4) ---------------------------------------------


def _loosens(old: dict[str, object], new: dict[str, object], restriction: str = "restricted") -> tuple[str, ...]:
    return loosened_keys(restriction, FundPolicy.parse(old), FundPolicy.parse(new))


@pytest.mark.parametrize(
    ("old", "new", "keys"),
    [
        ({"allowed_kinds": ["scholarship"]}, {"allowed_kinds": ["scholarship", "operating"]}, ("allowed_kinds",)),
        ({"allowed_kinds": ["scholarship"]}, {}, ("allowed_kinds",)),
        ({"allowed_kinds": ["scholarship", "award"]}, {"allowed_kinds": ["award"]}, ()),
        (
            {"beneficiary_categories": ["orphan"]},
            {"beneficiary_categories": ["orphan", "school"]},
            ("beneficiary_categories",),
        ),
        ({"max_per_disbursement": 2_000_000}, {"max_per_disbursement": 2_000_001}, ("max_per_disbursement",)),
        ({"max_per_disbursement": 2_000_000}, {"max_per_disbursement": 1_000_000}, ()),
        ({"max_per_beneficiary_per_year": 3_000_000}, {}, ("max_per_beneficiary_per_year",)),
        ({"approval_threshold": 20_000_000}, {"approval_threshold": 10**15}, ("approval_threshold",)),
        ({"approval_threshold": 20_000_000}, {"approval_threshold": 0}, ()),
        ({"running_cost_cap_pct": 5}, {"running_cost_cap_pct": 6}, ("running_cost_cap_pct",)),
        ({}, {"transfers_out_allowed": True}, ("transfers_out_allowed",)),
        ({"transfers_out_allowed": True}, {}, ()),
        ({}, {"windows": [{"from": "2026-01-01", "to": "2026-01-31"}]}, ()),
        (
            {"windows": [{"from": "2026-01-01", "to": "2026-01-31"}]},
            {"windows": [{"from": "2026-01-10", "to": "2026-02-01"}]},
            ("windows",),
        ),
        (
            {"windows": [{"from": "2026-01-01", "to": "2026-01-15"}, {"from": "2026-01-16", "to": "2026-01-31"}]},
            {"windows": [{"from": "2026-01-10", "to": "2026-01-20"}]},
            (),
        ),
        ({"windows": [{"from": "2026-01-01", "to": "2026-01-31"}]}, {"tet_window": True}, ("windows",)),
        ({"tet_window": True}, {"windows": [{"from": "2026-12-20", "to": "2027-02-06"}]}, ()),
        ({"tet_window": True}, {"windows": [{"from": "2026-12-20", "to": "2027-02-21"}]}, ("windows",)),
        ({"tet_window": True}, {}, ("windows",)),
    ],
)
def test_a_change_loosens_exactly_the_keys_that_allow_more(
    old: dict[str, object], new: dict[str, object], keys: tuple[str, ...]
) -> None:
    assert _loosens(old, new) == keys


def test_transfers_out_of_an_unrestricted_fund_are_allowed_already() -> None:
    assert _loosens({}, {"transfers_out_allowed": True}, "unrestricted") == ()
    assert _loosens({"transfers_out_allowed": False}, {}, "unrestricted") == ("transfers_out_allowed",)
