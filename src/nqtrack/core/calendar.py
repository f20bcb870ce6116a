"""The office calendar: working days, and periods counted as the Civil Code counts them.

A `WorkCalendar` is built from plain sets of days that someone else looked up (the
public holidays and the Government's swapped days come from `nqtrack.holidays_vn`;
the office adds its own days off and make-up working days). It does no I/O and knows
no holiday by itself: a day it was not told about is a working day from Monday to
Friday and a day off on Saturday and Sunday.

Periods (Bộ luật Dân sự 2015, Điều 147–148): a period counted in days, weeks, months
or years starts on the day after the event (Điều 147.2–3); it ends with the last day
of the period, the same day number in the last month for months (or that month's
last day when the number does not exist), and when that last day is a weekend or a
holiday it ends with the next working day (Điều 148.5). A period of N working days
ends on the N-th working day after the event.
"""

from __future__ import annotations

import calendar as _gregorian
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal, get_args

__all__ = [
    "PERIOD_UNITS",
    "PeriodUnit",
    "WorkCalendar",
    "add_months",
]

PeriodUnit = Literal["days", "working_days", "months"]
PERIOD_UNITS: tuple[str, ...] = get_args(PeriodUnit)

_ONE_DAY = timedelta(days=1)
_FRIDAY = 4  # date.weekday(): Monday 0 … Friday 4, Saturday 5, Sunday 6


def _is_weekday(day: date) -> bool:
    return day.weekday() <= _FRIDAY


def _weekdays_up_to(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) up to `day` included."""
    ordinal = day.toordinal()
    return 5 * (ordinal // 7) + min(ordinal % 7, 5)


def add_months(day: date, months: int) -> date:
    """The same day number `months` later (or earlier), or that month's last day if it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _gregorian.monthrange(year, month)[1]))


@dataclass(frozen=True, init=False)
class WorkCalendar:
    """Which days an office works.

    The order of precedence, from the most particular: the office's own days off, the
    office's own make-up working days, the public holidays (with the compensatory and
    swapped days off), the Government's make-up working days, then Saturday and Sunday
    off. `years` says which years' public holidays were given (empty: not said), so a
    caller can tell a year it knows from one it was never told about.
    """

    public_holidays: frozenset[date]
    make_up_working_days: frozenset[date]
    office_days_off: frozenset[date]
    office_working_days: frozenset[date]
    years: frozenset[int]
    # Days whose status differs from the plain Monday-to-Friday week, sorted, with the
    # running sum of their effect (+1 a weekend worked, -1 a weekday off): counting the
    # working days between two dates is then a subtraction and two binary searches.
    _exception_days: tuple[date, ...] = field(repr=False, compare=False)
    _exception_sums: tuple[int, ...] = field(repr=False, compare=False)

    def __init__(
        self,
        public_holidays: Iterable[date] = (),
        office_days_off: Iterable[date] = (),
        office_working_days: Iterable[date] = (),
        *,
        make_up_working_days: Iterable[date] = (),
        years: Iterable[int] = (),
    ) -> None:
        values = {
            "public_holidays": frozenset(public_holidays),
            "make_up_working_days": frozenset(make_up_working_days),
            "office_days_off": frozenset(office_days_off),
            "office_working_days": frozenset(office_working_days),
            "years": frozenset(years),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
        both = self.office_days_off & self.office_working_days
        if both:
            shown = ", ".join(f"{d:%d/%m/%Y}" for d in sorted(both))
            raise ValueError(f"a day cannot be both an office day off and an office working day: {shown}")
        days: list[date] = []
        sums: list[int] = []
        running = 0
        listed = self.public_holidays | self.make_up_working_days | self.office_days_off | self.office_working_days
        for day in sorted(listed):
            working = self.is_working_day(day)
            if working != _is_weekday(day):
                running += 1 if working else -1
                days.append(day)
                sums.append(running)
        object.__setattr__(self, "_exception_days", tuple(days))
        object.__setattr__(self, "_exception_sums", tuple(sums))

    def is_working_day(self, day: date) -> bool:
        if day in self.office_days_off:
            return False
        if day in self.office_working_days:
            return True
        if day in self.public_holidays:
            return False
        if day in self.make_up_working_days:
            return True
        return _is_weekday(day)

    def covers(self, day: date) -> bool:
        """Whether the public holidays of `day`'s year were given to this calendar."""
        return day.year in self.years

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def working_day_on_or_after(self, day: date) -> date:
        """`day` itself when it is a working day, else the next one (Điều 148.5)."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (before it when `count` is negative).

        `day` itself is never counted, whether or not it is a working day; 0 gives `day`.
        """
        step = _ONE_DAY if count >= 0 else -_ONE_DAY
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days come after `start` and up to `end` included (0 if `end` ≤ `start`).

        With `start` a deadline and `end` the as-of day, this is the days overdue counted
        in working days.
        """
        if end <= start:
            return 0
        weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
        return weekdays + self._exceptions_up_to(end) - self._exceptions_up_to(start)

    def _exceptions_up_to(self, day: date) -> int:
        index = bisect_right(self._exception_days, day)
        return self._exception_sums[index - 1] if index else 0

    def period_end(self, event_day: date, count: int, unit: PeriodUnit) -> date:
        """The last day of a period of `count` days, working days or months after `event_day`.

        Counted as Điều 147–148 count it: from the day after the event; a period in days
        or months whose last day is not a working day ends on the next working day.
        """
        if count < 1:
            raise ValueError(f"a period must be at least 1 {unit.replace('_', ' ')} long, not {count}")
        if unit == "working_days":
            return self.add_working_days(event_day, count)
        if unit == "days":
            return self.working_day_on_or_after(event_day + timedelta(days=count))
        if unit == "months":
            return self.working_day_on_or_after(add_months(event_day, count))
        raise ValueError(f"unknown period unit {unit!r}; expected one of {', '.join(PERIOD_UNITS)}")
