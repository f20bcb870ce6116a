"""The register's rules (core.rules), tested directly; and one definition of "overdue"
shared by `list --overdue` and `overdue` on every day of a register whose journal holds
back-dated and late-recorded completions."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nqtrack.app.context import Context
from nqtrack.app.tasks import TaskQuery, listing
from nqtrack.app.views import OverdueQuery, overdue
from nqtrack.core import rules
from nqtrack.core.errors import InvalidInput
from nqtrack.core.states import OPEN_STATES, State
from nqtrack.store.sqlite import OPEN_SQL, SqliteStore

D = date.fromisoformat


@pytest.mark.parametrize("progress, expected", [(None, 100), (80, 80)])
def test_done_means_completed_on_the_day_and_fully_done_unless_told(progress, expected):
    changes = rules.state_change(State.DONE, D("2022-10-15"), progress)
    assert changes["state"] == "done" and changes["completed_on"] == D("2022-10-15")
    assert changes.get("progress", progress) == expected


@pytest.mark.parametrize("state", [s for s in State if s is not State.DONE])
def test_any_other_state_has_no_completion_date(state):
    assert rules.state_change(state, D("2022-10-15")) == {"state": state.value, "completed_on": None}


def test_an_extension_needs_a_reason_and_a_deadline_it_can_read():
    with pytest.raises(InvalidInput, match="--reason is required"):
        rules.extension("31/12/2022", None)
    with pytest.raises(InvalidInput, match="--reason is required"):
        rules.extension("not a day", "")  # the missing reason is said first
    with pytest.raises(InvalidInput, match="bad deadline"):
        rules.extension("31/02/2022", "Lùi họp")
    assert rules.extension("Quý III/2022", "Lùi họp") == {
        "deadline": D("2022-09-30"), "deadline_text": "Quý III/2022", "recurring": False}


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(-400, 400))
def test_no_change_takes_effect_after_today(today, shift):
    day = today + timedelta(days=shift)
    if shift > 0:
        with pytest.raises(InvalidInput, match="after today"):
            rules.check_effective_day(day, today)
    else:
        assert rules.check_effective_day(day, today) == day


@pytest.mark.parametrize("progress, ok", [(None, True), (0, True), (100, True), (-1, False), (101, False)])
def test_progress_is_a_per_cent(progress, ok):
    if ok:
        assert rules.check_progress(progress) == progress
    else:
        with pytest.raises(InvalidInput, match="between 0 and 100"):
            rules.check_progress(progress)


@pytest.mark.parametrize("state, completed, problem", [
    ("done", None, rules.DONE_WITHOUT_DATE),
    ("done", D("2022-11-16"), rules.COMPLETED_AFTER_TODAY),
    ("done", D("2022-11-15"), None),
    ("in_progress", None, None),
    (None, None, None),
])
def test_a_row_completion_rule(state, completed, problem):
    assert rules.completion_problem(state, completed, D("2022-11-15")) == problem


@pytest.mark.parametrize("text, state", [("Hoàn thành", "done"), ("dang thuc hien", "in_progress"), ("paused", "paused")])
def test_states_are_read_in_both_languages(text, state):
    assert rules.state_from_text(text).value == state


def test_an_unknown_state_names_the_ones_there_are():
    with pytest.raises(InvalidInput, match="unknown state") as error:
        rules.state_from_text("xong rồi chứ")
    assert error.value.args_["states"] == "new, in_progress, done, paused, cancelled"


def test_the_open_states_build_the_sql():
    assert ", ".join(f"'{s}'" for s in OPEN_STATES) == OPEN_SQL


# -- one definition of "overdue" ------------------------------------------------------------------


def _stamp(day: date, seq: int) -> str:
    return f"{day.isoformat()}T08:{seq // 60 % 60:02d}:{seq % 60:02d}.000000+00:00"


def seeded_register(path, seed: int) -> SqliteStore:
    """Tasks with deadlines around November 2022, completed, reopened, paused, extended —
    some completions back-dated, some recorded days after they took effect."""
    rng = random.Random(seed)
    store = SqliteStore(path)
    start = D("2022-10-01")
    seq = 0
    with store.transaction():
        units = [store.add_unit(f"Đơn vị {i}").id for i in range(4)]
        for i in range(120):
            assigned = start + timedelta(days=rng.randint(0, 20))
            deadline = assigned + timedelta(days=rng.randint(0, 40))
            seq += 1
            task = store.create_task({"title": f"Việc {i}", "lead_unit_id": rng.choice(units), "assigned_on": assigned,
                                      "deadline": deadline, "state": "new"}, [], effective_on=assigned, by="t",
                                     recorded_at=_stamp(assigned, seq))
            for _ in range(rng.randint(0, 3)):
                effective = assigned + timedelta(days=rng.randint(0, 60))
                recorded = effective + timedelta(days=rng.choice([0, 0, 1, 5, 15]))  # some recorded late
                seq += 1
                kind = rng.choice(["done", "reopen", "pause", "extend"])
                changes = {"done": {"state": "done", "completed_on": effective},
                           "reopen": {"state": "in_progress", "completed_on": None},
                           "pause": {"state": "paused", "completed_on": None},
                           "extend": {"deadline": effective + timedelta(days=rng.randint(1, 30))}}[kind]
                store.change_task(task, changes, effective_on=effective, by="t", recorded_at=_stamp(recorded, seq))
    return store


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_list_overdue_and_the_morning_view_agree_on_every_day(tmp_path, seed):
    store = seeded_register(tmp_path / f"r{seed}.db", seed)
    try:
        day, compared = D("2022-10-01"), 0
        while day <= D("2023-01-31"):
            ctx = Context.of(store, day)
            listed = {row["id"] for row in listing(ctx, TaskQuery(overdue=True))}
            backlog = overdue(ctx, OverdueQuery(within=0))
            viewed = {t["id"] for t in backlog.overdue + backlog.paused}
            assert listed == viewed, day
            compared += bool(listed)
            day += timedelta(days=3)
        assert compared > 20  # the days compared had overdue tasks to agree on
    finally:
        store.close()
