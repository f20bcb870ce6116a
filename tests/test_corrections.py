"""Issue 14: every mistake correctable, every correction journaled (void, edit, merges,
undo), and the time the journal tells."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from nqtrack.cli import app
from tests.support import batch_of, show_json


def workload(cli, month="2022-10", **kw):
    args = ["report", "--month", month, "--format", "json"]
    for key, value in kw.items():
        args += [f"--{key.replace('_', '-')}", value]
    return json.loads(cli(*args, today="2022-11-20").stdout)["workload"]


@pytest.fixture
def office(cli):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    cli("unit", "add", "Vụ Tổ chức cán bộ", "--code", "TCCB")
    cli("doc", "add", "07-NQ/ĐUK", "--issued-on", "31/08/2017")
    cli("assign", "Báo cáo quý III", "--lead", "VP", "--doc", "07-NQ/ĐUK", "--due", "15/10/2022",
        "--assigned-on", "2022-09-01", "--code", "A", today="2022-09-01")
    cli("assign", "Kế hoạch 2023", "--lead", "TCCB", "--due", "20/10/2022", "--assigned-on", "2022-09-05",
        "--code", "B", today="2022-09-05")
    return cli


# -- the journal tells the truth about time ---------------------------------------------------


def test_today_never_moves_the_recording_moment(register_location):
    """Without a test clock, --today sets the business day only: recorded_at is the real clock."""
    db = register_location
    runner = CliRunner()
    env = {"NQTRACK_TEST_CLOCK": None, "NO_COLOR": "1"}
    before = datetime.now(UTC).isoformat(timespec="microseconds")
    for args in (["init"], ["unit", "add", "Văn phòng", "--code", "VP"],
                 ["assign", "Việc", "--lead", "VP", "--assigned-on", "2001-01-01"]):
        assert runner.invoke(app, ["--db", db, "--today", "2001-01-02", *args], env=env).exit_code == 0
    shown = runner.invoke(app, ["--db", db, "--today", "2001-01-02", "show", "1", "--format", "json"], env=env)
    after = datetime.now(UTC).isoformat(timespec="microseconds")
    (created,) = json.loads(shown.stdout)["history"]
    assert created["effective_on"] == "2001-01-01"
    assert before <= created["recorded_at"] <= after


# -- undone extensions and reminders do not count ---------------------------------------------


def test_an_undone_extension_or_reminder_is_not_counted(office, tmp_path):
    office("update", "B", "--deadline", "30/11/2022", "--reason", "Chờ số liệu", today="2022-10-10")
    office("remind", "--output-dir", str(tmp_path / "notices"), today="2022-10-12")
    counted = workload(office)
    assert (counted["extended"], counted["reminded"]) == (1, 1)
    office("undo", today="2022-10-13")  # the reminder
    office("undo", today="2022-10-13")  # the extension
    assert (workload(office)["extended"], workload(office)["reminded"]) == (0, 0)
    # a report made before the undo still counts them
    known = workload(office, known_on="2022-10-12")
    assert (known["extended"], known["reminded"]) == (1, 1)


# -- void ----------------------------------------------------------------------------------------


def counts_everywhere(cli, today="2022-11-20"):
    """How many tasks each view sees: list, search, overdue, report, review, doc list, remind."""
    listed = json.loads(cli("list", "--format", "json", today=today).stdout)
    found = json.loads(cli("list", "--search", "quy III", "--format", "json", today=today).stdout)
    overdue = json.loads(cli("overdue", "--format", "json", today=today).stdout)
    report = json.loads(cli("report", "--month", "2022-10", "--format", "json", today=today).stdout)
    review = json.loads(cli("review", "--format", "json", today=today).stdout)
    docs = json.loads(cli("doc", "list", "--format", "json", today=today).stdout)
    notices = cli("remind", "--dry-run", today=today).output
    return {
        "list": len(listed), "search": len(found), "overdue": len(overdue["tasks"]),
        "received": report["received"]["total"] + report["received"]["cancelled"],
        "workload": report["workload"]["total"] + report["workload"]["cancelled"],
        "review": review["documents"][0]["total"], "doc list": docs[0]["tasks"],
        "remind": notices.count("Văn phòng Bộ"),
    }


def test_a_voided_task_leaves_every_count_list_and_review(office):
    before = counts_everywhere(office)
    assert before == {"list": 2, "search": 1, "overdue": 2, "received": 0, "workload": 2, "review": 1,
                      "doc list": 1, "remind": before["remind"]} and before["remind"] > 0
    office("void", "A", "--reason", "Nhập trùng", today="2022-11-16")
    after = counts_everywhere(office)
    assert after == {"list": 1, "search": 0, "overdue": 1, "received": 0, "workload": 1, "review": 0,
                     "doc list": 0, "remind": 0}
    # cancelled is not voided: a cancelled task keeps its own line
    office("update", "B", "--state", "cancelled", "--on", "2022-10-01", today="2022-11-16")
    assert json.loads(office("report", "--month", "2022-10", "--format", "json").stdout)["workload"]["cancelled"] == 1
    # list --all and show still show it, marked
    listed = json.loads(office("list", "--all", "--format", "json").stdout)
    assert [(t["code"], t["voided"]) for t in listed] == [("A", True), ("B", False)]
    assert "(voided: entered in error)" in office("list", "--all").stdout
    assert "nhập nhầm" in office("list", "--all", lang="vi").stdout
    data = show_json(office, "A")
    assert data["task"]["voided"] is True
    voided = data["history"][-1]
    assert (voided["kind"], voided["field"], voided["old_value"], voided["new_value"], voided["note"]) == (
        "voided", "voided", "0", "1", "Nhập trùng")
    assert voided["effective_on"] == "2022-09-01"  # the day the task was created
    # a voided task cannot change any more
    assert "voided" in office("update", "A", "--progress", "10", expect=2).output


def test_a_report_known_on_before_the_void_still_counts_the_task(office):
    sent = workload(office, known_on="2022-11-01")
    office("void", "A", "--reason", "Nhập nhầm", today="2022-11-16")
    assert workload(office, known_on="2022-11-01") == sent
    assert workload(office)["total"] == sent["total"] - 1
    # even when the task was created after the report day (a file without assignment dates)
    office("assign", "Nhập sau", "--lead", "VP", "--due", "10/10/2022", "--code", "C", today="2022-11-10")
    assert workload(office)["total"] == sent["total"]
    office("void", "C", "--reason", "Nhập nhầm", today="2022-11-16")
    assert workload(office)["total"] == sent["total"] - 1
    office("check")


def test_undo_of_a_creation_voids_and_undo_of_a_void_restores(office):
    office("assign", "Việc giao nhầm", "--lead", "VP", "--due", "10/10/2022", today="2022-11-10")
    office("undo", today="2022-11-10")
    task = show_json(office, "3")["task"]
    assert (task["voided"], task["state"]) == (True, "new")  # voided, not cancelled
    office("void", "B", "--reason", "Nhầm", today="2022-11-16")
    office("undo", today="2022-11-16")
    assert show_json(office, "B")["task"]["voided"] is False
    assert workload(office)["total"] == 2
    office("check")


# -- edit: corrections of data entry -------------------------------------------------------------


def test_edit_corrects_each_field_as_its_own_kind_of_event(office):
    office("doc", "add", "15-NQ/TW", "--issued-on", "05/05/2022")
    office("edit", "A", "--title", "Báo cáo quý III năm 2022", "--lead", "TCCB", "--with", "VP", "--to", "Chị Lan",
           "--due", "Quý IV/2022", "--doc", "15-NQ/TW", "--source", "Chính phủ", "--product", "Báo cáo",
           "--assigned-on", "02/09/2022", "--code", "A-1", "--reason", "Gõ nhầm", today="2022-11-16")
    data = show_json(office, "A-1")
    task = data["task"]
    assert (task["title"], task["lead_unit"], task["coordinating_units"], task["assignee"]) == (
        "Báo cáo quý III năm 2022", "Vụ Tổ chức cán bộ", "Văn phòng Bộ", "Chị Lan")
    assert (task["deadline"], task["deadline_text"], task["original_deadline"]) == (
        "2022-12-31", "Quý IV/2022", "2022-12-31")  # typed wrong from the start: no extension
    assert (task["document"], task["source"], task["product"], task["assigned_on"]) == (
        "15-NQ/TW", "Chính phủ", "Báo cáo", "2022-09-02")
    corrected = [h for h in data["history"] if h["kind"] == "corrected"]
    assert {h["field"] for h in corrected} == {
        "title", "lead_unit_id", "coordinating_units", "assignee", "deadline", "deadline_text", "document_id",
        "source", "product", "assigned_on", "code"}
    assert {h["effective_on"] for h in corrected} == {"2022-09-01"} and {h["note"] for h in corrected} == {"Gõ nhầm"}
    lead = next(h for h in corrected if h["field"] == "lead_unit_id")
    assert (lead["old_value"], lead["new_value"]) == ("Văn phòng Bộ", "Vụ Tổ chức cán bộ")
    # `show` speaks the interface's words: labels, states and days, never the internal names
    office("update", "A-1", "--state", "cancelled", today="2022-11-16")
    for lang, words, never in (
        ("vi", ["Đơn vị chủ trì", "Thời hạn (nguyên văn)", "sửa thông tin nhập sai", "15-NQ/TW", "31/12/2022",
                "hủy"], ["lead_unit_id", "deadline_text", "document_id", "cancelled", "2022-12-31", "corrected"]),
        ("en", ["Lead unit", "Deadline as written", "corrected", "2022-12-31"], ["lead_unit_id", "deadline_text",
                                                                              "document_id"]),
    ):
        page = office("show", "A-1", lang=lang).stdout
        for word in words:
            assert word in page, (lang, word)
        for word in never:
            assert word not in page, (lang, word)
    office("check")


def test_a_correction_holds_on_every_day_and_known_on_before_it_keeps_the_report(office):
    office("assign", "Nhập không có ngày giao", "--lead", "VP", "--due", "10/10/2023", "--code", "C", today="2022-11-10")
    sent = workload(office, known_on="2022-11-12")
    office("edit", "C", "--due", "10/10/2022", today="2022-11-16")  # the year was typed wrong
    assert workload(office, known_on="2022-11-12") == sent
    assert workload(office)["total"] == sent["total"] + 1  # October's report now counts it
    office("undo", today="2022-11-16")
    assert workload(office)["total"] == sent["total"]
    task = show_json(office, "C")["task"]
    assert (task["deadline"], task["original_deadline"]) == ("2023-10-10", "2023-10-10")
    office("check")


def test_edit_refuses_what_cannot_be(office):
    assert "nothing to correct" in office("edit", "A", expect=2).output
    assert "a task needs a title" in office("edit", "A", "--title", " ", expect=2).output
    assert "already exists" in office("edit", "A", "--code", "B", expect=2).output
    office("update", "A", "--state", "done", "--on", "2022-10-01", today="2022-11-16")
    out = office("edit", "A", "--assigned-on", "05/10/2022", expect=2).output
    assert "the completion date 2022-10-01 is before the day the task was given (2022-10-05)" in out
    out = office("update", "B", "--state", "done", "--on", "2022-09-01", lang="vi", today="2022-11-16", expect=2).output
    assert "ngày hoàn thành 01/09/2022 trước ngày giao nhiệm vụ (05/09/2022)" in out
    office("void", "B", "--reason", "Nhầm")
    assert "voided" in office("edit", "B", "--title", "X", expect=2).output


# -- validation a secretary expects --------------------------------------------------------------


def test_an_extension_to_an_earlier_date_is_refused(office):
    out = office("update", "A", "--deadline", "01/10/2022", "--reason", "Lùi", expect=2).output
    assert "an extension moves the deadline later, but 2022-10-01 is before 2022-10-15" in out
    assert "nqtrack edit TASK --due" in out
    assert show_json(office, "A")["task"]["deadline"] == "2022-10-15"


EARLY = "deadline before the day it was assigned, with no note"


def test_a_deadline_before_the_assigned_day_is_said_by_the_write_that_makes_it(cli, tmp_path):
    """check's rule: a deadline before the day a task was assigned stands with a note saying
    why. assign and import say so at once, naming the tasks; check names them until a note
    is there."""
    cli("unit", "add", "Văn phòng", "--code", "VP")
    early = cli("assign", "Báo cáo bổ sung", "--lead", "VP", "--assigned-on", "2022-11-10", "--due", "2022-11-01")
    assert early.stdout == "Task 1 created.\n"
    assert early.stderr == ("Warning: its deadline is before the day it was assigned; 'nqtrack check' names it "
                            "until a note says why: nqtrack update 1 --note \"…\"\n")
    assert cli("assign", "Kế hoạch", "--lead", "VP", "--due", "2022-12-01").stderr == ""
    rows = tmp_path / "tasks.csv"
    rows.write_text("Nội dung,Đơn vị chủ trì,Ngày giao,Thời hạn,Ghi chú\n"
                    "Việc A,VP,10/11/2022,01/11/2022,\n"
                    "Việc B,VP,10/11/2022,01/11/2022,Giao bổ sung theo Công văn 12\n"
                    "Việc C,VP,10/11/2022,30/11/2022,\n", encoding="utf-8")
    said = cli("import", str(rows)).stdout.splitlines()
    assert ("Warning: 1 tasks have a deadline before the day they were assigned and no note saying why; "
            "'nqtrack check' names them until one does (nqtrack update TASK --note …): 3") in said
    rows.write_text("Nội dung,Đơn vị chủ trì,Ngày giao,Thời hạn\nViệc D,VP,10/11/2022,01/11/2022\n", encoding="utf-8")
    said = cli("import", str(rows), "--dry-run", lang="vi").stdout.splitlines()
    assert ("Lưu ý: 1 nhiệm vụ có thời hạn trước ngày giao mà không có ghi chú nêu lý do; 'nqtrack check' sẽ báo "
            "các nhiệm vụ này cho tới khi có ghi chú (nqtrack update NHIỆM_VỤ --note …): 6") in said
    rows.write_text("Nội dung,Đơn vị chủ trì,Ngày giao,Thời hạn\n" + "".join(
        f"Việc {n},VP,10/11/2022,01/11/2022\n" for n in range(21)), encoding="utf-8")
    said = cli("import", str(rows), "--dry-run").stdout.splitlines()  # the first twenty named, the rest counted
    warning, named = said[-1].split(": ", 1)[0], said[-1].rsplit(": ", 1)[1]
    assert warning == "Warning"
    assert said[-1].startswith("Warning: 21 tasks have a deadline before the day they were assigned and no note")
    numbers = named.removesuffix(" and 1 more").split(", ")
    first = int(numbers[0])  # a rolled-back dry run leaves PostgreSQL's number used, not SQLite's
    assert named.endswith(" and 1 more") and numbers == [str(n) for n in range(first, first + 20)]
    found = json.loads(cli("check", "--format", "json", expect=1).stdout)["problems"]
    assert found == [{"task": 1, "problem": EARLY}, {"task": 3, "problem": EARLY}]
    for task in ("1", "3"):
        cli("update", task, "--note", "Giao bổ sung theo Công văn 12")
    assert json.loads(cli("check", "--format", "json").stdout) == {"ok": True, "problems": []}


def test_assigning_the_same_open_task_again_asks_for_again(office):
    out = office("assign", "báo cáo QUÝ III", "--lead", "VP", "--doc", "07-NQ/ĐUK", expect=2).output
    assert "task 1 is already open with the same document, title and lead unit" in out and "--again" in out
    assert "Task 3 created." in office("assign", "Báo cáo quý III", "--lead", "VP", "--doc", "07-NQ/ĐUK",
                                       "--again").output
    office("assign", "Báo cáo quý III", "--lead", "TCCB", "--doc", "07-NQ/ĐUK")  # another lead: another task


def test_undo_dry_run_and_undo_of_one_task(office):
    office("update", "A", "--progress", "30", today="2022-10-01")
    office("update", "B", "--progress", "60", today="2022-10-02")
    preview = office("undo", "--dry-run").output
    assert "Would undo 1 events on tasks 2 (dry run: nothing was changed):" in preview
    assert "task 2, 2022-10-02: updated, Progress: 60 → —" in preview
    assert show_json(office, "B")["task"]["progress"] == 60
    assert "Undone: 1 events on tasks 1." in office("undo", "A").output  # the last change of A, not of B
    assert (show_json(office, "A")["task"]["progress"], show_json(office, "B")["task"]["progress"]) == (None, 60)
    assert "the task is voided" in office("undo", "A", "--dry-run").output  # next: A's creation
    assert "unknown task" in office("undo", "99", expect=4).output


# -- units: edit, rename, merge ------------------------------------------------------------------


def test_unit_edit_is_journaled_shown_and_undone(office):
    office("unit", "edit", "VP", "--code", "VPB", "--alias", "Văn phòng", "--email", "vp@example.gov.vn",
           "--parent", "TCCB", today="2022-11-16")
    unit = json.loads(office("unit", "show", "VPB", "--format", "json").stdout)
    assert (unit["unit"]["code"], unit["unit"]["aliases"], unit["unit"]["parent"]) == (
        "VPB", "Văn phòng", "Vụ Tổ chức cán bộ")
    assert [(h["kind"], h["field"], h["old_value"], h["new_value"]) for h in unit["history"]] == [
        ("corrected", "code", "VP", "VPB"), ("corrected", "parent_id", None, "Vụ Tổ chức cán bộ"),
        ("corrected", "aliases", None, "Văn phòng"), ("corrected", "email", None, "vp@example.gov.vn")]
    page = office("unit", "show", "VPB", lang="vi").stdout
    assert "Tên khác" in page and "sửa thông tin nhập sai" in page and "parent_id" not in page
    office("undo", today="2022-11-16")
    unit = json.loads(office("unit", "show", "VP", "--format", "json").stdout)["unit"]
    assert (unit["code"], unit["aliases"], unit["parent"], unit["email"]) == ("VP", None, None, None)


def test_rename_onto_an_existing_name_suggests_merge(office):
    out = office("unit", "rename", "VP", "vụ tổ chức cán bộ", expect=2).output
    assert "a unit named 'vụ tổ chức cán bộ' already exists (Vụ Tổ chức cán bộ)" in out
    assert "nqtrack unit merge" in out


def test_unit_merge_moves_every_task_keeps_the_name_and_is_undone(office):
    office("unit", "add", "Văn phòng Bộ (nhập trùng)", "--code", "VP2")
    office("assign", "Việc của đơn vị trùng", "--lead", "VP2", "--with", "TCCB", "--due", "12/10/2022",
           "--assigned-on", "2022-09-10", "--code", "C", today="2022-09-10")
    office("assign", "Việc phối hợp", "--lead", "TCCB", "--with", "VP2", "--with", "VP", "--due", "13/10/2022",
           "--assigned-on", "2022-09-10", "--code", "D", today="2022-09-10")
    sent = json.loads(office("report", "--month", "2022-10", "--format", "json", "--known-on", "2022-11-15",
                             today="2022-11-20").stdout)
    assert "Unit Văn phòng Bộ (nhập trùng) merged into Văn phòng Bộ: 2 tasks moved." in office(
        "unit", "merge", "VP2", "Văn phòng Bộ", today="2022-11-16").output
    moved = show_json(office, "C")
    assert moved["task"]["lead_unit"] == "Văn phòng Bộ"
    assert show_json(office, "D")["task"]["coordinating_units"] == "Văn phòng Bộ"
    corrected = [(h["kind"], h["field"], h["old_value"], h["new_value"]) for h in moved["history"][1:]]
    assert corrected == [("corrected", "lead_unit_id", "Văn phòng Bộ (nhập trùng)", "Văn phòng Bộ")]
    # FROM's name and code now find INTO; FROM is out of the list
    assert json.loads(office("unit", "show", "VP2", "--format", "json").stdout)["unit"]["name"] == "Văn phòng Bộ"
    assert [u["code"] for u in json.loads(office("unit", "list", "--format", "json").stdout)] == ["VP", "TCCB"]
    # the report sent before is rebuilt unchanged; today's shows one unit
    again = json.loads(office("report", "--month", "2022-10", "--format", "json", "--known-on", "2022-11-15",
                              today="2022-11-20").stdout)
    assert again == sent
    now = json.loads(office("report", "--month", "2022-10", "--format", "json", today="2022-11-20").stdout)
    assert [u["unit"] for u in now["by_unit"]] == ["Văn phòng Bộ", "Vụ Tổ chức cán bộ"]
    office("check")
    office("undo", today="2022-11-16")
    assert show_json(office, "C")["task"]["lead_unit"] == "Văn phòng Bộ (nhập trùng)"
    assert show_json(office, "D")["task"]["coordinating_units"] == "Văn phòng Bộ; Văn phòng Bộ (nhập trùng)"
    assert json.loads(office("unit", "show", "VP2", "--format", "json").stdout)["unit"]["code"] == "VP2"
    assert json.loads(office("unit", "show", "VP", "--format", "json").stdout)["unit"]["aliases"] is None
    office("check")


# -- documents: identity by symbol and date, edit, merge -----------------------------------------


def test_one_symbol_in_two_years_is_two_documents(office):
    office("doc", "add", "2345/UBND-TH", "--issued-on", "10/03/2023")
    office("doc", "add", "2345/UBND-TH", "--issued-on", "12/05/2024")
    out = office("doc", "add", "2345/ubnd-th", "--issued-on", "10/3/2023", expect=2).output
    assert "the document 2345/UBND-TH@10/03/2023 already exists (#2)" in out
    out = office("assign", "Việc", "--lead", "VP", "--doc", "2345/UBND-TH", expect=4).output
    assert "fits several documents: 2345/UBND-TH@10/03/2023 (#2), 2345/UBND-TH@12/05/2024 (#3)" in out
    office("assign", "Việc năm 2024", "--lead", "VP", "--doc", "2345/UBND-TH@12/05/2024")
    office("assign", "Việc năm 2023", "--lead", "VP", "--doc", "#2")
    listed = {t["title"]: t["document"] for t in json.loads(office("list", "--format", "json").stdout)}
    assert listed["Việc năm 2024"] == "2345/UBND-TH@12/05/2024" and listed["Việc năm 2023"] == "2345/UBND-TH@10/03/2023"
    assert listed["Báo cáo quý III"] == "07-NQ/ĐUK"  # a symbol alone where it is the only one
    assert json.loads(office("doc", "show", "2345/UBND-TH@10/03/2023", "--format", "json").stdout)["document"]["id"] == 2


def test_doc_edit_and_merge_are_journaled_shown_and_undone(office):
    office("doc", "add", "07-NQ/ĐU", "--title", "Nghị quyết (gõ thiếu ký hiệu)")
    office("assign", "Việc theo văn bản gõ sai", "--lead", "VP", "--doc", "07-NQ/ĐU", "--due", "11/10/2022",
           "--assigned-on", "2022-09-02", "--code", "C", today="2022-09-02")
    sent = workload(office, known_on="2022-11-15")
    office("doc", "edit", "07-NQ/ĐU", "--title", "Nghị quyết về công tác cán bộ", today="2022-11-16")
    assert "Document 07-NQ/ĐU merged into 07-NQ/ĐUK: 1 tasks moved." in office(
        "doc", "merge", "07-NQ/ĐU", "07-NQ/ĐUK", today="2022-11-17").output
    assert show_json(office, "C")["task"]["document"] == "07-NQ/ĐUK"
    assert show_json(office, "C")["history"][-1]["kind"] == "corrected"
    shown = json.loads(office("doc", "show", "07-NQ/ĐUK", "--format", "json").stdout)
    assert sorted(t["code"] for t in shown["tasks"]) == ["A", "C"]
    history = json.loads(office("doc", "show", "#2", "--format", "json").stdout)["history"]
    assert history == []  # "#2" was merged: it names the document it went into
    assert workload(office, known_on="2022-11-15") == sent
    assert "unknown document" in office("doc", "show", "07-NQ/ĐU", expect=4).output
    office("undo", today="2022-11-17")  # the merge
    assert show_json(office, "C")["task"]["document"] == "07-NQ/ĐU"
    gone = json.loads(office("doc", "show", "07-NQ/ĐU", "--format", "json").stdout)
    assert [(h["field"], h["new_value"]) for h in gone["history"]] == [
        ("title", "Nghị quyết về công tác cán bộ"), ("merged_into", "07-NQ/ĐUK@31/08/2017"), ("merged_into", None)]
    page = office("doc", "show", "07-NQ/ĐU", lang="vi").stdout
    assert "Đã gộp vào" in page and "merged_into" not in page
    office("check")


# -- imports of units and documents update what exists -------------------------------------------


def test_units_and_documents_imports_update_existing_rows_journaled_and_undoable(office, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("Mã đơn vị,Tên đơn vị,Tên khác,Thư điện tử,Đơn vị cấp trên\n"
                     "VPB,Văn phòng Bộ,Văn phòng,vp@example.gov.vn,\n"
                     "TCCB,Vụ Tổ chức cán bộ,,,Văn phòng Bộ\n"
                     "TTR,Thanh tra Bộ,,,\n", encoding="utf-8")
    out = office("import", str(units), "--kind", "units", today="2022-11-16").output
    assert "3 rows: 1 created, 2 updated, 0 unchanged, 0 rejected." in out
    assert "Changed: Văn phòng Bộ (Code, Aliases, Email); Vụ Tổ chức cán bộ (Above it / implements)" in out
    assert "unchanged" in office("import", str(units), "--kind", "units", today="2022-11-16").output
    assert "3 rows: 0 created, 0 updated, 3 unchanged" in office("import", str(units), "--kind", "units").output
    vp = json.loads(office("unit", "show", "VPB", "--format", "json").stdout)
    assert (vp["unit"]["aliases"], vp["unit"]["email"]) == ("Văn phòng", "vp@example.gov.vn")
    assert {h["kind"] for h in vp["history"]} == {"imported"}
    documents = tmp_path / "documents.csv"
    documents.write_text("\"Số, ký hiệu\",Ngày ban hành,Trích yếu,Cơ quan ban hành\n"
                         "07-NQ/ĐUK,31/08/2017,Nghị quyết về công tác cán bộ,Đảng ủy Khối\n"
                         "07-NQ/ĐUK,05/09/2022,Nghị quyết nhiệm kỳ mới,Đảng ủy Khối\n", encoding="utf-8")
    out = office("import", str(documents), "--kind", "documents", today="2022-11-16").output
    assert "2 rows: 1 created, 1 updated, 0 unchanged, 0 rejected." in out
    batch = batch_of(out)
    doc = json.loads(office("doc", "show", "07-NQ/ĐUK@31/08/2017", "--format", "json").stdout)
    assert (doc["document"]["title"], doc["document"]["issuer"]) == ("Nghị quyết về công tác cán bộ", "Đảng ủy Khối")
    assert [h["field"] for h in doc["history"]] == ["issuer", "title"]
    office("undo", "--batch", batch, today="2022-11-16")
    doc = json.loads(office("doc", "show", "#1", "--format", "json").stdout)["document"]
    assert (doc["title"], doc["issuer"]) == (None, "ĐUK")
    # the document the import created stays (undo reverts changes, not creations of documents)
    assert [d["issued_on"] for d in json.loads(office("doc", "list", "--format", "json").stdout)] == [
        "2017-08-31", "2022-09-05"]


# -- suggestions and what a secretary types --------------------------------------------------------


def test_unknown_unit_document_or_task_offers_the_closest_names(office):
    office("unit", "add", "Sở Tài nguyên và Môi trường", "--code", "STNMT")
    out = office("assign", "Việc", "--lead", "So Tai nguyen Moi truong", expect=4).output
    assert "unknown unit: 'So Tai nguyen Moi truong'; did you mean 'Sở Tài nguyên và Môi trường'?" in out
    vi = office("assign", "Việc", "--lead", "Sở TN&MT tỉnh", lang="vi", expect=4).output
    assert "có phải là 'Sở Tài nguyên và Môi trường'?" in vi
    out = office("assign", "Việc", "--lead", "VP", "--doc", "07-NQ/DUK2", expect=4).output
    assert "did you mean '07-NQ/ĐUK'? To add it: nqtrack doc add '07-NQ/DUK2'" in out
    out = office("assign", "Việc", "--lead", "VP", "--doc", "99/QĐ-XYZ", expect=4).output
    assert "unknown document: '99/QĐ-XYZ'; to add it: nqtrack doc add '99/QĐ-XYZ'" in out
    office("edit", "A", "--code", "NV-2022-0007")
    assert "did you mean 'NV-2022-0007'?" in office("show", "NV-2022-007", expect=4).output
    assert office("show", "XYZ", expect=4).output.strip() == "Error: unknown task: 'XYZ'"


def test_progress_with_a_per_cent_sign_quarters_as_offices_write_them_and_h(office):
    office("update", "A", "--progress", "50%")
    assert show_json(office, "A")["task"]["progress"] == 50
    assert "is not a progress" in office("update", "A", "--progress", "half", expect=2).output
    assert "progress must be between 0 and 100" in office("update", "A", "--progress", "140%", expect=2).output
    for quarter in ("Quý IV/2022", "IV/2022", "2022-Q4"):
        data = json.loads(office("report", "--quarter", quarter, "--format", "json").stdout)
        assert (data["period"]["from"], data["period"]["to"]) == ("2022-10-01", "2022-12-31")
    assert office("-h").output.startswith("Usage: nqtrack")
    assert office("update", "-h").output.startswith("Usage: nqtrack update")
    assert office("unit", "merge", "-h").output.startswith("Usage: nqtrack unit merge")


@pytest.mark.parametrize("one, other", [
    ("Sở Kế hoạch & Đầu tư", "Sở Kế hoạch và Đầu tư"),
    ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
    ("Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("Bộ VH-TT&DL", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
    ("Sở GTVT", "Sở Giao thông vận tải"),
    ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
    ("UBND tỉnh", "Ủy ban nhân dân tỉnh"),
])
def test_one_key_for_the_ways_offices_write_a_unit(one, other):
    from nqtrack.core.names import name_key

    assert name_key(one) == name_key(other)


def test_different_units_keep_different_keys():
    from nqtrack.core.names import name_key

    assert name_key("Sở Tài chính") != name_key("Sở Tư pháp")
    assert name_key("Vụ Phổ biến, giáo dục pháp luật") == "vu pho bien giao duc phap luat"
