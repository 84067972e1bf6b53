"""Vietnamese and English names of the codes documents print: payment methods, kinds, beneficiary categories."""

from __future__ import annotations

#: (Vietnamese, English) for ``cash|bank|in_kind`` (API.md ``method`` and ``paid_from``).
PAYMENT_METHOD_LABELS: dict[str, tuple[str, str]] = {
    "cash": ("Tiền mặt", "Cash"),
    "bank": ("Chuyển khoản ngân hàng", "Bank transfer"),
    "in_kind": ("Hiện vật", "In kind"),
}

#: (Vietnamese, English) for the disbursement kinds of API.md.
DISBURSEMENT_KIND_LABELS: dict[str, tuple[str, str]] = {
    "scholarship": ("Học bổng", "Scholarship"),
    "tet_gift": ("Quà Tết", "Tet gift"),
    "bookcase": ("Tủ sách, sách", "Bookcase and books"),
    "award": ("Khen thưởng", "Award"),
    "support": ("Hỗ trợ học sinh khó khăn", "Support for a student in difficulty"),
    "operating": ("Chi hoạt động", "Running costs"),
}

#: (Vietnamese, English) for the beneficiary categories of API.md.
BENEFICIARY_CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "poor_household": ("Hộ nghèo", "Poor household"),
    "near_poor": ("Hộ cận nghèo", "Near-poor household"),
    "orphan": ("Mồ côi", "Orphan"),
    "ethnic_minority": ("Dân tộc thiểu số", "Ethnic minority"),
    "disability": ("Khuyết tật", "Disability"),
    "excellent_achievement": ("Thành tích xuất sắc", "Excellent achievement"),
}


def label(labels: dict[str, tuple[str, str]], code: str) -> tuple[str, str]:
    """The (Vietnamese, English) name of ``code``; an unknown code is printed as it was given.

    Associations may add their own kinds and categories, and the services may pass a label
    instead of a code, so an unknown value is shown rather than refused.
    """
    return labels.get(code, (code, ""))
