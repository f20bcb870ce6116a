"""Periodic deadlines: one task per month, quarter, half-year or year, each with its own deadline.

Directives write them as "Hằng tháng, trước ngày 20", "trước ngày 20 hằng tháng",
"định kỳ hằng quý, trước ngày 15 của tháng cuối quý", "6 tháng, trước 15/6 và 15/12",
"Hằng năm, trước ngày 15/12". A `Recurrence` is the rule; `occurrences` lists the
periods of a series with their deadlines.

Periods are calendar periods: months, quarters (January–March …), halves (January–June,
July–December) and years. An occurrence is identified by its period's first day, so
listing a series again, or over a longer span, gives the same occurrences again.

Rules of reading (where directives leave it open):
- a day without a month ("Hằng quý, trước ngày 15") is that day of the period's last
  month, like `--every quarter --day 15`;
- a day number the month lacks (31 in April, 29/2 in 2025) is the month's last day;
- "tháng đầu quý sau" / "tháng sau" is the first month after the period: a report on a
  period is often due early in the next one.
"""

from __future__ import annotations

import calendar as _gregorian
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

from nqtrack.core.calendar import WorkCalendar
from nqtrack.core.text import fold, lazy_pattern

__all__ = [
    "FREQUENCIES",
    "Frequency",
    "Occurrence",
    "Recurrence",
    "RecurrenceError",
    "describe",
    "first_occurrence",
    "occurrence_for",
    "occurrences",
    "parse_recurrence",
    "period_label",
    "recurrence_from_options",
    "rule_from_json",
    "rule_to_json",
]

Frequency = Literal["month", "quarter", "half", "year"]
FREQUENCIES: tuple[str, ...] = get_args(Frequency)
_MONTHS_IN: dict[str, int] = {"month": 1, "quarter": 3, "half": 6, "year": 12}


class RecurrenceError(ValueError):
    """A periodic rule that cannot be: day 32, 30/2, two deadlines in one period…"""


def _last_day(year: int, month: int) -> int:
    return _gregorian.monthrange(year, month)[1]


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    year, index = divmod(year * 12 + month - 1 + months, 12)
    return year, index + 1


@dataclass(frozen=True)
class Recurrence:
    """A periodic deadline: every `frequency`, by `day` of the period's `month_of_period`-th
    month (1 = its first month, its length = its last month, the default; one more = the
    month after the period), or by one of the explicit `dates`: (day, month) pairs, exactly
    one in each period. Frozen and hashable: `Deadline` carries it and is cached."""

    frequency: Frequency
    day: int | None = None
    month_of_period: int | None = None  # None with a day: the period's last month
    dates: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if self.frequency not in _MONTHS_IN:
            raise RecurrenceError(f"unknown frequency {self.frequency!r}; expected one of {', '.join(FREQUENCIES)}")
        length = _MONTHS_IN[self.frequency]
        if (self.day is None) == (not self.dates):
            raise RecurrenceError("a periodic deadline needs either a day of the month or explicit dates")
        if self.day is not None:
            if not 1 <= self.day <= 31:
                raise RecurrenceError(f"there is no day {self.day} in a month")
            if self.month_of_period is None:
                # frozen: set once here, so that equal rules compare and hash equal
                object.__setattr__(self, "month_of_period", length)
            elif not 1 <= self.month_of_period <= length + 1:
                raise RecurrenceError(f"a {self.frequency} has no month number {self.month_of_period}")
            return
        if self.month_of_period is not None:
            raise RecurrenceError("explicit dates already name their months")
        for day, month in self.dates:
            if not 1 <= month <= 12 or not 1 <= day <= _last_day(2000, month):  # 2000: a leap year
                raise RecurrenceError(f"there is no day {day:02d}/{month:02d}")
        for first in range(1, 13, length):
            inside = [(d, m) for d, m in self.dates if first <= m < first + length]
            if len(inside) != 1:
                shown = f"{first:02d}" if length == 1 else f"{first:02d}–{first + length - 1:02d}"
                raise RecurrenceError(
                    f"a {self.frequency} rule needs exactly one day in each {self.frequency}; "
                    f"months {shown} have {len(inside)}"
                )

    @property
    def months(self) -> int:
        """The length of one period in months."""
        return _MONTHS_IN[self.frequency]

    def period_start(self, day: date) -> date:
        """The first day of the period that holds `day`."""
        first_month = (day.month - 1) // self.months * self.months + 1
        return date(day.year, first_month, 1)

    def period_end(self, period_start: date) -> date:
        year, month = _shift_month(period_start.year, period_start.month, self.months - 1)
        return date(year, month, _last_day(year, month))

    def nominal_deadline(self, period_start: date) -> date:
        """The period's deadline as the rule writes it, before any move off a day off."""
        if self.day is not None and self.month_of_period is not None:
            year, month = _shift_month(period_start.year, period_start.month, self.month_of_period - 1)
            return date(year, month, min(self.day, _last_day(year, month)))
        for day, month in self.dates:
            if period_start.month <= month < period_start.month + self.months:
                return date(period_start.year, month, min(day, _last_day(period_start.year, month)))
        raise AssertionError("checked in __post_init__: every period holds one date")


