"""Issue 20: the report's figures kept in the register (store.sql, "the figures kept").

A report keeps what it counted (the period's counts, each trend month, the overdue list),
each with the number of the last change to the register it saw; a later report reads them
unless a change since then reaches back to their day. These tests hold a report read from
what is kept equal to the same report counted again (`fresh`), on both engines, through late
entries, corrections, voids, renamed units and new tasks, and show which changes make a
report count again and which do not."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest

from nqtrack.app import units, views
from nqtrack.app.context import Context

TODAY = date(2022, 12, 15)
# the store's counts of a report's figures (trend_counts may call report_counts itself)
COUNTING = ("report_counts", "trend_counts", "overdue_rows")


def stamp(day: date) -> str:
    return f"{day.isoformat()}T09:00:00.000000+00:00"


def build(store: Any, tasks: int = 80, seed: int = 7) -> list[int]:
    """Tasks of two units assigned over 2022, some done (on time or late), some open."""
    rng = random.Random(seed)
    ids = []
    with store.transaction():
        leads = [store.add_unit("Văn phòng", code="VP").id, store.add_unit("Vụ Pháp chế", code="PC").id]
        for n in range(tasks):
            assigned = date(2022, 1, 3) + timedelta(days=rng.randrange(300))
            deadline = assigned + timedelta(days=rng.randrange(10, 90)) if rng.random() < 0.85 else None
            task_id = store.create_task(
                {"title": f"Nhiệm vụ {n}", "source": rng.choice(["Chính phủ", "Lãnh đạo Bộ"]),
                 "lead_unit_id": rng.choice(leads), "assigned_on": assigned, "deadline": deadline, "state": "new"},
                [], effective_on=assigned, by="test", kind="imported", recorded_at=stamp(assigned))
            ids.append(task_id)
            done = assigned + timedelta(days=rng.randrange(5, 120))
            if rng.random() < 0.6 and done < TODAY:
                store.change_task(task_id, {"state": "done", "completed_on": done}, effective_on=done, by="test",
                                  kind="completed", recorded_at=stamp(done))
    return ids


def report(store: Any, month: str, *, fresh: bool = False, unit: str | None = None) -> dict[str, Any]:
    """The report's JSON data, as the renderers get it."""
    query = views.ReportQuery(views.PeriodChoice(month=month), units=(unit,) if unit else (), fresh=fresh)
    data = views.report(Context.of(store, TODAY), query).data
    return json.loads(json.dumps(data, default=str))


@contextmanager
def counting_forbidden(store: Any) -> Iterator[None]:
    """Any count of the report's figures fails: what the report prints was read."""
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("counted again")

    saved = {name: getattr(store, name) for name in COUNTING}
    for name in COUNTING:
        setattr(store, name, refuse)
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(store, name, method)


@contextmanager
def counted(store: Any) -> Iterator[dict[str, int]]:
    """How many times each count of the report's figures runs."""
    calls = dict.fromkeys(COUNTING, 0)
    saved = {name: getattr(store, name) for name in COUNTING}

    def spy(name: str) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return saved[name](*args, **kwargs)
        return run

    for name in COUNTING:
        setattr(store, name, spy(name))
    try:
        yield calls
    finally:
        for name, method in saved.items():
            setattr(store, name, method)


@pytest.fixture
def store(new_store) -> Any:
    made = new_store()
    build(made)
    return made


def test_a_report_read_from_the_figures_kept_equals_the_one_counted(store):
    counted_once = report(store, "2022-10")
    assert store._scalar("SELECT count(*) AS n FROM figure_cache") == 14  # the period, 12 months, the overdue list
    with counting_forbidden(store):
        assert report(store, "2022-10") == counted_once
    assert report(store, "2022-10", fresh=True) == counted_once
    # another filter is another count
    with counted(store) as calls:
        by_unit = report(store, "2022-10", unit="VP")
    assert all(calls.values()), calls
    assert by_unit["workload"]["total"] < counted_once["workload"]["total"]



