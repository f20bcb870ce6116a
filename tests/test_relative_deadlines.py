"""Issue 16: relative deadlines ("trong 10 ngày làm việc kể từ ngày giao") in the importer,
`assign --due` and `update --deadline`, counted on the office's calendar (Bộ luật Dân sự
2015, Điều 147–148), with the text kept as written."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.core import rules
from nqtrack.core.calendar import WorkCalendar
from nqtrack.core.dates import parse_deadline
from nqtrack.core.errors import InvalidInput
from nqtrack.holidays_vn import work_calendar
from tests.support import query

HEADER = "Mã,Nội dung,Văn bản,Đơn vị chủ trì,Ngày giao,Thời hạn"

# (given on, deadline as written, the day it means, what it shows)
CASES = {
    # 10 working days from Monday 05/02/2024: Tết is 08/02–14/02, so not 19/02 but 26/02
    "across Tết 2024": ("05/02/2024", "trong 10 ngày làm việc kể từ ngày giao", "2024-02-26"),
    # 30/4 and 1/5/2025 (Wednesday, Thursday) and 2/5 swapped off for Saturday 26/4
    "across 30/4-1/5": ("25/04/2025", "trong 5 ngày làm việc kể từ ngày giao", "2025-05-06"),
    # 2024: 29/4 off in exchange for Saturday 4/5, which is worked
    "across a swapped day off": ("26/04/2024", "trong 3 ngày làm việc kể từ ngày giao", "2024-05-04"),
    # Christmas is no holiday; 1/1/2025 is
    "across a year end": ("27/12/2024", "trong 5 ngày làm việc kể từ ngày giao", "2025-01-06"),
    # a period in days ending on a holiday ends on the next working day (Điều 148.5)
    "days ending in Tết": ("05/02/2024", "trong 5 ngày", "2024-02-15"),
    "months": ("31/01/2024", "trong vòng 1 tháng", "2024-02-29"),
}


def unit(cli):
    cli("unit", "add", "Văn phòng", "--code", "VP")


def import_rows(cli, tmp_path, *rows: str, expect: int = 0, today: str = "2024-01-02"):
    path = tmp_path / "tasks.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return cli("import", str(path), expect=expect, today=today)


def task(cli, ref: str = "1") -> dict:
    return json.loads(cli("show", ref, "--format", "json").stdout)["task"]


def given_by(way: str, cli, tmp_path, given: str, text: str) -> None:
    """One task given on `given` with the deadline `text`, through `assign` or the importer."""
    iso = "-".join(reversed(given.split("/")))
    if way == "assign":
        cli("assign", "Việc", "--lead", "VP", "--assigned-on", given, "--due", text, today=iso)
    else:
        import_rows(cli, tmp_path, f'A,Việc,,VP,{given},"{text}"', today=iso)


@pytest.mark.parametrize("way", ["assign", "import"])
@pytest.mark.parametrize("case", list(CASES))
def test_relative_deadlines_are_counted_on_the_national_calendar(cli, tmp_path, way, case):
    given, text, expected = CASES[case]
    unit(cli)
    given_by(way, cli, tmp_path, given, text)
    shown = task(cli)
    assert (shown["deadline"], shown["deadline_text"], shown["original_deadline"]) == (expected, text, expected)


@pytest.mark.parametrize("way", ["assign", "import"])
@pytest.mark.parametrize(
    "office, expected",
    [
        (("17/02/2024", "--working"), "2024-02-23"),  # a Saturday worked after Tết: one day sooner
        (("15/02/2024", "--off"), "2024-02-27"),  # a day off of the office's own: one day later
    ],
)
def test_an_office_day_changes_the_result(cli, tmp_path, way, office, expected):
    unit(cli)
    cli("calendar", "add", office[0], office[1], today="2024-01-02")
    given_by(way, cli, tmp_path, "05/02/2024", "trong 10 ngày làm việc kể từ ngày giao")
    assert task(cli)["deadline"] == expected


def test_signed_and_received_days_come_from_the_document(cli, tmp_path):
    unit(cli)
    cli("doc", "add", "12/KH-VP", "--issued-on", "01/03/2024", "--received-on", "05/03/2024")
    cli("assign", "Theo ngày ký", "--lead", "VP", "--doc", "12/KH-VP", "--due", "trong 15 ngày kể từ ngày ký",
        today="2024-03-10")
    cli("assign", "Theo ngày nhận", "--lead", "VP", "--doc", "12/KH-VP",
        "--due", "Trong 10 ngày làm việc, kể từ ngày nhận được văn bản", today="2024-03-10")
    assert task(cli, "1")["deadline"] == "2024-03-18"  # 16/03 is a Saturday
    assert task(cli, "2")["deadline"] == "2024-03-19"
    # the importer: the date a new document's cell gives is its date of signature
    import_rows(cli, tmp_path, 'B,Kế hoạch,"Kế hoạch 20/KH-VP ngày 01/03/2024",VP,,trong 15 ngày kể từ ngày ký',
                today="2024-03-10")
    assert task(cli, "B")["deadline"] == "2024-03-18"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--due", "trong 15 ngày kể từ ngày ký"],
         "'trong 15 ngày kể từ ngày ký' counts from the day the document was signed, which is not known: "
         "give the task its document, with the document's date"),
        (["--doc", "12/KH-VP", "--due", "trong 10 ngày làm việc kể từ ngày nhận được văn bản"],
         "'trong 10 ngày làm việc kể từ ngày nhận được văn bản' counts from the day the document was received, "
         "which is not known: give the task its document, with the day it was received"),
        (["--due", "Hằng tháng, trước ngày 32"],
         "bad deadline: 'Hằng tháng, trước ngày 32' is not a deadline: there is no day 32 in a month"),
        (["--due", "trong 10 ngày kể từ ngày họp"],
         "bad deadline: 'trong 10 ngày kể từ ngày họp' is not a deadline: it counts from a day nqtrack does not "
         "know"),
    ],
)
def test_a_deadline_that_cannot_be_dated_is_refused_and_nothing_is_written(cli, args, message):
    unit(cli)
    cli("doc", "add", "12/KH-VP")
    result = cli("assign", "Việc", "--lead", "VP", *args, expect=2)
    assert result.output == f"Error: {message}\n"
    assert json.loads(cli("info", "--format", "json").stdout)["tasks"] == 0


def test_the_refusal_in_vietnamese(cli):
    unit(cli)
    result = cli("assign", "Việc", "--lead", "VP", "--due", "trong 15 ngày kể từ ngày ký", expect=2, lang="vi")
    assert result.output == (
        "Lỗi: 'trong 15 ngày kể từ ngày ký' tính từ ngày ký văn bản, nhưng chưa biết ngày ký: "
        "hãy ghi văn bản giao nhiệm vụ, kèm ngày ban hành\n"
    )
    result = cli("assign", "Việc", "--lead", "VP", "--due", "Hằng tháng, trước ngày 32", expect=2, lang="vi")
    assert result.output == (
        "Lỗi: thời hạn không hợp lệ: 'Hằng tháng, trước ngày 32' không phải là thời hạn hợp lệ: "
        "tháng không có ngày 32\n"
    )


def test_an_import_row_without_the_day_it_counts_from_is_refused(cli, tmp_path):
    unit(cli)
    rows = ("A,Việc,,VP,,trong 10 ngày làm việc kể từ ngày giao",
            "B,Việc khác,,VP,05/02/2024,trong 10 ngày làm việc kể từ ngày giao")
    result = import_rows(cli, tmp_path, *rows, expect=2)
    assert result.output == (
        "Error: 1 invalid rows; nothing was imported.\n"
        "  row 1 (line 2), column 'Thời hạn': 'trong 10 ngày làm việc kể từ ngày giao' counts from the day the task "
        "was assigned, which is not given\n"
    )
    vietnamese = cli("import", str(tmp_path / "tasks.csv"), expect=2, lang="vi").output
    assert vietnamese.splitlines()[1] == (
        "  dòng 1 (dòng 2 của tệp), cột 'Thời hạn': 'trong 10 ngày làm việc kể từ ngày giao' tính từ ngày giao "
        "nhiệm vụ, nhưng không có ngày giao"
    )
    assert json.loads(cli("info", "--format", "json").stdout)["tasks"] == 0


def test_an_extension_in_working_days_counts_from_the_assignment(cli):
    unit(cli)
    cli("assign", "Việc", "--lead", "VP", "--assigned-on", "05/02/2024", "--due", "15/02/2024", today="2024-02-05")
    cli("update", "1", "--deadline", "trong 10 ngày làm việc kể từ ngày giao", "--reason", "Sau Tết",
        today="2024-02-16")
    shown = task(cli)
    assert (shown["deadline"], shown["original_deadline"]) == ("2024-02-26", "2024-02-15")
    result = cli("update", "1", "--deadline", "Hằng tháng, trước ngày 20", "--reason", "x", expect=2,
                 today="2024-02-16")
    assert result.output == (
        "Error: 'Hằng tháng, trước ngày 20' is a periodic deadline: it makes a series of tasks (assign --due), "
        "not a new deadline for one task\n"
    )


def test_a_calendar_changed_later_moves_no_recorded_deadline(cli, tmp_path):
    unit(cli)
    import_rows(cli, tmp_path, "A,Việc,,VP,05/02/2024,trong 10 ngày làm việc kể từ ngày giao", today="2024-02-05")
    cli("calendar", "add", "17/02/2024", "--working", today="2024-02-06")
    assert task(cli)["deadline"] == "2024-02-26"
    # importing the same file again changes nothing: the deadline was counted when recorded
    again = import_rows(cli, tmp_path, "A,Việc,,VP,05/02/2024,trong 10 ngày làm việc kể từ ngày giao",
                        today="2024-02-06")
    assert "0 created, 0 updated, 1 unchanged" in again.output
    # a new assignment day is a new count, on the calendar of today: 07/02 + 10 working days is
    # 28/02 on the national calendar, 27/02 with the Saturday 17/02 worked
    import_rows(cli, tmp_path, "A,Việc,,VP,07/02/2024,trong 10 ngày làm việc kể từ ngày giao", today="2024-02-07")
    assert task(cli)["deadline"] == "2024-02-27"


# -- the rule, directly ------------------------------------------------------------------------------


def office_calendar(days_off=(), working=()):
    return lambda first, last: work_calendar(range(first, last + 1), days_off, working)


def test_dated_deadline_asks_for_the_years_the_count_reaches():
    asked: list[tuple[int, int]] = []

    def calendar_for(first: int, last: int) -> WorkCalendar:
        asked.append((first, last))
        return work_calendar(range(first, last + 1))

    deadline = rules.dated_deadline(parse_deadline("trong 600 ngày làm việc kể từ ngày giao"), calendar_for,
                                    assigned_on=date(2024, 2, 5))
    assert deadline.date == work_calendar(range(2024, 2030)).add_working_days(date(2024, 2, 5), 600)
    assert asked[0] == (2024, 2025) and asked[-1][1] > deadline.date.year


def test_dated_deadline_leaves_other_deadlines_alone_and_refuses_an_unknown_start():
    plain = parse_deadline("30/06/2026")
    assert rules.dated_deadline(plain, office_calendar()) is plain
    with pytest.raises(InvalidInput) as refused:
        rules.dated_deadline(parse_deadline("trong 10 ngày làm việc kể từ ngày nhận"), office_calendar(),
                             assigned_on=date(2024, 1, 2))
    assert refused.value.message == rules.UNKNOWN_START["received"]


DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(DAYS, st.integers(min_value=1, max_value=300), st.sets(DAYS, max_size=20), st.sets(DAYS, max_size=20))
@settings(max_examples=200, deadline=None)
def test_working_days_end_on_a_working_day_of_the_office(start, count, off, working):
    working = working - off
    deadline = rules.dated_deadline(parse_deadline(f"trong {count} ngày làm việc kể từ ngày giao"),
                                    office_calendar(off, working), assigned_on=start)
    assert deadline.date is not None and deadline.text is not None
    calendar = work_calendar(range(start.year, deadline.date.year + 1), off, working)
    assert calendar.is_working_day(deadline.date)
    assert calendar.working_days_between(start, deadline.date) == count


def test_nothing_is_stored_without_its_date(cli, tmp_path):
    """Every relative deadline in the register has its day (the texts alone are never stored)."""
    unit(cli)
    for on, text, _ in CASES.values():
        iso = "-".join(reversed(on.split("/")))
        cli("assign", f"Việc {text} {on}", "--lead", "VP", "--assigned-on", on, "--due", text, today=iso)
    assert query(cli.db, "SELECT count(*) FROM tasks WHERE deadline IS NULL") == [(0,)]
