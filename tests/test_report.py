"""Issue 5: the statistical report — the DESIGN.md example, point in time, periods, formats, cron."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date, timedelta

import pytest

from nqtrack.core.periods import month_period, parse_month, parse_quarter, quarter_period, trend_months, year_period
from nqtrack.store import open_store
from tests.support import nqtrack_executable


def stamp(day: date) -> str:
    return f"{day.isoformat()}T09:00:00.000000+00:00"


def spread(start: date, end: date, i: int) -> date:
    """The i-th of a regular spread of days in [start, end]."""
    return start + timedelta(days=(i * 7) % ((end - start).days + 1))


@pytest.fixture(scope="module")
def design_example(module_register) -> str:
    """A register built to reproduce the example of DESIGN.md ("Report figures")."""
    path = module_register()
    store = open_store(path)
    with store.transaction():
        unit = store.add_unit("Văn phòng Bộ", code="VP").id
        other = store.add_unit("Vụ Pháp chế", code="PC").id
        n = 0

        def task(source, assigned, deadline, completed=None, late_by=0, recorded=None, lead=unit):
            nonlocal n
            n += 1
            task_id = store.create_task(
                {"title": f"Nhiệm vụ {n}", "source": source, "lead_unit_id": lead, "assigned_on": assigned,
                 "deadline": deadline, "state": "new"},
                [], effective_on=assigned, by="test", kind="imported", recorded_at=stamp(recorded or assigned))
            if completed:
                store.change_task(task_id, {"state": "done", "completed_on": completed}, effective_on=completed,
                                  by="test", kind="completed", recorded_at=stamp(completed + timedelta(days=late_by)))

        jan1, sep30 = date(2022, 1, 1), date(2022, 9, 30)
        # the Government's 153 tasks of the first nine months
        for i in range(74):  # with a deadline, completed on time
            d = spread(date(2022, 2, 1), sep30, i)
            task("Chính phủ", d - timedelta(days=30), d, completed=d - timedelta(days=2))
        for i in range(11):  # with a deadline, still open
            d = spread(date(2022, 2, 1), sep30, i)
            task("Chính phủ", d - timedelta(days=30), d)
        for i in range(41):  # without a deadline, completed
            a = spread(jan1, date(2022, 8, 31), i)
            task("Chính phủ", a, None, completed=a + timedelta(days=20))
        for i in range(27):  # without a deadline, open
            task("Chính phủ", spread(jan1, sep30, i), None)
        # the other 302 tasks due in the nine months: 126 on time, 23 late, 153 open
        for i in range(302):
            d = spread(jan1, sep30, i)
            assigned = max(date(2021, 12, 1), d - timedelta(days=45))
            lead = other if i % 3 == 0 else unit
            if i < 126:
                task("Lãnh đạo Bộ", assigned, d, completed=d - timedelta(days=1), lead=lead)
            elif i < 149:
                task("Lãnh đạo Bộ", assigned, d, completed=min(d + timedelta(days=5), sep30), lead=lead)
            else:
                task("Lãnh đạo Bộ", assigned, d, lead=lead)
        # the rest of the year: 207 tasks due from October to December
        for i in range(207):
            d = spread(date(2022, 10, 1), date(2022, 12, 31), i)
            task("Lãnh đạo Bộ", date(2022, 10, 1), d)
        # 10 tasks of 2021 entered in the register only in October 2022, still open
        for _ in range(10):
            task("Lãnh đạo Bộ", date(2021, 11, 1), date(2021, 12, 15), recorded=date(2022, 10, 5))
        # the same nine months of 2021: 74 tasks from the Government, all done in 2021
        for i in range(74):
            a = spread(date(2021, 1, 1), date(2021, 9, 30), i)
            task("Chính phủ", a, a + timedelta(days=20), completed=a + timedelta(days=10))
    store.close()
    return path


def report_json(db: str, *args: str, today: str = "2023-01-15") -> dict:
    from typer.testing import CliRunner

    from nqtrack.cli import app

    result = CliRunner().invoke(app, ["--db", str(db), "--today", today, "report", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_design_example_nine_months(design_example):
    data = report_json(design_example, "--from", "01/01/2022", "--to", "30/09/2022", "--known-on", "2022-09-30")
    w = data["workload"]
    assert (w["due_in_period"], w["carried_over"], w["total"]) == (387, 0, 387)
    assert (w["completed"], w["completed_on_time"], w["completed_late"]) == (223, 200, 23)
    assert w["completion_rate"] == 223 / 387  # exact; printed cut: 57,6 %
    assert (w["overdue"], w["in_progress"]) == (164, 0)
    assert w["due_in_period_states"] == {"completed_on_time": 200, "completed_late": 23, "in_progress": 0,
                                         "overdue": 164}
    government = next(s for s in data["by_source"] if s["source"] == "Chính phủ")
    assert government["received"] == {
        "total": 153, "with_deadline": 85, "without_deadline": 68, "completed_with_deadline": 74,
        "completed_without_deadline": 41, "open": 38, "cancelled": 0, "previous_year": 74, "change_pct": 106.7,
        # the four states: 74 + 41 completed before their deadlines (or without one); of the 38 open,
        # 11 past their deadlines and 27 without one
        "completed_on_time": 115, "completed_late": 0, "in_progress": 27, "overdue": 11, "completed": 115,
        "due": 126, "completion_rate_of_due": 115 / 126, "overdue_rate": 11 / 153,
        # on 30/09/2021, 73 of the 74 tasks of 2021 were done (one was completed on 10/10/2021)
        "previous_year_completed": 73, "previous_year_overdue": 0, "change_pct_completed": 57.5,
        "change_pct_overdue": None,
    }
    assert data["period"] == {"from": "2022-01-01", "to": "2022-09-30", "as_of": "2022-09-30", "known_on": "2022-09-30",
                              "kind": "range", "label": "01/01/2022–30/09/2022", "cutoff": None}
    assert len(data["overdue_tasks"]) == 164


def test_the_design_example_rest_of_the_year(design_example):
    data = report_json(design_example, "--from", "01/10/2022", "--to", "31/12/2022")
    w = data["workload"]
    assert (w["total"], w["carried_over"], w["due_in_period"]) == (381, 174, 207)
    assert w["completed"] == 0 and w["completion_rate"] == 0.0


def test_known_on_leaves_out_what_was_recorded_later(design_example):
    # without --known-on, the 10 tasks of 2021 entered in October count as carried over
    data = report_json(design_example, "--from", "01/01/2022", "--to", "30/09/2022")
    assert (data["workload"]["carried_over"], data["workload"]["total"]) == (10, 397)


def test_by_unit_figures_add_up(design_example):
    data = report_json(design_example, "--year", "2022")
    units = data["by_unit"]
    assert [u["unit"] for u in units] == ["Văn phòng Bộ", "Vụ Pháp chế"]
    for key in ("total", "completed", "overdue", "carried_over", "due_in_period"):
        assert sum(u["workload"][key] for u in units) == data["workload"][key]
    assert sum(u["received"]["total"] for u in units) == data["received"]["total"]
    filtered = report_json(design_example, "--year", "2022", "--unit", "PC")
    assert filtered["workload"] == units[1]["workload"]
    assert filtered["filters"] == {"units": ["Vụ Pháp chế"], "sources": [], "documents": []}


@pytest.fixture
def small(cli):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    cli("unit", "add", "Vụ Tổ chức cán bộ", "--code", "TCCB")
    cli("assign", "Báo cáo quý III", "--lead", "VP", "--source", "Chính phủ", "--due", "15/10/2022", "--assigned-on", "2022-09-01", "--code", "A", today="2022-09-01")
    cli("assign", "Kế hoạch 2023", "--lead", "TCCB", "--source", "Lãnh đạo Bộ", "--due", "31/10/2022", "--assigned-on", "2022-10-03", "--code", "B", today="2022-10-03")
    cli("assign", "Tổng kết Nghị quyết", "--lead", "VP", "--source", "Lãnh đạo Bộ", "--due", "30/09/2022", "--assigned-on", "2022-08-01", "--code", "C", today="2022-08-01")
    cli("assign", "Rà soát thường xuyên", "--lead", "VP", "--source", "Chính phủ", "--due", "Thường xuyên", "--assigned-on", "2022-10-05", "--code", "D", today="2022-10-05")
    cli("update", "A", "--state", "done", "--on", "2022-10-14", today="2022-10-14")
    cli("update", "B", "--deadline", "15/11/2022", "--reason", "Chờ số liệu", today="2022-10-20")
    return cli


def test_point_in_time_and_known_on(small):
    def figures(**kw):
        args = ["--month", "2022-11"] + [x for k, v in kw.items() for x in (f"--{k.replace('_', '-')}", v)]
        return json.loads(small("report", "--format", "json", *args, today="2022-12-20").stdout)["workload"]

    before = figures(as_of="2022-11-20")
    assert (before["completed"], before["overdue"]) == (0, 2)  # C carried over, B due 15/11
    small("update", "B", "--state", "done", "--on", "2022-11-25", today="2022-12-10")  # recorded on 10/12
    assert figures(as_of="2022-11-20") == before  # a day before the completion: unchanged
    after = figures(as_of="2022-11-30")
    assert (after["completed"], after["completed_late"], after["overdue"]) == (1, 1, 1)
    # as known on 5 December, before the completion was recorded: neither changes
    assert figures(as_of="2022-11-20", known_on="2022-12-05") == before
    known = figures(as_of="2022-11-30", known_on="2022-12-05")
    assert (known["completed"], known["overdue"]) == (0, 2)


EXPECTED_CSV = """scope,name,received.total,received.with_deadline,received.without_deadline,received.completed_with_deadline,received.completed_without_deadline,received.open,received.cancelled,received.previous_year,received.change_pct,workload.due_in_period,workload.carried_over,workload.total,workload.completed_on_time,workload.completed_late,workload.completed,workload.overdue,workload.in_progress,workload.cancelled,workload.extended,workload.reminded,workload.open_without_deadline,workload.completion_rate,received.completed_on_time,received.completed_late,received.in_progress,received.overdue,received.completed,received.due,received.previous_year_completed,received.previous_year_overdue,received.completion_rate_of_due,received.overdue_rate,received.change_pct_completed,received.change_pct_overdue,workload.due_in_period_states.completed_on_time,workload.due_in_period_states.completed_late,workload.due_in_period_states.in_progress,workload.due_in_period_states.overdue,workload.carried_over_states.completed_on_time,workload.carried_over_states.completed_late,workload.carried_over_states.in_progress,workload.carried_over_states.overdue
total,,2,1,1,0,0,2,0,0,,1,1,2,1,0,1,1,0,0,1,0,1,0.5,0,0,2,0,0,0,0,0,,0.0,,,1,0,0,0,0,0,0,1
unit,Văn phòng Bộ,1,0,1,0,0,1,0,0,,1,1,2,1,0,1,1,0,0,0,0,1,0.5,0,0,1,0,0,0,0,0,,0.0,,,1,0,0,0,0,0,0,1
unit,Vụ Tổ chức cán bộ,1,1,0,0,0,1,0,0,,0,0,0,0,0,0,0,0,0,1,0,0,,0,0,1,0,0,0,0,0,,0.0,,,0,0,0,0,0,0,0,0
source,Chính phủ,1,0,1,0,0,1,0,0,,1,0,1,1,0,1,0,0,0,0,0,1,1.0,0,0,1,0,0,0,0,0,,0.0,,,1,0,0,0,0,0,0,0
source,Lãnh đạo Bộ,1,1,0,0,0,1,0,0,,0,1,1,0,0,0,1,0,0,1,0,0,0.0,0,0,1,0,0,0,0,0,,0.0,,,0,0,0,0,0,0,0,1
"""


def test_exact_csv(small):
    # the machine CSV: the JSON flattened, rates exact; the columns of the four states after the first ones
    assert small("report", "--month", "2022-10", "--format", "csv", today="2022-11-02").stdout == EXPECTED_CSV


def test_json_keys_exactly_as_design(small):
    data = json.loads(small("report", "--month", "2022-10", "--format", "json", today="2022-11-02").stdout)
    assert list(data["received"]) == ["total", "with_deadline", "without_deadline", "completed_with_deadline",
                                      "completed_without_deadline", "open", "cancelled", "previous_year", "change_pct",
                                      "completed_on_time", "completed_late", "in_progress", "overdue", "completed",
                                      "due", "completion_rate_of_due", "overdue_rate", "previous_year_completed",
                                      "previous_year_overdue", "change_pct_completed", "change_pct_overdue"]
    for key in ("due_in_period", "carried_over", "total", "completed_on_time", "completed_late", "completed",
                "overdue", "in_progress", "completion_rate", "due_in_period_states", "carried_over_states"):
        assert key in data["workload"]
    states = ["completed_on_time", "completed_late", "in_progress", "overdue"]
    assert list(data["workload"]["due_in_period_states"]) == list(data["workload"]["carried_over_states"]) == states
    assert set(data) >= {"period", "received", "workload", "by_unit", "by_source", "trend", "overdue_tasks",
                         "overdue_by_month", "overdue_by_unit"}
    assert set(data["period"]) >= {"from", "to", "as_of"}
    for item in data["by_unit"]:
        assert set(item) == {"unit", "received", "workload"} and list(item["workload"]) == list(data["workload"])
    for item in data["by_unit"] + data["by_source"]:
        assert list(item["received"]) == list(data["received"]) and list(item["workload"]) == list(data["workload"])
    assert all(set(item) == {"source", "received", "workload"} for item in data["by_source"])
    assert [t["month"] for t in data["trend"]][-3:] == ["2022-08", "2022-09", "2022-10"] and len(data["trend"]) == 12
    assert data["trend"][-2] == {"month": "2022-09", "from": "2022-09-01", "to": "2022-09-30", "as_of": "2022-09-30",
                                 "total": 1, "completed": 0, "completion_rate": 0.0}
    assert [t["code"] for t in data["overdue_tasks"]] == ["C"]
    # the language changes labels, never the JSON
    assert json.loads(small("report", "--month", "2022-10", "--format", "json", lang="vi", today="2022-11-02").stdout) == data


EXPECTED_MARKDOWN_START = """# Báo cáo tình hình thực hiện nhiệm vụ tháng 10/2022

