"""Report periods: a month, a quarter, a year, or any range of days; and the Nghị định
09/2019/NĐ-CP rule that counts a month from the cut-off day (the 15th) of the month
before to the day before the cut-off (docs/design.md, "Periods").

`Period` is a sum of four kinds. Each knows its first and last day, its label as an office
writes it, the same period one year earlier and the cut-off day it was built with.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from nqtrack.core.text import fold

MIN_YEAR = 1900
MAX_YEAR = 2199


class PeriodError(ValueError):
    pass


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"{year} is not a year from {MIN_YEAR} to {MAX_YEAR}")
    return year


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _cut_start(year: int, month: int, cutoff: int) -> date:
    """The cutoff day of the month before (year, month): where a cut-off period starts."""
    y, m = _month_before(year, month)
    return date(y, m, min(cutoff, calendar.monthrange(y, m)[1]))


def _cut_end(year: int, month: int, cutoff: int) -> date:
    return _cut_start(*_next_month(year, month), cutoff) - timedelta(days=1)


def _span(year: int, first_month: int, last_month: int, cutoff: int | None) -> tuple[date, date]:
    """First and last day of the months first..last of `year`, calendar or cut-off."""
    if cutoff:
        return _cut_start(year, first_month, cutoff), _cut_end(year, last_month, cutoff)
    return date(year, first_month, 1), _last_day(year, last_month)


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Month:
    year: int
    number: int  # 1-12
    cutoff: int | None = None
    kind: ClassVar[str] = "month"

    def __post_init__(self) -> None:
        _check_year(self.year)
        if not 1 <= self.number <= 12:
            raise PeriodError(f"no month {self.number}")

    @property
    def start(self) -> date:
        return _span(self.year, self.number, self.number, self.cutoff)[0]

    @property
    def end(self) -> date:
        return _span(self.year, self.number, self.number, self.cutoff)[1]

    def label(self) -> str:
        return f"{self.number:02d}/{self.year}"

    def year_before(self) -> Month:
        return Month(self.year - 1, self.number, self.cutoff)

    @property
    def last_month(self) -> tuple[int, int]:
        return self.year, self.number


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1-4
    cutoff: int | None = None
    kind: ClassVar[str] = "quarter"

    def __post_init__(self) -> None:
        _check_year(self.year)
        if not 1 <= self.number <= 4:
            raise PeriodError(f"no quarter {self.number}")

    @property
    def start(self) -> date:
        return _span(self.year, 3 * self.number - 2, 3 * self.number, self.cutoff)[0]

    @property
    def end(self) -> date:
        return _span(self.year, 3 * self.number - 2, 3 * self.number, self.cutoff)[1]

    def label(self) -> str:
        return f"{_ROMAN[self.number]}/{self.year}"

    def year_before(self) -> Quarter:
        return Quarter(self.year - 1, self.number, self.cutoff)

    @property
    def last_month(self) -> tuple[int, int]:
        return self.year, 3 * self.number


@dataclass(frozen=True)
class Year:
    year: int
    cutoff: int | None = None
    kind: ClassVar[str] = "year"

    def __post_init__(self) -> None:
        _check_year(self.year)

    @property
    def start(self) -> date:
        return _span(self.year, 1, 12, self.cutoff)[0]

    @property
    def end(self) -> date:
        return _span(self.year, 1, 12, self.cutoff)[1]

    def label(self) -> str:
        return str(self.year)

    def year_before(self) -> Year:
        return Year(self.year - 1, self.cutoff)

    @property
    def last_month(self) -> tuple[int, int]:
        return self.year, 12


@dataclass(frozen=True)
class Range:
    start: date
    end: date
    kind: ClassVar[str] = "range"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def cutoff(self) -> None:
        return None

    def label(self) -> str:
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"

    def year_before(self) -> Range:
        return Range(one_year_earlier(self.start), one_year_earlier(self.end))

    @property
    def last_month(self) -> tuple[int, int]:
        return self.end.year, self.end.month


Period = Month | Quarter | Year | Range


def month_period(year: int, month: int, cutoff: int | None = None) -> Month:
    return Month(year, month, cutoff or None)


def quarter_period(year: int, quarter: int, cutoff: int | None = None) -> Quarter:
    return Quarter(year, quarter, cutoff or None)


def year_period(year: int, cutoff: int | None = None) -> Year:
    return Year(year, cutoff or None)


def range_period(start: date, end: date) -> Range:
    return Range(start, end)


def parse_month(text: str, today: date, cutoff: int | None = None) -> Month:
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
    match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", value)
    if match:
        return month_period(int(match[1]), int(match[2]), cutoff)
    match = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{4})", value)
    if match:
        return month_period(int(match[2]), int(match[1]), cutoff)
    raise PeriodError(f"'{text}' is not a month (YYYY-MM, this or last)")


_QUARTER_NUMBER = {"1": 1, "2": 2, "3": 3, "4": 4, "I": 1, "II": 2, "III": 3, "IV": 4}


def parse_quarter(text: str, cutoff: int | None = None) -> Quarter:
    """`YYYY-Qn`, `Qn/YYYY`, and as offices write it: `III/2023`, `Quý III/2023`, `Quý 3 năm 2023`."""
    value = fold(text).upper()
    match = re.fullmatch(r"([0-9]{4})\s*-?\s*Q\s*([1-4])", value)
    if match:
        return quarter_period(int(match[1]), int(match[2]), cutoff)
    match = re.fullmatch(r"(?:QUY|Q)?\s*(IV|I{1,3}|[1-4])\s*(?:[/-]|\s+NAM\s+|\s+)\s*([0-9]{4})", value)
    if match:
        return quarter_period(int(match[2]), _QUARTER_NUMBER[match[1]], cutoff)
    raise PeriodError(f"'{text}' is not a quarter (YYYY-Qn)")


def parse_year(text: str, cutoff: int | None = None) -> Year:
    value = text.strip()
    if not re.fullmatch(r"[0-9]{1,4}", value):
        raise PeriodError(f"'{text}' is not a year")
    return year_period(int(value), cutoff)


def one_year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def previous_year(period: Period) -> Period:
    """The same period one year earlier (for the year-on-year change)."""
    return period.year_before()


def trend_months(period: Period, count: int = 12) -> list[Month]:
    """The `count` months ending with the one `period` ends in, oldest first."""
    year, month = period.last_month
    months = []
    for _ in range(count):
        months.append(month_period(year, month, period.cutoff))
        year, month = _month_before(year, month)
    return months[::-1]
