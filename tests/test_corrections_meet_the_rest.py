"""Issue 14's corrections where they meet the work merged before it: the series and the
office calendar (issue 16), the four states and evaluate (issue 15), the office outputs
(issue 17) and the register's export (every table)."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime

import openpyxl
import pytest

from tests.support import Cli, query

MONTHLY = "Hằng tháng, trước ngày 20"


def show(cli: Cli, ref: str, today: str) -> dict:
    return json.loads(cli("show", ref, "--format", "json", today=today).stdout)


@pytest.fixture
def monthly(cli):
    """A monthly series given on 15/01/2024: on 21/03/2024 it has January's, February's
    and March's tasks, all overdue."""
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-01-15")
    cli("unit", "add", "Văn phòng UBND tỉnh", "--code", "VPUB", today="2024-01-15")
    cli("doc", "add", "12/KH-VP", "--issued-on", "02/01/2024", today="2024-01-15")
    cli("assign", "Báo cáo tình hình", "--lead", "VP", "--doc", "12/KH-VP", "--due", MONTHLY, today="2024-01-15")
    cli("recur", today="2024-03-21")
    return cli


def overdue_codes(cli: Cli, today: str = "2024-03-21") -> list[str]:
    return sorted(t["code"] for t in json.loads(cli("overdue", "--format", "json", today=today).stdout)["tasks"])


def quarter(cli: Cli, **kw) -> dict:
    args = ["report", "--quarter", "2024-Q1", "--format", "json"]
    for key, value in kw.items():
        args += [f"--{key.replace('_', '-')}", value]
    return json.loads(cli(*args, today="2024-03-21").stdout)["workload"]


# -- a series' tasks are tasks ----------------------------------------------------------------------------


def test_a_task_of_a_series_is_voided_like_any_task_and_the_series_runs_on(monthly):
    assert overdue_codes(monthly) == ["S1/2024-01", "S1/2024-02", "S1/2024-03"]
    sent = quarter(monthly, known_on="2024-03-21")
    assert sent["due_in_period"] == 3
    monthly("void", "S1/2024-02", "--reason", "Kỳ này không phải báo cáo", today="2024-03-22")
    assert overdue_codes(monthly, "2024-03-22") == ["S1/2024-01", "S1/2024-03"]
    assert quarter(monthly)["due_in_period"] == 2
    assert quarter(monthly, known_on="2024-03-21") == sent  # the report already sent is unchanged
    # the series goes on: April opens as before, and February is not opened again
    monthly("recur", "--until", "30/04/2024", today="2024-03-22")
    codes = [(o["code"], o["voided"]) for o in show(monthly, "S1", "2024-03-22")["occurrences"]]
    assert codes == [("S1/2024-01", False), ("S1/2024-02", True), ("S1/2024-03", False), ("S1/2024-04", False)]
    table = monthly("show", "S1", today="2024-03-22").stdout
    assert re.search(r"S1/2024-02 .*\(voided: entered in error\)", table)
    monthly("check", today="2024-03-22")


def test_a_series_itself_is_not_edited_or_voided_its_tasks_are(monthly):
    for args in (["void", "S1", "--reason", "Nhầm"], ["edit", "S1", "--title", "Báo cáo"]):
        out = monthly(*args, today="2024-03-21", expect=2).output
        assert out == ("Error: 'S1' is a series: correct or void its tasks one by one (S1/…); to end it: "
                       "nqtrack update S1 --state cancelled --on DAY\n")
    vi = monthly("void", "S1", "--reason", "Nhầm", today="2024-03-21", lang="vi", expect=2).output
    assert vi.startswith("Lỗi: 'S1' là nhiệm vụ định kỳ")


def test_a_task_of_a_series_is_corrected_alone_and_takes_one_deadline(monthly):
    out = monthly("edit", "S1/2024-02", "--due", "Hằng tháng, trước ngày 25", today="2024-03-21", expect=2).output
    assert "is a periodic deadline: it makes a series of tasks" in out
    monthly("edit", "S1/2024-02", "--due", "26/02/2024", "--reason", "Gõ nhầm", today="2024-03-21")
    tasks = {o["code"]: o["deadline"] for o in show(monthly, "S1", "2024-03-21")["occurrences"]}
    assert tasks == {"S1/2024-01": "2024-01-22", "S1/2024-02": "2024-02-26", "S1/2024-03": "2024-03-20"}
    task = show(monthly, "S1/2024-02", "2024-03-21")["task"]
    assert (task["deadline_text"], task["original_deadline"]) == ("26/02/2024", "2024-02-26")


