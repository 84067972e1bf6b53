"""Amounts of VND in words, as a voucher writes them: Vietnamese for the law, English for donors abroad.

The Law on Accounting 2015 (art. 16) asks cash vouchers for the total in figures *and in
words*. The Vietnamese reading here is the accountants' one, which differs from everyday speech
and from num2words in a few places; ``DESIGN.md`` ("Amounts in words") is the specification:

* Digits are read in groups of three from the left. The leading group is read as it is
  ("một", "mười lăm", "một trăm linh năm"); every later group is read with its hundreds, so a
  zero hundreds digit there is "không trăm" (2.021 → "hai nghìn không trăm hai mươi mốt").
* A group that is all zeros after the leading one is skipped entirely, scale word included:
  1.000.005 → "một triệu không trăm linh năm", never "một triệu không nghìn …". This is the
  common convention on vouchers and what accounting software prints.
* Above 10^9 the reading is recursive: the number of tỷ is read like any number up to a
  million and followed by "tỷ", so 10^12 is "một nghìn tỷ", 10^15 "một triệu tỷ" and
  1.005.000.000.000 "một nghìn không trăm linh năm tỷ".
* A zero tens digit after a hundreds digit is "linh" (105 → "một trăm linh năm"); we write
  "linh", not the southern "lẻ", throughout.
* "mười" for 10–19, "mươi" from 20; after "mươi" a 1 is "mốt" and a 4 is "tư"; after "mười" or
  "mươi" a 5 is "lăm". Elsewhere the digits keep their names (11 "mười một", 14 "mười bốn",
  101 "một trăm linh một", 104 "một trăm linh bốn", 105 "một trăm linh năm").
* The sentence starts with a capital and ends with "đồng", followed by "chẵn" ("even") when
  the amount is a whole number of thousands and the caller keeps that custom (``chan=True``).
"""

from __future__ import annotations

from ledger.domain.errors import ValidationFailed
from ledger.domain.money import AMOUNT_VND_MAX

_DIGITS_VI = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
#: Scale words of the groups below one tỷ, indexed by the group's place from the right.
_SCALES_VI = ("", "nghìn", "triệu")
_TY = 10**9

_ONES_EN = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS_EN = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES_EN = ("", "thousand", "million", "billion", "trillion", "quadrillion")


def _check_amount(amount_vnd: object) -> int:
    """Return ``amount_vnd`` when it is an amount a voucher can carry, else refuse it."""
    # bool is an int subclass in Python, but True is never an amount of money.
    if type(amount_vnd) is not int:
        raise ValidationFailed(
            f"Số tiền phải là một số nguyên đồng, không phải {type(amount_vnd).__name__}.",
            f"The amount must be a whole number of đồng, not {type(amount_vnd).__name__}.",
        )
    if amount_vnd <= 0:
        raise ValidationFailed(
            f"Số tiền phải lớn hơn 0 đồng mới đọc thành chữ được (nhận {amount_vnd}).",
            f"The amount must be more than 0 đồng to be written in words (got {amount_vnd}).",
        )
    if amount_vnd > AMOUNT_VND_MAX:
        raise ValidationFailed(
            f"Số tiền vượt quá giới hạn 10^15 đồng (nhận {amount_vnd}).",
            f"The amount is above the limit of 10^15 đồng (got {amount_vnd}).",
        )
    return amount_vnd


def _tens_and_units_vi(tens: int, units: int) -> list[str]:
    """Words for the last two digits of a group whose tens digit is not zero."""
    if tens == 1:
        words = ["mười"]
        if units == 5:
            words.append("lăm")
        elif units:
            words.append(_DIGITS_VI[units])
        return words
    words = [_DIGITS_VI[tens], "mươi"]
    if units == 1:
        words.append("mốt")
    elif units == 4:
        words.append("tư")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS_VI[units])
    return words


def _group_vi(group: int, *, leading: bool) -> list[str]:
    """Words for one group of three digits (1–999), read in full unless it leads the number."""
    hundreds, rest = divmod(group, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or not leading:
        words += [_DIGITS_VI[hundreds], "trăm"]
        if tens == 0:
            if units:
                words += ["linh", _DIGITS_VI[units]]
            return words
    elif tens == 0:
        return [_DIGITS_VI[units]]
    return words + _tens_and_units_vi(tens, units)


def _below_ty_vi(number: int, *, leading: bool) -> list[str]:
    """Words for 0 ≤ ``number`` < 10^9 in groups with nghìn and triệu; zero groups are skipped."""
    groups = [(number // 10**6) % 1000, (number // 1000) % 1000, number % 1000]
    words: list[str] = []
    for place, group in zip((2, 1, 0), groups, strict=True):
        if group == 0:
            continue
        words += _group_vi(group, leading=leading and not words)
        if _SCALES_VI[place]:
            words.append(_SCALES_VI[place])
    return words


def _number_vi(number: int) -> list[str]:
    """Words for 1 ≤ ``number`` ≤ 10^15; the number of tỷ is itself read like a number."""
    ty, rest = divmod(number, _TY)
    if not ty:
        return _below_ty_vi(rest, leading=True)
    return [*_below_ty_vi(ty, leading=True), "tỷ", *_below_ty_vi(rest, leading=False)]


def amount_in_words_vi(amount_vnd: int, *, chan: bool = True) -> str:
    """The Vietnamese reading of ``amount_vnd`` for a voucher, e.g. ``"Hai nghìn không trăm hai mươi mốt đồng"``.

    With ``chan`` (the default) an amount that is a whole number of thousands ends in
    ``"đồng chẵn"``. Refuses 0, negatives, non-integers (``bool`` included) and more than 10^15
    with :class:`ValidationFailed`.
    """
    number = _check_amount(amount_vnd)
    sentence = " ".join([*_number_vi(number), "đồng"])
    if chan and number % 1000 == 0:
        sentence += " chẵn"
    return sentence[0].upper() + sentence[1:]


def _below_thousand_en(number: int) -> list[str]:
    """English words for 1 ≤ ``number`` ≤ 999, hyphenating twenty-one to ninety-nine."""
    hundreds, rest = divmod(number, 100)
    words = [_ONES_EN[hundreds], "hundred"] if hundreds else []
    if rest >= 20:
        tens, units = divmod(rest, 10)
        words.append(_TENS_EN[tens] + (f"-{_ONES_EN[units]}" if units else ""))
    elif rest:
        words.append(_ONES_EN[rest])
    return words


def amount_in_words_en(amount_vnd: int) -> str:
    """The English reading of ``amount_vnd``, e.g. ``"One million two hundred thousand dong"``.

    Short scale (billion = 10^9); the same refusals as :func:`amount_in_words_vi`.
    """
    number = _check_amount(amount_vnd)
    words: list[str] = []
    place = 0
    while number:
        number, group = divmod(number, 1000)
        if group:
            scale = [_SCALES_EN[place]] if place else []
            words = [*_below_thousand_en(group), *scale, *words]
        place += 1
    sentence = " ".join([*words, "dong"])
    return sentence[0].upper() + sentence[1:]