@dataclass(frozen=True)
class Occurrence:
    """One period of a series and its deadline; identified by `period_start`."""

    period_start: date
    period_end: date
    deadline: date


def occurrence_for(rule: Recurrence, day: date, calendar: WorkCalendar | None = None) -> Occurrence:
    """The occurrence whose period holds `day`.

    Without a calendar the deadline is the day the rule names. With one, a deadline on a
    weekend or holiday moves to the next working day, as Điều 148.5 moves the end of a
    period: "trước ngày 20" on a Sunday is met on Monday.
    """
    start = rule.period_start(day)
    deadline = rule.nominal_deadline(start)
    if calendar is not None:
        deadline = calendar.working_day_on_or_after(deadline)
    return Occurrence(period_start=start, period_end=rule.period_end(start), deadline=deadline)


def first_occurrence(rule: Recurrence, start: date, calendar: WorkCalendar | None = None) -> Occurrence:
    """The first occurrence of a series that starts on `start`: the period holding `start`
    when its deadline is still to come that day, else the next period."""
    current = occurrence_for(rule, start, calendar)
    if current.deadline < start:
        current = occurrence_for(rule, current.period_end + timedelta(days=1), calendar)
    return current


def period_label(rule: Recurrence, period_start: date) -> str:
    """The period in a code: 2024-03 (a month), 2024-Q1, 2024-H2, 2024 (a year)."""
    year = period_start.year
    if rule.frequency == "month":
        return f"{year}-{period_start.month:02d}"
    if rule.frequency == "quarter":
        return f"{year}-Q{(period_start.month - 1) // 3 + 1}"
    if rule.frequency == "half":
        return f"{year}-H{(period_start.month - 1) // 6 + 1}"
    return str(year)


_EVERY = {"month": "Hằng tháng", "quarter": "Hằng quý", "half": "6 tháng", "year": "Hằng năm"}
_WHICH_MONTH = {  # (frequency, month of the period) → the words after the day
    ("quarter", 1): " của tháng đầu quý", ("quarter", 2): " của tháng giữa quý",
    ("quarter", 3): " của tháng cuối quý", ("quarter", 4): " của tháng đầu quý sau",
    ("half", 1): " của tháng đầu kỳ", ("half", 6): " của tháng cuối kỳ",
    ("month", 2): " tháng sau",
}


