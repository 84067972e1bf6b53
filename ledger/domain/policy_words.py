"""A fund's spending policy in plain sentences, for the pages a treasurer and a chair read."""

from __future__ import annotations

from datetime import date

from ledger.domain.money import format_vnd
from ledger.domain.policy import (
    CATEGORY_LABELS_EN,
    CATEGORY_LABELS_VI,
    KIND_LABELS_EN,
    KIND_LABELS_VI,
    RESTRICTION_LABELS_EN,
    RESTRICTION_LABELS_VI,
    FundPolicy,
    transfers_out_allowed,
)


def _date(day: date, lang: str) -> str:
    """``15/12/2026`` in Vietnamese, ``15 Dec 2026`` in English (as ``ledger/formatting.py`` writes them)."""
    return day.strftime("%d %b %Y") if lang == "en" else f"{day.day:02d}/{day.month:02d}/{day.year}"


def policy_sentences(restriction: str, policy: FundPolicy, lang: str = "vi") -> list[str]:
    """One sentence per rule the fund has, in the order the rules are checked; ``en`` or Vietnamese."""
    en = lang == "en"
    out: list[str] = [
        f"Kind of fund: {RESTRICTION_LABELS_EN[restriction]}."
        if en
        else f"Loại quỹ: {RESTRICTION_LABELS_VI[restriction]}."
    ]
    if policy.allowed_kinds is not None:
        labels = KIND_LABELS_EN if en else KIND_LABELS_VI
        names = ", ".join(labels[k] for k in policy.allowed_kinds)
        out.append(f"Pays only: {names}." if en else f"Chỉ chi cho: {names}.")
    if policy.beneficiary_categories is not None:
        labels = CATEGORY_LABELS_EN if en else CATEGORY_LABELS_VI
        names = ", ".join(labels[c] for c in policy.beneficiary_categories)
        out.append(f"Beneficiaries: {names}." if en else f"Người thụ hưởng thuộc diện: {names}.")
    if policy.max_per_disbursement_vnd is not None:
        cap = format_vnd(policy.max_per_disbursement_vnd, lang)
        out.append(f"At most {cap} per disbursement." if en else f"Tối đa {cap} mỗi lần chi.")
    if policy.max_per_beneficiary_per_year_vnd is not None:
        cap = format_vnd(policy.max_per_beneficiary_per_year_vnd, lang)
        out.append(f"At most {cap} per beneficiary per year." if en else f"Mỗi người thụ hưởng tối đa {cap} một năm.")
    if policy.windows is not None:
        spans = "; ".join(f"{_date(w.from_on, lang)} – {_date(w.to_on, lang)}" for w in policy.windows)
        out.append(f"Pays only from {spans}." if en else f"Chỉ chi trong thời gian: {spans}.")
    if policy.approval_threshold_vnd is not None:
        cap = format_vnd(policy.approval_threshold_vnd, lang)
        out.append(
            f"Above {cap} a disbursement waits for the chair's approval."
            if en
            else f"Khoản chi trên {cap} phải chờ chủ tịch hội duyệt."
        )
    if policy.running_cost_cap_pct is not None:
        pct = policy.running_cost_cap_pct
        out.append(
            f"Running costs at most {pct}% of what the fund received in the year."
            if en
            else f"Chi hoạt động tối đa {pct}% số tiền quỹ nhận trong năm."
        )
    if restriction == "endowment":
        out.append(
            "Spends only the income it earned, never its principal."
            if en
            else "Chỉ chi từ thu nhập của quỹ, không chi vào vốn gốc."
        )
    if not transfers_out_allowed(restriction, policy):
        out.append("Its money may not be moved to another fund." if en else "Không được chuyển tiền sang quỹ khác.")
    return out