def test_a_report_read_from_the_figures_kept_neither_sorts_nor_sums_again(store, monkeypatch):
    """What is kept is what the report prints (revision 2): the overdue list sorted, with its
    days overdue, so a kept report does not build it again, and each trend month's counts
    summed; the days of the list read back are days, as counted."""
    from nqtrack.core.figures import RAW_KEYS

    query = views.ReportQuery(views.PeriodChoice(month="2022-10"))
    counted_once = views.report(Context.of(store, TODAY), query)
    tasks = counted_once.data["overdue_tasks"]
    assert tasks and all(type(t["deadline"]) is date for t in tasks)

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("built again")

    monkeypatch.setattr(views, "build_backlog", refuse)
    with counting_forbidden(store):
        read = views.report(Context.of(store, TODAY), query)
    assert read.data == counted_once.data
    assert [type(t["deadline"]) for t in read.data["overdue_tasks"]] == [date] * len(tasks)
    kept = {json.loads(r["key"])["kind"] + r["key"]: json.loads(r["figures"])
            for r in store._rows("SELECT key, figures FROM figure_cache")}
    assert all(json.loads(key[key.index("{"):])["revision"] == views.FIGURES_REVISION == 2 for key in kept)
    months = [figures for key, figures in kept.items() if key.startswith("trend")]
    assert len(months) == 12 and all(set(month) == set(RAW_KEYS) for month in months)
    (overdue,) = [figures for key, figures in kept.items() if key.startswith("overdue")]
    assert overdue == [{**t, "deadline": t["deadline"].isoformat(),
                        "original_deadline": t["original_deadline"] and t["original_deadline"].isoformat()}
                       for t in tasks]


def test_fresh_counts_everything_again_and_keeps_it(store):
    first = report(store, "2022-10")
    with counted(store) as calls:
        assert report(store, "2022-10", fresh=True) == first
    assert all(calls.values()), calls


def test_a_late_entry_reaching_back_into_a_month_is_counted(store):
    before = report(store, "2022-10")
    open_task = store._scalar(
        "SELECT min(id) AS id FROM tasks WHERE state = 'new' AND deadline BETWEEN '2022-09-01' AND '2022-09-30'")
    with store.transaction():  # recorded today, effective in September
        store.change_task(open_task, {"state": "done", "completed_on": date(2022, 9, 20)},
                          effective_on=date(2022, 9, 20), by="test", kind="completed", recorded_at=stamp(TODAY))
    with counted(store) as calls:
        after = report(store, "2022-10")
    assert all(calls.values()), calls
    assert after == report(store, "2022-10", fresh=True)
    september = [m for m in after["trend"] if m["month"] == "2022-09"][0]
    september_before = [m for m in before["trend"] if m["month"] == "2022-09"][0]
    assert september["completed"] == september_before["completed"] + 1
    # the months before September were read, not counted: only September and October were
    with counted(store) as calls:
        report(store, "2022-10")
    assert calls == dict.fromkeys(COUNTING, 0)


def record_progress(store: Any, effective_on: date) -> None:
    """Progress on an open task, recorded today, effective on a given day."""
    open_task = store._scalar("SELECT min(id) AS id FROM tasks WHERE state = 'new'")
    with store.transaction():
        store.change_task(open_task, {"progress": 40}, effective_on=effective_on, by="test",
                          recorded_at=stamp(TODAY))


def test_an_entry_after_the_report_day_changes_nothing_kept(store):
    report(store, "2022-10")
    record_progress(store, date(2022, 11, 20))
    with counted(store) as calls:
        kept = report(store, "2022-10")
    assert calls == {"report_counts": 0, "trend_counts": 0, "overdue_rows": 1}  # the list: today's names
    assert kept == report(store, "2022-10", fresh=True)


def test_only_the_months_a_change_reaches_back_to_are_counted_again(store):
    report(store, "2022-10")
    record_progress(store, date(2022, 8, 10))
    months: list[list[tuple[date, date, date]]] = []
    trend_counts = store.trend_counts

    def spy(asked: list[tuple[date, date, date]], **kwargs: Any) -> Any:
        months.append(asked)
        return trend_counts(asked, **kwargs)

    store.trend_counts = spy
    try:
        assert report(store, "2022-10") == report(store, "2022-10", fresh=True)
    finally:
        store.trend_counts = trend_counts
    assert [m[0] for m in months[0]] == [date(2022, 8, 1), date(2022, 9, 1), date(2022, 10, 1)]


@pytest.mark.parametrize(("assigned", "deadline", "counted_again"), [
    (date(2022, 12, 14), date(2023, 1, 20), False),  # today's new task: no closed month changes
    (date(2022, 12, 14), date(2022, 10, 10), True),  # entered late: due in October
    (date(2022, 9, 1), None, True),  # entered late: received in September
    (None, None, True),  # no day it was assigned: in every period's workload
])
def test_a_new_task_changes_the_figures_from_the_first_of_its_days(store, assigned, deadline, counted_again):
    report(store, "2022-10")
    lead = store._scalar("SELECT min(id) AS id FROM units")
    with store.transaction():  # entered today, whatever its days
        store.create_task({"title": "Việc nhập muộn", "source": "Chính phủ", "lead_unit_id": lead,
                           "assigned_on": assigned, "deadline": deadline, "state": "new"},
                          [], effective_on=TODAY, by="test", recorded_at=stamp(TODAY))
    with counted(store) as calls:
        again = report(store, "2022-10")
    assert bool(calls["report_counts"] or calls["trend_counts"]) is counted_again, calls
    assert again == report(store, "2022-10", fresh=True)


