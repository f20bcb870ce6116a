"""Issue 15: `nqtrack evaluate` — each lead unit scored and classed for a period, by the
default scheme and by an office's own scheme file; units ranked in Vietnamese order within
a class; every format; a scheme that cannot be used is one clear error, nothing written."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from nqtrack.store import open_store
from tests.support import Cli

Q2_START, Q2_END = date(2024, 4, 1), date(2024, 6, 30)


@pytest.fixture
def cli(register_location: str) -> Cli:
    """The second quarter of 2024, as of its last day, for six units:

    - Sở Tư pháp: 4 tasks due, completed on time (and one overdue task cancelled: it counts nowhere);
    - Đài Phát thanh và Truyền hình tỉnh: 2 tasks due, on time; urged 3 times;
    - Sở Y tế: 5 due, 4 on time, 1 completed five days late;
    - Sở Xây dựng: 5 due, 4 on time (one of them extended), 1 overdue since 10/06 (20 days);
    - Sở Nội vụ: 3 tasks due on 15/03 still open (carried over, 107 days overdue each), 1 due in
      the quarter completed late;
    - Ban Dân tộc: one task received in the quarter, due in the third: none to carry out, none fell due.
    """
    store = open_store(register_location)
    seq = 0

    def stamp(day: date) -> str:
        nonlocal seq
        seq += 1
        return f"{day.isoformat()}T09:00:00.{seq:06d}+00:00"

    with store.transaction():
        def task(unit: int, deadline: date, done: date | None = None, assigned: date = date(2024, 3, 1)) -> int:
            task_id = store.create_task({"title": f"Nhiệm vụ {seq + 1}", "source": "Ủy ban nhân dân tỉnh",
                                         "lead_unit_id": unit, "assigned_on": assigned, "deadline": deadline},
                                        [], effective_on=assigned, by="test", recorded_at=stamp(assigned))
            if done:
                store.change_task(task_id, {"state": "done", "completed_on": done}, effective_on=done, by="test",
                                  kind="completed", recorded_at=stamp(done))
            return task_id

        justice, radio, health, building, home, ethnic = (
            store.add_unit(name).id for name in ("Sở Tư pháp", "Đài Phát thanh và Truyền hình tỉnh", "Sở Y tế",
                                                 "Sở Xây dựng", "Sở Nội vụ", "Ban Dân tộc"))
        for day in (10, 20, 30, 40):
            task(justice, Q2_START + timedelta(days=day), Q2_START + timedelta(days=day - 3))
        dropped = task(justice, date(2024, 5, 2))
        store.change_task(dropped, {"state": "cancelled"}, effective_on=date(2024, 5, 10), by="test",
                          recorded_at=stamp(date(2024, 5, 10)))
        urged = [task(radio, date(2024, 5, 15), date(2024, 5, 14)), task(radio, date(2024, 6, 15), date(2024, 6, 1))]
        for day in (date(2024, 4, 20), date(2024, 5, 5), date(2024, 6, 1)):
            store.record_reminders({urged[0]: "Đài"}, day=day, by="test", recorded_at=stamp(day), batch_id="r")
        for day in (10, 20, 30, 40):
            task(health, Q2_START + timedelta(days=day), Q2_START + timedelta(days=day))
        task(health, date(2024, 5, 20), date(2024, 5, 25))
        for day in (10, 20, 30):
            task(building, Q2_START + timedelta(days=day), Q2_START + timedelta(days=day - 1))
        extended = task(building, date(2024, 5, 15))
        store.change_task(extended, {"deadline": date(2024, 5, 31)}, effective_on=date(2024, 5, 10), by="test",
                          kind="extended", note="Chờ số liệu", recorded_at=stamp(date(2024, 5, 10)))
        store.change_task(extended, {"state": "done", "completed_on": date(2024, 5, 30)},
                          effective_on=date(2024, 5, 30), by="test", kind="completed",
                          recorded_at=stamp(date(2024, 5, 30)))
        task(building, date(2024, 6, 10))
        for _ in range(3):
            task(home, date(2024, 3, 15), assigned=date(2024, 2, 1))
        task(home, date(2024, 6, 1), date(2024, 6, 12))
        task(ethnic, date(2024, 8, 31), assigned=date(2024, 6, 1))
    store.close()
    return Cli(register_location)


def evaluate(cli: Cli, *args: str, lang: str = "vi", expect: int = 0):
    return cli("evaluate", "--quarter", "2024-Q2", *args, today="2024-07-10", lang=lang, expect=expect)


EXPECTED_MARKDOWN = """\
# Đánh giá, xếp loại mức độ thực hiện nhiệm vụ của các đơn vị quý II/2024