Kỳ báo cáo từ 01/10/2022 đến 31/10/2022; số liệu tính đến ngày 31 tháng 10 năm 2022.

## I. Nhiệm vụ được giao trong kỳ

Tổng số 2 nhiệm vụ được giao; đã hoàn thành 0 nhiệm vụ (0 đúng hạn, 0 quá hạn), chưa có nhiệm vụ nào đến hạn; đang thực hiện 2 nhiệm vụ (2 trong hạn, 0 quá hạn).

| Chỉ tiêu                                                                  |   Số lượng |
|:--------------------------------------------------------------------------|-----------:|
| Số nhiệm vụ được giao                                                     |          2 |
| \u00a0\u00a0có thời hạn                                                             |          1 |
| \u00a0\u00a0không có thời hạn                                                       |          1 |
| Đã hoàn thành                                                             |          0 |
| \u00a0\u00a0đúng hạn                                                                |          0 |
| \u00a0\u00a0quá hạn                                                                 |          0 |
| Đã hoàn thành, có thời hạn                                                |          0 |
| Đã hoàn thành, không có thời hạn                                          |          0 |
| Đang thực hiện                                                            |          2 |
| \u00a0\u00a0trong hạn                                                               |          2 |
| \u00a0\u00a0quá hạn                                                                 |          0 |
| Số nhiệm vụ đến hạn (đã hoàn thành hoặc quá hạn)                          |          0 |
| Tỷ lệ hoàn thành trên số nhiệm vụ đến hạn (số đã hoàn thành / số đến hạn) |          — |
| Tỷ lệ quá hạn (số quá hạn / số được giao)                                 |      0,0 % |
| Hủy, không thực hiện                                                      |          0 |

