"""Issue 16 with issues 15 and 17: the series' periods are opened before `evaluate` and
`dashboard` read the register, as before `report`; the working days of `overdue` show in
every output (the workbook, the CSV for people, the terminal at 80 to 160 columns); the
`calendar list` listing and `show SERIES` take `--output`, the workbook and `--labels`."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime

import openpyxl
import pytest
from rich.cells import cell_len
from rich.console import Console

from nqtrack import i18n
from nqtrack.app import views
from nqtrack.app.context import Context
from nqtrack.render import overdue as overdue_render
from nqtrack.store import open_store
from tests.support import query

MONTHLY = "trước ngày 20 hằng tháng"


def task_codes(cli) -> list[str]:
    """The codes of the tasks in the register, read without nqtrack (which would open periods)."""
    return [row[0] for row in query(cli.db, "SELECT code FROM tasks ORDER BY id")]


@pytest.fixture
def monthly(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-01-15")
    cli("assign", "Báo cáo tình hình", "--lead", "VP", "--due", MONTHLY, today="2024-01-15")
    assert task_codes(cli) == ["S1/2024-01"]
    return cli


# -- the periods opened before evaluate and dashboard -------------------------------------------------


def test_evaluate_opens_the_periods_to_its_day_first(monthly):
    data = json.loads(monthly("evaluate", "--quarter", "2024-Q1", "--format", "json", today="2024-04-02").stdout)
    # opened to the quarter's end (its report day), not to today: April's period is not
    assert task_codes(monthly) == ["S1/2024-01", "S1/2024-02", "S1/2024-03"]
    [unit] = data["units"]
    assert (unit["unit"], unit["completed_on_time"], unit["in_progress"], unit["overdue"], unit["due"]) == (
        "Văn phòng", 0, 0, 3, 3)


def test_the_dashboard_opens_the_periods_to_its_day_first(monthly, tmp_path):
    page = tmp_path / "bang-dieu-khien.html"
    monthly("dashboard", "--quarter", "2024-Q1", "--output", str(page), today="2024-04-02", lang="vi")
    assert task_codes(monthly) == ["S1/2024-01", "S1/2024-02", "S1/2024-03"]
    text = page.read_text(encoding="utf-8")
    assert "Tổng số 3 nhiệm vụ được giao" in text
    for code in ("S1/2024-01", "S1/2024-02", "S1/2024-03"):
        assert code in text  # the overdue tasks' list


# -- overdue in working days, in every output -------------------------------------------------------------


@pytest.fixture
def after_tet(cli):
    """Three tasks due 07/02, 16/02 and 26/02/2024; on 20/02 A is 13 days (4 working days)
    overdue, B 4 days (2 working days), C due within 5 working days."""
    cli("unit", "add", "Văn phòng", "--code", "VP", today="2024-01-15")
    for code, due in (("A", "07/02/2024"), ("B", "16/02/2024"), ("C", "26/02/2024")):
        cli("assign", f"Việc {code}", "--lead", "VP", "--due", due, "--code", code, today="2024-01-15")
    return cli


def first_table(sheet) -> tuple[list, list[list]]:
    """The header and data rows of a sheet's table (under its title rows)."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if sum(v is not None for v in row) >= 2)
    header = [v for v in rows[start] if v is not None]
    data = [list(row[: len(header)]) for row in rows[start + 1:] if any(v is not None for v in row)]
    return header, data


def test_overdue_workbook_in_working_days(after_tet, tmp_path):
    path = tmp_path / "qua-han.xlsx"
    after_tet("overdue", "--working-days", "--within", "5", "--output", str(path), today="2024-02-20", lang="vi")
    book = openpyxl.load_workbook(path)
    header, rows = first_table(book["Quá hạn"])
    days, working = header.index("Số ngày quá hạn"), header.index("Số ngày làm việc quá hạn")
    assert [(r[1], r[days], r[working]) for r in rows] == [("A", 13, 4), ("B", 4, 2)]
    due_soon = book[book.sheetnames[3]]
    assert due_soon.title.startswith("Đến hạn trong 5 ngày làm việc")
    assert [r[1] for r in first_table(due_soon)[1]] == ["C"]
    # without the option the workbook has no column of working days
    plain = tmp_path / "plain.xlsx"
    after_tet("overdue", "--output", str(plain), today="2024-02-20", lang="vi")
    assert "Số ngày làm việc quá hạn" not in first_table(openpyxl.load_workbook(plain)["Quá hạn"])[0]


def test_overdue_csv_for_people_in_working_days(after_tet, tmp_path):
    path = tmp_path / "qua-han.csv"
    after_tet("overdue", "--working-days", "--within", "5", "--labels", "--output", str(path), today="2024-02-20",
              lang="vi")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Phần", "Số", "Nội dung", "Văn bản", "Đơn vị chủ trì", "Người thực hiện", "Thời hạn",
                       "Số ngày làm việc quá hạn", "Chuyển tháng", "Gia hạn"]
    assert [(r[0], r[1], r[6], r[7]) for r in rows[1:]] == [
        ("Quá hạn", "A", "07/02/2024", "4"), ("Quá hạn", "B", "16/02/2024", "2"),
        ("Đến hạn trong 5 ngày làm việc tới", "C", "26/02/2024", "0")]