def test_undo_of_one_task_of_a_series_voids_it_and_leaves_the_series_running(monthly):
    out = monthly("undo", "S1/2024-03", today="2024-03-21").output
    assert "task 3, 2024-03-01: created: the task is voided" in out and "Series ended" not in out
    assert show(monthly, "S1/2024-03", "2024-03-21")["task"]["voided"] is True
    assert show(monthly, "S1", "2024-03-21")["series"]["state"] == "running"
    # an undo is never undone by the next: the last change left is the assignment, which made the series
    dry = monthly("undo", "--last", "1", "--dry-run", today="2024-03-21").output
    assert dry == ("Would undo 1 events on tasks 1 (dry run: nothing was changed):\n"
                   "  task 1, 2024-01-15: created: the task is voided\n"
                   "Series that would end (the change created them): S1.\n")


def test_undo_of_the_assignment_says_which_series_it_ends(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-01-15")
    cli("assign", "Báo cáo", "--lead", "VP", "--due", MONTHLY, today="2024-01-15")
    dry = cli("undo", "--dry-run", today="2024-01-15").output
    assert dry.endswith("Series that would end (the change created them): S1.\n")
    assert show(cli, "S1", "2024-01-15")["series"]["state"] == "running"


def test_a_running_series_assigned_again_asks_for_again(monthly):
    out = monthly("assign", "Báo cáo tình hình", "--lead", "VP", "--doc", "12/KH-VP", "--due", MONTHLY,
                  today="2024-03-21", expect=2).output
    assert out == ("Error: series S1 is already running with the same document, title and lead unit; "
                   "give --again to assign it once more\n")
    monthly("assign", "Báo cáo tình hình", "--lead", "VP", "--doc", "12/KH-VP", "--due", MONTHLY, "--again",
            today="2024-03-21")
    assert show(monthly, "S2", "2024-03-21")["series"]["ref"] == "S2"


def test_a_series_follows_a_unit_merge_and_its_undo(monthly):
    monthly("unit", "merge", "VP", "VPUB", today="2024-03-21")
    assert show(monthly, "S1", "2024-03-21")["series"]["lead_unit"] == "Văn phòng UBND tỉnh"
    monthly("recur", "--until", "30/04/2024", today="2024-03-21")
    april = show(monthly, "S1/2024-04", "2024-03-21")["task"]
    assert april["lead_unit"] == "Văn phòng UBND tỉnh"  # opened after the merge: the unit kept
    leads = {o["code"]: show(monthly, o["code"], "2024-03-21")["task"]["lead_unit"]
             for o in show(monthly, "S1", "2024-03-21")["occurrences"]}
    assert set(leads.values()) == {"Văn phòng UBND tỉnh"}  # those opened before moved with the merge
    out = monthly("undo", "--dry-run", today="2024-03-21").output  # the merge (recur's opening is skipped)
    assert "task 1, 2024-01-15: corrected, Lead unit: Văn phòng UBND tỉnh → Văn phòng" in out
    monthly("undo", today="2024-03-21")
    assert show(monthly, "S1", "2024-03-21")["series"]["lead_unit"] == "Văn phòng"
    monthly("recur", "--until", "31/05/2024", today="2024-03-21")
    assert show(monthly, "S1/2024-05", "2024-03-21")["task"]["lead_unit"] == "Văn phòng"
    monthly("check", today="2024-03-21")


def test_a_series_follows_a_document_merge(monthly):
    monthly("doc", "add", "12/KH-VP", "--issued-on", "03/01/2024", today="2024-01-15")  # the same plan, typed twice
    monthly("doc", "merge", "12/KH-VP@02/01/2024", "12/KH-VP@03/01/2024", today="2024-03-21")
    assert show(monthly, "S1", "2024-03-21")["series"]["document"] == "12/KH-VP"
    monthly("recur", "--until", "30/04/2024", today="2024-03-21")
    ids = {row[0] for row in query(monthly.db, "SELECT document_id FROM tasks")}
    assert ids == {2}  # every task of the series, those opened after the merge too, is the kept document's
    # the series is the document's: the same row assigned to the kept document is the same series
    again = monthly("assign", "Báo cáo tình hình", "--lead", "VP", "--doc", "#2", "--due", MONTHLY,
                    today="2024-03-21", expect=2).output
    assert "series S1 is already running" in again


# -- relative deadlines in corrections ------------------------------------------------------------


def test_edit_due_counts_a_relative_deadline_as_assign_does(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-02-05")
    cli("assign", "Góp ý dự thảo", "--lead", "VP", "--assigned-on", "05/02/2024", "--due", "15/02/2024",
        "--code", "GY", today="2024-02-05")
    cli("edit", "GY", "--due", "trong 10 ngày làm việc kể từ ngày giao", today="2024-02-06")
    task = show(cli, "GY", "2024-02-06")["task"]
    # Tết 2024 ran from 08/02 to 14/02: the tenth working day after 05/02 is 26/02, as assign counts it
    assert (task["deadline"], task["original_deadline"], task["deadline_text"]) == (
        "2024-02-26", "2024-02-26", "trong 10 ngày làm việc kể từ ngày giao")
    cli("assign", "Góp ý dự thảo 2", "--lead", "VP", "--assigned-on", "05/02/2024",
        "--due", "trong 10 ngày làm việc kể từ ngày giao", "--code", "GY2", today="2024-02-06")
    assert show(cli, "GY2", "2024-02-06")["task"]["deadline"] == "2024-02-26"
    # an office's own day off counts too
    cli("calendar", "add", "16/02/2024", "--off", "--note", "Nghỉ bù", today="2024-02-06")
    cli("edit", "GY", "--due", "trong 10 ngày làm việc kể từ ngày giao", "--reason", "Lịch mới", today="2024-02-06")
    assert show(cli, "GY", "2024-02-06")["task"]["deadline"] == "2024-02-27"


def test_correcting_the_assigned_day_recounts_a_relative_deadline_never_extended(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-03-01")
    for code in ("R1", "R2"):
        cli("assign", f"Việc {code}", "--lead", "VP", "--assigned-on", "05/02/2024", "--code", code,
            "--due", "trong 10 ngày làm việc kể từ ngày giao", today="2024-03-01")
    cli("update", "R2", "--deadline", "15/03/2024", "--reason", "Chờ ý kiến", today="2024-03-01")
    for code in ("R1", "R2"):
        cli("edit", code, "--assigned-on", "01/03/2024", "--reason", "Ngày giao nhập nhầm", today="2024-03-01")
    r1, r2 = show(cli, "R1", "2024-03-01")["task"], show(cli, "R2", "2024-03-01")["task"]
    assert (r1["assigned_on"], r1["deadline"], r1["original_deadline"]) == ("2024-03-01", "2024-03-15", "2024-03-15")
    assert r2["deadline"] == "2024-03-15" and r2["original_deadline"] == "2024-02-26"  # extended: not recounted
    fields = {h["field"] for h in show(cli, "R1", "2024-03-01")["history"] if h["kind"] == "corrected"}
    assert fields == {"assigned_on", "deadline"}


def test_a_relative_deadline_needs_the_day_it_counts_from(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-03-01")
    cli("assign", "Việc", "--lead", "VP", "--code", "K", today="2024-03-01")
    out = cli("edit", "K", "--due", "trong 15 ngày kể từ ngày ký", today="2024-03-01", expect=2).output
    assert "counts from the day the document was signed, which is not known" in out


# -- voided tasks in issue 15's figures ----------------------------------------------------------


def test_a_voided_task_is_in_neither_the_year_before_nor_the_evaluation(cli):
    cli("unit", "add", "Sở Tài chính", "--code", "STC", today="2023-01-01")
    for code, assigned, due in (("A", "2023-02-01", "2023-03-01"), ("B", "2023-02-01", "2023-03-01"),
                                ("C", "2024-02-01", "2024-03-01")):
        cli("assign", f"Việc {code}", "--lead", "STC", "--assigned-on", assigned, "--due", due, "--code", code,
            today=assigned)

    def figures(*options: str) -> tuple:
        report = json.loads(cli("report", "--quarter", "2024-Q1", "--format", "json", *options,
                                today="2024-03-31").stdout)
        evaluated = json.loads(cli("evaluate", "--quarter", "2024-Q1", "--format", "json", *options,
                                   today="2024-03-31").stdout)
        unit = evaluated["units"][0]
        return (report["received"]["previous_year"], report["received"]["previous_year_overdue"],
                unit["overdue"], unit["overdue_days_total"])

    # A and B (given in 2023) are overdue a year later: 396 days; C: 30 days
    assert figures() == (2, 2, 3, 396 + 396 + 30)
    cli("void", "B", "--reason", "Nhập trùng với A", today="2024-03-31")
    cli("void", "C", "--reason", "Nhập nhầm", today="2024-03-31")
    assert figures() == (1, 1, 1, 396)
    assert figures("--known-on", "2024-03-30") == (2, 2, 3, 396 + 396 + 30)  # as it was sent


# -- the office outputs of issue 17 for issue 14's listings -----------------------------------------------


@pytest.fixture
def corrected(cli, tmp_path):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP", "--email", "vp@example.gov.vn", today="2022-09-01")
    cli("unit", "edit", "VP", "--alias", "Văn phòng", "--code", "VPB", today="2022-09-02")
    cli("doc", "add", "07-NQ/ĐUK", "--issued-on", "31/08/2017", today="2022-09-01")
    cli("doc", "edit", "07-NQ/ĐUK", "--title", "Nghị quyết về chuyển đổi số", today="2022-09-02")
    for code in ("NV-1", "NV-2", "NV-3"):
        cli("assign", f"Việc {code}", "--lead", "VPB", "--doc", "07-NQ/ĐUK", "--due", "30/09/2022",
            "--assigned-on", "2022-09-01", "--code", code, today="2022-09-01")
    cli("void", "NV-2", "--reason", "Nhập trùng", today="2022-09-03")
    return cli


def workbook(path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def table_rows(sheet) -> list[list]:
    """The header and the rows under it (above it: the sheet's title rows)."""
    from nqtrack.render.xlsx import HEADER_ROW_WITH_TITLE

    return [list(r) for r in sheet.iter_rows(values_only=True)][HEADER_ROW_WITH_TITLE:]


def test_unit_show_in_every_format(corrected, tmp_path):
    data = json.loads(corrected("unit", "show", "VPB", "--format", "json").stdout)
    assert data["unit"]["code"] == "VPB" and [h["field"] for h in data["history"]] == ["code", "aliases"]
    machine = corrected("unit", "show", "VPB", "--format", "csv").stdout
    assert machine.splitlines()[0] == "id,kind,field,old_value,new_value,recorded_at,recorded_by,note,batch_id"
    assert machine.splitlines()[1].split(",")[1:5] == ["corrected", "code", "VP", "VPB"]
    people = corrected("unit", "show", "VPB", "--format", "csv", "--labels", lang="vi").stdout
    assert people.splitlines()[0].split(",")[2:4] == ["Sự kiện", "Trường"]
    out = tmp_path / "don-vi.xlsx"
    assert corrected("unit", "show", "VPB", "--output", str(out)).stdout == ""
    book = workbook(out)
    assert book.sheetnames == ["Văn phòng Bộ", "History"]
    fields = {r[0]: r[1] for r in table_rows(book["Văn phòng Bộ"])[1:]}
    assert (fields["Code"], fields["Tasks it leads"]) == ("VPB", 3)
    history = table_rows(book["History"])
    assert [r[3] for r in history[1:]] == ["Code", "Aliases"]
    md = tmp_path / "don-vi.md"
    corrected("unit", "show", "VPB", "--output", str(md))
    assert "| Code" in md.read_text(encoding="utf-8") and "## History" in md.read_text(encoding="utf-8")
    assert corrected("unit", "show", "VPB", "--format", "json", "--output", str(tmp_path / "x.xlsx"),
                     expect=2).output.startswith("Error: the file name")


def test_doc_show_with_its_history_as_a_workbook(corrected, tmp_path):
    out = tmp_path / "van-ban.xlsx"
    corrected("doc", "show", "07-NQ/ĐUK", "--output", str(out), lang="vi")
    book = workbook(out)
    assert book.sheetnames == ["Nhiệm vụ của văn bản 07-NQ-ĐUK", "Lịch sử"]
    tasks = table_rows(book["Nhiệm vụ của văn bản 07-NQ-ĐUK"])
    assert [r[1] for r in tasks[1:]] == ["NV-1", "NV-3"]  # the voided one is left out
    assert isinstance(tasks[1][5], datetime)  # the deadline a real date
    history = table_rows(book["Lịch sử"])
    assert history[1][2:6] == ["sửa thông tin nhập sai", "Nội dung", None, "Nghị quyết về chuyển đổi số"]
    text = corrected("doc", "show", "07-NQ/ĐUK").stdout
    assert "History" in text and "Nghị quyết về chuyển đổi số" in text


def test_list_all_marks_voided_tasks_in_every_format(corrected, tmp_path):
    assert "NV-2" not in corrected("list").stdout
    table = corrected("list", "--all").stdout
    assert re.search(r"NV-2 .*new \(voided: entered in error\)", table)
    machine = corrected("list", "--all", "--format", "csv").stdout.splitlines()
    assert machine[0].endswith(",voided") and machine[2].endswith(",1") and machine[1].endswith(",0")
    assert not corrected("list", "--format", "csv").stdout.splitlines()[0].endswith(",voided")
    people = corrected("list", "--all", "--format", "csv", "--labels", lang="vi").stdout
    assert "chưa thực hiện (đã loại bỏ: nhập nhầm)" in people
    out = tmp_path / "nhiem-vu.xlsx"
    corrected("list", "--all", "--output", str(out))
    rows = table_rows(workbook(out)["Tasks"])
    assert [(r[1], r[6]) for r in rows[1:]] == [("NV-1", "new"), ("NV-2", "new (voided: entered in error)"),
                                               ("NV-3", "new")]


@pytest.mark.parametrize("width", (80, 100, 120, 160))
def test_list_all_keeps_task_numbers_whole_in_the_terminal(corrected, width):
    from rich.cells import cell_len
    from rich.console import Console

    from nqtrack import i18n
    from nqtrack.app import tasks
    from nqtrack.app.context import Context
    from nqtrack.render.layout import fit_table
    from nqtrack.render.task import display_task_row, task_columns
    from nqtrack.store import open_store

    store = open_store(str(corrected.db))
    before = i18n.language()
    i18n.set_language("vi")
    try:
        found = tasks.listing(Context.of(store, datetime(2022, 9, 3).date()), tasks.TaskQuery(include_voided=True))
        console = Console(file=io.StringIO(), width=width, no_color=True, color_system=None, markup=False)
        console.print(fit_table([display_task_row(t) for t in found], task_columns(), width, "Nhiệm vụ"))
    finally:
        i18n.set_language(before)
        store.close()
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert all(cell_len(line) <= width for line in out.splitlines())
    assert len(found) == 3 and "loại bỏ" in out  # the mark, wrapped between words when narrow
    for task in found:
        assert re.search(rf"│ +{task['id']} +│ {task['code']} +│", out), task["code"]


def test_import_conflicts_as_a_listing(cli, tmp_path):
    header = "Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Ngày giao,Thời hạn\n"
    path = tmp_path / "thang-10.csv"
    path.write_text(header + "NV-1,Báo cáo quý III,Văn phòng Bộ,01/09/2022,15/10/2022\n", encoding="utf-8")
    cli("import", str(path), today="2022-10-01")
    cli("update", "NV-1", "--deadline", "31/10/2022", "--reason", "Chờ số liệu", today="2022-10-10")
    path.write_text(header + "NV-1,Báo cáo quý III,Văn phòng Bộ,01/09/2022,20/10/2022\n", encoding="utf-8")
    listing = {}
    for name in ("xung-dot.csv", "xung-dot.json", "xung-dot.xlsx", "xung-dot.md"):
        out = cli("import", str(path), "--dry-run", "--conflicts", str(tmp_path / name), today="2022-11-05").output
        assert "1 changed in both." in out
        listing[name] = tmp_path / name
    assert listing["xung-dot.csv"].read_text(encoding="utf-8-sig").splitlines() == [
        "task,code,field,register,file,taken", "1,NV-1,deadline_text,31/10/2022,20/10/2022,0"]
    assert json.loads(listing["xung-dot.json"].read_text(encoding="utf-8")) == [
        {"task": 1, "code": "NV-1", "field": "deadline_text", "register": "31/10/2022", "file": "20/10/2022",
         "taken": False}]
    rows = table_rows(workbook(listing["xung-dot.xlsx"])["Conflicts"])
    assert rows[1] == [1, "NV-1", "Deadline as written", "31/10/2022", "20/10/2022", "no"]
    assert "| Deadline as written" in listing["xung-dot.md"].read_text(encoding="utf-8")
    people = tmp_path / "xung-dot-vi.csv"
    cli("import", str(path), "--dry-run", "--conflicts", str(people), lang="vi", today="2022-11-05")
    assert people.read_text(encoding="utf-8-sig").splitlines()[0] == "task,code,field,register,file,taken"
    bad = cli("import", str(path), "--conflicts", str(tmp_path / "x.docx"), today="2022-11-05", expect=2).output
    assert bad.startswith("Error: unknown format 'docx'")
    assert show(cli, "NV-1", "2022-11-05")["task"]["deadline"] == "2022-10-31"  # nothing imported


# -- the export holds every table --------------------------------------------------------------------


def test_export_then_import_into_an_empty_database_rebuilds_every_table(monthly, tmp_path, new_register):
    cli = monthly
    cli("calendar", "add", "17/02/2024", "--working", "--note", "Làm bù", today="2024-03-21")
    cli("unit", "merge", "VPUB", "VP", today="2024-03-21")
    cli("void", "S1/2024-01", "--reason", "Nhầm kỳ", today="2024-03-21")
    cli("edit", "S1/2024-02", "--title", "Báo cáo tình hình tháng 2", today="2024-03-21")
    path = tmp_path / "tasks.csv"
    path.write_text("Mã nhiệm vụ,Nội dung nhiệm vụ,Đơn vị chủ trì,Ngày giao,Thời hạn\n"
                    "NV-1,Báo cáo quý I,Văn phòng,01/02/2024,31/03/2024\n", encoding="utf-8")
    cli("import", str(path), today="2024-03-01")
    cli("update", "NV-1", "--deadline", "15/04/2024", "--reason", "Chờ số liệu", today="2024-03-10")
    path.write_text(path.read_text(encoding="utf-8").replace("Báo cáo quý I,", "Báo cáo quý I năm 2024,"),
                    encoding="utf-8")
    cli("import", str(path), today="2024-03-21")  # a re-import: its provenance row
    cli("user", "add", "lan", "--role", "unit", "--unit", "VP", today="2024-03-21")  # users and their journal
    exported = tmp_path / "so-theo-doi.json"
    cli("export", str(exported), today="2024-03-21")
    data = json.loads(exported.read_text(encoding="utf-8"))
    from nqtrack.store.sql import EXPORT_TABLES

    for table in EXPORT_TABLES:
        if table not in ("settings", "task_units"):
            assert data[table], table  # every table holds rows in this register
    copy = Cli(new_register())
    copy("import", str(exported), "--create", today="2024-03-21")
    assert copy("check", today="2024-03-21").output == "All checks passed.\n"
    for table in EXPORT_TABLES:
        if table == "settings":
            continue
        rows = f"SELECT * FROM {table} ORDER BY 1, 2"
        assert query(copy.db, rows) == query(cli.db, rows), table
    assert show(copy, "S1", "2024-03-21") == show(cli, "S1", "2024-03-21")
    assert copy("unit", "show", "VP", "--format", "json", today="2024-03-21").stdout == cli(
        "unit", "show", "VP", "--format", "json", today="2024-03-21").stdout


def test_an_export_made_before_voids_and_the_register_journal_imports(monthly, tmp_path, new_register):
    """An export of a register of schema 5 (before issue 14): no 'voided' in its tasks, none of
    the tables issue 14 added. It rebuilds a register that passes check, nothing voided."""
    exported = tmp_path / "cu.json"
    monthly("export", str(exported), today="2024-03-21")
    data = json.loads(exported.read_text(encoding="utf-8"))
    for task in data["tasks"]:
        del task["voided"]
    for unit in data["units"]:
        del unit["merged_into"]
    for table in ("register_events", "import_provenance"):
        del data[table]
    data["schema"] = 5
    exported.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    copy = Cli(new_register())
    copy("import", str(exported), "--create", today="2024-03-21")
    assert copy("check", today="2024-03-21").output == "All checks passed.\n"
    assert overdue_codes(copy) == ["S1/2024-01", "S1/2024-02", "S1/2024-03"]
