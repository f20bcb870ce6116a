"""Issue 4: the morning overdue view."""

from __future__ import annotations

import json

import pytest

from tests.support import run_nqtrack


@pytest.fixture
def office(cli):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    cli("unit", "add", "Vụ Tổ chức cán bộ", "--code", "TCCB")
    cli("doc", "add", "07-NQ/ĐUK", "--issued-on", "31/08/2017")
    new = lambda title, *args, on="2022-08-01": cli("assign", title, "--assigned-on", on, *args, today=on)  # noqa: E731
    new("Báo cáo sơ kết", "--lead", "VP", "--doc", "07-NQ/ĐUK", "--due", "31/10/2022", "--to", "Nguyễn Văn An", "--code", "A")  # 1
    new("Kế hoạch năm", "--lead", "TCCB", "--with", "VP", "--due", "14/11/2022", "--code", "B")  # 2
    new("Đề án nhân sự", "--lead", "TCCB", "--due", "15/09/2022", "--code", "C")  # 3
    new("Dự thảo quy chế", "--lead", "VP", "--due", "18/11/2022", "--code", "D")  # 4, due soon on 15/11
    new("Tạm hoãn hội nghị", "--lead", "VP", "--due", "01/10/2022", "--code", "E")  # 5, paused
    new("Việc đã hủy", "--lead", "VP", "--due", "01/09/2022", "--code", "F")  # 6, cancelled
    new("Không thời hạn", "--lead", "VP", "--code", "G")  # 7
    cli("update", "E", "--state", "paused", today="2022-10-05")
    cli("update", "F", "--state", "cancelled", today="2022-08-15")
    return cli


def overdue_codes(cli, today, *args):
    data = json.loads(cli("overdue", "--format", "json", *args, today=today).stdout)
    return [t["code"] for t in data["tasks"]]


def test_day_before_of_and_after_the_deadline(office):
    assert "A" not in overdue_codes(office, "2022-10-30")
    assert "A" not in overdue_codes(office, "2022-10-31")
    assert "A" in overdue_codes(office, "2022-11-01")


def test_completed_on_the_deadline_is_never_overdue(office):
    office("update", "A", "--state", "done", "--on", "2022-10-31", today="2022-10-31")
    for day in ("2022-10-31", "2022-11-01", "2023-06-01"):
        assert "A" not in overdue_codes(office, day)


def test_an_extension_moves_a_task_out_of_the_list(office):
    assert "C" in overdue_codes(office, "2022-11-15")
    office("update", "C", "--deadline", "31/12/2022", "--reason", "Chờ ý kiến Bộ Nội vụ", today="2022-11-15")
    assert "C" not in overdue_codes(office, "2022-11-15")
    # before the extension was granted it was overdue, and stays so in the record of those days
    assert "C" in overdue_codes(office, "2022-10-01")


def test_a_back_dated_completion_clears_every_day_after_its_date(office):
    assert "A" in overdue_codes(office, "2022-11-10")
    office("update", "A", "--state", "done", "--on", "2022-11-03", today="2022-11-15")
    assert "A" in overdue_codes(office, "2022-11-02")
    for day in ("2022-11-03", "2022-11-04", "2022-11-10", "2022-11-15"):
        assert "A" not in overdue_codes(office, day)


def test_paused_apart_cancelled_never_and_coordinating_role(office):
    data = json.loads(office("overdue", "--format", "json").stdout)
    assert [t["code"] for t in data["tasks"]] == ["A", "C", "B"]
    assert [t["code"] for t in data["paused"]] == ["E"]
    assert [t["code"] for t in data["due_soon"]] == ["D"]
    assert "F" not in json.dumps(data)
    assert overdue_codes(office, "2022-11-15", "--unit", "VP") == ["A"]
    assert overdue_codes(office, "2022-11-15", "--unit", "VP", "--role", "coordinating") == ["B"]
    assert overdue_codes(office, "2022-11-15", "--unit", "VP", "--role", "any") == ["A", "B"]
    assert overdue_codes(office, "2022-11-15", "--assignee", "nguyen van") == ["A"]
    assert overdue_codes(office, "2022-11-15", "--min-days", "10") == ["A", "C"]
    assert overdue_codes(office, "2022-11-15", "--min-days", "30") == ["C"]