Kỳ báo cáo từ 01/04/2024 đến 30/06/2024; số liệu tính đến ngày 30 tháng 6 năm 2024. Thang điểm: mặc định của \
nqtrack. Nhiệm vụ phải thực hiện: nhiệm vụ đến hạn trong kỳ và nhiệm vụ chuyển từ các kỳ trước; điểm tính trên số \
nhiệm vụ đến hạn (đã hoàn thành hoặc quá hạn).

## I. Số đơn vị theo mức xếp loại

| Xếp loại                                  |   Số đơn vị |
|:------------------------------------------|------------:|
| Hoàn thành xuất sắc nhiệm vụ              |           2 |
| Hoàn thành tốt nhiệm vụ                   |           1 |
| Hoàn thành nhiệm vụ                       |           1 |
| Không hoàn thành nhiệm vụ                 |           1 |
| Chưa đánh giá (không có nhiệm vụ đến hạn) |           1 |

## II. Kết quả đánh giá từng đơn vị

|   Xếp thứ | Đơn vị chủ trì                     |   Phải thực hiện |   Hoàn thành đúng hạn |   Hoàn thành quá hạn |   Trong hạn |   Quá hạn |   Đúng hạn / đến hạn |   Số ngày quá hạn |   Gia hạn |   Bị đôn đốc |   Điểm | Xếp loại                                  |
|----------:|:-----------------------------------|-----------------:|----------------------:|---------------------:|------------:|----------:|---------------------:|------------------:|----------:|-------------:|-------:|:------------------------------------------|
|         1 | Đài Phát thanh và Truyền hình tỉnh |                2 |                     2 |                    0 |           0 |         0 |              100,0 % |                 0 |         0 |            3 |   98,5 | Hoàn thành xuất sắc nhiệm vụ              |
|         2 | Sở Tư pháp                         |                4 |                     4 |                    0 |           0 |         0 |              100,0 % |                 0 |         0 |            0 |  100,0 | Hoàn thành xuất sắc nhiệm vụ              |
|         3 | Sở Y tế                            |                5 |                     4 |                    1 |           0 |         0 |               80,0 % |                 0 |         0 |            0 |   95,0 | Hoàn thành tốt nhiệm vụ                   |
|         4 | Sở Xây dựng                        |                5 |                     4 |                    0 |           0 |         1 |               80,0 % |                20 |         1 |            0 |   78,0 | Hoàn thành nhiệm vụ                       |
|         5 | Sở Nội vụ                          |                4 |                     0 |                    1 |           0 |         3 |                0,0 % |               321 |         0 |            0 |    8,7 | Không hoàn thành nhiệm vụ                 |
|           | Ban Dân tộc                        |                0 |                     0 |                    0 |           0 |         0 |                    — |                 0 |         0 |            0 |      — | Chưa đánh giá (không có nhiệm vụ đến hạn) |

"""


def test_the_default_scheme_in_the_table_for_the_emulation_report(cli):
    # within a class in Vietnamese order (Đ before S), whatever the score; 8.75 is cut to 8,7
    assert evaluate(cli, "--format", "markdown").stdout == EXPECTED_MARKDOWN


def test_json_exact_and_the_same_in_both_languages(cli):
    data = json.loads(evaluate(cli, "--format", "json").stdout)
    assert json.loads(evaluate(cli, "--format", "json", lang="en").stdout) == data
    assert [c["units"] for c in data["classes"]] == [2, 1, 1, 1, 1]
    assert data["scheme"] == {"file": None}
    units = {u["unit"]: u for u in data["units"]}
    assert units["Sở Nội vụ"]["score"] == 8.75 and units["Sở Nội vụ"]["on_time_rate"] == 0.0
    assert units["Sở Y tế"]["on_time_rate"] == 0.8 and units["Sở Y tế"]["class_level"] == 2
    assert units["Sở Nội vụ"]["deduction"] == 10.0  # 321 days × 0.1, capped at 10
    assert (units["Sở Xây dựng"]["overdue_days_max"], units["Sở Nội vụ"]["overdue_days_max"]) == (20, 107)
    assert [u["rank"] for u in data["units"]] == [1, 2, 3, 4, 5, None]
    assert units["Ban Dân tộc"]["class"] == "not_evaluated"


def test_csv_and_the_table(cli):
    lines = evaluate(cli, "--format", "csv").stdout.splitlines()
    assert lines[0] == ("rank,unit,unit_id,completed_on_time,completed_late,in_progress,overdue,completed,due,"
                        "on_time_rate,overdue_days_total,overdue_days_max,extensions,reminders,deduction,score,class,"
                        "class_level,class_name_vi,class_name_en")
    assert lines[5] == "5,Sở Nội vụ,5,0,1,0,3,1,4,0.0,321,107,0,0,10.0,8.75,not_completed,4," \
                       "Không hoàn thành nhiệm vụ,Tasks not carried out"
    table = evaluate(cli, "--decimals", "2", lang="en").stdout
    for text in ("Evaluation of how the units carried out their tasks, quarter II/2024", "Tasks carried out well",
                 "98.50", "8.75", "Not evaluated (no task fell due)", "Sở Xây dựng"):
        assert text in table


OFFICE_SCHEME = """\
# Thang điểm của Văn phòng UBND tỉnh
[credit]
completed_late = 0.5

