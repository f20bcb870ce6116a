"""The report's SQL counts agree with the core's definition (core.figures.classify)
on random registers with random, back-dated and late-recorded journals."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from nqtrack.core.figures import RAW_KEYS, TaskAsOf, add_counts, change_pct, classify, completion_rate, views
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


def expected_counts(store: Store, start, end, as_of, prev_start, prev_end, known_at=None):
    groups: dict[tuple, dict[str, int]] = {}
    for task in store.list_tasks():
        if known_at and task["created_at"] > known_at:
            continue
        f = fields_as_of(task, store.journal(task["id"]), as_of, known_at)
        as_date = lambda v: D(v) if v else None  # noqa: E731
        def happened(kind: str, field: str | None, task: dict = task) -> bool:
            return any(
                e["field"] == field and e["kind"] == kind and start.isoformat() <= e["effective_on"] <= end.isoformat()
                and e["effective_on"] <= as_of.isoformat() and (known_at is None or e["recorded_at"] <= known_at)
                for e in store.task_events(task["id"])
            )

        counts = classify(
            TaskAsOf(f["state"], as_date(f["deadline"]), as_date(f["completed_on"]), as_date(f["assigned_on"]),
                     happened("extended", "deadline"), happened("reminded", None)),
            start, end, as_of, prev_start, prev_end,
        )
        key = (int(f["lead_unit_id"]) if f["lead_unit_id"] is not None else None, f["source"])
        groups[key] = add_counts([groups.get(key, {}), counts])
    return {k: v for k, v in groups.items() if any(v.values())}


@pytest.mark.parametrize("seed", range(12))
def test_sql_counts_equal_the_core_definition(new_store, seed):
    rng = random.Random(seed)
    store = new_store()
    build_register(store, rng)
    for _ in range(8):
        start = day(rng.randint(0, 330))
        end = start + timedelta(days=rng.randint(0, 120))
        as_of = end if rng.random() < 0.5 else start + timedelta(days=rng.randint(0, 400))
        prev_start, prev_end = start - timedelta(days=60), start - timedelta(days=1)
        known_at = None if rng.random() < 0.5 else stamp(rng.randint(0, 500), 999999)
        got = store.report_counts(start, end, as_of, prev_start, prev_end, known_at=known_at)
        got_groups = {(g["lead_unit_id"], g["source"]): {k: g[k] for k in RAW_KEYS} for g in got}
        got_groups = {k: v for k, v in got_groups.items() if any(v.values())}
        assert got_groups == expected_counts(store, start, end, as_of, prev_start, prev_end, known_at)


def test_rates_are_cut_not_rounded():
    assert completion_rate(223, 387) == 0.576
    assert completion_rate(0, 0) is None
    assert completion_rate(2, 3) == 0.666
    assert change_pct(153, 74) == 106.7
    assert change_pct(74, 153) == -51.6
    assert change_pct(5, 0) is None
    assert change_pct(10, 10) == 0.0


def test_views_from_raw_counts():
    raw = dict.fromkeys(RAW_KEYS, 0)
    raw.update(r_total=153, r_with_deadline=85, r_completed_with_deadline=74, r_completed_without_deadline=41,
               r_previous_year=74, w_due_in_period=387, w_completed_on_time=200, w_completed_late=23, w_overdue=100,
               w_in_progress=64)
    v = views(raw)
    assert v["received"] == {
        "total": 153, "with_deadline": 85, "without_deadline": 68, "completed_with_deadline": 74,
        "completed_without_deadline": 41, "open": 38, "cancelled": 0, "previous_year": 74, "change_pct": 106.7,
    }
    assert v["workload"]["total"] == 387 and v["workload"]["completed"] == 223
    assert v["workload"]["completion_rate"] == 0.576


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
    trend = store.trend_counts(months, known_at=known_at)
    for (start, end, as_of), counts in zip(months, trend, strict=True):
        expected = views(add_counts(store.report_counts(start, end, as_of, start, end, known_at=known_at)))["workload"]
        got = views(add_counts(counts))["workload"]
        assert (got["total"], got["completed"]) == (expected["total"], expected["completed"])