| So với cùng kỳ năm trước   |   Kỳ này |   Cùng kỳ năm trước (tính đến cùng ngày) |   Tăng/giảm so với cùng kỳ |
|:---------------------------|---------:|-----------------------------------------:|---------------------------:|
| Số nhiệm vụ được giao      |        2 |                                        0 |                          — |
| Đã hoàn thành              |        0 |                                        0 |                          — |
| Quá hạn                    |        0 |                                        0 |                          — |

## II. Nhiệm vụ phải thực hiện trong kỳ
"""


def test_markdown_in_vietnamese(small):
    out = small("report", "--month", "2022-10", "--format", "markdown", lang="vi", today="2022-11-02").stdout
    assert out.startswith(EXPECTED_MARKDOWN_START)
    assert "| Tỷ lệ hoàn thành (số đã hoàn thành / số phải thực hiện) |     50,0 % |" in out
    assert ("| Đơn vị chủ trì    |   Được giao |   Phải thực hiện |   Chuyển tháng |   Đã hoàn thành |   trong đó đúng hạn "
            "|   trong đó quá hạn |   Quá hạn |   Đang thực hiện |   Hoàn thành / phải thực hiện |") in out
    assert ("| Văn phòng Bộ      |           1 |                2 |              1 |               1 |                   1 "
            "|                  0 |         1 |                0 |                        50,0 % |") in out
    assert ("| Văn phòng Bộ      |           1 |                     0 |                    0 |           1 |         0 "
            "|                      — |                 0,0 % |") in out  # the tasks received, in four states
    assert "| Được gia hạn trong kỳ                                   |          1 |" in out
    assert "| 10/2022 |                2 |               1 |                        50,0 % |" in out
    assert "## VI. Nhiệm vụ quá hạn tại ngày 31/10/2022" in out
    assert "| C    | Tổng kết Nghị quyết |           | Văn phòng Bộ     | 30/09/2022 |                31 |" in out


def test_table_format_content(small):
    out = small("report", "--month", "2022-10", lang="en", today="2022-11-02").stdout
    assert "\x1b[" not in out
    for text in ("Report on the implementation of tasks, month 10/2022", "Completion rate", "50.0 %", "█████░░░░░",
                 "III. By lead unit", "IV. By source", "V. Completion rate, last 12 months", "Tổng kết Nghị quyết"):
        assert text in out


@pytest.mark.parametrize(
    "text, today, cutoff, start, end",
    [
        ("2022-10", "2023-01-01", None, "2022-10-01", "2022-10-31"),
        ("2022-10", "2023-01-01", 15, "2022-09-15", "2022-10-14"),
        ("2022-01", "2023-01-01", 15, "2021-12-15", "2022-01-14"),
        ("last", "2022-11-14", None, "2022-10-01", "2022-10-31"),
        ("this", "2022-11-14", None, "2022-11-01", "2022-11-30"),
        ("last", "2022-11-14", 15, "2022-09-15", "2022-10-14"),  # the 14th: November's period is still running
        ("last", "2022-11-15", 15, "2022-10-15", "2022-11-14"),  # the 15th: November's period has just closed
        ("this", "2022-11-15", 15, "2022-11-15", "2022-12-14"),
        ("last", "2023-01-03", None, "2022-12-01", "2022-12-31"),
    ],
)
def test_month_periods(text, today, cutoff, start, end):
    period = parse_month(text, date.fromisoformat(today), cutoff)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_quarter_and_year_periods_at_the_cutoff_edges():
    assert (parse_quarter("2022-Q3").start, parse_quarter("2022-Q3").end) == (date(2022, 7, 1), date(2022, 9, 30))
    q = quarter_period(2022, 3, 15)
    assert (q.start, q.end) == (date(2022, 6, 15), date(2022, 9, 14))
    q1 = quarter_period(2022, 1, 15)
    assert (q1.start, q1.end) == (date(2021, 12, 15), date(2022, 3, 14))
    y = year_period(2022, 15)
    assert (y.start, y.end) == (date(2021, 12, 15), date(2022, 12, 14))
    assert (year_period(2022).start, year_period(2022).end) == (date(2022, 1, 1), date(2022, 12, 31))
    assert [m.label() for m in trend_months(month_period(2022, 3))][:2] == ["04/2021", "05/2021"]
    assert quarter_period(2022, 3).label() == "III/2022"


def test_cutoff_edges_through_the_command(small):
    def period(*args, today="2022-11-20"):
        return json.loads(small("report", "--format", "json", *args, today=today).stdout)["period"]

    p = period("--month", "2022-10", "--cutoff", "15")
    assert (p["from"], p["to"], p["cutoff"]) == ("2022-09-15", "2022-10-14", 15)
    small("config", "cutoff", "15")
    p = period("--month", "last", today="2022-11-14")
    assert (p["from"], p["to"]) == ("2022-09-15", "2022-10-14")
    p = period("--month", "last", today="2022-11-15")
    assert (p["from"], p["to"]) == ("2022-10-15", "2022-11-14")
    p = period("--quarter", "2022-Q4")
    assert (p["from"], p["to"]) == ("2022-09-15", "2022-12-14")
    small("config", "cutoff", "-")
    p = period("--year", "2022")
    assert (p["from"], p["to"], p["as_of"]) == ("2022-01-01", "2022-12-31", "2022-11-20")


def test_bad_periods_are_clear(small):
    assert "give one period" in small("report", expect=2).output
    assert "give one period" in small("report", "--month", "2022-10", "--year", "2022", expect=2).output
    assert "bad period" in small("report", "--month", "2022-13", expect=2).output
    assert "bad period" in small("report", "--quarter", "2022-Q5", expect=2).output


def test_from_cron_with_a_minimal_environment(small, tmp_path):
    out = tmp_path / "reports" / "bao-cao-2022-10.md"
    out.parent.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NQTRACK_DB": str(small.db), "NQTRACK_TODAY": "2022-11-01"}
    result = subprocess.run(nqtrack_executable() + ["report", "--month", "last", "--format", "markdown", "--output", str(out)],
                            env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"" and result.stderr == b""
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Báo cáo tình hình thực hiện nhiệm vụ tháng 10/2022\n")
    assert "\x1b[" not in text
    assert [p.name for p in out.parent.iterdir()] == ["bao-cao-2022-10.md"]  # no temporary file left
    table = subprocess.run(nqtrack_executable() + ["report", "--month", "last", "--output", str(tmp_path / "r.txt")],
                           env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
    assert table.returncode == 0
    assert "Báo cáo tình hình thực hiện nhiệm vụ tháng 10/2022" in (tmp_path / "r.txt").read_text(encoding="utf-8")


def test_include_subunits(cli):
    cli("unit", "add", "Tổng cục Thi hành án dân sự", "--code", "TC")
    cli("unit", "add", "Vụ Nghiệp vụ 1", "--code", "NV1", "--parent", "TC")
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    for lead, code in (("TC", "A"), ("NV1", "B"), ("VP", "C")):
        cli("assign", f"Việc {code}", "--lead", lead, "--due", "20/10/2022", "--assigned-on", "2022-10-01", "--code", code, today="2022-10-01")
    only = json.loads(cli("report", "--month", "2022-10", "--unit", "TC", "--format", "json").stdout)
    assert only["workload"]["total"] == 1
    tree = json.loads(cli("report", "--month", "2022-10", "--unit", "TC", "--include-subunits", "--format", "json").stdout)
    assert tree["workload"]["total"] == 2
    assert [u["unit"] for u in tree["by_unit"]] == ["Tổng cục Thi hành án dân sự", "Vụ Nghiệp vụ 1"]


# numbers right-aligned (the ---: marks say so to a markdown viewer), sub-rows indented with no-break spaces
EXPECTED_MARKDOWN_EN = """# Report on the implementation of tasks, month 10/2022

