"""Amounts (``ledger.domain.money``), dates and instants as people read them, in Vietnamese or English: formatting happens only at the edge.

Babel does the locale work for dates (month names); amounts are grouped by the domain's
one formatter, re-exported here for the edge. The language is ``"en"`` for
English and Vietnamese for anything else, the same convention as ``LedgerError.detail``, so a
missing or unexpected language falls back to the one the law asks vouchers to be written in.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date

from ledger.domain.money import VND_SIGN, format_number, format_vnd

#: Accounting dates and printed times are in Vietnam's time zone (STYLE.md, "Time").
VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Parsed once: Locale.parse on every call would cost more than the formatting itself, and
# receipts are rendered by the thousand.
_LOCALE_VI = Locale.parse("vi_VN")
_LOCALE_EN = Locale.parse("en")

_DATE_PATTERN_VI = "dd/MM/yyyy"
_DATE_PATTERN_EN = "d MMM yyyy"

__all__ = ["VIETNAM_TZ", "VND_SIGN", "format_date", "format_datetime", "format_number", "format_vnd", "to_vietnam_time"]


def _is_en(lang: str) -> bool:
    return lang == "en"


def format_date(d: date, lang: str = "vi") -> str:
    """An accounting date: ``"23/11/2026"`` in Vietnamese, ``"23 Nov 2026"`` in English."""
    if _is_en(lang):
        return babel_format_date(d, _DATE_PATTERN_EN, locale=_LOCALE_EN)
    return babel_format_date(d, _DATE_PATTERN_VI, locale=_LOCALE_VI)


def to_vietnam_time(dt: datetime) -> datetime:
    """The instant ``dt`` on a clock in Vietnam; refuses naive datetimes, which name no instant."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"An aware datetime is needed to name an instant, got naive {dt!r}.")
    return dt.astimezone(VIETNAM_TZ)


def format_datetime(dt: datetime, lang: str = "vi") -> str:
    """An instant in Vietnam time: ``"23/11/2026 14:05"`` in Vietnamese, ``"23 Nov 2026 14:05"`` in English."""
    local = to_vietnam_time(dt)
    return f"{format_date(local.date(), lang)} {local:%H:%M}"