def test_carried_over_is_deadline_before_the_first_of_the_month(office):
    data = json.loads(office("overdue", "--format", "json").stdout)
    marks = {t["code"]: t["carried_over"] for t in data["tasks"]}
    assert marks == {"A": True, "C": True, "B": False}  # B's deadline, 14/11, is in November
    summary = data["summary"]
    assert summary["carried_over"] == 2 and summary["overdue"] == 3
    assert summary["by_month"] == [{"month": "2022-11", "overdue": 1}, {"month": "2022-10", "overdue": 1}, {"month": "2022-09", "overdue": 1}]
    assert sum(m["overdue"] for m in summary["by_month"]) == summary["overdue"]
    # a task overdue since 16/09 is already carried over on 1 October, not on 30 September
    assert {t["code"]: t["carried_over"] for t in json.loads(
        office("overdue", "--format", "json", today="2022-09-30").stdout)["tasks"]} == {"C": False}
    assert {t["code"]: t["carried_over"] for t in json.loads(
        office("overdue", "--format", "json", today="2022-10-01").stdout)["tasks"]} == {"C": True}
    # on 1 November the October deadline, one day overdue, is carried over from October
    assert {t["code"]: t["carried_over"] for t in json.loads(
        office("overdue", "--format", "json", today="2022-11-01").stdout)["tasks"]} == {"A": True, "C": True}


EXPECTED_CSV = """section,id,code,title,document,lead_unit,coordinating_units,assignee,deadline,original_deadline,days_overdue,carried_over,extended,state,working_days_overdue,request,requested_day,request_note,requested_on,requested_by
overdue,1,A,Báo cáo sơ kết,07-NQ/ĐUK,Văn phòng Bộ,,Nguyễn Văn An,2022-10-31,2022-10-31,15,1,0,new,,,,,,
overdue,3,C,Đề án nhân sự,,Vụ Tổ chức cán bộ,,,2022-09-15,2022-09-15,61,1,0,new,,,,,,
overdue,2,B,Kế hoạch năm,,Vụ Tổ chức cán bộ,Văn phòng Bộ,,2022-11-14,2022-11-14,1,0,0,new,,,,,,
paused,5,E,Tạm hoãn hội nghị,,Văn phòng Bộ,,,2022-10-01,2022-10-01,45,1,0,paused,,,,,,
due_soon,4,D,Dự thảo quy chế,,Văn phòng Bộ,,,2022-11-18,2022-11-18,0,0,0,new,,,,,,
"""


def test_exact_csv(office):
    assert office("overdue", "--format", "csv").stdout == EXPECTED_CSV


def test_exact_json(office):
    data = json.loads(office("overdue", "--format", "json").stdout)
    assert data["as_of"] == "2022-11-15" and data["within_days"] == 7
    assert data["tasks"][0] == {
        "id": 1, "code": "A", "title": "Báo cáo sơ kết", "document": "07-NQ/ĐUK", "lead_unit": "Văn phòng Bộ",
        "coordinating_units": None, "assignee": "Nguyễn Văn An", "deadline": "2022-10-31",
        "original_deadline": "2022-10-31", "days_overdue": 15, "carried_over": True, "extended": False, "state": "new",
        "working_days_overdue": None,
    }
    assert data["summary"]["by_unit"] == [
        {"unit": "Vụ Tổ chức cán bộ", "overdue": 2, "carried_over": 1, "due_soon": 0, "paused": 0, "oldest_deadline": "2022-09-15"},
        {"unit": "Văn phòng Bộ", "overdue": 1, "carried_over": 1, "due_soon": 1, "paused": 1, "oldest_deadline": "2022-10-31"},
    ]