Period 2022-10-01 – 2022-10-31; figures as of 31 October 2022.

## I. Tasks received in the period

In total 2 tasks were received; 0 completed (0 on time, 0 late), no task having fallen due yet; 2 being carried out (2 within the deadline, 0 overdue).

| Figure                                                           |   Number |
|:-----------------------------------------------------------------|---------:|
| Tasks received                                                   |        2 |
| \u00a0\u00a0with a deadline                                                |        1 |
| \u00a0\u00a0without a deadline                                             |        1 |
| Completed                                                        |        0 |
| \u00a0\u00a0on time                                                        |        0 |
| \u00a0\u00a0late                                                           |        0 |
| Completed, with a deadline                                       |        0 |
| Completed, without a deadline                                    |        0 |
| Still being carried out                                          |        2 |
| \u00a0\u00a0within the deadline                                            |        2 |
| \u00a0\u00a0overdue                                                        |        0 |
| Tasks fallen due (completed or overdue)                          |        0 |
| Completion rate of the tasks fallen due (completed / fallen due) |        — |
| Overdue rate (overdue / tasks received)                          |    0.0 % |
| Cancelled                                                        |        0 |

| Compared with the same period last year   |   This period |   Same period last year, as of the same day |   Change on last year |
|:------------------------------------------|--------------:|--------------------------------------------:|----------------------:|
| Tasks received                            |             2 |                                           0 |                     — |
| Completed                                 |             0 |                                           0 |                     — |
| Overdue                                   |             0 |                                           0 |                     — |

