"""Guards for speed that do not time anything: index use and lean start-up (issue 6)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest

from nqtrack.store.sqlite import SqliteStore as Store

# A full pass over a big table; the temporary as-of table and CTEs may be scanned.
FULL_SCAN = re.compile(r"^SCAN (tasks|events|task_units|units|documents)\b(?! USING)")


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "plans.db")
    with s.transaction():
        unit = s.add_unit("Văn phòng Bộ", code="VP").id
        units = [unit] + [s.add_unit(f"Đơn vị {i}").id for i in range(20)]
        # ten years of tasks, most of them done: the shape the planner's statistics must see
        for i in range(3000):
            month = date(2013 + i % 10, 1 + i % 12, 1)
            task = s.create_task({"title": f"Việc {i}", "lead_unit_id": units[i % 21], "source": ["Chính phủ", "Lãnh đạo Bộ"][i % 2],
                                  "assigned_on": month, "deadline": month.replace(day=20)},
                                 [], effective_on=month, by="t", recorded_at=f"{month}T08:00:00+00:00")
            if i % 20:
                s.change_task(task, {"state": "done", "completed_on": month.replace(day=10)}, effective_on=month.replace(day=10), by="t",
                              recorded_at=f"{month.replace(day=10)}T08:00:00+00:00")
        s.conn.execute("ANALYZE")
    return s


def plans_of(store: Store, call) -> list[tuple[str, list[str]]]:
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        store.conn.set_trace_callback(None)
    plans = []
    for sql in statements:
        text = sql.strip()
        if text.upper().startswith("CREATE TEMP TABLE"):
            text = text.split(" AS", 1)[1]
        elif not text.upper().startswith(("WITH", "SELECT")):
            continue
        plans.append((text, [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + text)]))
    return plans


CALLS = {
    "report": lambda s: s.report_counts(date(2022, 10, 1), date(2022, 10, 31), date(2022, 10, 31), date(2021, 10, 1), date(2021, 10, 31)),
    "report of one unit": lambda s: s.report_counts(date(2022, 10, 1), date(2022, 10, 31), date(2022, 10, 31), date(2021, 10, 1), date(2021, 10, 31), unit_ids=[1]),
    "report known on": lambda s: s.report_counts(date(2022, 10, 1), date(2022, 10, 31), date(2022, 10, 31), date(2021, 10, 1), date(2021, 10, 31), known_at="2022-11-01T00:00:00+00:00"),
    "evaluation": lambda s: s.unit_evaluation_counts(date(2022, 10, 1), date(2022, 10, 31), date(2022, 10, 31)),
    "evaluation known on": lambda s: s.unit_evaluation_counts(date(2022, 10, 1), date(2022, 10, 31), date(2022, 10, 31),
                                                              known_at="2022-11-01T00:00:00+00:00"),
    "overdue": lambda s: s.overdue_rows(date(2022, 11, 15), date(2022, 11, 22)),
    "overdue of one unit": lambda s: s.overdue_rows(date(2022, 11, 15), date(2022, 11, 22), unit_ids=[1]),
    "overdue coordinating": lambda s: s.overdue_rows(date(2022, 11, 15), date(2022, 11, 22), unit_ids=[1], role="coordinating"),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_hot_queries_use_indexes(store, name):
    plans = plans_of(store, lambda: CALLS[name](store))
    assert plans, "no query was traced"
    for _sql, plan in plans:
        scans = [line for line in plan if FULL_SCAN.match(line)]
        assert not scans, (name, scans, plan)
        assert any("USING" in line and "INDEX" in line for line in plan), (name, plan)


def test_importing_the_cli_stays_lean():
    code = (
        "import sys, nqtrack.cli; "
        "heavy = [m for m in ('sqlite_utils', 'dateutil', 'tabulate', 'rich', 'pydantic', 'python_calamine', 'openpyxl', 'xlsxwriter', 'docx', 'resvg_py', 'playwright', 'nqtrack.store') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_opening_a_current_database_does_not_load_the_migration_machinery(tmp_path):
    Store(tmp_path / "x.db").close()
    code = (
        "import sys; from nqtrack.store.sqlite import SqliteStore; SqliteStore(sys.argv[1]).close(); "
        "print(','.join(m for m in ('sqlite_utils', 'nqtrack.store.sqlite_migrations') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "x.db")], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
