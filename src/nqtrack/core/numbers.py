"""Rates as a person reads them: per cents cut (never rounded up) to N decimals.

A rate is a fraction (223/387, kept unrounded in JSON); a report prints it as a per
cent cut to the chosen number of decimals, so that it never overstates progress:
16,051/16,274 = 98.6297…% prints 98.62 with two decimals and 98.6 with one.

Binary floats mislead a naive cut: 57/100 is stored as 0.56999999999999995…, and
int(0.57 * 100 * 10) / 10 gives 56.9. The cut is therefore done in exact rational
arithmetic on the float's shortest decimal form (repr), which is what the float was
meant to be: a quotient p/q of report counts is either a boundary itself (0.57, whose
shortest form is "0.57") or at least 1/(q·10^(decimals+2)) away from every boundary,
far more than a float's error (2^-52 at most for a rate below 2). So the cut is
exact whenever q × 10^(decimals+2) < 10^15: any denominator below 10^9 with 2
decimals, below 10^7 with 6. A `Fraction` is cut exactly whatever its size.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction

MAX_DECIMALS = 6
NO_VALUE = "—"

# Decimal mark and thousands separator: Vietnamese writes 1.234,5; English 1,234.5.
_SEPARATORS = {"vi": (",", "."), "en": (".", ",")}


def _exact(value: float | int | Fraction) -> Fraction:
    # imported here: fractions imports decimal (~5 ms), which only the formats people read
    # need, never a report's JSON nor the morning view (issue 20)
    from fractions import Fraction

    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return Fraction(repr(float(value)))


def _check_decimals(decimals: int) -> None:
    if not 0 <= decimals <= MAX_DECIMALS:
        raise ValueError(f"decimals must be from 0 to {MAX_DECIMALS}, not {decimals}")


def cut(value: float | int | Fraction, decimals: int = 1) -> str:
    """`value` cut toward zero to `decimals` decimals, with '.' for the decimal mark: 98.629 → "98.6"."""
    _check_decimals(decimals)
    units = math.trunc(_exact(value) * 10**decimals)
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), 10**decimals)
    return f"{sign}{whole}.{fraction:0{decimals}d}" if decimals else f"{sign}{whole}"


def cut_percent(rate: float | int | Fraction | None, decimals: int = 1) -> str | None:
    """The fraction `rate` as a per cent cut to `decimals` decimals: 0.57 → "57.0"; None → None.

    Negative rates are cut toward zero, like change_pct: −0.5166 → "-51.6"."""
    if rate is None:
        return None
    return cut(_exact(rate) * 100, decimals)


def localize(number: str, lang: str = "vi") -> str:
    """A number written by `cut` in the language's marks: "1234.5" → "1.234,5" (vi), "1,234.5" (en)."""
    decimal_mark, group_mark = _SEPARATORS.get(lang, _SEPARATORS["en"])
    sign = "-" if number.startswith("-") else ""
    whole, _, fraction = number.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, group = whole[:-3], whole[-3:]
        groups.insert(0, group)
    text = group_mark.join([whole, *groups])
    return sign + text + (decimal_mark + fraction if fraction else "")


def format_percent(rate: float | int | Fraction | None, decimals: int = 1, lang: str = "vi") -> str:
    """A rate for people: "98,62 %" in Vietnamese, "98.62 %" in English, "—" when undefined."""
    text = cut_percent(rate, decimals)
    if text is None:
        return NO_VALUE
    return localize(text, lang) + " %"