## II. Tasks to carry out in the period

| Figure                                           |   Number |
|:-------------------------------------------------|---------:|
| Tasks to carry out                               |        2 |
| \u00a0\u00a0due in the period                              |        1 |
| \u00a0\u00a0carried over from earlier periods              |        1 |
| Completed                                        |        1 |
| \u00a0\u00a0on time                                        |        1 |
| \u00a0\u00a0late                                           |        0 |
| Overdue, not completed                           |        1 |
| In progress, within the deadline                 |        0 |
| Completion rate (completed / tasks to carry out) |   50.0 % |
| Deadlines extended in the period                 |        1 |
| Tasks urged (đôn đốc) in the period              |        0 |
| Open tasks without a deadline                    |        1 |
| Cancelled                                        |        0 |

| Tasks to carry out, by state      |   Completed on time |   Completed late |   In progress, within the deadline |   Overdue, not completed |   Total |
|:----------------------------------|--------------------:|-----------------:|-----------------------------------:|-------------------------:|--------:|
| Due in the period                 |                   1 |                0 |                                  0 |                        0 |       1 |
| Carried over from earlier periods |                   0 |                0 |                                  0 |                        1 |       1 |
| Tasks to carry out                |                   1 |                0 |                                  0 |                        1 |       2 |

## III. By lead unit

