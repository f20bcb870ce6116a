"""Issue 16: recurring tasks (nhiệm vụ định kỳ). A periodic deadline makes a series; each
period's task is a task of its own, opened when its period opens (or by `recur`), counted
by overdue, report and review like any task; ending the series stops its periods."""

from __future__ import annotations

import json
from datetime import date

import pytest

from nqtrack.app import series as series_cases
from nqtrack.app.context import Context
from nqtrack.store import open_store
from nqtrack.store.sqlite import SqliteStore

MONTHLY = "trước ngày 20 hằng tháng"


def show(cli, ref: str, today: str) -> dict:
    return json.loads(cli("show", ref, "--format", "json", today=today).stdout)


def overdue_codes(cli, today: str) -> list[str]:
    return [t["code"] for t in json.loads(cli("overdue", "--format", "json", today=today).stdout)["tasks"]]


@pytest.fixture
def monthly(cli):
    """A monthly series given on 15/01/2024, 'trước ngày 20 hằng tháng'."""
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-01-15")
    done = cli("assign", "Báo cáo tình hình", "--lead", "VP", "--due", MONTHLY, today="2024-01-15")
    assert done.output == "Series S1 created; tasks opened so far: S1/2024-01.\n"
    return cli


def test_acceptance_overdue_on_21_march(monthly):
    # February's task is done on time; January's and March's are not
    monthly("update", "S1/2024-02", "--state", "done", "--on", "19/02/2024", today="2024-02-19")
    codes = overdue_codes(monthly, "2024-03-21")
    assert "S1/2024-03" in codes and "S1/2024-02" not in codes
    assert codes == ["S1/2024-01", "S1/2024-03"]
    # March done too: only January is left
    monthly("update", "S1/2024-03", "--state", "done", "--on", "21/03/2024", today="2024-03-21")
    assert overdue_codes(monthly, "2024-03-21") == ["S1/2024-01"]


def test_acceptance_the_quarterly_report_counts_three_tasks(monthly):
    monthly("update", "S1/2024-02", "--state", "done", "--on", "19/02/2024", today="2024-02-19")
    report = json.loads(monthly("report", "--quarter", "2024-Q1", "--format", "json", today="2024-04-02").stdout)
    assert report["received"]["total"] == 3
    workload = report["workload"]
    assert (workload["due_in_period"], workload["completed_on_time"], workload["overdue"]) == (3, 1, 2)
    assert [t["id"] for t in report["overdue_tasks"]] == [1, 3]  # January (22/01: 20/01 was a Saturday), March


def test_acceptance_recur_twice_creates_nothing_the_second_time(monthly):
    first = monthly("recur", "--until", "30/06/2024", today="2024-03-21")
    assert first.output.startswith("5 tasks opened: S1/2024-02, S1/2024-03, S1/2024-04, S1/2024-05, S1/2024-06.\n")
    assert monthly("recur", "--until", "30/06/2024", today="2024-03-21").output == (
        "No period to open: nothing was created.\n")
    # nor do the views, which open the periods by themselves
    monthly("overdue", today="2024-06-30")
    assert [o["code"] for o in show(monthly, "S1", "2024-06-30")["occurrences"]] == [
        f"S1/2024-0{m}" for m in range(1, 7)]


def test_acceptance_ending_the_series_on_10_may(monthly):
    monthly("recur", "--until", "31/08/2024", today="2024-05-10")  # June to August opened ahead
    result = monthly("update", "S1", "--state", "cancelled", "--on", "10/05/2024", today="2024-05-12")
    assert result.output == (
        "Series S1 ends on 2024-05-10; tasks of later periods cancelled: S1/2024-06, S1/2024-07, S1/2024-08.\n")
    assert monthly("recur", "--until", "31/12/2024", today="2024-12-31").output == (
        "No period to open: nothing was created.\n")
    shown = show(monthly, "S1", "2024-12-31")
    assert (shown["series"]["state"], shown["series"]["ends_on"], shown["series"]["next_open"]) == (
        "ended", "2024-05-10", None)
    assert not [o for o in shown["occurrences"] if o["period_start"] > "2024-05-10" and o["state"] != "cancelled"]
    assert [o["code"] for o in shown["occurrences"] if o["state"] != "cancelled"] == [
        f"S1/2024-0{m}" for m in range(1, 6)]  # May's period started before the end: it stays
    assert [(e["kind"], e["field"], e["new_value"], e["effective_on"]) for e in shown["history"]] == [
        ("created", None, None, "2024-01-15"), ("ended", "ends_on", "2024-05-10", "2024-05-10")]
    # ended without opening ahead: no period after the end is ever opened
    assert [o["period_start"] for o in shown["occurrences"]][-1] == "2024-08-01"


