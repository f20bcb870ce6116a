"""The report's SQL counts agree with the core's definition (core.figures.classify)
on random registers with random, back-dated and late-recorded journals."""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta

import pytest

from nqtrack.core.errors import InvalidInput
from nqtrack.core.figures import (
    RAW_KEYS,
    RECEIVED_KEYS,
    TaskAsOf,
    add_counts,
    change_pct,
    classify,
    completion_rate,
    views,
)
from nqtrack.core.periods import one_year_earlier
from nqtrack.core.states import fields_as_of
from nqtrack.store.base import Store

D = date.fromisoformat
BASE = date(2022, 1, 1)


def day(n: int) -> date:
    return BASE + timedelta(days=n)


def stamp(n: int, seq: int) -> str:
    return f"{day(n).isoformat()}T10:00:{seq % 60:02d}.{seq:06d}+00:00"


def build_register(store: Store, rng: random.Random, n_tasks: int = 60) -> None:
    with store.transaction():
        units = [store.add_unit(f"Đơn vị {i}", code=f"U{i}").id for i in range(3)]
        seq = 0
        for i in range(n_tasks):
            assigned = rng.randint(0, 300)
            deadline = None if rng.random() < 0.25 else day(assigned + rng.randint(-5, 120))
            seq += 1
            task_id = store.create_task(
                {"title": f"Nhiệm vụ {i}", "lead_unit_id": rng.choice(units), "source": rng.choice(["Chính phủ", "Lãnh đạo Bộ"]),
                 "assigned_on": day(assigned), "deadline": deadline, "state": "new"},
                [], effective_on=day(assigned), by="test", recorded_at=stamp(assigned, seq),
            )
            for _ in range(rng.randint(0, 4)):
                recorded = assigned + rng.randint(0, 200)
                effective = min(recorded, assigned + rng.randint(-10, 200))  # some back-dated
                seq += 1
                kind = rng.choice(["done", "progress", "extend", "cancel", "reopen"])
                if kind == "done":
                    store.change_task(task_id, {"state": "done", "completed_on": day(effective)}, effective_on=day(effective),
                                      by="t", kind="completed", recorded_at=stamp(recorded, seq))
                elif kind == "progress":
                    # as `update --state in_progress` does: it clears a completion date
                    store.change_task(task_id, {"state": "in_progress", "completed_on": None}, effective_on=day(effective),
                                      by="t", recorded_at=stamp(recorded, seq))
                elif kind == "extend":
                    store.change_task(task_id, {"deadline": day(assigned + rng.randint(30, 250))}, effective_on=day(effective),
                                      by="t", kind="extended", recorded_at=stamp(recorded, seq))
                elif kind == "cancel":
                    store.change_task(task_id, {"state": "cancelled", "completed_on": None}, effective_on=day(effective),
                                      by="t", recorded_at=stamp(recorded, seq))
                else:
                    store.change_task(task_id, {"state": "in_progress", "completed_on": None}, effective_on=day(effective),
                                      by="t", recorded_at=stamp(recorded, seq))
            if rng.random() < 0.2:
                seq += 1
                store.change_task(task_id, {"lead_unit_id": rng.choice(units)}, effective_on=day(assigned + 10), by="t",
                                  kind="reassigned", recorded_at=stamp(assigned + 10, seq))
            if rng.random() < 0.2:
                seq += 1
                urged = assigned + rng.randint(0, 150)
                store.record_reminders({task_id: "Đơn vị"}, day=day(urged), by="t", recorded_at=stamp(urged, seq), batch_id="r")
            seq = _mistakes(store, rng, task_id, assigned, seq)


def _mistakes(store: Store, rng: random.Random, task_id: int, assigned: int, seq: int) -> int:
    """Issue 14's corrections of mistakes, recorded late: a deadline corrected and a task voided
    (both true on every day once recorded), an extension or a reminder undone."""
    if rng.random() < 0.15:
        seq += 1
        recorded = assigned + rng.randint(0, 250)
        store.change_task(task_id, {"deadline": day(assigned + rng.randint(-5, 150))}, effective_on=day(assigned),
                          by="t", kind="corrected", recorded_at=stamp(recorded, seq))
    if rng.random() < 0.12:
        seq += 1
        recorded = assigned + rng.randint(0, 300)
        store.change_task(task_id, {"voided": 1}, effective_on=day(assigned), by="t", kind="voided",
                          recorded_at=stamp(recorded, seq))
    marks = [e for e in store.task_events(task_id) if e["kind"] in ("extended", "reminded")]
    if marks and rng.random() < 0.5:
        seq += 1
        event = rng.choice(marks)
        later = max(int((D(event["recorded_at"][:10]) - BASE).days), assigned) + rng.randint(0, 60)
        with contextlib.suppress(InvalidInput):  # a later change touched the same field: not undone
            store.undo_events([event], by="t", recorded_at=stamp(later, seq), batch_id="u")
    return seq


