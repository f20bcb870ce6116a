"""Issue 16: the office's calendar in the register (calendar add/remove/list, journaled),
and the views that count working days with it (overdue and remind --working-days)."""

from __future__ import annotations

import json

import pytest


def export(cli) -> dict:
    return json.loads(cli("export", "-").stdout)


def calendar_days(cli, year: str = "2024") -> dict[str, dict]:
    data = json.loads(cli("calendar", "list", "--year", year, "--format", "json").stdout)
    assert data["year"] == int(year)
    return {row["day"]: row for row in data["days"]}


def test_add_change_and_remove_are_journaled(cli):
    assert cli("calendar", "add", "17/02/2024", "--working", "--note", "QĐ 12/QĐ-VP", "--by", "Chị Lan",
               today="2024-01-02").output == "2024-02-17: a working day for the office.\n"
    assert cli("calendar", "add", "17/02/2024", "--off", today="2024-01-03",
               lang="vi").output == "17/02/2024: ngày nghỉ của cơ quan.\n"
    assert cli("calendar", "remove", "17/02/2024", "--note", "nhầm", today="2024-01-04").output == (
        "2024-02-17: the office's entry removed; the national calendar applies.\n")
    data = export(cli)
    assert data["calendar_days"] == []
    events = [{k: e[k] for k in ("day", "old_kind", "new_kind", "note", "recorded_by")} | {"on": e["recorded_at"][:10]}
              for e in data["calendar_events"]]
    assert events == [
        {"day": "2024-02-17", "old_kind": None, "new_kind": "working", "note": "QĐ 12/QĐ-VP", "recorded_by": "Chị Lan",
         "on": "2024-01-02"},
        {"day": "2024-02-17", "old_kind": "working", "new_kind": "off", "note": None,
         "recorded_by": events[1]["recorded_by"], "on": "2024-01-03"},
        {"day": "2024-02-17", "old_kind": "off", "new_kind": None, "note": "nhầm",
         "recorded_by": events[2]["recorded_by"], "on": "2024-01-04"},
    ]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["add", "17/02/2024"], 2, "Error: give --off or --working\n"),
        (["add", "17/02/2024", "--off", "--working"], 2, "Error: give --off or --working\n"),
        (["add", "31/02/2024", "--off"], 2, "Error: bad date for DATE: '31/02/2024' is not a date\n"),
        (["remove", "18/02/2024"], 4, "Error: the office's calendar has nothing on 2024-02-18\n"),
        (["list", "--year", "2300"], 2, "Error: --year takes a year from 1900 to 2199\n"),
    ],
)
def test_refusals(cli, args, code, message):
    assert cli("calendar", *args, expect=code).output == message
    assert export(cli)["calendar_events"] == []