def test_a_series_ended_before_its_next_period_opens_none_after(monthly):
    monthly("update", "S1", "--state", "cancelled", "--on", "10/05/2024", today="2024-05-10")
    monthly("overdue", today="2024-09-01")
    assert [o["period"] for o in show(monthly, "S1", "2024-09-01")["occurrences"]] == [
        "2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--state", "done"], "a series takes only --state cancelled --on DAY (it ends that day); "
                              "update its tasks one by one"),
        (["--state", "cancelled", "--progress", "50"], "a series takes only --state cancelled --on DAY (it ends "
                                                        "that day); update its tasks one by one"),
        (["--state", "cancelled", "--on", "11/05/2024"], "the change takes effect on 2024-05-11, after today "
                                                          "(2024-05-10)"),
    ],
)
def test_a_series_takes_only_its_end(monthly, args, message):
    assert monthly("update", "S1", *args, expect=2, today="2024-05-10").output == f"Error: {message}\n"
    assert show(monthly, "S1", "2024-05-10")["series"]["state"] == "running"


def test_an_update_of_one_task_never_changes_the_others(monthly):
    monthly("recur", "--until", "31/03/2024", today="2024-03-01")
    monthly("update", "S1/2024-02", "--state", "done", "--on", "19/02/2024", "--product", "Báo cáo 5/BC-VP",
            today="2024-03-01")
    monthly("update", "S1/2024-03", "--deadline", "25/03/2024", "--reason", "Chờ số liệu", today="2024-03-01")
    tasks = {o["code"]: o for o in show(monthly, "S1", "2024-03-01")["occurrences"]}
    assert {code: (o["state"], o["deadline"]) for code, o in tasks.items()} == {
        "S1/2024-01": ("new", "2024-01-22"), "S1/2024-02": ("done", "2024-02-20"),
        "S1/2024-03": ("new", "2024-03-25")}
    january = show(monthly, "S1/2024-01", "2024-03-01")
    assert [e["kind"] for e in january["history"]] == ["created"]
    assert january["task"]["series"] == "S1"


def test_the_journal_shows_when_each_task_was_opened(monthly):
    monthly("list", today="2024-02-03")  # February opens when a command looks at 3 February
    monthly("overdue", today="2024-03-05")  # March on 5 March
    for code, effective, recorded in (("S1/2024-01", "2024-01-15", "2024-01-15"),
                                      ("S1/2024-02", "2024-02-01", "2024-02-03"),
                                      ("S1/2024-03", "2024-03-01", "2024-03-05")):
        creation = show(monthly, code, "2024-03-05")["history"][0]
        assert (creation["kind"], creation["effective_on"], creation["recorded_at"][:10]) == (
            "created", effective, recorded), code


def test_undo_leaves_the_opening_of_periods_alone(monthly):
    monthly("update", "S1/2024-01", "--progress", "50", today="2024-01-31")
    monthly("overdue", today="2024-02-02")  # opens February
    assert monthly("undo", today="2024-02-02").output == (
        "Undone: 1 events on tasks 1.\n  task 1, 2024-01-31: updated, Progress: 50 → —\n")
    assert show(monthly, "S1/2024-02", "2024-02-02")["task"]["state"] == "new"