def undone(event: dict, events: list[dict], known_at: str | None) -> bool:
    """Whether an undo of `event` was recorded by `known_at` (an undone extension or reminder counts nowhere)."""
    return any(u["undoes"] == event["id"] and (known_at is None or u["recorded_at"] <= known_at) for u in events)


def expected_counts(store: Store, start, end, as_of, prev_start, prev_end, known_at=None, previous_as_of=None):
    groups: dict[tuple, dict[str, int]] = {}
    before_day = previous_as_of or one_year_earlier(as_of)
    for task in list(store.export_rows("tasks")):
        if known_at and task["created_at"] > known_at:
            continue
        f = fields_as_of(task, store.journal(task["id"]), as_of, known_at)
        # the fields as they stood on the previous as-of day, for the previous year's states
        before = fields_as_of(task, store.journal(task["id"]), before_day, known_at)
        as_date = lambda v: D(v) if v else None  # noqa: E731
        def happened(kind: str, field: str | None, task: dict = task) -> bool:
            events = store.task_events(task["id"])
            return any(
                e["field"] == field and e["kind"] == kind and start.isoformat() <= e["effective_on"] <= end.isoformat()
                and e["effective_on"] <= as_of.isoformat() and (known_at is None or e["recorded_at"] <= known_at)
                and not undone(e, events, known_at)
                for e in events
            )

        counts = classify(
            TaskAsOf(f["state"], as_date(f["deadline"]), as_date(f["completed_on"]), as_date(f["assigned_on"]),
                     happened("extended", "deadline"), happened("reminded", None),
                     previous_year_deadline=as_date(before["deadline"]),
                     previous_year_completed_on=as_date(before["completed_on"]) if before["state"] == "done" else None,
                     voided=int(f["voided"] or 0) == 1),
            start, end, as_of, prev_start, prev_end, previous_as_of,
        )
        key = (int(f["lead_unit_id"]) if f["lead_unit_id"] is not None else None, f["source"])
        groups[key] = add_counts([groups.get(key, {}), counts])
    return {k: v for k, v in groups.items() if any(v.values())}


def compare_with_the_core(store: Store, rng: random.Random, queries: int) -> set[str]:
    """Random periods, as-of days, known-at moments and previous as-of days: the SQL
    counts equal classify's for each; returns the raw keys met (non-zero) at least once."""
    met: set[str] = set()
    for _ in range(queries):
        start = day(rng.randint(0, 330))
        end = start + timedelta(days=rng.randint(0, 120))
        as_of = end if rng.random() < 0.5 else start + timedelta(days=rng.randint(0, 400))
        prev_start, prev_end = start - timedelta(days=60), start - timedelta(days=1)
        known_at = None if rng.random() < 0.5 else stamp(rng.randint(0, 500), 999999)
        # the previous year's states as of a day inside this register (the default, one
        # year before, falls before most of it)
        previous_as_of = None if rng.random() < 0.25 else as_of - timedelta(days=rng.randint(0, 120))
        got = store.report_counts(start, end, as_of, prev_start, prev_end, known_at=known_at,
                                  previous_as_of=previous_as_of)
        got_groups = {(g["lead_unit_id"], g["source"]): {k: g[k] for k in RAW_KEYS} for g in got}
        got_groups = {k: v for k, v in got_groups.items() if any(v.values())}
        expected = expected_counts(store, start, end, as_of, prev_start, prev_end, known_at, previous_as_of)
        assert got_groups == expected, (start, end, as_of, known_at, previous_as_of)
        met.update(k for v in expected.values() for k, n in v.items() if n)
    return met


@pytest.mark.parametrize("seed", range(12))
def test_sql_counts_equal_the_core_definition(new_store, seed):
    rng = random.Random(seed)
    store = new_store()
    build_register(store, rng)
    compare_with_the_core(store, rng, 8)