# numbers right-aligned, the ---: marks telling a markdown viewer so
EXPECTED_MARKDOWN = """# Overdue tasks — 2022-11-15

2022-11-15: 3 tasks overdue, 2 of them carried over from earlier months; 1 due within 7 days. 1 paused tasks are past their deadline.

| Lead unit         |   Overdue |   Carried over |   Due soon |   Paused | Oldest deadline   |
|:------------------|----------:|---------------:|-----------:|---------:|:------------------|
| Vụ Tổ chức cán bộ |         2 |              1 |          0 |        0 | 2022-09-15        |
| Văn phòng Bộ      |         1 |              1 |          1 |        1 | 2022-10-31        |

Overdue by month of deadline: 11/2022: 1; from 10/2022: 1; from 09/2022: 1

## Overdue — Văn phòng Bộ

| No.   | Title          | Document   | Assignee      | Deadline   |   Days overdue | Carried over   | Extended   |
|:------|:---------------|:-----------|:--------------|:-----------|---------------:|:---------------|:-----------|
| A     | Báo cáo sơ kết | 07-NQ/ĐUK  | Nguyễn Văn An | 2022-10-31 |             15 | ↻              |            |

## Overdue — Vụ Tổ chức cán bộ

| No.   | Title         | Document   | Assignee   | Deadline   |   Days overdue | Carried over   | Extended   |
|:------|:--------------|:-----------|:-----------|:-----------|---------------:|:---------------|:-----------|
| C     | Đề án nhân sự |            |            | 2022-09-15 |             61 | ↻              |            |
| B     | Kế hoạch năm  |            |            | 2022-11-14 |              1 |                |            |

## Paused, past their deadline

| No.   | Title             | Document   | Lead unit    | Assignee   | Deadline   |   Days overdue | Carried over   | Extended   |
|:------|:------------------|:-----------|:-------------|:-----------|:-----------|---------------:|:---------------|:-----------|
| E     | Tạm hoãn hội nghị |            | Văn phòng Bộ |            | 2022-10-01 |             45 | ↻              |            |

## Due within 7 days

| No.   | Title           | Document   | Lead unit    | Assignee   | Deadline   | Extended   |
|:------|:----------------|:-----------|:-------------|:-----------|:-----------|:-----------|
| D     | Dự thảo quy chế |            | Văn phòng Bộ |            | 2022-11-18 |            |

"""


def test_exact_markdown(office):
    assert office("overdue", "--format", "markdown").stdout == EXPECTED_MARKDOWN


def test_table_content_in_vietnamese(office):
    out = office("overdue", lang="vi").stdout
    assert "\x1b[" not in out
    assert out.splitlines()[0] == (
        "Ngày 15/11/2022: 3 nhiệm vụ quá hạn, trong đó 2 nhiệm vụ chuyển từ các tháng trước; "
        "1 nhiệm vụ đến hạn trong 7 ngày tới. 1 nhiệm vụ tạm dừng đã quá thời hạn.")
    for text in ("Vụ Tổ chức cán bộ", "Báo cáo sơ kết", "31/10/2022", "Quá hạn theo tháng của thời hạn: 11/2022: 1; chuyển từ 10/2022: 1",
                 "Tạm dừng, đã quá thời hạn", "Đến hạn trong 7 ngày tới", "Dự thảo quy chế"):
        assert text in out
    assert "Việc đã hủy" not in out


def test_extended_mark(office):
    office("update", "B", "--deadline", "20/11/2022", "--reason", "Lùi họp", today="2022-11-10")
    data = json.loads(office("overdue", "--format", "json", "--within", "10").stdout)
    soon = {t["code"]: t for t in data["due_soon"]}
    assert soon["B"]["extended"] is True and soon["B"]["original_deadline"] == "2022-11-14"


def test_nothing_overdue_is_one_friendly_line(cli):
    cli("unit", "add", "Văn phòng Bộ", "--code", "VP")
    assert cli("overdue").stdout == "2022-11-15: nothing is overdue and nothing falls due in the next 7 days.\n"
    assert cli("overdue", "--exit-status").exit_code == 0