@pytest.mark.parametrize("width", (80, 100, 120, 160))
def test_overdue_in_working_days_fits_the_terminal(after_tet, width):
    store = open_store(str(after_tet.db))
    before = i18n.language()
    i18n.set_language("vi")
    try:
        backlog = views.overdue(Context.of(store, date(2024, 2, 20)), views.OverdueQuery(within=5, working_days=True))
        screen = Console(file=io.StringIO(), width=width, no_color=True, color_system=None, highlight=False,
                         markup=False, emoji=False)
        overdue_render.print_table(backlog, "unit", None, screen=screen)
    finally:
        i18n.set_language(before)
        store.close()
    out = screen.file.getvalue()  # type: ignore[attr-defined]
    assert not [line for line in out.splitlines() if cell_len(line) > width]
    assert "1 nhiệm vụ đến hạn trong 5 ngày làm việc tới." in " ".join(out.split())  # the headline, wrapped
    for code, working_days in (("A", 4), ("B", 2)):
        line = next(line for line in out.splitlines() if re.search(rf"│ {code}\s+│", line))
        assert re.search(rf"│\s+{working_days} │", line), line
    assert re.search(r"│ C\s+│", out)
    for word in ("Số", "ngày", "làm", "việc", "quá", "hạn"):  # the header wraps between its words
        assert re.search(rf"(?<!\w){word}(?!\w)", out), word


# -- calendar list and show SERIES: --output, the workbook, --labels ---------------------------------------


def test_calendar_list_in_a_workbook_and_for_people(cli, tmp_path):
    cli("calendar", "add", "17/02/2024", "--working", "--note", "QĐ 12/QĐ-VP")
    book_path = tmp_path / "lich-2024.xlsx"
    cli("calendar", "list", "--year", "2024", "--output", str(book_path), lang="vi")  # the name chooses Excel
    sheet = openpyxl.load_workbook(book_path).active
    header, rows = first_table(sheet)
    assert header == ["Ngày", "Thứ", "Loại ngày", "Lịch chung", "Cơ quan", "Ghi chú"]
    by_day = {r[0].date(): r for r in rows}
    assert all(isinstance(r[0], datetime) for r in rows)
    assert by_day[date(2024, 2, 17)][1:] == ["Thứ Bảy", "ngày làm việc", None, "ngày làm việc", "QĐ 12/QĐ-VP"]
    assert by_day[date(2024, 5, 4)][2:4] == ["ngày làm việc", "ngày làm bù"]
    listed = json.loads(cli("calendar", "list", "--year", "2024", "--format", "json").stdout)
    assert len(rows) == len(listed["days"])

    people = tmp_path / "lich-2024.csv"
    cli("calendar", "list", "--year", "2024", "--labels", "--output", str(people), lang="vi")
    raw = people.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == ["Ngày", "Thứ", "Loại ngày", "Lịch chung", "Cơ quan", "Ghi chú"]
    assert ["17/02/2024", "Thứ Bảy", "ngày làm việc", "", "ngày làm việc", "QĐ 12/QĐ-VP"] in lines

    machine = tmp_path / "lich.json"
    cli("calendar", "list", "--year", "2024", "--output", str(machine))
    assert json.loads(machine.read_text(encoding="utf-8")) == listed
    refused = cli("calendar", "list", "--format", "json", "--output", str(tmp_path / "x.xlsx"), expect=2)
    assert refused.output == f"Error: the file name {tmp_path / 'x.xlsx'} says xlsx, but --format says json\n"


def test_a_series_in_a_workbook_and_for_people(monthly, tmp_path):
    monthly("update", "S1/2024-01", "--state", "done", "--on", "22/01/2024", today="2024-01-22")
    path = tmp_path / "s1.xlsx"
    monthly("show", "S1", "--output", str(path), today="2024-02-05", lang="vi")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["S1", "Nhiệm vụ của các kỳ", "Lịch sử"]
    fields = dict(first_table(book["S1"])[1])
    assert (fields["Kỳ"], fields["Kỳ tiếp theo mở ngày"]) == ("hằng tháng", datetime(2024, 3, 1))
    header, rows = first_table(book["Nhiệm vụ của các kỳ"])
    assert [(r[0], r[2]) for r in rows] == [("S1/2024-01", datetime(2024, 1, 22)), ("S1/2024-02", datetime(2024, 2, 20))]
    assert [r[0] for r in first_table(book["Lịch sử"])[1]] == [datetime(2024, 1, 15)]

    machine = monthly("show", "S1", "--output", str(tmp_path / "s1.csv"), today="2024-02-05")
    assert machine.stdout == ""
    assert (tmp_path / "s1.csv").read_text(encoding="utf-8-sig").splitlines()[1] == (
        "1,S1/2024-01,2024-01,2024-01-01,2024-01-15,2024-01-22,done,100,2024-01-22,completed_on_time,0")


def test_a_series_as_csv_for_people(monthly, capsys):
    from nqtrack.app import tasks
    from nqtrack.render.output import Output
    from nqtrack.render.series import emit_series

    store = open_store(str(monthly.db))
    before = i18n.language()
    i18n.set_language("vi")
    try:
        shown = tasks.show(Context.of(store, date(2024, 2, 5)), "S1", None)
        emit_series(shown, Output("csv", labels=True))
    finally:
        i18n.set_language(before)
        store.close()
    assert capsys.readouterr().out.splitlines() == [
        "Mã,Kỳ,Thời hạn,Trạng thái,Ngày hoàn thành,Tình hình",
        "S1/2024-01,2024-01,22/01/2024,chưa thực hiện,,quá hạn",
        "S1/2024-02,2024-02,20/02/2024,chưa thực hiện,,đang thực hiện",
    ]