### Tasks to carry out

| Lead unit         |   Received |   To carry out |   Carried over |   Completed |   of which on time |   of which late |   Overdue |   In progress |   Completed / to carry out |
|:------------------|-----------:|---------------:|---------------:|------------:|-------------------:|----------------:|----------:|--------------:|---------------------------:|
| Văn phòng Bộ      |          1 |              2 |              1 |           1 |                  1 |               0 |         1 |             0 |                     50.0 % |
| Vụ Tổ chức cán bộ |          1 |              0 |              0 |           0 |                  0 |               0 |         0 |             0 |                          — |

### Tasks received

| Lead unit         |   Received |   Completed on time |   Completed late |   Within the deadline |   Overdue |   Completed / fallen due |   Overdue / received |
|:------------------|-----------:|--------------------:|-----------------:|----------------------:|----------:|-------------------------:|---------------------:|
| Văn phòng Bộ      |          1 |                   0 |                0 |                     1 |         0 |                        — |                0.0 % |
| Vụ Tổ chức cán bộ |          1 |                   0 |                0 |                     1 |         0 |                        — |                0.0 % |

## IV. By source

### Tasks to carry out

| Source      |   Received |   To carry out |   Carried over |   Completed |   of which on time |   of which late |   Overdue |   In progress |   Completed / to carry out |
|:------------|-----------:|---------------:|---------------:|------------:|-------------------:|----------------:|----------:|--------------:|---------------------------:|
| Chính phủ   |          1 |              1 |              0 |           1 |                  1 |               0 |         0 |             0 |                    100.0 % |
| Lãnh đạo Bộ |          1 |              1 |              1 |           0 |                  0 |               0 |         1 |             0 |                      0.0 % |