def test_the_overdue_list_names_tasks_as_they_are_named_today(store):
    """The overdue list of a past day shows today's titles: a new title, effective today,
    makes the list be read again, while the counts of the past months stay kept."""
    first = report(store, "2022-10")
    task = first["overdue_tasks"][0]["id"]
    with store.transaction():
        store.change_task(task, {"title": "Tên gọi mới"}, effective_on=TODAY, by="test", kind="imported",
                          recorded_at=stamp(TODAY))
    with counted(store) as calls:
        again = report(store, "2022-10")
    assert calls == {"report_counts": 0, "trend_counts": 0, "overdue_rows": 1}
    assert again["overdue_tasks"][0]["title"] == "Tên gọi mới"
    assert again == report(store, "2022-10", fresh=True)


@pytest.mark.parametrize("change", ["correction", "void", "unit renamed"])
def test_a_change_that_restates_every_day_counts_every_month_again(store, change):
    first = report(store, "2022-10")
    task = store._scalar("SELECT min(id) AS id FROM tasks WHERE deadline BETWEEN '2022-03-01' AND '2022-03-31'")
    ctx = Context.of(store, TODAY, stamp(TODAY))
    if change == "unit renamed":
        units.rename(ctx, "VP", "Văn phòng Bộ")
    else:
        with store.transaction():  # recorded today, effective today: it still restates every day
            fields = {"deadline": date(2022, 10, 20)} if change == "correction" else {"voided": 1}
            store.change_task(task, fields, effective_on=TODAY, by="test",
                              kind="corrected" if change == "correction" else "voided", recorded_at=stamp(TODAY))
    with counted(store) as calls:
        again = report(store, "2022-10")
    assert all(calls.values()), calls
    assert again == report(store, "2022-10", fresh=True)
    assert again != first


def test_the_changes_are_numbered_with_the_first_day_they_reach(store):
    seen = store.figures_seen()
    open_task = store._scalar("SELECT min(id) AS id FROM tasks WHERE state = 'new'")
    with store.transaction():
        store.change_task(open_task, {"progress": 10}, effective_on=date(2022, 6, 1), by="test",
                          recorded_at=stamp(TODAY))
        store.change_task(open_task, {"progress": 20}, effective_on=date(2022, 5, 2), by="test",
                          recorded_at=stamp(TODAY))
    with store.transaction():
        store.set_setting("decimals", "2")  # no journal event: no change to the figures
    units.rename(Context.of(store, TODAY, stamp(TODAY)), "PC", "Vụ Pháp chế và Tổng hợp")
    # one number a transaction, the next each time, on both engines
    assert store._rows("SELECT id, from_day FROM figure_changes WHERE id > ? ORDER BY id", [seen]) == [
        {"id": seen + 1, "from_day": "2022-05-02"}, {"id": seen + 2, "from_day": None}]


@pytest.mark.postgresql_only
def test_a_long_write_does_not_hold_back_the_numbers_of_others(store):
    """On PostgreSQL the number is chosen at the commit: a writer that has written events
    and not committed yet does not stop another one, which takes the next number first."""
    import threading

    from nqtrack.store import open_store

    seen = store.figures_seen()
    tasks = store._ids("SELECT id FROM tasks WHERE state = 'new' ORDER BY id LIMIT 2")
    other = open_store(store.url)
    written, go_on, done = threading.Event(), threading.Event(), []

    def long_write() -> None:
        with other.transaction():
            other.change_task(tasks[0], {"progress": 5}, effective_on=date(2022, 3, 3), by="test",
                              recorded_at=stamp(TODAY))
            written.set()
            go_on.wait(30)
        done.append(True)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert written.wait(30)
        # fails after 5 s where it would wait for the other's commit (30 s), were the lock
        # that orders the numbers taken at the other's first event
        with store.transaction():
            store._execute("SET LOCAL lock_timeout = '5s'")
            store.change_task(tasks[1], {"progress": 6}, effective_on=date(2022, 4, 4), by="test",
                              recorded_at=stamp(TODAY))
    finally:
        go_on.set()
        writer.join(30)
        other.close()
    assert done == [True]
    assert store._rows("SELECT id, from_day FROM figure_changes WHERE id > ? ORDER BY id", [seen]) == [
        {"id": seen + 1, "from_day": "2022-04-04"}, {"id": seen + 2, "from_day": "2022-03-03"}]
    assert store._scalar("SELECT count(*) AS n FROM figure_pending") == 0


