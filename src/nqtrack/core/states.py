"""Task states, timing classes and the journal replay.

A task's fields on any day are derived from its journal, so that a report for an
earlier month can be rebuilt exactly. The rule, shared with the SQL in the store:

    the value of a field on day A, as known at moment K, is the new value of the
    latest-recorded event for that field that was recorded by K and took effect on
    or before A; if there is none, it is the value the field had before its first
    event (the old value of its first-recorded event), or else the current value.

"Latest recorded wins" makes a correction recorded later with an earlier effective
date (a completion reported late) take effect from that date on, even over events
recorded in between; and it keeps the current fields equal to the latest statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum

from nqtrack.core.text import fold


class State(str, Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    PAUSED = "paused"
    CANCELLED = "cancelled"


OPEN_STATES = (State.NEW.value, State.IN_PROGRESS.value, State.PAUSED.value)

# Names offices write in their registers, folded (see text.fold), for each state.
_STATE_NAMES = {
    State.NEW: ["new", "chua thuc hien", "chua trien khai", "moi", "moi giao", "chua bat dau", "not started"],
    State.IN_PROGRESS: [
        "in_progress", "in progress", "dang thuc hien", "dang trien khai", "dang xu ly",
        "chua hoan thanh", "dang lam", "ongoing",
    ],
    State.DONE: ["done", "hoan thanh", "da hoan thanh", "da thuc hien", "completed", "complete", "xong"],
    State.PAUSED: ["paused", "tam dung", "tam hoan", "dung", "on hold"],
    State.CANCELLED: ["cancelled", "canceled", "huy", "da huy", "khong thuc hien", "khong thuc hien nua", "bo"],
}
_STATE_BY_NAME = {name: state for state, names in _STATE_NAMES.items() for name in names}

# The Government's tracking systems export a state with its timing ("Hoàn thành đúng hạn",
# "Đang thực hiện quá hạn"): the register keeps the state and computes the timing itself,
# so the timing part is only compared with the dates (`parse_status`).
_WHOLE_LABELS = {
    "chua den han": (State.IN_PROGRESS, False), "trong han": (State.IN_PROGRESS, False),
    "qua han": (State.IN_PROGRESS, True), "qua han chua hoan thanh": (State.IN_PROGRESS, True),
    "dung thuc hien": (State.CANCELLED, None), "da dung thuc hien": (State.CANCELLED, None),
}
_TIMING_SUFFIXES = (("dung han", False), ("truoc han", False), ("trong han", False), ("qua han", True),
                    ("tre han", True), ("cham", True), ("cham tien do", True))


class StateError(ValueError):
    pass


def parse_state(text: str) -> State:
    """A state from its code or a Vietnamese or English name, accents optional."""
    key = fold(text).replace("-", " ").strip()
    state = _STATE_BY_NAME.get(key) or _STATE_BY_NAME.get(key.replace(" ", "_"))
    if state is None:
        raise StateError(text)
    return state


def parse_status(text: str) -> tuple[State, Timing | None]:
    """A state as registers and the Government's systems write it, with the timing the label
    claims, if any: "Hoàn thành quá hạn" → (done, completed_late), "Chưa đến hạn" →
    (in_progress, in_progress), "Đang thực hiện" → (in_progress, None)."""
    key = fold(text).replace("-", " ").strip(" .")
    key = " ".join(key.split())
    if key in _STATE_BY_NAME or key.replace(" ", "_") in _STATE_BY_NAME:
        return parse_state(key), None
    if key in _WHOLE_LABELS:
        state, late = _WHOLE_LABELS[key]
        return state, None if late is None else (Timing.OVERDUE if late else Timing.IN_PROGRESS)
    for suffix, late in sorted(_TIMING_SUFFIXES, key=lambda s: -len(s[0])):
        if key.endswith(" " + suffix):
            state = parse_state(key[: -len(suffix)].strip())
            if state is State.DONE:
                return state, Timing.COMPLETED_LATE if late else Timing.COMPLETED_ON_TIME
            if state in (State.NEW, State.IN_PROGRESS, State.PAUSED):
                return state, Timing.OVERDUE if late else Timing.IN_PROGRESS
            return state, None
    raise StateError(text)


class Timing(str, Enum):
    COMPLETED_ON_TIME = "completed_on_time"
    COMPLETED_LATE = "completed_late"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


def timing_class(
    state: str, deadline: date | None, completed_on: date | None, as_of: date
) -> Timing:
    """The timing class of docs/design.md (section 6) of a task on day `as_of`, from its fields then."""
    if state == State.CANCELLED.value:
        return Timing.CANCELLED
    if state == State.DONE.value and completed_on is not None and completed_on <= as_of:
        if deadline is None or completed_on <= deadline:
            return Timing.COMPLETED_ON_TIME
        return Timing.COMPLETED_LATE
    if deadline is not None and deadline < as_of:
        return Timing.OVERDUE
    return Timing.IN_PROGRESS


def days_overdue(deadline: date | None, as_of: date) -> int:
    return max(0, (as_of - deadline).days) if deadline else 0


def is_carried_over(deadline: date | None, as_of: date) -> bool:
    """Overdue from an earlier month: the deadline is before the first day of as_of's month."""
    return deadline is not None and deadline < as_of.replace(day=1)


@dataclass(frozen=True)
class Event:
    """One journal entry about one field (field None: creation, a note, a reminder)."""

    id: int
    field: str | None
    old_value: str | None
    new_value: str | None
    effective_on: str  # ISO date
    recorded_at: str  # ISO UTC timestamp, sortable as text
    timeless: bool = False  # a correction or a void: true on every day once recorded


def fields_as_of(
    current: Mapping[str, str | None],
    events: Iterable[Event],
    as_of: date,
    known_at: str | None = None,
) -> dict[str, str | None]:
    """The task's fields on day `as_of` as the journal stood at `known_at` (see module doc)."""
    day = as_of.isoformat()
    latest: dict[str, Event] = {}
    first: dict[str, Event] = {}
    for event in events:
        if event.field is None:
            continue
        if event.field not in first or event.id < first[event.field].id:
            first[event.field] = event
        visible = known_at is None or event.recorded_at <= known_at
        in_force = event.effective_on <= day or event.timeless
        if visible and in_force and (event.field not in latest or event.id > latest[event.field].id):
            latest[event.field] = event
    values = dict(current)
    for field, event in first.items():
        values[field] = latest[field].new_value if field in latest else event.old_value
    return values


def replay_journal(snapshot: Mapping[str, str | None], events: Iterable[Event]) -> dict[str, str | None]:
    """The fields a task's journal adds up to: the fields it was created with, then every field
    event in the order recorded. `check` holds the current fields to this."""
    values = dict(snapshot)
    for event in sorted(events, key=lambda e: e.id):
        if event.field is not None:
            values[event.field] = event.new_value
    return values
