"""Fund spending policies: what a fund may pay for, to whom, how much and when."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final, cast

from ledger.domain.errors import PurposeViolation, ValidationFailed
from ledger.domain.money import AMOUNT_VND_MAX, format_vnd, is_amount_vnd
from ledger.domain.tet import next_tet_window, tet_window_around

# --- Vocabulary -------------------------------------------------------------------------------

#: What a disbursement pays for (API.md ``kind``); each kind posts to one expense account.
DISBURSEMENT_KINDS: Final = ("scholarship", "tet_gift", "bookcase", "award", "support", "operating")

#: The expense account of the standard chart (API.md) that each kind debits.
KIND_EXPENSE_ACCOUNT: Final[dict[str, str]] = {
    "scholarship": "611",
    "tet_gift": "612",
    "bookcase": "613",
    "award": "614",
    "support": "615",
    "operating": "642",
}

#: Beneficiary categories. The first six are the ones API.md shows; the rest name the schools,
#: teachers and families that bookcases and support programmes reach.
BENEFICIARY_CATEGORIES: Final = (
    "poor_household",
    "near_poor",
    "orphan",
    "ethnic_minority",
    "disability",
    "excellent_achievement",
    "difficult_circumstances",
    "school",
    "teacher",
    "family",
)

#: How tightly donors bound a fund's money (DESIGN.md "Fund").
RESTRICTIONS: Final = ("unrestricted", "restricted", "endowment")

#: Kind names as they read inside a Vietnamese sentence or table cell.
KIND_LABELS_VI: Final[dict[str, str]] = {
    "scholarship": "học bổng",
    "tet_gift": "quà Tết",
    "bookcase": "tủ sách, sách",
    "award": "khen thưởng",
    "support": "hỗ trợ học sinh khó khăn",
    "operating": "chi hoạt động",
}

#: Kind names as they read inside an English sentence ("may only pay scholarships").
KIND_LABELS_EN: Final[dict[str, str]] = {
    "scholarship": "scholarships",
    "tet_gift": "Tet gifts",
    "bookcase": "bookcases and books",
    "award": "awards",
    "support": "support for students in difficulty",
    "operating": "running costs",
}

CATEGORY_LABELS_VI: Final[dict[str, str]] = {
    "poor_household": "hộ nghèo",
    "near_poor": "hộ cận nghèo",
    "orphan": "mồ côi",
    "ethnic_minority": "dân tộc thiểu số",
    "disability": "khuyết tật",
    "excellent_achievement": "thành tích xuất sắc",
    "difficult_circumstances": "hoàn cảnh khó khăn",
    "school": "trường học",
    "teacher": "giáo viên",
    "family": "gia đình",
}

CATEGORY_LABELS_EN: Final[dict[str, str]] = {
    "poor_household": "poor household",
    "near_poor": "near-poor household",
    "orphan": "orphan",
    "ethnic_minority": "ethnic minority",
    "disability": "disability",
    "excellent_achievement": "excellent achievement",
    "difficult_circumstances": "difficult circumstances",
    "school": "school",
    "teacher": "teacher",
    "family": "family",
}

RESTRICTION_LABELS_VI: Final[dict[str, str]] = {
    "unrestricted": "không hạn định mục đích",
    "restricted": "có mục đích chỉ định",
    "endowment": "quỹ gốc (chỉ chi từ thu nhập)",
}

RESTRICTION_LABELS_EN: Final[dict[str, str]] = {
    "unrestricted": "unrestricted",
    "restricted": "restricted to a purpose",
    "endowment": "endowment (only its income is spent)",
}

#: The keys of the policy document (API.md "The fund policy document"), in its order.
POLICY_KEYS: Final = (
    "allowed_kinds",
    "beneficiary_categories",
    "max_per_disbursement",
    "max_per_beneficiary_per_year",
    "windows",
    "approval_threshold",
    "running_cost_cap_pct",
    "transfers_out_allowed",
    "tet_window",
)

#: A policy lists dates explicitly (Tet moves with the lunar calendar), so bound how many.
POLICY_WINDOWS_MAX: Final = 100

#: The order in which ``check_spend`` applies its rules; the first one broken is reported.
#: What the money is for comes first, then for whom, how much, when, and last the fund-wide
#: limits that need the ledger's totals.
SPEND_RULES: Final = (
    "allowed_kinds",
    "beneficiary_categories",
    "max_per_disbursement",
    "max_per_beneficiary_per_year",
    "windows",
    "running_cost_cap_pct",
    "endowment_income",
)

# --- The policy document ----------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@dataclass(frozen=True)
class DateWindow:
    """A span of accounting dates, both ends included."""

    from_on: date
    to_on: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.from_on <= day <= self.to_on


@dataclass(frozen=True)
class FundPolicy:
    """A fund's spending rules; every field ``None`` means "no limit" on that point.

    Construction checks the values (known kinds and categories, amounts within the ledger's
    limit, windows in order) and raises ``ValidationFailed`` like ``parse`` does.
    """

    #: Disbursement kinds the fund may pay; anything else is refused.
    allowed_kinds: tuple[str, ...] | None = None
    #: Categories a beneficiary must belong to.
    beneficiary_categories: tuple[str, ...] | None = None
    #: Largest single disbursement.
    max_per_disbursement_vnd: int | None = None
    #: Most one beneficiary may receive from this fund in a fiscal (calendar) year.
    max_per_beneficiary_per_year_vnd: int | None = None
    #: Dates on which the fund may pay; outside all of them it may not.
    windows: tuple[DateWindow, ...] | None = None
    #: A disbursement strictly above this waits for an approver; 0 makes every one wait.
    approval_threshold_vnd: int | None = None
    #: Running costs (kind ``operating``) in a year, as a whole percentage of what the fund
    #: received that year.
    running_cost_cap_pct: int | None = None
    #: Whether money may leave this fund for another fund; ``None`` follows the restriction.
    transfers_out_allowed: bool | None = None
    #: The fund may pay in the Tet-gift season of every year (15 December to the 15th day of
    #: the first lunar month, from the Vietnamese lunar calendar), besides any ``windows``.
    tet_window: bool | None = None

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        for key, value in (
            ("allowed_kinds", self.allowed_kinds),
            ("beneficiary_categories", self.beneficiary_categories),
            ("max_per_disbursement", self.max_per_disbursement_vnd),
            ("max_per_beneficiary_per_year", self.max_per_beneficiary_per_year_vnd),
            ("windows", self.windows),
            ("approval_threshold", self.approval_threshold_vnd),
            ("running_cost_cap_pct", self.running_cost_cap_pct),
            ("transfers_out_allowed", self.transfers_out_allowed),
            ("tet_window", self.tet_window),
        ):
            if value is not None:
                messages = _VALUE_CHECKS[key](value)
                if messages:
                    errors[f"policy.{key}"] = messages
        if errors:
            raise _invalid_policy(errors)

    @classmethod
    def parse(cls, data: Mapping[str, object]) -> FundPolicy:
        """Read the JSON policy document of API.md, or raise ``ValidationFailed``.

        Every problem is collected under ``policy.<key>`` (English messages); the main message
        is Vietnamese and English. A key that is absent or ``null`` means no limit.
        """
        if not isinstance(data, Mapping):
            raise _invalid_policy({"policy": ["Must be a JSON object."]})
        errors: dict[str, list[str]] = {}
        values: dict[str, object] = {}
        for key in data:
            if key not in POLICY_KEYS:
                errors[f"policy.{key}"] = [f"Unknown key; the known keys are {', '.join(POLICY_KEYS)}."]
        for key in POLICY_KEYS:
            raw = data.get(key)
            if raw is None:
                continue
            value, messages = _READERS[key](raw)
            if not messages:
                messages = _VALUE_CHECKS[key](value)
            if messages:
                errors[f"policy.{key}"] = messages
            else:
                values[key] = value
        if errors:
            raise _invalid_policy(errors)
        # The readers and value checks have guaranteed each value's type.
        return cls(
            allowed_kinds=cast("tuple[str, ...] | None", values.get("allowed_kinds")),
            beneficiary_categories=cast("tuple[str, ...] | None", values.get("beneficiary_categories")),
            max_per_disbursement_vnd=cast("int | None", values.get("max_per_disbursement")),
            max_per_beneficiary_per_year_vnd=cast("int | None", values.get("max_per_beneficiary_per_year")),
            windows=cast("tuple[DateWindow, ...] | None", values.get("windows")),
            approval_threshold_vnd=cast("int | None", values.get("approval_threshold")),
            running_cost_cap_pct=cast("int | None", values.get("running_cost_cap_pct")),
            transfers_out_allowed=cast("bool | None", values.get("transfers_out_allowed")),
            tet_window=cast("bool | None", values.get("tet_window")),
        )

    def to_document(self) -> dict[str, object]:
        """The JSON policy document of API.md; keys without a limit are left out.

        ``FundPolicy.parse(policy.to_document()) == policy`` always holds.
        """
        document: dict[str, object] = {}
        if self.allowed_kinds is not None:
            document["allowed_kinds"] = list(self.allowed_kinds)
        if self.beneficiary_categories is not None:
            document["beneficiary_categories"] = list(self.beneficiary_categories)
        if self.max_per_disbursement_vnd is not None:
            document["max_per_disbursement"] = self.max_per_disbursement_vnd
        if self.max_per_beneficiary_per_year_vnd is not None:
            document["max_per_beneficiary_per_year"] = self.max_per_beneficiary_per_year_vnd
        if self.windows is not None:
            document["windows"] = [{"from": w.from_on.isoformat(), "to": w.to_on.isoformat()} for w in self.windows]
        if self.approval_threshold_vnd is not None:
            document["approval_threshold"] = self.approval_threshold_vnd
        if self.running_cost_cap_pct is not None:
            document["running_cost_cap_pct"] = self.running_cost_cap_pct
        if self.transfers_out_allowed is not None:
            document["transfers_out_allowed"] = self.transfers_out_allowed
        if self.tet_window is not None:
            document["tet_window"] = self.tet_window
        return document

    @property
    def limits_dates(self) -> bool:
        """Whether the fund may pay on some days only (explicit windows or the Tet season)."""
        return self.windows is not None or bool(self.tet_window)

    def allows_day(self, day: date) -> bool:
        """Whether the fund may pay on ``day`` (always, when it limits no dates)."""
        if not self.limits_dates:
            return True
        if self.windows is not None and any(day in window for window in self.windows):
            return True
        return bool(self.tet_window) and tet_window_around(day) is not None

    def with_overrides(self, data: Mapping[str, object]) -> FundPolicy:
        """This policy with the keys of ``data`` replaced; a ``null`` value removes that limit.

        This is how a fund created from a preset takes the request's own policy keys.
        """
        merged: dict[str, object] = {**self.to_document(), **data}
        return FundPolicy.parse(merged)


def _invalid_policy(errors: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(
        "Chính sách chi của quỹ không hợp lệ: vui lòng sửa các mục được nêu.",
        "The fund's spending policy is not valid: please correct the fields listed.",
        errors=errors,
    )


# Readers turn a raw JSON value into a typed one and say what is wrong with its shape; value
# checks then say what is wrong with a well-typed value. Construction runs the value checks
# too, so a policy built in code obeys the same rules as one read from a request.

_Read = tuple[object, list[str]]
_Check = Callable[[object], list[str]]


def _describe(raw: object) -> str:
    if isinstance(raw, bool):
        return "true/false"
    if isinstance(raw, float):
        return f"a decimal number ({raw!r})"
    if isinstance(raw, str):
        return "a string"
    if isinstance(raw, list | tuple):
        return "a list"
    if isinstance(raw, Mapping):
        return "an object"
    return type(raw).__name__


def _read_money(raw: object) -> _Read:
    # A JSON integer only: 1.5, "1000000" and true are refused rather than coerced, because a
    # coerced amount is an amount nobody typed (API.md "Conventions").
    if type(raw) is not int:
        return None, [f"Must be a whole number of đồng (a JSON integer), not {_describe(raw)}."]
    return raw, []


def _read_pct(raw: object) -> _Read:
    if type(raw) is not int:
        return None, [f"Must be a whole percentage (a JSON integer), not {_describe(raw)}."]
    return raw, []


def _read_bool(raw: object) -> _Read:
    if not isinstance(raw, bool):
        return None, [f"Must be true or false, not {_describe(raw)}."]
    return raw, []


def _read_names(raw: object) -> _Read:
    if not isinstance(raw, list | tuple):
        return None, [f"Must be a list of names, not {_describe(raw)}."]
    wrong = [i for i, item in enumerate(raw) if not isinstance(item, str)]
    if wrong:
        return None, [f"Item {i + 1} must be a name (a string)." for i in wrong]
    return tuple(raw), []


def _read_date(raw: object, where: str) -> tuple[date | None, list[str]]:
    # date.fromisoformat also takes 20260101 and week dates; API.md fixes YYYY-MM-DD only.
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        return None, [f"{where} must be a date written YYYY-MM-DD."]
    try:
        return date.fromisoformat(raw), []
    except ValueError:
        return None, [f"{where} is not a real date ({raw})."]


def _read_windows(raw: object) -> _Read:
    if not isinstance(raw, list | tuple):
        return None, [f'Must be a list of {{"from": ..., "to": ...}} objects, not {_describe(raw)}.']
    messages: list[str] = []
    windows: list[DateWindow] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            messages.append(f'Window {i} must be an object {{"from": ..., "to": ...}}.')
            continue
        extra = sorted(str(k) for k in item if k not in ("from", "to"))
        if extra:
            messages.append(f"Window {i} has unknown keys: {', '.join(extra)}.")
        from_on, from_errors = _read_date(item.get("from"), f"Window {i} 'from'")
        to_on, to_errors = _read_date(item.get("to"), f"Window {i} 'to'")
        messages += from_errors + to_errors
        if from_on is not None and to_on is not None:
            windows.append(DateWindow(from_on, to_on))
    if messages:
        return None, messages
    return tuple(windows), []


_READERS: Final = {
    "allowed_kinds": _read_names,
    "beneficiary_categories": _read_names,
    "max_per_disbursement": _read_money,
    "max_per_beneficiary_per_year": _read_money,
    "windows": _read_windows,
    "approval_threshold": _read_money,
    "running_cost_cap_pct": _read_pct,
    "transfers_out_allowed": _read_bool,
    "tet_window": _read_bool,
}


def _check_names(known: tuple[str, ...], what: str) -> _Check:
    def check(value: object) -> list[str]:
        assert isinstance(value, tuple)
        if not value:
            # An empty list would forbid everything, which is almost surely a mistake; a fund
            # with no limit leaves the key out.
            return [f"List at least one {what}, or leave the key out for no limit."]
        messages = [f"Unknown {what} '{name}'." for name in value if name not in known]
        if len(set(value)) != len(value):
            messages.append(f"Each {what} may be listed only once.")
        if messages:
            messages.append(f"Known: {', '.join(known)}.")
        return messages

    return check


def _check_amount(value: object) -> list[str]:
    if not is_amount_vnd(value):
        return [f"Must be from 1 to {AMOUNT_VND_MAX:,} đồng."]
    return []


def _check_threshold(value: object) -> list[str]:
    # Zero is allowed here, unlike other amounts: it sends every disbursement to an approver.
    if type(value) is not int or not 0 <= value <= AMOUNT_VND_MAX:
        return [f"Must be from 0 to {AMOUNT_VND_MAX:,} đồng."]
    return []


def _check_pct(value: object) -> list[str]:
    if type(value) is not int or not 0 <= value <= 100:
        return ["Must be a whole percentage from 0 to 100."]
    return []


def _check_bool(value: object) -> list[str]:
    return [] if isinstance(value, bool) else ["Must be true or false."]


def _check_windows(value: object) -> list[str]:
    assert isinstance(value, tuple)
    if not value:
        return ["List at least one window, or leave the key out for no limit."]
    messages: list[str] = []
    if len(value) > POLICY_WINDOWS_MAX:
        messages.append(f"At most {POLICY_WINDOWS_MAX} windows.")
    for i, window in enumerate(value, start=1):
        if not isinstance(window, DateWindow):
            messages.append(f"Window {i} must be a DateWindow.")
        elif window.from_on > window.to_on:
            messages.append(
                f"Window {i}: 'from' {window.from_on.isoformat()} is after 'to' {window.to_on.isoformat()}."
            )
    return messages


_VALUE_CHECKS: Final[dict[str, _Check]] = {
    "allowed_kinds": _check_names(DISBURSEMENT_KINDS, "kind"),
    "beneficiary_categories": _check_names(BENEFICIARY_CATEGORIES, "category"),
    "max_per_disbursement": _check_amount,
    "max_per_beneficiary_per_year": _check_amount,
    "windows": _check_windows,
    "approval_threshold": _check_threshold,
    "running_cost_cap_pct": _check_pct,
    "transfers_out_allowed": _check_bool,
    "tet_window": _check_bool,
}


# --- Presets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundPreset:
    """A ready-made fund (API.md ``preset``): restriction, purpose and policy to start from."""

    #: Suggested fund code; the association may choose another.
    code: str
    name_vi: str
    name_en: str
    restriction: str
    purpose_vi: str
    purpose_en: str
    policy: FundPolicy


#: The categories of children that hardship programmes reach.
_CHILDREN_IN_HARDSHIP: Final = (
    "poor_household",
    "near_poor",
    "orphan",
    "ethnic_minority",
    "disability",
    "difficult_circumstances",
)


PRESETS: Final[dict[str, FundPreset]] = {
    "general": FundPreset(
        code="GENERAL",
        name_vi="Quỹ khuyến học chung",
        name_en="General education promotion fund",
        restriction="unrestricted",
        purpose_vi="Các hoạt động khuyến học, khuyến tài của Hội và chi phí hoạt động của Hội.",
        purpose_en="The association's education promotion activities and its running costs.",
        # Every preset can reach an approver (issue 15): large spends of the general fund too.
        policy=FundPolicy(allowed_kinds=DISBURSEMENT_KINDS, approval_threshold_vnd=50_000_000),
    ),
    "hoa_phuong_do": FundPreset(
        code="HOA-PHUONG-DO",
        name_vi="Quỹ học bổng Hoa Phượng Đỏ",
        name_en="Hoa Phuong Do (Red Flamboyant) Scholarship Fund",
        restriction="restricted",
        purpose_vi=(
            "Học bổng và khen thưởng cho học sinh, sinh viên trên địa bàn vượt khó học tốt "
            "hoặc có thành tích xuất sắc (theo mô hình quỹ Hoa Phượng Đỏ của Hải Phòng)."
        ),
        purpose_en=(
            "Scholarships and awards for local pupils and students who study well despite "
            "hardship or achieve excellent results (after Hai Phong's Hoa Phuong Do fund)."
        ),
        # Running costs are not an allowed kind, so no running-cost cap is needed.
        policy=FundPolicy(
            allowed_kinds=("scholarship", "award"),
            beneficiary_categories=(
                "poor_household",
                "near_poor",
                "orphan",
                "ethnic_minority",
                "disability",
                "excellent_achievement",
            ),
            max_per_disbursement_vnd=2_000_000,
            max_per_beneficiary_per_year_vnd=3_000_000,
            # Above the 2M cap a single award never waits, but a ceremony's total does.
            approval_threshold_vnd=10_000_000,
        ),
    ),
    "tet_gifts": FundPreset(
        code="QUA-TET",
        name_vi="Quỹ quà Tết cho học sinh khó khăn",
        name_en="Tet gifts for children in hardship",
        restriction="restricted",
        purpose_vi="Quà Tết và hỗ trợ dịp Tết Nguyên đán cho học sinh có hoàn cảnh khó khăn.",
        purpose_en="Tet gifts and Lunar New Year support for pupils in difficult circumstances.",
        policy=FundPolicy(
            allowed_kinds=("tet_gift", "support"),
            beneficiary_categories=_CHILDREN_IN_HARDSHIP,
            max_per_disbursement_vnd=1_000_000,
            # Tet follows the lunar calendar: the season is derived for every year (domain/tet.py)
            # rather than listed, so that it never runs out.
            tet_window=True,
            approval_threshold_vnd=10_000_000,
        ),
    ),
    "bookcases": FundPreset(
        code="TU-SACH",
        name_vi="Quỹ tủ sách khuyến học, phát triển văn hóa đọc",
        name_en="Bookcases and reading culture fund",
        restriction="restricted",
        purpose_vi="Tủ sách, sách cho trường học và gia đình, phát triển văn hóa đọc.",
        purpose_en="Bookcases and books for schools and families, to grow a reading culture.",
        policy=FundPolicy(
            allowed_kinds=("bookcase",),
            beneficiary_categories=("school", "family"),
            max_per_disbursement_vnd=15_000_000,
            approval_threshold_vnd=50_000_000,
        ),
    ),
    "school_support": FundPreset(
        code="DEN-TRUONG",
        name_vi="Quỹ giúp trẻ em đến trường",
        name_en="Helping Children Go to School fund",
        restriction="restricted",
        purpose_vi=("Hỗ trợ và học bổng để trẻ em có hoàn cảnh khó khăn được đến trường, không bỏ học giữa chừng."),
        purpose_en=("Support and scholarships so that children in hardship can go to school and do not drop out."),
        policy=FundPolicy(
            allowed_kinds=("support", "scholarship"),
            beneficiary_categories=_CHILDREN_IN_HARDSHIP,
            approval_threshold_vnd=20_000_000,
        ),
    ),
    "talent_endowment": FundPreset(
        code="KHUYEN-TAI",
        name_vi="Quỹ khuyến tài",
        name_en="Talent endowment fund",
        restriction="endowment",
        purpose_vi=(
            "Vốn gốc được giữ nguyên; chỉ dùng thu nhập của quỹ để trao học bổng, khen thưởng "
            "học sinh, sinh viên có thành tích xuất sắc."
        ),
        purpose_en=(
            "The principal is kept; only the fund's income pays scholarships and awards to "
            "pupils and students with excellent achievements."
        ),
        policy=FundPolicy(
            allowed_kinds=("scholarship", "award"),
            beneficiary_categories=("excellent_achievement",),
            approval_threshold_vnd=20_000_000,
        ),
    ),
}


# --- Rule evaluation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendRequest:
    """One disbursement as the treasurer asked for it, before anything is written."""

    kind: str
    amount_vnd: int
    paid_on: date
    beneficiary_id: int | None
    #: The beneficiary's recorded category; ``None`` without a beneficiary or a recorded one.
    beneficiary_category: str | None


@dataclass(frozen=True)
class SpendFacts:
    """What the ledger already holds for the fund, loaded by the service in the same transaction.

    "Year" is the fiscal (= calendar) year of the spend's ``paid_on``.
    """

    #: What this beneficiary has already received from the fund in the year.
    beneficiary_paid_in_year_vnd: int
    #: Donations and other income into the fund in the year.
    fund_received_in_year_vnd: int
    #: Running costs (kind ``operating``) the fund has already paid in the year.
    running_costs_in_year_vnd: int
    #: Income (interest and the like) the endowment has earned to date.
    endowment_income_vnd: int
    #: What the endowment has spent to date.
    endowment_spent_vnd: int


def check_spend(restriction: str, policy: FundPolicy, spend: SpendRequest, facts: SpendFacts) -> None:
    """Refuse ``spend`` with ``PurposeViolation`` if the fund's policy forbids it.

    Rules run in the order of ``SPEND_RULES`` and the first one broken is raised. Decree
    03/2026/NĐ-CP asks a fund to use money for the purpose it was given for; these rules are
    how a fund states that purpose, so a refusal happens before anything is written. The
    balance check (no account below zero) and the approval threshold are not decided here.
    """
    assert restriction in RESTRICTIONS, restriction
    assert spend.kind in DISBURSEMENT_KINDS, spend.kind
    assert is_amount_vnd(spend.amount_vnd), spend.amount_vnd
    _rule_allowed_kinds(policy, spend)
    # Running costs pay suppliers and staff, not beneficiaries; they are held by the
    # running-cost cap instead of the beneficiary rules.
    if spend.kind != "operating":
        _rule_beneficiary_categories(policy, spend)
    _rule_max_per_disbursement(policy, spend)
    if spend.kind != "operating":
        _rule_max_per_beneficiary_per_year(policy, spend, facts)
    _rule_windows(policy, spend)
    _rule_running_cost_cap_pct(policy, spend, facts)
    if restriction == "endowment":
        _rule_endowment_income(spend, facts)


def available_to_spend(
    restriction: str,
    *,
    posted_vnd: int,
    reserved_vnd: int,
    receivable_vnd: int,
    income_vnd: int,
    spent_vnd: int,
) -> int:
    """What a fund may spend now (API.md ``available_balance``), never below zero.

    Its net assets less what pending spends reserve and less pledges not yet collected (a
    promise is not money); for an endowment, no more than its income less what it spent, since
    the principal is never spent (DESIGN.md "Controls").
    """
    available = posted_vnd - receivable_vnd - reserved_vnd
    if restriction == "endowment":
        available = min(available, income_vnd - spent_vnd - reserved_vnd)
    return max(available, 0)


def needs_approval(
    policy: FundPolicy, amount_vnd: int, *, same_day_to_beneficiary_vnd: int = 0, batch_total_vnd: int = 0
) -> bool:
    """True when a spend must wait for an approver.

    The threshold holds for the spend itself, for what one beneficiary gets from the fund on
    one day with it (``same_day_to_beneficiary_vnd``: what was already posted or is pending),
    and for the total of the batch it belongs to (``batch_total_vnd``, this fund's items), so
    that splitting a payment into pieces under the threshold does not escape it.
    """
    threshold = policy.approval_threshold_vnd
    if threshold is None:
        return False
    return max(amount_vnd, same_day_to_beneficiary_vnd + amount_vnd, batch_total_vnd) > threshold


def transfers_out_allowed(restriction: str, policy: FundPolicy) -> bool:
    """Whether money may leave the fund for another fund: the policy says, else the restriction."""
    assert restriction in RESTRICTIONS, restriction
    if policy.transfers_out_allowed is not None:
        return policy.transfers_out_allowed
    return restriction == "unrestricted"


def check_transfer_out(restriction: str, policy: FundPolicy) -> None:
    """Refuse moving money out of the fund to another fund unless that is allowed.

    Money given for a purpose stays with that purpose (Decree 03/2026/NĐ-CP: use for the purpose
    given), so restricted and endowment funds never transfer out unless their policy says so;
    an unrestricted fund may, unless its policy says it may not.
    """
    if transfers_out_allowed(restriction, policy):
        return
    if restriction == "unrestricted":
        vi = "Chính sách của quỹ này không cho phép chuyển tiền sang quỹ khác."
        en = "This fund's policy does not allow moving money to another fund."
    elif restriction == "endowment":
        vi = (
            "Quỹ này là quỹ gốc: vốn gốc được giữ nguyên và chỉ thu nhập được chi cho mục đích "
            "được tài trợ, không được chuyển sang quỹ khác."
        )
        en = (
            "This fund is an endowment: its principal is kept and only its income is spent, on "
            "the purpose it was given for; it cannot be moved to another fund."
        )
    else:
        vi = (
            "Quỹ này có mục đích chỉ định: tiền đã nhận phải dùng đúng mục đích được tài trợ, "
            "không được chuyển sang quỹ khác."
        )
        en = (
            "This fund is restricted to a purpose: its money must be used for the purpose it "
            "was given for and cannot be moved to another fund."
        )
    raise PurposeViolation("transfers_out_allowed", vi, en, restriction=restriction)


def _labelled(names: tuple[str, ...], labels: Mapping[str, str]) -> str:
    return ", ".join(labels[name] for name in names)


def _date_vi(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _rule_allowed_kinds(policy: FundPolicy, spend: SpendRequest) -> None:
    allowed = policy.allowed_kinds
    if allowed is None or spend.kind in allowed:
        return
    raise PurposeViolation(
        "allowed_kinds",
        f"Quỹ này chỉ được chi cho: {_labelled(allowed, KIND_LABELS_VI)}; "
        f"không được chi «{KIND_LABELS_VI[spend.kind]}».",
        f"This fund may only pay {_labelled(allowed, KIND_LABELS_EN)}; not {KIND_LABELS_EN[spend.kind]}.",
        allowed=list(allowed),
        kind=spend.kind,
    )


def _rule_beneficiary_categories(policy: FundPolicy, spend: SpendRequest) -> None:
    allowed = policy.beneficiary_categories
    if allowed is None or (spend.beneficiary_id is not None and spend.beneficiary_category in allowed):
        return
    head_vi = f"Quỹ này chỉ được chi cho người thụ hưởng thuộc diện: {_labelled(allowed, CATEGORY_LABELS_VI)}"
    head_en = f"This fund may only pay beneficiaries who are: {_labelled(allowed, CATEGORY_LABELS_EN)}"
    if spend.beneficiary_id is None:
        tail_vi = "khoản chi phải ghi rõ người thụ hưởng."
        tail_en = "the disbursement must name its beneficiary."
    elif spend.beneficiary_category is None:
        tail_vi = "người thụ hưởng này chưa được ghi diện đối tượng."
        tail_en = "this beneficiary has no category recorded."
    else:
        category = spend.beneficiary_category
        tail_vi = f"người thụ hưởng này thuộc diện «{CATEGORY_LABELS_VI.get(category, category)}»."
        tail_en = f"this beneficiary is recorded as '{CATEGORY_LABELS_EN.get(category, category)}'."
    raise PurposeViolation(
        "beneficiary_categories",
        f"{head_vi}; {tail_vi}",
        f"{head_en}; {tail_en}",
        allowed=list(allowed),
        category=spend.beneficiary_category,
    )


def _rule_max_per_disbursement(policy: FundPolicy, spend: SpendRequest) -> None:
    cap = policy.max_per_disbursement_vnd
    if cap is None or spend.amount_vnd <= cap:
        return
    raise PurposeViolation(
        "max_per_disbursement",
        f"Mỗi lần chi từ quỹ này tối đa {format_vnd(cap)}; khoản chi {format_vnd(spend.amount_vnd)} "
        f"vượt {format_vnd(spend.amount_vnd - cap)}.",
        f"This fund pays at most {format_vnd(cap, 'en')} per disbursement; {format_vnd(spend.amount_vnd, 'en')} "
        f"is {format_vnd(spend.amount_vnd - cap, 'en')} over.",
        limit=cap,
        amount=spend.amount_vnd,
    )


def _rule_max_per_beneficiary_per_year(policy: FundPolicy, spend: SpendRequest, facts: SpendFacts) -> None:
    cap = policy.max_per_beneficiary_per_year_vnd
    if cap is None:
        return
    year = spend.paid_on.year
    if spend.beneficiary_id is None:
        # Without a beneficiary the yearly cap could not be counted, so it could be dodged.
        raise PurposeViolation(
            "max_per_beneficiary_per_year",
            f"Quỹ này giới hạn mỗi người thụ hưởng nhận tối đa {format_vnd(cap)} trong một năm; "
            "khoản chi phải ghi rõ người thụ hưởng.",
            f"This fund limits each beneficiary to {format_vnd(cap, 'en')} a year; the disbursement must name its beneficiary.",
            limit=cap,
            amount=spend.amount_vnd,
            year=year,
        )
    paid = facts.beneficiary_paid_in_year_vnd
    if paid + spend.amount_vnd <= cap:
        return
    left = max(cap - paid, 0)
    raise PurposeViolation(
        "max_per_beneficiary_per_year",
        f"Mỗi người thụ hưởng chỉ được nhận từ quỹ này tối đa {format_vnd(cap)} trong năm {year}; "
        f"người này đã nhận {format_vnd(paid)}, chỉ còn được nhận {format_vnd(left)}, "
        f"nhưng khoản chi là {format_vnd(spend.amount_vnd)}.",
        f"Each beneficiary may receive at most {format_vnd(cap, 'en')} from this fund in {year}; "
        f"this one has received {format_vnd(paid, 'en')}, so only {format_vnd(left, 'en')} is left, "
        f"but the disbursement is {format_vnd(spend.amount_vnd, 'en')}.",
        limit=cap,
        paid=paid,
        amount=spend.amount_vnd,
        year=year,
    )


def _rule_windows(policy: FundPolicy, spend: SpendRequest) -> None:
    if policy.allows_day(spend.paid_on):
        return
    windows = list(policy.windows or ())
    if policy.tet_window:
        season = next_tet_window(spend.paid_on)
        if season is not None:
            windows.append(DateWindow(*season))
    spans_vi = ", ".join(f"{_date_vi(w.from_on)}–{_date_vi(w.to_on)}" for w in windows)
    spans_en = ", ".join(f"{w.from_on.isoformat()} to {w.to_on.isoformat()}" for w in windows)
    if policy.tet_window:
        spans_vi = f"mùa quà Tết (15/12 đến Rằm tháng Giêng âm lịch) {spans_vi}".strip()
        spans_en = f"the Tet gift season (15 December to the 15th day of the first lunar month) {spans_en}".strip()
    raise PurposeViolation(
        "windows",
        f"Quỹ này chỉ được chi trong các khoảng thời gian: {spans_vi}; ngày chi {_date_vi(spend.paid_on)} nằm ngoài.",
        f"This fund may only pay in these periods: {spans_en}; {spend.paid_on.isoformat()} is outside them.",
        windows=[{"from": w.from_on.isoformat(), "to": w.to_on.isoformat()} for w in windows],
        paid_on=spend.paid_on.isoformat(),
    )


def _rule_running_cost_cap_pct(policy: FundPolicy, spend: SpendRequest, facts: SpendFacts) -> None:
    pct = policy.running_cost_cap_pct
    if pct is None or spend.kind != "operating":
        return
    spent = facts.running_costs_in_year_vnd
    received = facts.fund_received_in_year_vnd
    # Whole numbers only: (spent + amount) / received <= pct / 100, multiplied out.
    if (spent + spend.amount_vnd) * 100 <= pct * received:
        return
    year = spend.paid_on.year
    cap = pct * received // 100
    left = max(cap - spent, 0)
    raise PurposeViolation(
        "running_cost_cap_pct",
        f"Chi hoạt động của quỹ trong năm {year} không được vượt {pct}% số tiền quỹ nhận được "
        f"({format_vnd(received)}), tức tối đa {format_vnd(cap)}; đã chi {format_vnd(spent)}, "
        f"chỉ còn {format_vnd(left)}, nhưng khoản chi là {format_vnd(spend.amount_vnd)}.",
        f"This fund's running costs in {year} may not exceed {pct}% of what it received "
        f"({format_vnd(received, 'en')}), that is {format_vnd(cap, 'en')}; {format_vnd(spent, 'en')} is spent, "
        f"only {format_vnd(left, 'en')} is left, but the disbursement is {format_vnd(spend.amount_vnd, 'en')}.",
        pct=pct,
        received=received,
        running_costs=spent,
        amount=spend.amount_vnd,
        year=year,
    )


def _rule_endowment_income(spend: SpendRequest, facts: SpendFacts) -> None:
    income = facts.endowment_income_vnd
    spent = facts.endowment_spent_vnd
    # The principal of an endowment is never spent, only what it earns (DESIGN.md "Fund").
    if spent + spend.amount_vnd <= income:
        return
    left = max(income - spent, 0)
    raise PurposeViolation(
        "endowment_income",
        "Quỹ này là quỹ gốc: vốn gốc không được chi, chỉ được chi từ thu nhập của quỹ. "
        f"Thu nhập đến nay {format_vnd(income)}, đã chi {format_vnd(spent)}, chỉ còn {format_vnd(left)}, "
        f"nhưng khoản chi là {format_vnd(spend.amount_vnd)}.",
        "This fund is an endowment: its principal is never spent, only its income. "
        f"Income to date is {format_vnd(income, 'en')}, {format_vnd(spent, 'en')} is spent, only {format_vnd(left, 'en')} "
        f"is left, but the disbursement is {format_vnd(spend.amount_vnd, 'en')}.",
        income=income,
        spent=spent,
        amount=spend.amount_vnd,
    )


# --- Policy changes -----------------------------------------------------------------------------

#: Restrictions whose loosening needs the donor's written consent (DESIGN.md "Controls").
CONSENT_RESTRICTIONS: Final = frozenset({"restricted", "endowment"})


@dataclass(frozen=True)
class Consent:
    """The donor's written agreement to loosen a restricted fund or an endowment (number and date)."""

    document: str
    on: date

    def as_json(self) -> dict[str, str]:
        return {"document": self.document, "date": self.on.isoformat()}


#: A window longer than this many years is compared as "no limit" (it is one in practice).
_WINDOW_YEARS_COMPARED: Final = 200


def _names_loosen(old: tuple[str, ...] | None, new: tuple[str, ...] | None) -> bool:
    if old is None:
        return False
    return new is None or not set(new) <= set(old)


def _cap_loosens(old: int | None, new: int | None) -> bool:
    if old is None:
        return False
    return new is None or new > old


def _days_loosen(old: FundPolicy, new: FundPolicy) -> bool:
    """Whether ``new`` lets the fund pay on some day that ``old`` did not."""
    if not old.limits_dates:
        return False
    if not new.limits_dates or (new.tet_window and not old.tet_window):
        return True
    for window in new.windows or ():
        if window.to_on.year - window.from_on.year > _WINDOW_YEARS_COMPARED:
            return True
        if not _covered(old, window):
            return True
    return False


def _covered(old: FundPolicy, window: DateWindow) -> bool:
    """Whether every day of ``window`` is a day ``old`` allows, walking the old spans in order."""
    spans = [(w.from_on, w.to_on) for w in old.windows or ()]
    if old.tet_window:
        for year in range(window.from_on.year, window.to_on.year + 2):
            season = tet_window_around(date(year, 1, 1)) if 1 <= year <= 9999 else None
            if season is not None:
                spans.append(season)
    day = window.from_on
    for first, last in sorted(spans):
        if first <= day <= last:
            if last >= window.to_on:
                return True
            day = date.fromordinal(last.toordinal() + 1)
    return False


def loosened_keys(restriction: str, old: FundPolicy, new: FundPolicy) -> tuple[str, ...]:
    """The policy keys on which ``new`` allows something ``old`` did not, in ``POLICY_KEYS`` order.

    New kinds or categories, higher caps, a higher threshold, a wider running-cost share, more
    paying days, or transfers out: each lets money go where the donor's terms did not. A
    change that loosens nothing only tightens, and may take effect at once.
    """
    loose: list[str] = []
    if _names_loosen(old.allowed_kinds, new.allowed_kinds):
        loose.append("allowed_kinds")
    if _names_loosen(old.beneficiary_categories, new.beneficiary_categories):
        loose.append("beneficiary_categories")
    if _cap_loosens(old.max_per_disbursement_vnd, new.max_per_disbursement_vnd):
        loose.append("max_per_disbursement")
    if _cap_loosens(old.max_per_beneficiary_per_year_vnd, new.max_per_beneficiary_per_year_vnd):
        loose.append("max_per_beneficiary_per_year")
    if _days_loosen(old, new):
        loose.append("windows")
    if _cap_loosens(old.approval_threshold_vnd, new.approval_threshold_vnd):
        loose.append("approval_threshold")
    if _cap_loosens(old.running_cost_cap_pct, new.running_cost_cap_pct):
        loose.append("running_cost_cap_pct")
    if transfers_out_allowed(restriction, new) and not transfers_out_allowed(restriction, old):
        loose.append("transfers_out_allowed")
    return tuple(loose)
