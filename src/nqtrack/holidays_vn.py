"""Vietnamese public holidays from the maintained `holidays` package (an edge adapter).

The lunar holidays (Tết Nguyên Đán, Giỗ Tổ Hùng Vương) move every year, and the
Government swaps working days around them by yearly decisions; nqtrack keeps no table
of its own and asks `holidays`, which knows both. Its Vietnamese calendar gives:
the holidays of the Labour Code, the compensatory days off when a holiday falls on a
weekend ("nghỉ bù"), the days off the Government swapped ("Ngày nghỉ (thay cho ngày
…)"), and the Saturdays worked in exchange (`weekend_workdays`). A year whose swap was
decided after the installed version was released has no swap here: upgrade `holidays`.

`holidays` is imported inside the functions: most commands never count working days,
and start-up time matters for a command-line tool.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from nqtrack.core.calendar import WorkCalendar

__all__ = ["NationalDays", "national_days", "national_names", "work_calendar"]


@dataclass(frozen=True)
class NationalDays:
    """The national days off and make-up working days of some years."""

    days_off: frozenset[date]  # holidays, compensatory days off, swapped days off
    working_days: frozenset[date]  # Saturdays worked in exchange for a swapped day off
    years: frozenset[int]


def national_days(years: Iterable[int]) -> NationalDays:
    """The national days off and make-up working days of `years`, as `holidays` knows them."""
    return _national_days(tuple(sorted(set(years))))


@lru_cache(maxsize=16)
def _national_days(years: tuple[int, ...]) -> NationalDays:
    import holidays

    vietnam = holidays.country_holidays("VN", years=years)
    wanted = set(years)
    days_off = frozenset(day for day in vietnam if day.year in wanted)
    # `weekend_workdays` may hold a swap's Saturday from a neighbouring year (a swap
    # across New Year); keep only the years asked for, like the days off.
    working_days = frozenset(day for day in vietnam.weekend_workdays if day.year in wanted)
    return NationalDays(days_off=days_off, working_days=working_days, years=frozenset(wanted))


def national_names(year: int, language: str = "vi") -> dict[date, str]:
    """The national days off of `year` and their names, in Vietnamese (`vi`) or English
    (`en`), for the calendar's listing; the make-up working days have no name here."""
    import holidays

    vietnam = holidays.country_holidays("VN", years=year, language="en_US" if language == "en" else "vi")
    return {day: name for day, name in sorted(vietnam.items()) if day.year == year}


def work_calendar(
    years: Iterable[int],
    office_days_off: Iterable[date] = (),
    office_working_days: Iterable[date] = (),
) -> WorkCalendar:
    """The working calendar of an office for `years`: national days plus the office's own.

    Ask for every year a count may reach: a deadline counted from late December ends
    in the next year.
    """
    national = national_days(years)
    return WorkCalendar(
        public_holidays=national.days_off,
        office_days_off=office_days_off,
        office_working_days=office_working_days,
        make_up_working_days=national.working_days,
        years=national.years,
    )
