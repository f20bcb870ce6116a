"""Report periods: month, quarter, year, or any range; and the Nghị định 09/2019
rule that counts a month from the 15th of the month before to the 14th."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str  # "month" | "quarter" | "year" | "range"
    year: int | None = None
    number: int | None = None  # month 1-12 or quarter 1-4

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"the period ends ({self.end}) before it starts ({self.start})")

    def label(self) -> str:
        """How an office names it: "10/2022", "Quý III/2022", "2022", or the two dates."""
        if self.kind == "month":
            return f"{self.number:02d}/{self.year}"
        if self.kind == "quarter":
            return f"{_ROMAN[self.number]}/{self.year}"
        if self.kind == "year":
            return str(self.year)
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _cut_start(year: int, month: int, cutoff: int) -> date:
    """The cutoff day of the month before (year, month): where a cut-off period starts."""
    y, m = _month_before(year, month)
    return date(y, m, min(cutoff, calendar.monthrange(y, m)[1]))


def _cut_end(year: int, month: int, cutoff: int) -> date:
    return _cut_start(*_next_month(year, month), cutoff) - timedelta(days=1)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_period(year: int, month: int, cutoff: int | None = None) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(f"no month {month}")
    if cutoff:
        return Period(_cut_start(year, month, cutoff), _cut_end(year, month, cutoff), "month", year, month)
    return Period(date(year, month, 1), _last_day(year, month), "month", year, month)


def quarter_period(year: int, quarter: int, cutoff: int | None = None) -> Period:
    if not 1 <= quarter <= 4:
        raise PeriodError(f"no quarter {quarter}")
    first, last = 3 * quarter - 2, 3 * quarter
    if cutoff:
        return Period(_cut_start(year, first, cutoff), _cut_end(year, last, cutoff), "quarter", year, quarter)
    return Period(date(year, first, 1), _last_day(year, last), "quarter", year, quarter)


def year_period(year: int, cutoff: int | None = None) -> Period:
    if cutoff:
        return Period(_cut_start(year, 1, cutoff), _cut_end(year, 12, cutoff), "year", year)
    return Period(date(year, 1, 1), date(year, 12, 31), "year", year)


def range_period(start: date, end: date) -> Period:
    return Period(start, end, "range")


def parse_month(text: str, today: date, cutoff: int | None = None) -> Period:
    """`YYYY-MM`, `MM/YYYY`, `this` or `last` (relative to today)."""
    value = text.strip().lower()
    if value in ("this", "last", "nay", "truoc"):
        year, month = today.year, today.month
        if cutoff and today.day >= cutoff:
            # under the cut-off rule, from the 15th on we are in next month's period
            year, month = _next_month(year, month)
        if value in ("last", "truoc"):
            year, month = _month_before(year, month)
        return month_period(year, month, cutoff)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value) or None
    if match:
        return month_period(int(match[1]), int(match[2]), cutoff)
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{4})", value)
    if match:
        return month_period(int(match[2]), int(match[1]), cutoff)
    raise PeriodError(f"'{text}' is not a month (YYYY-MM, this or last)")


def parse_quarter(text: str, cutoff: int | None = None) -> Period:
    """`YYYY-Qn` (also `Qn/YYYY`)."""
    value = text.strip().upper()
    match = re.fullmatch(r"(\d{4})-?Q([1-4])", value)
    if match:
        return quarter_period(int(match[1]), int(match[2]), cutoff)
    match = re.fullmatch(r"Q([1-4])[/-](\d{4})", value)
    if match:
        return quarter_period(int(match[2]), int(match[1]), cutoff)
    raise PeriodError(f"'{text}' is not a quarter (YYYY-Qn)")


def one_year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def previous_year(period: Period) -> Period:
    """The same period one year earlier (for the year-on-year change)."""
    if period.kind == "month":
        return month_period(period.year - 1, period.number, _cutoff_of(period))
    if period.kind == "quarter":
        return quarter_period(period.year - 1, period.number, _cutoff_of(period))
    if period.kind == "year":
        return year_period(period.year - 1, _cutoff_of(period))
    return Period(one_year_earlier(period.start), one_year_earlier(period.end), "range")


def _cutoff_of(period: Period) -> int | None:
    """The cut-off day a month/quarter/year period was built with (None: calendar)."""
    return None if period.start.day == 1 else period.start.day


def trend_months(period: Period, count: int = 12) -> list[Period]:
    """The `count` months ending with the one `period` ends in, oldest first."""
    cutoff = _cutoff_of(period) if period.kind in ("month", "quarter", "year") else None
    year, month = period.year or period.end.year, period.end.month
    if period.kind == "month":
        month = period.number
    elif period.kind == "quarter":
        month = 3 * period.number
    elif period.kind == "year":
        month = 12
    months = []
    for _ in range(count):
        months.append(month_period(year, month, cutoff))
        year, month = _month_before(year, month)
    return months[::-1]
