"""The register's rules for changing a task, in one place (docs/design.md, "Tasks").

Every way of writing a task (`update`, `assign`, an import, an undo) asks these
functions what a change implies and whether it is allowed; none of them repeats a
rule. Each raises `InvalidInput` with a message id, so that the edge shows one line in
the chosen language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from nqtrack.core.calendar import WorkCalendar
from nqtrack.core.dates import DateError, Deadline, parse_deadline
from nqtrack.core.errors import N_, InvalidInput
from nqtrack.core.recurrence import Recurrence, RecurrenceError, recurrence_from_options
from nqtrack.core.states import State, StateError, parse_state

STATE_CODES = ", ".join(s.value for s in State)


def state_from_text(text: str) -> State:
    """A state typed by a user (code, Vietnamese or English name, accents optional)."""
    try:
        return parse_state(text)
    except StateError:
        raise InvalidInput("unknown state '{value}'; use one of: {states}", value=text, states=STATE_CODES) from None


def check_effective_day(day: date, today: date) -> date:
    """No change takes effect after today: a completion or a progress is reported, not foretold."""
    if day > today:
        raise InvalidInput("the change takes effect on {on}, after today ({today})", on=day, today=today)
    return day


def check_completion_after_assignment(completed_on: date | None, assigned_on: date | None) -> None:
    """A task cannot be completed before it was given."""
    if completed_on is not None and assigned_on is not None and completed_on < assigned_on:
        raise InvalidInput("the completion date {completed} is before the day the task was given ({assigned})",
                           completed=completed_on, assigned=assigned_on)


def progress_from_text(value: int | str | None) -> int | None:
    """A progress as typed: 50, "50", "50%", "50 %"."""
    if value is None or isinstance(value, int):
        return value
    text = value.strip().rstrip("%").strip()
    if not (text.isascii() and text.isdigit()):  # "²" is a digit to Python, not to int()
        raise InvalidInput("'{value}' is not a progress: give a per cent from 0 to 100, e.g. 50 or 50%", value=value)
    return int(text)


def check_progress(progress: int | None) -> int | None:
    if progress is not None and not 0 <= progress <= 100:
        raise InvalidInput("progress must be between 0 and 100")
    return progress


def state_change(new_state: State, day: date, progress: int | None = None) -> dict[str, Any]:
    """The fields a change of state sets: done means completed on `day` and, unless a
    progress is given, 100 % done; any other state has no completion date."""
    changes: dict[str, Any] = {"state": new_state.value}
    if new_state is State.DONE:
        changes["completed_on"] = day
        if progress is None:
            changes["progress"] = 100
    else:
        changes["completed_on"] = None
    return changes


def deadline_from_text(text: str) -> Deadline:
    """A deadline typed by a user: a date (day first) or a text such as "Quý II/2026"."""
    try:
        return parse_deadline(text)
    except DateError as exc:
        raise InvalidInput("bad deadline: {reason}", reason=str(exc)) from None


def extension(
    deadline_text: str, reason: str | None, dating: Callable[[Deadline], Deadline] | None = None
) -> dict[str, Any]:
    """The fields an extension sets; it needs a reason (the original deadline is kept by
    the store, which never overwrites `original_deadline`). `dating` counts a relative
    deadline's day (`dated_deadline` with the task's days); without it a relative deadline
    is refused. A periodic deadline makes a series, never an extension."""
    if not reason:
        raise InvalidInput("--reason is required with --deadline (why the deadline changes)")
    new_deadline = deadline_from_text(deadline_text)
    if new_deadline.recurrence is not None:
        raise InvalidInput(PERIODIC_NOT_AN_EXTENSION, text=new_deadline.text)
    if new_deadline.relative is not None:
        if dating is None:
            raise InvalidInput(UNKNOWN_START[new_deadline.relative.counted_from], text=new_deadline.text)
        new_deadline = dating(new_deadline)
    return {"deadline": new_deadline.date, "deadline_text": new_deadline.text, "recurring": new_deadline.recurring}


PERIODIC_NOT_AN_EXTENSION = N_(
    "'{text}' is a periodic deadline: it makes a series of tasks (assign --due), not a new deadline for one task"
)

# Why a relative deadline cannot be dated: the day it counts from is not known. Message
# ids; the importer gives them, formatted in English, as a row's reason (i18n translates).
UNKNOWN_START = {
    "assigned": N_("'{text}' counts from the day the task was assigned, which is not given"),
    "signed": N_("'{text}' counts from the day the document was signed, which is not known: "
                 "give the task its document, with the document's date"),
    "received": N_("'{text}' counts from the day the document was received, which is not known: "
                   "give the task its document, with the day it was received"),
}


def dated_deadline(
    deadline: Deadline,
    calendar_for: Callable[[int, int], WorkCalendar],
    *,
    assigned_on: date | None = None,
    signed_on: date | None = None,
    received_on: date | None = None,
) -> Deadline:
    """A relative deadline with its day counted (Bộ luật Dân sự 2015, Điều 147–148, on the
    office's calendar); any other deadline as it is. `calendar_for(first_year, last_year)`
    gives the office's calendar of those years: the count asks for the years it reaches.
    InvalidInput when the day the deadline counts from is not known: never no deadline."""
    rule = deadline.relative
    if rule is None:
        return deadline
    start = {"assigned": assigned_on, "signed": signed_on, "received": received_on}[rule.counted_from]
    if start is None:
        raise InvalidInput(UNKNOWN_START[rule.counted_from], text=deadline.text)
    last_year = start.year + 1
    while True:
        day = calendar_for(start.year, last_year).period_end(start, rule.count, rule.unit)
        if day.year <= last_year:  # every day the count looked at was in the calendar
            return replace(deadline, date=day)
        last_year = day.year + 1


FREQUENCY_CODES = "month, quarter, half, year"


def series_rule(every: str | None, day: int | None, deadline: Deadline | None) -> Recurrence | None:
    """The rule of a new series: `--every P --day N`, or a periodic deadline text; None
    for a task of its own."""
    if every is None and day is None:
        return deadline.recurrence if deadline is not None else None
    if every is None or day is None:
        raise InvalidInput("--every and --day go together: --every month --day 20")
    if deadline is not None:
        raise InvalidInput("give either --due or --every with --day, not both")
    try:
        return recurrence_from_options(every, day)
    except RecurrenceError:
        if not 1 <= day <= 31:
            raise InvalidInput("--day takes a day of the month, from 1 to 31") from None
        raise InvalidInput("unknown period '{value}' for --every; use one of: {values}", value=every,
                           values=FREQUENCY_CODES) from None


def check_later_deadline(new: date | None, current: date | None) -> None:
    """An extension moves a deadline later; an earlier one is a mistake to correct, not an extension."""
    if new is not None and current is not None and new < current:
        raise InvalidInput("an extension moves the deadline later, but {new} is before {current}; "
                           "to correct a deadline typed wrong use 'nqtrack edit TASK --due'", new=new, current=current)


# Why an imported row's state and completion date do not fit together (message ids; the
# importer names the column).
DONE_WITHOUT_DATE = N_("a completed task needs its completion date ('Ngày hoàn thành')")
COMPLETED_AFTER_TODAY = N_("the completion date is after today")


def completion_problem(state: str | None, completed_on: date | None, today: date) -> str | None:
    """The rule a row's state and completion date must keep, or None when they do."""
    if state == State.DONE.value and completed_on is None:
        return DONE_WITHOUT_DATE
    if completed_on is not None and completed_on > today:
        return COMPLETED_AFTER_TODAY
    return None


NOT_AN_ADDRESS = N_("not an e-mail address (several are separated by ',')")


def email_addresses(text: str | None) -> str | None:
    """A unit's e-mail address as stored (several separated by ',' or ';', each an address
    or 'Name <address>'); None for none. No control character or line break: in a mail
    header it would start a header of its own."""
    from email.utils import parseaddr

    value = (text or "").strip()
    if not value:
        return None
    parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    if not value.isprintable() or not parts or not all(_is_address(parseaddr(part)[1]) for part in parts):
        raise InvalidInput("'{value}' is not an e-mail address (several are separated by ',')", value=value)
    return value


def _is_address(address: str) -> bool:
    local, at, domain = address.partition("@")
    return bool(local and at and domain) and address.isprintable() and " " not in address and "@" not in domain


MAX_COUNT = 2**63 - 1  # SQLite's largest integer: a limit or a count beyond it means nothing
MAX_DAYS = 100_000  # about 270 years: more days than lie between any two dates of the register
MAX_WITHIN = 3660  # days ahead a view of what falls due looks (--within): ten years is as far as anyone plans


def check_number(value: int | None, option: str, low: int, high: int) -> int | None:
    """A count or a number of days typed by a user, within what makes sense (a date far
    beyond the calendar, a limit beyond what SQLite can hold, are the user's error)."""
    if value is not None and not low <= value <= high:
        raise InvalidInput("{option} takes a whole number from {low} to {high}", option=option, low=low, high=high)
    return value
