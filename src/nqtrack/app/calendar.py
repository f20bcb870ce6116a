"""The office's calendar: the national days off and make-up working days (from the
`holidays` package, through nqtrack.holidays_vn) with the office's own days over them,
stored in the register and journaled (`calendar add/remove/list`); and the calendar every
count of working days uses (relative deadlines, series, overdue and remind in working days).

A change to the calendar never moves a deadline already recorded: a deadline is counted
once, when the task is given, and kept; an extension (`update --deadline`) moves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from nqtrack.app.context import Context
from nqtrack.core import rights
from nqtrack.core.calendar import WorkCalendar
from nqtrack.core.errors import InvalidInput, NotFound
from nqtrack.store.base import Store

KINDS = ("off", "working")


@dataclass
class OfficeCalendar:
    """The office's `WorkCalendar` of any years, read from the register once and built per
    span of years on first use; one per command."""

    store: Store
    _office: tuple[frozenset[date], frozenset[date]] | None = None
    _built: dict[tuple[int, int], WorkCalendar] = field(default_factory=dict)

    def office_days(self) -> tuple[frozenset[date], frozenset[date]]:
        """(days off, make-up working days) the office named."""
        if self._office is None:
            rows = self.store.calendar_days()
            off = frozenset(date.fromisoformat(r["day"]) for r in rows if r["kind"] == "off")
            working = frozenset(date.fromisoformat(r["day"]) for r in rows if r["kind"] == "working")
            self._office = (off, working)
        return self._office

    def years(self, first: int, last: int) -> WorkCalendar:
        """The calendar of the years `first` to `last`, national and the office's days."""
        key = (first, last)
        if key not in self._built:
            from nqtrack.holidays_vn import work_calendar

            off, working = self.office_days()
            self._built[key] = work_calendar(range(first, last + 1), office_days_off=off,
                                             office_working_days=working)
        return self._built[key]

    def covering(self, first: date, last: date) -> WorkCalendar:
        """A calendar that knows every day from `first` to a year after `last` (a count
        or a move to the next working day may run past the last day asked about)."""
        return self.years(first.year, last.year + 1)


@dataclass
class WorkingWindow:
    """The office's calendar for a window of working days from today: where the window
    ends, and a calendar that also knows the days of the deadlines found."""

    office: OfficeCalendar
    today: date
    due_until: date

    def for_rows(self, rows: list[dict[str, Any]]) -> WorkCalendar:
        deadlines = [r["deadline"] for r in rows if r["deadline"]]
        first = date.fromisoformat(min(deadlines)) if deadlines else self.today
        return self.office.covering(min(first, self.today), self.due_until)


def working_calendar(ctx: Context, today: date, within: int) -> WorkingWindow:
    """A window of `within` working days from today on the office's calendar."""
    office = OfficeCalendar(ctx.store)
    # a working day takes at most two days and the longest holiday (Tết) a month more
    due_until = office.covering(today, today + timedelta(days=2 * within + 31)).add_working_days(today, within)
    return WorkingWindow(office, today, due_until)


# -- calendar add / remove ---------------------------------------------------------------------


@dataclass
class DayChanged:
    day: date
    kind: str | None  # None: the office's entry was removed
    was: str | None


def set_day(ctx: Context, day: date, kind: str, note: str | None = None) -> DayChanged:
    """The office names `day` a day off or a (make-up) working day; journaled."""
    if kind not in KINDS:
        raise InvalidInput("give --off or --working")
    rights.require_secretariat(ctx.actor)
    with ctx.store.transaction():
        was = ctx.store.set_calendar_day(day, kind, note=note or None, by=ctx.by, recorded_at=ctx.recorded_at)
    return DayChanged(day, kind, was)


def remove_day(ctx: Context, day: date, note: str | None = None) -> DayChanged:
    """The office's entry for `day` forgotten (the national calendar rules it again); journaled."""
    store = ctx.store
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        if not store.calendar_days(day, day):
            raise NotFound("the office's calendar has nothing on {day}", day=day.isoformat())
        was = store.set_calendar_day(day, None, note=note or None, by=ctx.by, recorded_at=ctx.recorded_at)
    return DayChanged(day, None, was)


# -- calendar list ---------------------------------------------------------------------------------


def year_listing(ctx: Context, year: int, language: str = "vi") -> dict[str, Any]:
    """Every day of `year` that is not a plain Monday-to-Friday working day or a weekend
    off: the national days off (with their names, in `language`), the national make-up
    working days, and the office's own days (which rule over the national ones)."""
    from nqtrack.holidays_vn import national_days, national_names

    if not 1900 <= year <= 2199:
        raise InvalidInput("--year takes a year from 1900 to 2199")
    national = national_days([year])
    names = national_names(year, language)
    start, end = date(year, 1, 1), date(year, 12, 31)
    office = {r["day"]: r for r in ctx.store.calendar_days(start, end)}
    days = sorted({d.isoformat() for d in national.days_off | national.working_days} | set(office))
    rows = []
    for day in days:
        parsed = date.fromisoformat(day)
        national_kind = "off" if parsed in national.days_off else "working" if parsed in national.working_days else None
        own = office.get(day)
        rows.append({
            "day": parsed,
            "kind": own["kind"] if own else national_kind,
            "national": national_kind,
            "name": names.get(parsed),
            "office": own["kind"] if own else None,
            "note": own["note"] if own else None,
            "recorded_at": own["recorded_at"] if own else None,
            "recorded_by": own["recorded_by"] if own else None,
        })
    return {"year": year, "days": rows}