def test_sql_counts_equal_the_core_definition_for_every_count(new_store):
    """A bigger register, so that every raw count (the four states of each view and the
    previous year's included) is non-zero in some query: none is held equal only at 0."""
    rng = random.Random(1000)
    store = new_store()
    build_register(store, rng, n_tasks=200)
    # the register holds the mistakes corrected (issue 14) the counts must leave out or follow
    kinds = [e["kind"] for e in store.export_rows("events")]
    mistakes = [kinds.count(kind) for kind in ("voided", "corrected", "undo")]
    assert all(n > 5 for n in mistakes), mistakes
    assert compare_with_the_core(store, rng, 16) == set(RAW_KEYS)


def expected_evaluation_counts(store: Store, start, end, as_of, known_at=None) -> dict:
    """What unit_evaluation_counts gives, from the tasks' fields replayed in Python."""
    units: dict = {}
    for task in list(store.export_rows("tasks")):
        if known_at and task["created_at"] > known_at:
            continue
        f = fields_as_of(task, store.journal(task["id"]), as_of, known_at)
        if f["state"] == "cancelled" or int(f["voided"] or 0) == 1:
            continue
        lead = int(f["lead_unit_id"]) if f["lead_unit_id"] is not None else None
        unit = units.setdefault(lead, {"overdue": 0, "overdue_days_total": 0, "overdue_days_max": 0,
                                       "extensions": 0, "reminders": 0})
        completed = f["state"] == "done" and f["completed_on"] is not None and D(f["completed_on"]) <= as_of
        deadline = D(f["deadline"]) if f["deadline"] else None
        if deadline is not None and deadline < as_of and deadline <= end and not completed:
            days = (as_of - deadline).days
            unit["overdue"] += 1
            unit["overdue_days_total"] += days
            unit["overdue_days_max"] = max(unit["overdue_days_max"], days)
        events = store.task_events(task["id"])
        for e in events:
            if (start.isoformat() <= e["effective_on"] <= min(end, as_of).isoformat()
                    and (known_at is None or e["recorded_at"] <= known_at) and not undone(e, events, known_at)):
                unit["extensions"] += e["kind"] == "extended" and e["field"] == "deadline"
                unit["reminders"] += e["kind"] == "reminded" and e["field"] is None
    return {k: v for k, v in units.items() if any(v.values())}


@pytest.mark.parametrize("seed", range(6))
def test_unit_evaluation_counts_equal_the_replayed_fields(new_store, seed):
    rng = random.Random(300 + seed)
    store = new_store()
    build_register(store, rng)
    for _ in range(8):
        start = day(rng.randint(0, 330))
        end = start + timedelta(days=rng.randint(0, 120))
        as_of = end if rng.random() < 0.5 else start + timedelta(days=rng.randint(0, 400))
        known_at = None if rng.random() < 0.5 else stamp(rng.randint(0, 500), 999999)
        got = {g.pop("lead_unit_id"): g for g in store.unit_evaluation_counts(start, end, as_of, known_at=known_at)}
        assert got == expected_evaluation_counts(store, start, end, as_of, known_at)
        # its overdue tasks are the workload's overdue tasks of the report, unit by unit
        overdue: dict = {}
        for g in store.report_counts(start, end, as_of, start, end, known_at=known_at):
            overdue[g["lead_unit_id"]] = overdue.get(g["lead_unit_id"], 0) + g["w_overdue"]
        assert {k: v["overdue"] for k, v in got.items() if v["overdue"]} == {k: v for k, v in overdue.items() if v}


def test_rates_are_exact_and_change_is_cut_not_rounded():
    # rates are exact fractions (a person reads them cut, through core.numbers)
    assert completion_rate(223, 387) == 223 / 387 == 0.5762273901808785
    assert completion_rate(0, 0) is None
    assert completion_rate(2, 3) == 2 / 3
    assert change_pct(153, 74) == 106.7
    assert change_pct(74, 153) == -51.6
    assert change_pct(5, 0) is None
    assert change_pct(10, 10) == 0.0