def describe(rule: Recurrence) -> str:
    """The rule as a directive writes it, in Vietnamese ("Hằng tháng, trước ngày 20"), for
    a series made from options (`assign --every month --day 20`); `parse_recurrence`
    reads it back to the same deadlines."""
    every = _EVERY[rule.frequency]
    if rule.dates:
        return f"{every}, trước " + " và ".join(f"{d}/{m}" for d, m in rule.dates)
    assert rule.day is not None and rule.month_of_period is not None  # checked in __post_init__
    if rule.frequency == "year" and rule.month_of_period <= 12:
        # the rule takes the month's last day for a day it lacks: so does 30/4 for "31"
        day = min(rule.day, _last_day(2000, rule.month_of_period))
        return f"{every}, trước ngày {day}/{rule.month_of_period}"
    if rule.frequency == "month" and rule.month_of_period == 1:
        return f"{every}, trước ngày {rule.day}"
    words = _WHICH_MONTH.get((rule.frequency, rule.month_of_period))
    if words is None:
        after = rule.month_of_period == rule.months + 1
        words = " tháng sau" if after else f" của tháng thứ {rule.month_of_period}"
    return f"{every}, trước ngày {rule.day}{words}"


def rule_to_json(rule: Recurrence) -> str:
    """The rule as stored with its series (so that a series never depends on how a later
    version reads its text)."""
    data: dict[str, object] = {"frequency": rule.frequency}
    if rule.day is not None:
        data.update(day=rule.day, month_of_period=rule.month_of_period)
    else:
        data["dates"] = [list(pair) for pair in rule.dates]
    return json.dumps(data, sort_keys=True)


def rule_from_json(text: str) -> Recurrence:
    data = json.loads(text)
    dates = tuple((int(d), int(m)) for d, m in data.get("dates") or ())
    return Recurrence(data["frequency"], day=data.get("day"), month_of_period=data.get("month_of_period"),
                      dates=dates)


def occurrences(
    rule: Recurrence, start: date, until: date, calendar: WorkCalendar | None = None
) -> list[Occurrence]:
    """The occurrences of a series that starts on `start` and ends on `until`, in order.

    A series started mid-period includes that period only if its deadline is still to
    come on `start` (a task given on 25/01 "trước ngày 20 hằng tháng" begins in February);
    no occurrence has a period starting after `until`.
    """
    found: list[Occurrence] = []
    if until < start:
        return found
    current = first_occurrence(rule, start, calendar)
    while current.period_start <= until:
        found.append(current)
        current = occurrence_for(rule, current.period_end + timedelta(days=1), calendar)
    return found


# --- options ---------------------------------------------------------------------------

_FREQUENCY_NAMES: dict[str, Frequency] = {
    "month": "month", "monthly": "month", "thang": "month", "hang thang": "month",
    "quarter": "quarter", "quarterly": "quarter", "quy": "quarter", "hang quy": "quarter",
    "half": "half", "half-year": "half", "halfyear": "half", "6 thang": "half", "nua nam": "half",
    "year": "year", "yearly": "year", "annual": "year", "nam": "year", "hang nam": "year",
}


def recurrence_from_options(every: str, day: int) -> Recurrence:
    """The rule of `--every month|quarter|half|year --day N`: day N of the period's last month."""
    frequency = _FREQUENCY_NAMES.get(fold(every))
    if frequency is None:
        raise RecurrenceError(f"'{every}' is not a period; expected one of {', '.join(FREQUENCIES)}")
    return Recurrence(frequency, day=day)


# --- reading the text (applied to fold()ed text) ------------------------------------------

