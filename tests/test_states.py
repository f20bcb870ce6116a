"""The core's state rules: timing classes and the journal replay."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.core.states import (
    Event,
    State,
    StateError,
    Timing,
    fields_as_of,
    is_carried_over,
    parse_state,
    timing_class,
)

D = date.fromisoformat


@pytest.mark.parametrize(
    "text, state",
    [
        ("done", State.DONE), ("Hoàn thành", State.DONE), ("hoan thanh", State.DONE), ("Đã hoàn thành", State.DONE),
        ("Đang thực hiện", State.IN_PROGRESS), ("in_progress", State.IN_PROGRESS), ("in progress", State.IN_PROGRESS),
        ("Chưa thực hiện", State.NEW), ("new", State.NEW), ("Tạm dừng", State.PAUSED), ("Hủy", State.CANCELLED),
        ("cancelled", State.CANCELLED), ("  HOÀN THÀNH ", State.DONE),
    ],
)
def test_parse_state_accepts_vietnamese_and_english(text, state):
    assert parse_state(text) is state


@pytest.mark.parametrize("text", ["", "finished?", "xyz", "đang"])
def test_parse_state_refuses_unknown_names(text):
    with pytest.raises(StateError):
        parse_state(text)


@pytest.mark.parametrize(
    "state, deadline, completed_on, as_of, expected",
    [
        ("done", "2022-06-30", "2022-06-30", "2022-07-01", Timing.COMPLETED_ON_TIME),
        ("done", "2022-06-30", "2022-07-01", "2022-07-05", Timing.COMPLETED_LATE),
        ("done", None, "2022-07-01", "2022-07-05", Timing.COMPLETED_ON_TIME),
        ("done", "2022-06-30", "2022-07-10", "2022-07-05", Timing.OVERDUE),  # not done yet on the as-of day
        ("in_progress", "2022-06-30", None, "2022-06-29", Timing.IN_PROGRESS),
        ("in_progress", "2022-06-30", None, "2022-06-30", Timing.IN_PROGRESS),
        ("in_progress", "2022-06-30", None, "2022-07-01", Timing.OVERDUE),
        ("paused", "2022-06-30", None, "2022-07-01", Timing.OVERDUE),
        ("new", None, None, "2030-01-01", Timing.IN_PROGRESS),
        ("cancelled", "2022-06-30", None, "2022-07-01", Timing.CANCELLED),
    ],
)
def test_timing_class(state, deadline, completed_on, as_of, expected):
    as_date = lambda v: D(v) if v else None  # noqa: E731
    assert timing_class(state, as_date(deadline), as_date(completed_on), D(as_of)) is expected


@pytest.mark.parametrize(
    "deadline, as_of, carried",
    [("2022-10-31", "2022-11-01", True), ("2022-11-01", "2022-11-15", False), ("2022-10-31", "2022-10-31", False), (None, "2022-11-15", False)],
)
def test_carried_over_means_deadline_before_the_first_of_the_month(deadline, as_of, carried):
    assert is_carried_over(D(deadline) if deadline else None, D(as_of)) is carried


def ev(id, field, old, new, effective, recorded):
    return Event(id, field, old, new, effective, recorded)


CURRENT = {"state": "done", "completed_on": "2022-03-05", "deadline": "2022-03-31"}


def test_replay_before_any_event_gives_the_first_old_value():
    events = [ev(1, None, None, "{}", "2022-01-01", "2022-01-01T00:00"),
              ev(2, "state", "new", "in_progress", "2022-02-01", "2022-02-01T09:00"),
              ev(3, "state", "in_progress", "done", "2022-03-05", "2022-03-05T09:00"),
              ev(4, "completed_on", None, "2022-03-05", "2022-03-05", "2022-03-05T09:00")]
    assert fields_as_of(CURRENT, events, D("2022-01-15"))["state"] == "new"
    assert fields_as_of(CURRENT, events, D("2022-02-01"))["state"] == "in_progress"
    assert fields_as_of(CURRENT, events, D("2022-03-04"))["state"] == "in_progress"
    assert fields_as_of(CURRENT, events, D("2022-03-04"))["completed_on"] is None
    assert fields_as_of(CURRENT, events, D("2022-03-05")) == CURRENT


def test_completion_recorded_later_with_an_earlier_effective_date():
    # progress reported on 10 Feb; on 1 Mar the unit says the work was finished on 5 Feb
    events = [ev(1, "state", "new", "in_progress", "2022-02-10", "2022-02-10T08:00"),
              ev(2, "state", "in_progress", "done", "2022-02-05", "2022-03-01T08:00"),
              ev(3, "completed_on", None, "2022-02-05", "2022-02-05", "2022-03-01T08:00")]
    current = {"state": "done", "completed_on": "2022-02-05"}
    # as the journal stands now: done from 5 Feb on, even over the progress event of 10 Feb
    assert fields_as_of(current, events, D("2022-02-04"))["state"] == "new"
    for day in ("2022-02-05", "2022-02-09", "2022-02-10", "2022-02-20", "2022-12-31"):
        assert fields_as_of(current, events, D(day)) == current
    # as it was known on 20 Feb (before the completion was recorded): still in progress
    before = fields_as_of(current, events, D("2022-02-20"), known_at="2022-02-20T23:59:59")
    assert before == {"state": "in_progress", "completed_on": None}


def test_extension_keeps_the_old_deadline_before_its_effective_day():
    events = [ev(1, "deadline", "2022-06-30", "2022-09-30", "2022-06-20", "2022-06-20T10:00")]
    current = {"deadline": "2022-09-30"}
    assert fields_as_of(current, events, D("2022-06-19"))["deadline"] == "2022-06-30"
    assert fields_as_of(current, events, D("2022-06-20"))["deadline"] == "2022-09-30"


STATES = [s.value for s in State]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STATES), st.integers(0, 60), st.integers(0, 60)), min_size=1, max_size=8))
def test_replay_on_the_last_day_known_now_is_the_current_value(changes):
    """Whatever the order of effective dates, the latest statement is what holds now."""
    events, value = [], "new"
    for i, (state, effective, _recorded) in enumerate(changes, start=1):
        events.append(ev(i, "state", value, state, f"2022-01-{1 + effective % 28:02d}", f"2022-03-01T{i:02d}:00"))
        value = state
    assert fields_as_of({"state": value}, events, D("2022-12-31"))["state"] == value
    # and before every effective date, the value before the first event
    assert fields_as_of({"state": value}, events, D("2021-12-31"))["state"] == "new"