### Tasks received

| Source      |   Received |   Completed on time |   Completed late |   Within the deadline |   Overdue |   Completed / fallen due |   Overdue / received |
|:------------|-----------:|--------------------:|-----------------:|----------------------:|----------:|-------------------------:|---------------------:|
| Chính phủ   |          1 |                   0 |                0 |                     1 |         0 |                        — |                0.0 % |
| Lãnh đạo Bộ |          1 |                   0 |                0 |                     1 |         0 |                        — |                0.0 % |

## V. Completion rate, last 12 months

| Month   |   To carry out |   Completed |   Completed / to carry out |
|:--------|---------------:|------------:|---------------------------:|
| 11/2021 |              0 |           0 |                          — |
| 12/2021 |              0 |           0 |                          — |
| 01/2022 |              0 |           0 |                          — |
| 02/2022 |              0 |           0 |                          — |
| 03/2022 |              0 |           0 |                          — |
| 04/2022 |              0 |           0 |                          — |
| 05/2022 |              0 |           0 |                          — |
| 06/2022 |              0 |           0 |                          — |
| 07/2022 |              0 |           0 |                          — |
| 08/2022 |              0 |           0 |                          — |
| 09/2022 |              1 |           0 |                      0.0 % |
| 10/2022 |              2 |           1 |                     50.0 % |

## VI. Overdue tasks on 2022-10-31

| No.   | Title               | Document   | Lead unit    | Deadline   |   Days overdue |
|:------|:--------------------|:-----------|:-------------|:-----------|---------------:|
| C     | Tổng kết Nghị quyết |            | Văn phòng Bộ | 2022-09-30 |             31 |

"""


def test_exact_markdown_in_english(small):
    out = small("report", "--month", "2022-10", "--format", "markdown", lang="en", today="2022-11-02").stdout
    assert out == EXPECTED_MARKDOWN_EN