_FREQUENCY = lazy_pattern(
    r"(?P<half>(?:\b(?:hang|moi|dinh ky)\s+)?(?<![0-9])(?<!ngay )(?:0?6|\bsau)\s+thang(?:\s+(?:mot|1)\s+lan)?\b"
    r"|\b(?:hang|moi)\s+nua\s+nam\b)"
    r"|\b(?:hang|moi|dinh ky)\s+(?P<unit>thang|quy|nam)\b"
)
_UNIT_FREQUENCY: dict[str, Frequency] = {"thang": "month", "quy": "quarter", "nam": "year"}
# Words around the day that add nothing to the rule: "định kỳ", "báo cáo", "trước"…
_FILLER = lazy_pattern(
    r"\b(?:dinh ky|thuong xuyen|bao cao|gui|truoc|cham nhat(?:\s+la)?|muon nhat(?:\s+la)?|vao|han chot"
    r"|thoi han|han|trong|den|hoan thanh)\b|[,;:()]"
)
_NUMBERS = {"nhat": 1, "hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6}
_DAY_OF_PERIOD = lazy_pattern(
    r"^(?:ngay\s*)?(?P<day>[0-9]{1,2})"
    r"(?:\s+(?:cua\s+)?thang\s+(?:"
    r"(?P<after>sau|tiep theo|ke tiep)"
    r"|(?P<position>dau|giua|cuoi|thu\s+(?:nhat|hai|ba|tu|nam|sau|[1-6]))"
    r"(?:\s+(?:cua\s+)?(?P<of>quy|nua nam|ky|nam))?(?:\s+(?P<next>sau|tiep theo|ke tiep))?"
    r"))?$"
)
_PAIR = lazy_pattern(
    r"(?:ngay\s*)?(?<![0-9/.-])([0-9]{1,2})\s*[/.-]\s*([0-9]{1,2})(?![0-9]|\s*[/.-])"
    r"|(?:ngay\s*)?(?<![0-9/.-])([0-9]{1,2})\s+thang\s+([0-9]{1,2})(?![0-9]|\s*(?:nam|[/.-]))"
)
_PAIR_SEPARATORS = lazy_pattern(r"\bva\b|&|\s")
_PERIOD_WORDS = {"quarter": ("quy",), "half": ("nua nam", "ky"), "year": ("nam",), "month": ()}


def _month_of_period(frequency: str, match: re.Match[str]) -> int | None:
    """Which month of the period the day is in; None when the words do not fit the frequency."""
    length = _MONTHS_IN[frequency]
    if match.group("after"):
        return length + 1
    position = match.group("position")
    if position is None:
        return length
    of = match.group("of")
    if of is not None and of not in _PERIOD_WORDS[frequency]:
        return None
    if frequency == "month":  # "tháng đầu/cuối" of a month means nothing
        return None
    if match.group("next"):
        return length + 1 if position == "dau" else None
    if position == "dau":
        return 1
    if position == "cuoi":
        return length
    if position == "giua":
        return 2 if frequency == "quarter" else None
    number = position.split()[-1]
    month = int(number) if number.isdigit() else _NUMBERS[number]
    return month if month <= length else None


def _pairs(rest: str) -> tuple[tuple[int, int], ...] | None:
    found = [
        (int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4)))
        for m in _PAIR.finditer(rest)
    ]
    if not found or _PAIR_SEPARATORS.sub("", _PAIR.sub("", rest)):
        return None
    return tuple(found)


def parse_recurrence(text: str | None) -> Recurrence | None:
    """The periodic rule a deadline text states, or None when it states none.

    None also when the text names a period but no day ("Hằng tháng") or words nqtrack
    does not read: such a text stays recurring work without a deadline. RecurrenceError
    when the text is a rule that cannot be ("trước ngày 32 hằng tháng").
    """
    folded = fold(text)
    matches = list(_FREQUENCY.finditer(folded))
    if len(matches) != 1:
        return None
    found = matches[0]
    frequency: Frequency = "half" if found.group("half") else _UNIT_FREQUENCY[found.group("unit")]
    rest = folded[: found.start()] + " " + folded[found.end():]
    rest = " ".join(_FILLER.sub(" ", rest).split()).rstrip(" .")
    match = _DAY_OF_PERIOD.match(rest)
    if match:
        month = _month_of_period(frequency, match)
        if month is None:
            return None
        return Recurrence(frequency, day=int(match.group("day")), month_of_period=month)
    dates = _pairs(rest)
    if dates is None:
        return None
    return Recurrence(frequency, dates=dates)