def test_undo_of_the_assignment_ends_the_series(monthly):
    # the undone assignment's task was never given: voided (issue 14), out of every count
    out = monthly("undo", today="2024-01-15").output
    assert "Series ended (the undone change created them): S1." in out
    task = show(monthly, "S1/2024-01", "2024-01-15")["task"]
    assert (task["voided"], task["state"]) == (True, "new")
    assert monthly("list", "--format", "json", today="2024-01-15").stdout == "[]\n"
    assert monthly("recur", "--until", "31/12/2024", today="2024-06-01").output == (
        "No period to open: nothing was created.\n")
    assert show(monthly, "S1", "2024-06-01")["series"]["ends_on"] == "2024-01-14"


# -- the four forms of directives, and --every --day ------------------------------------------------------

FORMS = {
    "Hằng tháng, trước ngày 20": ("month", [("S1/2024-01", "2024-01-22"), ("S1/2024-02", "2024-02-20"),
                                            ("S1/2024-03", "2024-03-20")]),
    "Hằng quý, trước ngày 15 của tháng cuối quý": ("quarter", [("S1/2024-Q1", "2024-03-15")]),
    "6 tháng, trước 15/6 và 15/12": ("half", [("S1/2024-H1", "2024-06-17")]),  # 15/6/2024: a Saturday
    "Hằng năm, trước ngày 15/12": ("year", [("S1/2024", "2024-12-16")]),  # 15/12/2024: a Sunday
}


def series_opened(cli, today: str = "2024-03-21") -> tuple[str, list[tuple[str, str]], str]:
    shown = show(cli, "S1", today)
    return shown["series"]["frequency"], [(o["code"], o["deadline"]) for o in shown["occurrences"]], \
        shown["series"]["rule_text"]


@pytest.mark.parametrize("text", list(FORMS))
def test_assign_with_a_periodic_deadline_makes_a_series(cli, text):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    cli("assign", "Báo cáo", "--lead", "VP", "--assigned-on", "15/01/2024", "--due", text, today="2024-03-21")
    assert series_opened(cli) == (*FORMS[text], text)


@pytest.mark.parametrize("text", list(FORMS))
def test_an_imported_periodic_deadline_makes_a_series_once(cli, tmp_path, text):
    path = tmp_path / "tasks.csv"
    path.write_text(f'Nội dung,Đơn vị chủ trì,Ngày giao,Thời hạn\nBáo cáo,Văn phòng,15/01/2024,"{text}"\n',
                    encoding="utf-8")
    first = cli("import", str(path), today="2024-03-21").output
    opened = len(FORMS[text][1])
    assert f"Series of periodic tasks created: 1; tasks of their periods opened so far: {opened}." in first
    assert series_opened(cli) == (*FORMS[text], text)
    again = cli("import", str(path), today="2024-03-21").output
    assert again.startswith("1 rows: 0 created, 0 updated, 1 unchanged, 0 rejected.\n")
    assert cli("show", "S2", expect=4, today="2024-03-21").output == "Error: unknown task: 'S2'\n"


def test_an_import_is_undone_with_its_series(cli, tmp_path):
    path = tmp_path / "tasks.csv"
    path.write_text('Mã,Nội dung,Đơn vị chủ trì,Ngày giao,Thời hạn\nBC-T,Báo cáo,Văn phòng,15/01/2024,'
                    '"Hằng tháng, trước ngày 20"\n', encoding="utf-8")
    dry = cli("import", str(path), "--dry-run", today="2024-03-21").output
    assert "Series of periodic tasks created: 1; tasks of their periods opened so far: 3." in dry
    assert json.loads(cli("info", "--format", "json", today="2024-03-21").stdout)["tasks"] == 0
    batch = cli("import", str(path), today="2024-03-21").output.split("Import batch: ")[1].strip()
    assert [o["code"] for o in show(cli, "BC-T", "2024-03-21")["occurrences"]] == [
        "BC-T/2024-01", "BC-T/2024-02", "BC-T/2024-03"]
    cli("undo", "--batch", batch, today="2024-03-21")
    shown = show(cli, "BC-T", "2024-05-01")
    assert {o["voided"] for o in shown["occurrences"]} == {True} and len(shown["occurrences"]) == 3