def test_views_from_raw_counts():
    raw = dict.fromkeys(RAW_KEYS, 0)
    raw.update(r_total=153, r_with_deadline=85, r_completed_with_deadline=74, r_completed_without_deadline=41,
               r_previous_year=74, w_due_in_period=387, w_completed_on_time=200, w_completed_late=23, w_overdue=100,
               w_in_progress=64)
    raw.update(r_completed_on_time=100, r_completed_late=15, r_in_progress=30, r_overdue=8)
    v = views(raw)
    assert {k: v["received"][k] for k in (*RECEIVED_KEYS, "change_pct")} == {
        "total": 153, "with_deadline": 85, "without_deadline": 68, "completed_with_deadline": 74,
        "completed_without_deadline": 41, "open": 38, "cancelled": 0, "previous_year": 74, "change_pct": 106.7,
    }
    assert {k: v["received"][k] for k in ("completed", "due", "completion_rate_of_due", "overdue_rate")} == {
        "completed": 115, "due": 123, "completion_rate_of_due": 115 / 123, "overdue_rate": 8 / 153}
    assert v["workload"]["total"] == 387 and v["workload"]["completed"] == 223
    assert v["workload"]["completion_rate"] == 223 / 387


@pytest.mark.parametrize("seed", range(4))
def test_workload_only_replay_gives_the_same_workload(new_store, seed):
    """The trend skips tasks that cannot be in a period's workload; its figures must not move."""
    rng = random.Random(100 + seed)
    store = new_store()
    build_register(store, rng)
    for _ in range(8):
        start = day(rng.randint(0, 330))
        end = start + timedelta(days=rng.randint(0, 60))
        as_of = end if rng.random() < 0.7 else start + timedelta(days=rng.randint(0, 200))
        known_at = None if rng.random() < 0.5 else stamp(rng.randint(0, 500), 999999)
        args = (start, end, as_of, start - timedelta(days=30), start - timedelta(days=1))
        full = views(add_counts(store.report_counts(*args, known_at=known_at)))["workload"]
        lean = views(add_counts(store.report_counts(*args, known_at=known_at, workload_only=True)))["workload"]
        assert (lean["total"], lean["completed"], lean["due_in_period"], lean["carried_over"]) == (
            full["total"], full["completed"], full["due_in_period"], full["carried_over"])


@pytest.mark.parametrize("seed", range(4))
def test_trend_counts_equal_month_by_month_counts(new_store, seed):
    rng = random.Random(200 + seed)
    store = new_store()
    build_register(store, rng)
    known_at = None if seed % 2 else stamp(rng.randint(100, 400), 999999)
    months = []
    for i in range(8):
        start = day(30 * i)
        end = start + timedelta(days=29)
        months.append((start, end, end if i < 7 else start + timedelta(days=10)))
    unit = store.list_units()[seed % 3].id
    gap = [(start + timedelta(days=2), end, as_of) for start, end, as_of in months]  # not consecutive
    for chosen, filters in ((months, {}), (months, {"unit_ids": [unit]}), (months, {"sources": ["Chính phủ"]}),
                            (gap, {})):
        trend = store.trend_counts(chosen, known_at=known_at, **filters)
        for (start, end, as_of), counts in zip(chosen, trend, strict=True):
            expected = views(add_counts(store.report_counts(start, end, as_of, start, end, known_at=known_at,
                                                            **filters)))["workload"]
            got = views(add_counts(counts))["workload"]
            assert (got["total"], got["completed"]) == (expected["total"], expected["completed"])


@pytest.mark.parametrize("seed", range(3))
def test_a_report_in_one_snapshot_equals_its_parts_read_apart(new_store, seed):
    """Inside snapshot() the journal's later changes collected for the trend serve the
    period's day: the counts must equal those read without a snapshot."""
    rng = random.Random(300 + seed)
    store = new_store()
    build_register(store, rng)
    months = [(day(30 * i), day(30 * i + 29), day(30 * i + 29)) for i in range(10)]
    start, end = months[-1][0], months[-1][1]
    apart = (store.trend_counts(months), store.report_counts(start, end, end, start, end),
             store.overdue_rows(end, end))
    with store.snapshot():
        together = (store.trend_counts(months), store.report_counts(start, end, end, start, end),
                    store.overdue_rows(end, end))
    assert [views(add_counts(m))["workload"] for m in together[0]] == [
        views(add_counts(m))["workload"] for m in apart[0]]
    assert views(add_counts(together[1])) == views(add_counts(apart[1]))
    assert together[2] == apart[2]
