"""Reasons written down for acts that change what the books say: reversals, rejections, reopenings."""

from __future__ import annotations

from ledger.domain.errors import ValidationFailed

#: A reason is a sentence or two on a voucher or in the audit log.
REASON_MAX_CHARS = 500


def reason_given(reason: str, *, act_vi: str, act_en: str, required: bool = True) -> str:
    """The reason, trimmed; refused when required and empty, or longer than ``REASON_MAX_CHARS``."""
    reason = reason.strip()
    if (required and not reason) or len(reason) > REASON_MAX_CHARS:
        raise ValidationFailed(
            f"Cần ghi lý do {act_vi} (tối đa {REASON_MAX_CHARS} ký tự).",
            f"A {act_en} needs a reason (at most {REASON_MAX_CHARS} characters).",
            errors={"reason": [f"{'required, ' if required else ''}at most {REASON_MAX_CHARS} characters"]},
        )
    return reason
