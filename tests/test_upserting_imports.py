"""Upserting imports (issue 14): a re-import of tasks and an import of units that changes
existing rows is journaled, shown, undoable as a whole, and a report of a past month made
`--known-on` a day before it is unchanged by it."""

import json

from tests.support import batch_of, show_json


def without_titles(report: str):
    """The report's JSON without the tasks' titles: a known-on report keeps every figure and
    every listed task as known then, and names the tasks by their titles as they are now."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "title"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(json.loads(report))


TASKS = ("Mã nhiệm vụ,Tên nhiệm vụ,Đơn vị chủ trì,Ngày giao,Thời hạn\n"
         "A,Báo cáo quý III,VP,01/09/2022,15/10/2022\n"
         "B,Kế hoạch 2023,TCCB,05/09/2022,20/10/2022\n")


def test_a_task_reimport_is_journaled_shown_undone_and_leaves_a_past_report_known_on_unchanged(cli, tmp_path):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP", today="2022-09-01")
    cli("unit", "add", "Vụ Tổ chức cán bộ", "--code", "TCCB", today="2022-09-01")
    first = tmp_path / "giao-viec.csv"
    first.write_text(TASKS, encoding="utf-8")
    cli("import", str(first), today="2022-09-05")
    october = ("report", "--month", "2022-10", "--known-on", "2022-10-31", "--format", "json")
    before = cli(*october, today="2022-11-16").stdout
    assert json.loads(before)["workload"]["overdue"] == 2

    second = tmp_path / "giao-viec-sua.csv"
    second.write_text(TASKS.replace("15/10/2022", "15/11/2022").replace("Kế hoạch 2023", "Kế hoạch năm 2023"),
                      encoding="utf-8")
    out = cli("import", str(second), today="2022-11-16").output
    batch = batch_of(out)
    assert "2 rows: 0 created, 2 updated, 0 unchanged, 0 rejected." in out

    # shown: each changed field is an event of the import, recorded on the day it ran
    shown = show_json(cli, "A")
    assert shown["task"]["deadline"] == "2022-11-15"
    changes = [(h["kind"], h["old_value"], h["new_value"], h["recorded_at"][:10], h["batch_id"])
               for h in shown["history"] if h["field"] == "deadline"]
    assert changes == [("imported", "2022-10-15", "2022-11-15", "2022-11-16", batch)]
    assert show_json(cli, "B")["task"]["title"] == "Kế hoạch năm 2023"

    # the October report as known at the end of October is the one already sent (figures,
    # tasks listed, their deadlines and days overdue); the titles are today's
    again = cli(*october, today="2022-11-16").stdout
    assert without_titles(again) == without_titles(before)
    assert "Kế hoạch năm 2023" in again and again != before

    # undone as a whole: both tasks as they were, and the undo is itself in the journal
    cli("undo", "--batch", batch, today="2022-11-16")
    assert show_json(cli, "A")["task"]["deadline"] == "2022-10-15"
    assert show_json(cli, "B")["task"]["title"] == "Kế hoạch 2023"
    assert [h["field"] for h in show_json(cli, "A")["history"] if h["kind"] == "undo"] == ["deadline_text", "deadline"]
    assert cli(*october, today="2022-11-16").stdout == before


def test_a_units_import_that_changes_units_is_undone_as_a_whole(cli, tmp_path):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    cli("unit", "add", "Vụ Tổ chức cán bộ", "--code", "TCCB")
    units = tmp_path / "don-vi.csv"
    units.write_text("Mã đơn vị,Tên đơn vị,Tên khác,Thư điện tử,Đơn vị cấp trên\n"
                     "VPB,Văn phòng Bộ,Văn phòng,vp@example.gov.vn,\n"
                     "TCCB,Vụ Tổ chức cán bộ,,,Văn phòng Bộ\n", encoding="utf-8")
    out = cli("import", str(units), "--kind", "units", today="2022-11-16").output
    batch = batch_of(out)
    assert "2 rows: 0 created, 2 updated, 0 unchanged, 0 rejected." in out
    office = json.loads(cli("unit", "show", "VPB", "--format", "json").stdout)
    assert (office["unit"]["code"], office["unit"]["aliases"], office["unit"]["email"]) == (
        "VPB", "Văn phòng", "vp@example.gov.vn")
    assert {h["kind"] for h in office["history"]} == {"imported"}

    undone = cli("undo", "--batch", batch, today="2022-11-16").output
    assert undone.strip()
    office = json.loads(cli("unit", "show", "Văn phòng Bộ", "--format", "json").stdout)["unit"]
    assert (office["code"], office["aliases"], office["email"]) == ("VP", None, None)
    personnel = json.loads(cli("unit", "show", "TCCB", "--format", "json").stdout)["unit"]
    assert personnel["parent"] is None
    # undoing it again finds nothing left to undo, and says so
    assert cli("undo", "--batch", batch, today="2022-11-16", expect=None).exit_code != 0