def test_every_month_day_20(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    cli("assign", "Báo cáo", "--lead", "VP", "--every", "month", "--day", "20", "--code", "BC", today="2024-01-15")
    shown = show(cli, "BC", "2024-01-15")
    assert shown["series"]["rule_text"] == "Hằng tháng, trước ngày 20"
    assert [(o["code"], o["deadline"]) for o in shown["occurrences"]] == [("BC/2024-01", "2024-01-22")]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--every", "month"], "--every and --day go together: --every month --day 20"),
        (["--every", "week", "--day", "2"], "unknown period 'week' for --every; use one of: month, quarter, half, "
                                            "year"),
        (["--every", "month", "--day", "32"], "--day takes a day of the month, from 1 to 31"),
        (["--every", "month", "--day", "20", "--due", "30/06/2024"], "give either --due or --every with --day, not "
                                                                     "both"),
    ],
)
def test_every_refusals(cli, args, message):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    assert cli("assign", "Báo cáo", "--lead", "VP", *args, expect=2).output == f"Error: {message}\n"


def test_recurring_work_without_a_period_stays_one_task_without_a_deadline(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    cli("assign", "Theo dõi", "--lead", "VP", "--due", "Thường xuyên")
    cli("assign", "Báo cáo", "--lead", "VP", "--due", "Hằng tháng")
    for ref in ("1", "2"):
        task = show(cli, ref, "2022-11-15")["task"]
        assert (task["deadline"], task["recurring"], task["series"]) == (None, True, None)


def test_a_row_naming_a_task_entered_before_stays_that_task(cli, tmp_path):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    cli("assign", "Báo cáo", "--lead", "VP", "--code", "BC")
    path = tmp_path / "tasks.csv"
    path.write_text('Mã,Nội dung,Đơn vị chủ trì,Thời hạn\nBC,Báo cáo,Văn phòng,"Hằng tháng, trước ngày 20"\n',
                    encoding="utf-8")
    output = cli("import", str(path)).output
    assert "row 1: 'Báo cáo' is already one task (BC); its periodic deadline did not make a series" in output
    assert cli("show", "S1", expect=4).output == "Error: unknown task: 'S1'\n"


def test_series_output_in_each_format(monthly):
    monthly("update", "S1/2024-01", "--state", "done", "--on", "22/01/2024", today="2024-01-22")
    data = show(monthly, "S1", "2024-02-05")
    assert data["series"] == {
        "ref": "S1", "id": 1, "code": None, "title": "Báo cáo tình hình", "document": None, "source": None,
        "lead_unit": "Văn phòng", "coordinating_units": None, "assignee": None, "product": None, "note": None,
        "rule_text": MONTHLY, "frequency": "month", "starts_on": "2024-01-15", "ends_on": None,
        "next_open": "2024-03-01", "state": "running", "as_of": "2024-02-05",
    }
    assert data["occurrences"] == [
        {"id": 1, "code": "S1/2024-01", "period": "2024-01", "period_start": "2024-01-01",
         "assigned_on": "2024-01-15", "deadline": "2024-01-22", "state": "done", "progress": 100,
         "completed_on": "2024-01-22", "timing": "completed_on_time", "voided": False},
        {"id": 2, "code": "S1/2024-02", "period": "2024-02", "period_start": "2024-02-01",
         "assigned_on": "2024-02-01", "deadline": "2024-02-20", "state": "new", "progress": None,
         "completed_on": None, "timing": "in_progress", "voided": False},
    ]
    assert monthly("show", "S1", "--format", "csv", today="2024-02-05").stdout == (
        "id,code,period,period_start,assigned_on,deadline,state,progress,completed_on,timing,voided\n"
        "1,S1/2024-01,2024-01,2024-01-01,2024-01-15,2024-01-22,done,100,2024-01-22,completed_on_time,0\n"
        "2,S1/2024-02,2024-02,2024-02-01,2024-02-01,2024-02-20,new,,,in_progress,0\n"
    )
    vietnamese = monthly("show", "S1", "--format", "markdown", today="2024-02-05", lang="vi").stdout
    cells = [[cell.strip() for cell in line.split("|")[1:3]] for line in vietnamese.splitlines()]
    assert ["Kỳ", "hằng tháng"] in cells and ["Kỳ tiếp theo mở ngày", "01/03/2024"] in cells
    assert "\n## Nhiệm vụ của các kỳ\n" in vietnamese
    assert monthly("show", "S1", "--as-of", "01/02/2024", expect=2).output == (
        "Error: --as-of shows one task: name a task of the series\n")


def test_review_counts_the_tasks_of_a_series(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-01-15")
    cli("doc", "add", "12/KH-VP", "--issued-on", "02/01/2024", today="2024-01-15")
    cli("assign", "Báo cáo", "--lead", "VP", "--doc", "12/KH-VP", "--due", MONTHLY, today="2024-01-15")
    review = json.loads(cli("review", "--format", "json", today="2024-03-21").stdout)
    assert (review["documents"][0]["total"], review["documents"][0]["overdue"]) == (3, 3)


def test_the_register_with_series_passes_check_and_rebuilds_from_its_export(monthly, tmp_path, new_register):
    monthly("calendar", "add", "17/02/2024", "--working", today="2024-03-21")
    monthly("overdue", today="2024-03-21")
    assert monthly("check", today="2024-03-21").output == "All checks passed.\n"
    exported = tmp_path / "register.json"
    monthly("export", str(exported), today="2024-03-21")
    from tests.support import Cli

    copy = Cli(new_register())
    copy("import", str(exported), "--create", today="2024-03-21")
    assert show(copy, "S1", "2024-03-21") == show(monthly, "S1", "2024-03-21")
    assert json.loads(exported.read_text())["calendar_days"][0]["day"] == "2024-02-17"


# -- the cost when there is nothing to open ---------------------------------------------------------------


def test_nothing_to_open_is_one_indexed_look_up_and_no_write(tmp_path):
    store = SqliteStore(tmp_path / "r.db")
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    series_cases.open_before_reading(Context.of(store, date(2024, 3, 21)), date(2024, 3, 21))
    store.conn.set_trace_callback(None)
    assert len(statements) == 1 and "FROM series" in statements[0] and "BEGIN" not in statements[0]
    plan = [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + statements[0])]
    assert any("series_next_open" in line for line in plan), plan


def test_a_register_that_cannot_be_written_still_shows_its_views(monthly, monkeypatch):
    """Opening a period is a write: where the register refuses it (read-only, or locked past
    the busy timeout), a view reads what was opened so far instead of failing."""
    from nqtrack.app import views
    from nqtrack.core.errors import StorageError

    def refused(self):
        raise StorageError("the register is read-only: {path}", path=self.path)

    store = open_store(str(monthly.db))
    monkeypatch.setattr(type(store), "transaction", refused)
    try:
        backlog = views.overdue(Context.of(store, date(2024, 2, 25)), views.OverdueQuery())
    finally:
        store.close()
    assert [t["code"] for t in backlog.overdue] == ["S1/2024-01"]  # February could not be opened
    monkeypatch.undo()
    assert overdue_codes(monthly, "2024-02-25") == ["S1/2024-01", "S1/2024-02"]  # opened now


def test_codes_never_clash(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-01-15")
    cli("assign", "Việc tay", "--lead", "VP", "--code", "BC/2024-02", today="2024-01-15")
    cli("assign", "Báo cáo", "--lead", "VP", "--code", "BC", "--due", MONTHLY, today="2024-01-15")
    # February's code is taken by a task typed by hand: February's task goes without one
    assert cli("recur", "--until", "31/03/2024", today="2024-01-15").output.startswith(
        "2 tasks opened: #3, BC/2024-03.\n")
    assert [o["code"] for o in show(cli, "BC", "2024-01-15")["occurrences"]] == ["BC/2024-01", None, "BC/2024-03"]
    assert cli("assign", "Khác", "--lead", "VP", "--code", "BC", expect=2, today="2024-01-15").output == (
        "Error: a task with code 'BC' already exists\n")
    assert cli("assign", "Khác", "--lead", "VP", "--code", "BC/2024-02", "--due", MONTHLY, expect=2,
               today="2024-01-15").output == "Error: a task with code 'BC/2024-02' already exists\n"
