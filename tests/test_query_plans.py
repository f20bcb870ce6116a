"""Query plans of the hot reads (issue 20), on both engines, without timing anything: the
report's period query reads the tasks extended and reminded in the period once, through the
indexes of those events (no subquery per task), and neither the report nor the overdue list
reads a big table whole. SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN with sequential
scans priced out, so that a sequential scan left in a plan means no index can serve it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

BIG_TABLES = ("tasks", "events", "task_units")


@pytest.fixture
def store(new_store) -> Any:
    s = new_store()
    with s.transaction():
        units = [s.add_unit("Văn phòng Bộ", code="VP").id] + [s.add_unit(f"Đơn vị {i}").id for i in range(8)]
        for i in range(400):
            month = date(2019 + i % 4, 1 + i % 12, 1)
            task = s.create_task({"title": f"Việc {i}", "lead_unit_id": units[i % 9], "assigned_on": month,
                                  "source": ["Chính phủ", "Lãnh đạo Bộ"][i % 2], "deadline": month.replace(day=20)},
                                 [], effective_on=month, by="t", recorded_at=f"{month}T08:00:00+00:00")
            if i % 10:
                s.change_task(task, {"state": "done", "completed_on": month.replace(day=10)},
                              effective_on=month.replace(day=10), by="t", recorded_at=f"{month}T09:00:00+00:00")
        s.record_reminders({1: "VP", 11: "VP"}, day=date(2022, 10, 5), by="t", recorded_at="2022-10-05T08:00:00+00:00",
                           batch_id="remind-1")
    s._execute("ANALYZE")
    return s


def traced(store: Any, call) -> list[tuple[str, Any]]:
    """The SELECTs (and WITH … SELECTs) `call` sends, with their parameters."""
    seen: list[tuple[str, Any]] = []
    execute = store._execute

    def spy(sql: str, params: Any = ()) -> Any:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((sql, params))
        return execute(sql, params)

    store._execute = spy
    try:
        call()
    finally:
        store._execute = execute
    return seen


def plan(store: Any, sql: str, params: Any) -> list[str]:
    if store.engine == "postgresql":
        store._execute("SET enable_seqscan = off")
        try:
            return [next(iter(row.values())) for row in store._execute("EXPLAIN " + sql, params)]
        finally:
            store._execute("RESET enable_seqscan")
    return [row[3] for row in store._execute("EXPLAIN QUERY PLAN " + sql, params)]


def whole_reads(store: Any, lines: list[str]) -> list[str]:
    if store.engine == "postgresql":
        pattern = re.compile(rf"Seq Scan on ({'|'.join(BIG_TABLES)})\b")
        return [line for line in lines if pattern.search(line)]
    pattern = re.compile(rf"^SCAN ({'|'.join(BIG_TABLES)})\b(?! USING)")
    return [line for line in lines if pattern.match(line)]


def report(s: Any, **kwargs: Any) -> Any:
    return s.report_counts(date(2022, 10, 1), date(2022, 10, 31), date(2022, 10, 31), date(2021, 10, 1),
                           date(2021, 10, 31), **kwargs)


CALLS = {
    "report": report,
    "report known on": lambda s: report(s, known_at="2022-11-01T00:00:00+00:00"),
    "report of one unit": lambda s: report(s, unit_ids=[1]),
    "trend": lambda s: s.trend_counts([(date(2022, m, 1), date(2022, m, 28), date(2022, m, 28)) for m in (8, 9, 10)]),
    "overdue": lambda s: s.overdue_rows(date(2022, 11, 15), date(2022, 11, 22)),
    "overdue of one unit": lambda s: s.overdue_rows(date(2022, 11, 15), date(2022, 11, 22), unit_ids=[1]),
    "overdue as of a past day": lambda s: s.overdue_rows(date(2022, 10, 31), date(2022, 10, 30),
                                                        with_coordinating=False),
    # what an import or `assign` reads for each row (m015: the index holds the key's first
    # characters)
    "a task by its title": lambda s: s.task_by_title(None, "Việc 17"),
    "an open task like it": lambda s: s.open_task_like(None, "Việc 17", 1),
    "the last changes": lambda s: s.last_changes(3),
}


def test_a_task_is_found_by_its_title_through_the_first_characters_of_its_key(store):
    """tasks_document_title holds a title key's first characters (m015): the look-up of
    every imported row searches the index by the document and those characters."""
    statements = traced(store, lambda: store.task_by_title(None, "Việc 17"))
    lines = [line for sql, params in statements for line in plan(store, sql, params)]
    if store.engine == "postgresql":  # the document in the index's condition (IS NOT DISTINCT FROM was not)
        assert any("Index Cond" in line and "document_id IS NULL" in line and "substr(title_key, 1, 20)" in line
                   for line in lines), lines
    else:
        assert any(line.startswith("SEARCH tasks USING INDEX tasks_document_title (document_id=? AND <expr>=?)")
                   for line in lines), lines
    # titles alike in their first 20 characters are told apart by the whole key
    titles = ["Báo cáo kết quả thực hiện quý I", "Báo cáo kết quả thực hiện quý II"]
    with store.transaction():
        ids = [store.create_task({"title": title, "lead_unit_id": 1}, [], effective_on=date(2022, 1, 1), by="t",
                                 recorded_at="2022-01-01T08:00:00+00:00") for title in titles]
    assert [store.task_by_title(None, title.upper())["id"] for title in titles] == ids
    assert store.task_by_title(None, "Báo cáo kết quả thực hiện quý III") is None


@pytest.mark.parametrize("name", list(CALLS))
def test_the_hot_reads_never_read_a_big_table_whole(store, name):
    statements = traced(store, lambda: CALLS[name](store))
    assert statements, "no query was traced"
    for sql, params in statements:
        lines = plan(store, sql, params)
        assert not whole_reads(store, lines), (name, sql, lines)


def test_the_report_reads_the_extended_and_reminded_tasks_once_through_their_indexes(store):
    statements = [(sql, params) for sql, params in traced(store, lambda: report(store)) if "reminded" in sql and "flagged" in sql]
    assert len(statements) == 1
    lines = plan(store, *statements[0])
    text = "\n".join(lines)
    # each kind of event read through its index over the period's days
    assert re.search(r"events_reminded", text), lines
    assert re.search(r"events_effective", text), lines
    # no subquery run per task over its journal (index events_task_field): the only
    # correlated read left is the undo of an event of the period (index events_undoes)
    assert not [line for line in lines if "events_task_field" in line], lines
