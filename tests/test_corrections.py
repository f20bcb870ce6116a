"""Issue 14: every mistake correctable, every correction journaled (void, edit, merges,
undo), and the time the journal tells."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from nqtrack.cli import app


def show_json(cli, task="1", **kw):
    return json.loads(cli("show", task, "--format", "json", **kw).stdout)


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


def test_today_never_moves_the_recording_moment(tmp_path):
    """Without a test clock, --today sets the business day only: recorded_at is the real clock."""
    db = str(tmp_path / "r.db")
    runner = CliRunner()
    env = {"NQTRACK_TEST_CLOCK": None, "NO_COLOR": "1"}
    before = datetime.now(UTC).isoformat(timespec="microseconds")
    for args in (["unit", "add", "Văn phòng", "--code", "VP"],
                 ["assign", "Việc", "--lead", "VP", "--assigned-on", "2001-01-01"]):
        assert runner.invoke(app, ["--db", db, "--today", "2001-01-02", *args], env=env).exit_code == 0
    shown = runner.invoke(app, ["--db", db, "--today", "2001-01-02", "show", "1", "--format", "json"], env=env)
    after = datetime.now(UTC).isoformat(timespec="microseconds")
    (created,) = json.loads(shown.stdout)["history"]
    assert created["effective_on"] == "2001-01-01"
    assert before <= created["recorded_at"] <= after


# -- undone extensions and reminders do not count ---------------------------------------------


def test_an_undone_extension_or_reminder_is_not_counted(office):
    office("update", "B", "--deadline", "30/11/2022", "--reason", "Chờ số liệu", today="2022-10-10")
    office("remind", "--output-dir", str(office.db.parent / "notices"), today="2022-10-12")
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
