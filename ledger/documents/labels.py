"""Vietnamese and English names of the codes documents print: payment methods, kinds, beneficiary categories."""

from __future__ import annotations

import re

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
    "difficult_circumstances": ("Hoàn cảnh khó khăn", "Difficult circumstances"),
    "school": ("Nhà trường", "School"),
    "teacher": ("Giáo viên", "Teacher"),
    "family": ("Gia đình", "Family"),
}

#: (Vietnamese, English) for the beneficiary kinds of API.md.
BENEFICIARY_KIND_LABELS: dict[str, tuple[str, str]] = {
    "student": ("Học sinh, sinh viên", "Student"),
    "teacher": ("Giáo viên", "Teacher"),
    "school": ("Nhà trường", "School"),
    "family": ("Gia đình", "Family"),
}


#: What a machine code looks like (``poor_household``): never printed for a reader.
_CODE = re.compile(r"[a-z0-9_]+")


def label(labels: dict[str, tuple[str, str]], code: str) -> tuple[str, str]:
    """The (Vietnamese, English) name of ``code``; an unknown value is printed as it was given,
    unless it is a machine code, which is not printed at all (``("", "")``).

    Associations may add their own kinds and categories, and the services may pass a label
    instead of a code, so an unknown label is shown rather than refused; but a reader of a
    voucher is never shown ``school`` where "Nhà trường" belongs.
    """
    known = labels.get(code)
    if known is not None:
        return known
    return ("", "") if _CODE.fullmatch(code) else (code, "")