def test_exit_status_and_no_colour_in_a_real_process(office):
    env = {"NQTRACK_DB": str(office.db), "NQTRACK_TODAY": "2022-11-15", "NQTRACK_LANG": "en"}
    result = run_nqtrack("overdue", "--exit-status", env=env)
    assert result.returncode == 3
    out = result.stdout.decode()
    assert "\x1b[" not in out and "Báo cáo sơ kết" in out
    groups = run_nqtrack("overdue", "--group", "month", "--format", "markdown", env=env).stdout.decode()
    assert "## Overdue — 09/2022" in groups and "## Overdue — 11/2022" in groups
    limited = run_nqtrack("overdue", "--limit", "1", "--group", "none", "--format", "markdown", env=env).stdout.decode()
    assert "… and 2 more overdue tasks (--limit)" in limited


EXPECTED_JSON = {'as_of': '2022-11-15',
 'within_days': 7,
 'working_days': False,
 'tasks': [{'id': 1,
            'code': 'A',
            'title': 'Báo cáo sơ kết',
            'document': '07-NQ/ĐUK',
            'lead_unit': 'Văn phòng Bộ',
            'coordinating_units': None,
            'assignee': 'Nguyễn Văn An',
            'deadline': '2022-10-31',
            'original_deadline': '2022-10-31',
            'days_overdue': 15,
            'carried_over': True,
            'extended': False,
            'state': 'new',
            'working_days_overdue': None},
           {'id': 3,
            'code': 'C',
            'title': 'Đề án nhân sự',
            'document': None,
            'lead_unit': 'Vụ Tổ chức cán bộ',
            'coordinating_units': None,
            'assignee': None,
            'deadline': '2022-09-15',
            'original_deadline': '2022-09-15',
            'days_overdue': 61,
            'carried_over': True,
            'extended': False,
            'state': 'new',
            'working_days_overdue': None},
           {'id': 2,
            'code': 'B',
            'title': 'Kế hoạch năm',
            'document': None,
            'lead_unit': 'Vụ Tổ chức cán bộ',
            'coordinating_units': 'Văn phòng Bộ',
            'assignee': None,
            'deadline': '2022-11-14',
            'original_deadline': '2022-11-14',
            'days_overdue': 1,
            'carried_over': False,
            'extended': False,
            'state': 'new',
            'working_days_overdue': None}],
 'paused': [{'id': 5,
             'code': 'E',
             'title': 'Tạm hoãn hội nghị',
             'document': None,
             'lead_unit': 'Văn phòng Bộ',
             'coordinating_units': None,
             'assignee': None,
             'deadline': '2022-10-01',
             'original_deadline': '2022-10-01',
             'days_overdue': 45,
             'carried_over': True,
             'extended': False,
             'state': 'paused',
            'working_days_overdue': None}],
 'due_soon': [{'id': 4,
               'code': 'D',
               'title': 'Dự thảo quy chế',
               'document': None,
               'lead_unit': 'Văn phòng Bộ',
               'coordinating_units': None,
               'assignee': None,
               'deadline': '2022-11-18',
               'original_deadline': '2022-11-18',
               'days_overdue': 0,
               'carried_over': False,
               'extended': False,
               'state': 'new',
            'working_days_overdue': None}],
 'awaiting': [],
 'summary': {'overdue': 3,
             'carried_over': 2,
             'due_soon': 1,
             'paused': 1,
             'awaiting': 0,
             'by_unit': [{'unit': 'Vụ Tổ chức cán bộ',
                          'overdue': 2,
                          'carried_over': 1,
                          'due_soon': 0,
                          'paused': 0,
                          'oldest_deadline': '2022-09-15'},
                         {'unit': 'Văn phòng Bộ',
                          'overdue': 1,
                          'carried_over': 1,
                          'due_soon': 1,
                          'paused': 1,
                          'oldest_deadline': '2022-10-31'}],
             'by_month': [{'month': '2022-11', 'overdue': 1},
                          {'month': '2022-10', 'overdue': 1},
                          {'month': '2022-09', 'overdue': 1}]}}


def test_exact_json_document(office):
    assert json.loads(office("overdue", "--format", "json").stdout) == EXPECTED_JSON