def test_the_year_lists_national_and_office_days_the_office_ruling(cli):
    cli("calendar", "add", "17/02/2024", "--working", "--note", "QĐ 12/QĐ-VP", "--by", "Chị Lan")
    cli("calendar", "add", "30/04/2024", "--working")
    cli("calendar", "add", "02/05/2024", "--off")
    days = calendar_days(cli)
    national_off = {"2024-01-01", "2024-02-08", "2024-02-09", "2024-02-10", "2024-02-11", "2024-02-12",
                    "2024-02-13", "2024-02-14", "2024-04-18", "2024-04-29", "2024-04-30", "2024-05-01",
                    "2024-09-02", "2024-09-03"}
    assert {d for d, row in days.items() if row["national"] == "off"} == national_off
    assert {d for d, row in days.items() if row["national"] == "working"} == {"2024-05-04"}
    assert {d: (row["kind"], row["office"]) for d, row in days.items() if row["office"]} == {
        "2024-02-17": ("working", "working"), "2024-04-30": ("working", "working"), "2024-05-02": ("off", "off")}
    own = days["2024-02-17"]
    assert (own["note"], own["recorded_by"], own["recorded_at"][:10]) == ("QĐ 12/QĐ-VP", "Chị Lan", "2022-11-15")
    assert days["2024-04-30"]["name"] == "Liberation Day/Reunification Day"
    vietnamese = cli("calendar", "list", "--year", "2024", "--format", "markdown", lang="vi").stdout
    assert vietnamese.startswith("## Lịch làm việc năm 2024\n")
    assert "| 10/02/2024 | Thứ Bảy  | ngày nghỉ     | Tết Nguyên Đán" in vietnamese
    assert "| 04/05/2024 | Thứ Bảy  | ngày làm việc | ngày làm bù" in vietnamese
    csv_lines = cli("calendar", "list", "--year", "2024", "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "day,kind,national,name,office,note,recorded_at,recorded_by"
    assert csv_lines.count("2024-05-04,working,working,,,,,") == 1


# -- overdue and remind in working days ------------------------------------------------------------------


@pytest.fixture
def after_tet(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-01-15")
    for code, due in (("A", "07/02/2024"), ("B", "16/02/2024"), ("C", "26/02/2024")):
        cli("assign", f"Việc {code}", "--lead", "VP", "--due", due, "--code", code, today="2024-01-15")
    return cli


def overdue(cli, *args, today="2024-02-20"):
    return json.loads(cli("overdue", "--format", "json", *args, today=today).stdout)


def test_days_overdue_in_working_days(after_tet):
    data = overdue(after_tet, "--working-days", "--within", "5")
    assert data["working_days"] is True and data["within_days"] == 5
    # 07/02 (Wednesday), then Tết to 14/02: working days after it are 15, 16, 19 and 20 February
    assert [(t["code"], t["days_overdue"], t["working_days_overdue"]) for t in data["tasks"]] == [
        ("A", 13, 4), ("B", 4, 2)]
    # the window of 5 working days from Tuesday 20/02 ends on Tuesday 27/02: C (26/02) is due soon
    assert [t["code"] for t in data["due_soon"]] == ["C"]
    assert [t["code"] for t in overdue(after_tet, "--within", "5")["due_soon"]] == []
    assert [t["code"] for t in overdue(after_tet, "--working-days", "--min-days", "3")["tasks"]] == ["A"]
    assert [t["code"] for t in overdue(after_tet, "--min-days", "3")["tasks"]] == ["A", "B"]
    assert all(t["working_days_overdue"] is None for t in overdue(after_tet)["tasks"])


def test_an_office_day_off_changes_the_count(after_tet):
    after_tet("calendar", "add", "19/02/2024", "--off", today="2024-02-20")
    assert [t["working_days_overdue"] for t in overdue(after_tet, "--working-days")["tasks"]] == [3, 1]


def test_overdue_in_working_days_as_csv_and_table(after_tet):
    csv_text = after_tet("overdue", "--working-days", "--within", "5", "--format", "csv", today="2024-02-20").stdout
    assert csv_text == (
        "section,id,code,title,document,lead_unit,coordinating_units,assignee,deadline,original_deadline,"
        "days_overdue,carried_over,extended,state,working_days_overdue,request,requested_day,request_note,"
        "requested_on,requested_by\n"
        "overdue,1,A,Việc A,,Văn phòng,,,2024-02-07,2024-02-07,13,0,0,new,4,,,,,\n"
        "overdue,2,B,Việc B,,Văn phòng,,,2024-02-16,2024-02-16,4,0,0,new,2,,,,,\n"
        "due_soon,3,C,Việc C,,Văn phòng,,,2024-02-26,2024-02-26,0,0,0,new,0,,,,,\n"
    )
    table = after_tet("overdue", "--working-days", "--within", "5", "--format", "markdown", today="2024-02-20").stdout
    assert "2024-02-20: 2 tasks overdue, 0 of them carried over from earlier months; 1 due within 5 working days." \
        in table
    assert "Working days overdue" in table and "## Due within 5 working days" in table
    vietnamese = after_tet("overdue", "--working-days", "--format", "markdown", today="2024-02-20", lang="vi").stdout
    assert "Số ngày làm việc quá hạn" in vietnamese


def test_remind_counts_the_window_in_working_days(after_tet):
    text = after_tet("remind", "--working-days", "--within", "5", "--format", "text", "--dry-run",
                     today="2024-02-20").stdout
    assert "2 overdue tasks and 1 task due within the next 5 working days" in text
    assert "Việc C" in text
    plain = after_tet("remind", "--within", "5", "--format", "text", "--dry-run", today="2024-02-20").stdout
    assert "Việc C" not in plain
