"""The register's rules for changing a task, in one place (docs/design.md, "Tasks").

Every way of writing a task (`update`, `assign`, an import, an undo) asks these
functions what a change implies and whether it is allowed; none of them repeats a
rule. Each raises `InvalidInput` with a message id, so that the edge shows one line in
the chosen language.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from nqtrack.core.dates import DateError, Deadline, parse_deadline
from nqtrack.core.errors import N_, InvalidInput
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
        raise InvalidInput(
            "the change takes effect on {on}, after today ({today})", on=day.isoformat(), today=today.isoformat()
        )
    return day


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


def extension(deadline_text: str, reason: str | None) -> dict[str, Any]:
    """The fields an extension sets; it needs a reason (the original deadline is kept by
    the store, which never overwrites `original_deadline`)."""
    if not reason:
        raise InvalidInput("--reason is required with --deadline (why the deadline changes)")
    new_deadline = deadline_from_text(deadline_text)
    return {"deadline": new_deadline.date, "deadline_text": new_deadline.text, "recurring": new_deadline.recurring}


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


def check_number(value: int | None, option: str, low: int, high: int) -> int | None:
    """A count or a number of days typed by a user, within what makes sense (a date far
    beyond the calendar, a limit beyond what SQLite can hold, are the user's error)."""
    if value is not None and not low <= value <= high:
        raise InvalidInput("{option} takes a whole number from {low} to {high}", option=option, low=low, high=high)
    return value