[deductions]
per_reminder = 0
per_extension = 1
extensions_cap = 5

[[classes]]
id = "xuat_sac"
vi = "Xuất sắc"
en = "Excellent"
min_score = 95

[[classes]]
id = "tot"
vi = "Tốt"
en = "Good"
min_score = 80

[[classes]]
id = "dat"
vi = "Đạt"
en = "Fair"
min_score = 50
max_overdue = 2

[[classes]]
id = "chua_dat"
vi = "Chưa đạt"
en = "Poor"
min_score = 0
"""


def test_an_office_scheme_file(cli, tmp_path):
    scheme = tmp_path / "thang-diem.toml"
    scheme.write_text(OFFICE_SCHEME, encoding="utf-8-sig")  # as Notepad saves it, with a BOM
    data = json.loads(evaluate(cli, "--scheme", str(scheme), "--format", "json").stdout)
    assert data["scheme"] == {"file": str(scheme)}
    assert [(u["unit"], u["score"], u["class"]) for u in data["units"]] == [
        ("Đài Phát thanh và Truyền hình tỉnh", 100.0, "xuat_sac"),  # reminders weigh nothing here
        ("Sở Tư pháp", 100.0, "xuat_sac"),
        ("Sở Y tế", 90.0, "tot"),  # (4 + 0.5) / 5
        ("Sở Xây dựng", 77.0, "dat"),  # 80 − 2 (20 days) − 1 (one extension); one overdue ≤ 2
        ("Sở Nội vụ", 2.5, "chua_dat"),  # 0.5 / 4 − 10
        ("Ban Dân tộc", None, "not_evaluated"),
    ]
    out = evaluate(cli, "--scheme", str(scheme), "--format", "markdown").stdout
    assert "Thang điểm: " + str(scheme) + "." in out
    assert "| Xuất sắc                                  |           2 |" in out


@pytest.mark.parametrize(("text", "message"), [
    ("[credit]\nweight = 2\n",
     "Lỗi: Thang điểm đánh giá có khóa không hợp lệ credit.weight (các khóa dùng được ở đây: completed_on_time, "
     "completed_late, overdue)"),
    ("[[classes]]\nid = 'a'\nvi = 'A'\nen = 'A'\nmin_score = 120\n[[classes]]\nid = 'b'\nvi = 'B'\nen = 'B'\n"
     "min_score = 0\n",
     "Lỗi: classes[1].min_score trong thang điểm đánh giá phải từ 0 đến 100, không phải 120"),
    ("[[classes]]\nid = 'a'\nvi = 'A'\nen = 'A'\nmin_score = 50\nmin_on_time_rate = 1.5\n[[classes]]\nid = 'b'\n"
     "vi = 'B'\nen = 'B'\nmin_score = 0\n",
     "Lỗi: classes[1].min_on_time_rate trong thang điểm đánh giá phải từ 0 đến 1, không phải 1.5"),
    ("[credit\n", None),
])
def test_a_bad_scheme_is_one_clear_error_and_nothing_is_written(cli, tmp_path, text, message):
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(text, encoding="utf-8")
    output = tmp_path / "xep-loai.md"
    result = evaluate(cli, "--scheme", str(scheme), "--output", str(output), expect=2)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    if message:
        assert lines == [message]
    else:
        assert lines[0].startswith("Lỗi: Thang điểm đánh giá không phải TOML hợp lệ: ")
    register = [Path(cli.db).name] if Path(cli.db).parent == tmp_path else []  # a SQLite register's file
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*register, "scheme.toml"])  # no report, no temporary file


def test_a_scheme_file_that_cannot_be_read(cli, tmp_path):
    missing = evaluate(cli, "--scheme", str(tmp_path / "none.toml"), lang="en", expect=2)
    assert missing.stderr.splitlines() == [f"Error: cannot read the evaluation scheme {tmp_path / 'none.toml'}: "
                                           "No such file or directory"]
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"[not_evaluated]\nvi = 'Ch\xf7a x\xe6p lo\xe1i'\n")  # a legacy 8-bit encoding
    assert evaluate(cli, "--scheme", str(latin), lang="en", expect=2).stderr.splitlines() == [
        f"Error: the evaluation scheme {latin} is not UTF-8 text"]


def test_only_some_units(cli):
    data = json.loads(evaluate(cli, "--unit", "Sở Y tế", "--unit", "Sở Nội vụ", "--format", "json").stdout)
    assert [u["unit"] for u in data["units"]] == ["Sở Y tế", "Sở Nội vụ"]
    assert data["filters"]["units"] == ["Sở Y tế", "Sở Nội vụ"]