@pytest.mark.postgresql_only
def test_an_event_written_past_nqtrack_is_numbered_by_the_server(store):
    """A unit may INSERT its events with its own SQL client: the server's trigger numbers them."""
    report(store, "2022-10")
    seen = store.figures_seen()
    task = store._scalar("SELECT min(id) AS id FROM tasks WHERE state = 'new'")
    with store.transaction():
        store._execute(
            """INSERT INTO events(task_id, kind, field, old_value, new_value, effective_on, recorded_at, recorded_by)
               VALUES (?, 'updated', 'progress', NULL, '5', '2022-07-07', ?, 'psql')""", [task, stamp(TODAY)])
    assert store._rows("SELECT id, from_day FROM figure_changes WHERE id > ?", [seen]) == [
        {"id": seen + 1, "from_day": "2022-07-07"}]
    with counted(store) as calls:
        report(store, "2022-10")
    assert calls["report_counts"], calls


def test_a_restore_forgets_the_figures_kept(store, tmp_path):
    report(store, "2022-10")
    backup = str(tmp_path / "backup.db")
    store.backup_to(backup)
    store.restore_from(backup)
    assert store._scalar("SELECT count(*) AS n FROM figure_cache") == 0
    with counted(store) as calls:
        report(store, "2022-10")
    assert all(calls.values()), calls


def test_a_register_that_cannot_be_written_counts_and_keeps_nothing(store):
    first = report(store, "2022-10")
    with store.transaction():
        store.forget_figures()
    store.read_only = RuntimeError("read-only")  # as a register on read-only media is opened
    try:
        with counted(store) as calls:
            assert report(store, "2022-10") == first
        assert all(calls.values()), calls
        assert store._scalar("SELECT count(*) AS n FROM figure_cache") == 0
    finally:
        store.read_only = None


def test_reports_read_from_what_is_kept_equal_reports_counted_again_through_any_changes(store):
    """A seeded walk of changes of every kind, each followed by reports of several months:
    each report equals the same report counted again."""
    rng = random.Random(20)
    ctx = Context.of(store, TODAY, stamp(TODAY))
    task_ids = [r["id"] for r in store._rows("SELECT id FROM tasks ORDER BY id")]
    months = ["2022-03", "2022-06", "2022-09", "2022-10", "2022-11", "2022-12"]
    for step in range(24):
        task = rng.choice(task_ids)
        day = date(2022, 1, 10) + timedelta(days=rng.randrange(330))
        kind = rng.choice(["complete", "extend", "progress", "correct", "new", "rename", "void", "retitle"])
        state = store._scalar("SELECT state FROM tasks WHERE id = ?", [task])
        if kind == "rename":
            units.rename(ctx, rng.choice(["VP", "PC"]), f"Đơn vị {step}")
        else:
            with store.transaction():
                if kind == "complete" and state != "done":
                    store.change_task(task, {"state": "done", "completed_on": day}, effective_on=day, by="test",
                                      kind="completed", recorded_at=stamp(TODAY))
                elif kind == "extend":
                    store.change_task(task, {"deadline": day + timedelta(days=30)}, effective_on=day, by="test",
                                      kind="extended", note="gia hạn", recorded_at=stamp(TODAY))
                elif kind == "correct":
                    store.change_task(task, {"deadline": day}, effective_on=TODAY, by="test", kind="corrected",
                                      recorded_at=stamp(TODAY))
                elif kind == "retitle":  # as a re-import records it: effective today
                    store.change_task(task, {"title": f"Tên mới {step}", "assignee": f"Người {step}"},
                                      effective_on=TODAY, by="test", kind="imported", recorded_at=stamp(TODAY))
                elif kind == "void":
                    store.change_task(task, {"voided": 1}, effective_on=TODAY, by="test", kind="voided",
                                      recorded_at=stamp(TODAY))
                elif kind == "new":
                    lead = store._scalar("SELECT min(id) AS id FROM units")
                    task_ids.append(store.create_task(
                        {"title": f"Việc mới {step}", "source": "Chính phủ", "lead_unit_id": lead,
                         "assigned_on": day, "deadline": day + timedelta(days=20), "state": "new"},
                        [], effective_on=day, by="test", recorded_at=stamp(TODAY)))
                else:
                    store.change_task(task, {"progress": rng.randrange(100)}, effective_on=day, by="test",
                                      recorded_at=stamp(TODAY))
        for month in rng.sample(months, 3):
            assert report(store, month) == report(store, month, fresh=True), (step, kind, month)
