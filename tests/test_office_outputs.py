"""Issue 17: what an office sends — Excel workbooks with charts, the Word report in the official
layout, CSV that Excel reads, the file name choosing the format, the settings of the heading
and signature."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from nqtrack.render.report import RECEIVED_LINES, WORKLOAD_LINES
from tests.support import Cli

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2022-11-15"


@pytest.fixture(scope="module")
def example(module_register) -> Cli:
    """The bundled example register (21 units, 13 documents, 220 tasks)."""
    cli = Cli(module_register())
    cli("import", str(ROOT / "examples/units.csv"), "--kind", "units", "--create", today=TODAY)
    cli("import", str(ROOT / "examples/documents.csv"), "--kind", "documents", today=TODAY)
    cli("import", str(ROOT / "examples/tasks.csv"), today=TODAY)
    return cli


@pytest.fixture
def out_dir(tmp_path) -> Path:
    return tmp_path


def run(cli: Cli, *args: str, lang: str = "vi", expect: int = 0):
    return cli(*args, lang=lang, today=TODAY, expect=expect)


def report_json(cli: Cli, *period: str) -> dict:
    return json.loads(run(cli, "report", *period, "--format", "json").stdout)


def _is_header(row) -> bool:
    """A table's header: two values or more (a lead paragraph or a caption above it has one)."""
    return sum(v is not None for v in row) >= 2


def tables_of(sheet) -> list[tuple[list[str], list[list]]]:
    """Each table of a sheet, top to bottom (a section's tables stand one under another):
    its header row, the first after the title rows, and its data rows, to the blank row
    that ends it."""
    rows = list(sheet.iter_rows(values_only=True))
    tables, i = [], 2
    while i < len(rows):
        if not _is_header(rows[i]):
            i += 1
            continue
        header = [v for v in rows[i] if v is not None]
        i += 1
        data = []
        while i < len(rows) and any(v is not None for v in rows[i]):
            data.append(list(rows[i][: len(header)]))
            i += 1
        tables.append((header, data))
    return tables


def table_of(sheet) -> tuple[list[str], list[list]]:
    """The header row and the data rows of a sheet's first table."""
    return tables_of(sheet)[0]


def cell_below_header(sheet, column: int, row: int):
    """The openpyxl cell of data row `row` (0-based) in column `column` (0-based) of the first table."""
    rows = list(sheet.iter_rows())
    start = next(i for i, r in enumerate(rows) if i >= 2 and _is_header([c.value for c in r]))
    return rows[start + 1 + row][column]


def xlsx_cut(value: float, places: int) -> float:
    """A number as the workbook writes it: cut toward zero (never rounded) to `places` decimals."""
    from nqtrack.render.xlsx import cut

    return cut(value, places)


def in_excel(rate: float | None, decimals: int = 1) -> float | None:
    """A rate as the workbook writes it: cut to `decimals` places of a per cent."""
    return None if rate is None else xlsx_cut(rate, decimals + 2)


# -- the report as a workbook ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_book(example, tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "bao-cao-2022.xlsx"
    run(example, "report", "--year", "2022", "--output", str(path))  # the name chooses the format
    return path, report_json(example, "--year", "2022")


def test_report_workbook_has_a_sheet_per_section_with_the_json_figures(example, report_book):
    path, data = report_book
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Được giao", "Phải thực hiện", "Theo đơn vị chủ trì", "Theo nguồn giao",
                               "Xu hướng 12 tháng", "Quá hạn", "Quá hạn theo tháng"]
    received = book["Được giao"]
    assert received["A1"].value == "Báo cáo tình hình thực hiện nhiệm vụ năm 2022" and received["A1"].font.b
    assert received["A2"].value.startswith("I. Nhiệm vụ được giao trong kỳ. Kỳ báo cáo từ 01/01/2022")
    # section I opens with the Government's sentence, as the markdown report gives it
    markdown = run(example, "report", "--year", "2022", "--format", "markdown").stdout.splitlines()
    assert received["A3"].value == next(line for line in markdown if line.startswith("Tổng số "))
    assert received["A3"].value.startswith("Tổng số 217 nhiệm vụ được giao; đã hoàn thành 108 nhiệm vụ (93 đúng hạn, ")
    (header, rows), (year_header, year_rows) = tables_of(received)
    assert header == ["Chỉ tiêu", "Số lượng"]
    values = {label: value for label, value in rows}
    rates = ("completion_rate_of_due", "overdue_rate")
    expected = {key: in_excel(data["received"][key]) if key in rates else data["received"][key]
                for key, _label, _level in RECEIVED_LINES}
    assert [v for _label, v in rows] == [expected[k] for k, _l, _v in RECEIVED_LINES]
    assert values["Số nhiệm vụ được giao"] == data["received"]["total"] == 217
    assert values["Tỷ lệ quá hạn (số quá hạn / số được giao)"] == 0.184  # 40 / 217 = 0.18433…, cut
    # a sub-row is indented by the cell's format, not by spaces in the text
    assert cell_below_header(received, 0, 1).alignment.indent == 1
    # the year-on-year table under it: total, completed and overdue against the same period last year
    r = data["received"]
    assert year_header == ["So với cùng kỳ năm trước", "Kỳ này", "Cùng kỳ năm trước (tính đến cùng ngày)",
                           "Tăng/giảm so với cùng kỳ"]
    assert year_rows == [["Số nhiệm vụ được giao", r["total"], r["previous_year"], r["change_pct"]],
                         ["Đã hoàn thành", r["completed"], r["previous_year_completed"], r["change_pct_completed"]],
                         ["Quá hạn", r["overdue"], r["previous_year_overdue"], r["change_pct_overdue"]]]

    workload = book["Phải thực hiện"]
    (_header, rows), (states_header, states) = tables_of(workload)
    assert [v for _label, v in rows] == [in_excel(data["workload"][k]) if k == "completion_rate" else data["workload"][k]
                                         for k, _l, _v in WORKLOAD_LINES]
    rate = cell_below_header(workload, 1, [k for k, _l, _v in WORKLOAD_LINES].index("completion_rate"))
    assert data["workload"]["completion_rate"] == 81 / 149  # exact in the JSON: 0.54362…
    assert rate.value == 0.543 and rate.number_format == "0.0%"  # cut in the workbook, never rounded up
    # the four states of the tasks to carry out: due in the period, carried over, all
    w = data["workload"]
    assert states_header == ["Nhiệm vụ phải thực hiện theo tình trạng", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                             "Đang thực hiện, trong hạn", "Quá hạn, chưa hoàn thành", "Tổng cộng"]
    keys = ["completed_on_time", "completed_late", "in_progress", "overdue"]
    assert [row[1:5] for row in states] == [[w["due_in_period_states"][k] for k in keys],
                                            [w["carried_over_states"][k] for k in keys], [w[k] for k in keys]]
    assert [row[5] for row in states] == [w["due_in_period"], w["carried_over"], w["total"]]


def test_report_workbook_per_unit_trend_and_overdue_sheets(report_book):
    path, data = report_book
    book = openpyxl.load_workbook(path)
    (header, rows), (received_header, received) = tables_of(book["Theo đơn vị chủ trì"])
    assert header[:3] == ["Đơn vị chủ trì", "Được giao", "Phải thực hiện"]
    assert header[-1] == "Hoàn thành / phải thực hiện"  # each rate says what it divides by
    assert [r[0] for r in rows] == [u["unit"] for u in data["by_unit"]]
    for row, unit in zip(rows, data["by_unit"], strict=True):
        assert row[1] == unit["received"]["total"] and row[2] == unit["workload"]["total"]
        assert row[-1] == in_excel(unit["workload"]["completion_rate"])
    # under it, the tasks received per unit in the four states, with both rates of the received view
    assert received_header == ["Đơn vị chủ trì", "Được giao", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                               "Trong hạn", "Quá hạn", "Hoàn thành / đến hạn", "Quá hạn / được giao"]
    assert received == [[u["unit"], u["received"]["total"], u["received"]["completed_on_time"],
                         u["received"]["completed_late"], u["received"]["in_progress"], u["received"]["overdue"],
                         in_excel(u["received"]["completion_rate_of_due"]), in_excel(u["received"]["overdue_rate"])]
                        for u in data["by_unit"]]
    # the first table's caption, then its header, bold and wrapped, the panes frozen under it
    sheet = book["Theo đơn vị chủ trì"]
    assert sheet["A4"].value == "Số nhiệm vụ phải thực hiện" and sheet["A4"].font.b
    assert sheet["A5"].font.b and sheet["A5"].alignment.wrap_text and sheet.freeze_panes == "A6"

    _header, trend = table_of(book["Xu hướng 12 tháng"])
    assert [r[0] for r in trend] == [f"{m['month'][5:]}/{m['month'][:4]}" for m in data["trend"]]
    assert [r[3] for r in trend] == [in_excel(m["completion_rate"]) for m in data["trend"]]

    overdue = book["Quá hạn"]
    header, rows = table_of(overdue)
    assert header[:3] == ["#", "Mã", "Nội dung"] and "Thời hạn" in header
    assert [r[0] for r in rows] == [t["id"] for t in data["overdue_tasks"]]
    deadline = cell_below_header(overdue, header.index("Thời hạn"), 0)
    assert isinstance(deadline.value, datetime) and deadline.number_format == "dd/mm/yyyy"
    assert deadline.value.date().isoformat() == data["overdue_tasks"][0]["deadline"]
    _header, months = table_of(book["Quá hạn theo tháng"])
    assert [m[1] for m in months] == [m["overdue"] for m in data["overdue_by_month"]]
    assert sum(m[1] for m in months) == len(data["overdue_tasks"])


def test_report_workbook_has_native_charts(report_book):
    path, data = report_book
    with zipfile.ZipFile(path) as z:
        charts = {name: z.read(name).decode() for name in z.namelist() if name.startswith("xl/charts/chart")}
    kinds = sorted(
        "line" if "<c:lineChart>" in xml else
        "stacked bars" if "<c:barDir val=\"bar\"/>" in xml and "<c:grouping val=\"stacked\"/>" in xml else
        "columns" if "<c:barDir val=\"col\"/>" in xml else "?"
        for xml in charts.values()
    )
    # per lead unit and per source (stacked), the trend (line), the backlog by month (columns)
    assert kinds == ["columns", "line", "stacked bars", "stacked bars"]
    # the charts are drawn from the cells beside them: the rates of the months up to the report day
    trend = next(xml for xml in charts.values() if "<c:lineChart>" in xml)
    assert len(data["trend"]) == 11  # December 2022 starts after the report day
    assert "<c:f>'Xu hướng 12 tháng'!$D$5:$D$15</c:f>" in trend


def test_evaluation_workbook(example, out_dir):
    path = out_dir / "xep-loai-2022.xlsx"
    run(example, "evaluate", "--year", "2022", "--decimals", "2", "--output", str(path))  # the name: Excel
    data = json.loads(run(example, "evaluate", "--year", "2022", "--format", "json").stdout)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Số đơn vị theo mức xếp loại", "Kết quả đánh giá từng đơn vị"]
    header, classes = table_of(book["Số đơn vị theo mức xếp loại"])
    assert header == ["Xếp loại", "Số đơn vị"]
    assert classes == [[c["name"]["vi"], c["units"]] for c in data["classes"]]
    units = book["Kết quả đánh giá từng đơn vị"]
    assert units["A1"].value.startswith("Đánh giá, xếp loại mức độ thực hiện nhiệm vụ của các đơn vị năm 2022")
    header, rows = table_of(units)
    assert header == ["Xếp thứ", "Đơn vị chủ trì", "Phải thực hiện", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                      "Trong hạn", "Quá hạn", "Đúng hạn / đến hạn", "Số ngày quá hạn", "Gia hạn", "Bị đôn đốc", "Điểm",
                      "Xếp loại"]
    states = ("completed_on_time", "completed_late", "in_progress", "overdue")
    assert rows == [[u["rank"], u["unit"], sum(u[k] for k in states), *(u[k] for k in states),
                     in_excel(u["on_time_rate"], 2), u["overdue_days_total"], u["extensions"], u["reminders"],
                     None if u["score"] is None else xlsx_cut(u["score"], 2), u["class_name"]["vi"]]
                    for u in data["units"]]
    # rates as Excel percentages and scores as numbers, both cut to the decimals chosen
    rate, score = cell_below_header(units, 7, 0), cell_below_header(units, 11, 0)
    assert isinstance(rate.value, int | float) and rate.number_format == "0.00%"
    assert isinstance(score.value, int | float) and score.number_format == "0.00"
    assert units.freeze_panes == "A5"
    cut_scores = [u["score"] for u in data["units"] if u["score"] is not None and xlsx_cut(u["score"], 2) != u["score"]]
    assert cut_scores  # the register has scores with more decimals than shown: the check above is not vacuous


def test_rates_are_cut_to_the_chosen_decimals_not_rounded():
    from nqtrack.render.xlsx import cut, percent_format

    assert cut(0.57689, 3) == 0.576 and cut(0.9999, 3) == 0.999 and cut(1.067, 3) == 1.067
    assert cut(-0.0215, 3) == -0.021  # toward zero
    assert percent_format(1) == "0.0%" and percent_format(2) == "0.00%" and percent_format(0) == "0%"
    assert percent_format(1, signed=True) == "+0.0%;-0.0%;0.0%"


# -- listings, overdue, review, export ------------------------------------------------------------------


def test_every_listing_writes_a_workbook(example, out_dir):
    cases = {
        "list.xlsx": ["list", "--unit", "VP"],
        "overdue.xlsx": ["overdue"],
        "review.xlsx": ["review"],
        "units.xlsx": ["unit", "list"],
        "docs.xlsx": ["doc", "list"],
        "doc.xlsx": ["doc", "show", "01/CTr-BTP"],
        "task.xlsx": ["show", "NV-2022-0001"],
    }
    for name, args in cases.items():
        run(example, *args, "--output", str(out_dir / name))
        assert openpyxl.load_workbook(out_dir / name).sheetnames, name
    tasks = openpyxl.load_workbook(out_dir / "list.xlsx").active
    header, rows = table_of(tasks)
    assert header == ["Số", "Mã", "Nội dung", "Văn bản", "Đơn vị chủ trì", "Thời hạn", "Trạng thái", "Tiến độ",
                      "Ngày hoàn thành"]
    listed = json.loads(run(example, "list", "--unit", "VP", "--format", "json").stdout)
    assert [r[0] for r in rows] == [t["id"] for t in listed]
    deadline = cell_below_header(tasks, 5, 0)
    assert isinstance(deadline.value, datetime) and deadline.number_format == "dd/mm/yyyy"
    assert rows[0][6] in ("chưa thực hiện", "đang thực hiện", "hoàn thành", "tạm dừng", "hủy")

    morning = openpyxl.load_workbook(out_dir / "overdue.xlsx")
    assert morning.sheetnames[:2] == ["Tổng hợp", "Quá hạn"]
    backlog = json.loads(run(example, "overdue", "--format", "json").stdout)
    _header, rows = table_of(morning["Quá hạn"])
    assert [r[0] for r in rows] == [t["id"] for t in backlog["tasks"]]
    run(example, "overdue", "--limit", "3", "--output", str(out_dir / "first.xlsx"))
    first = openpyxl.load_workbook(out_dir / "first.xlsx")
    assert len(table_of(first["Quá hạn"])[1]) == 3  # --limit shortens the list, never the summary
    assert table_of(first["Tổng hợp"])[1] == table_of(morning["Tổng hợp"])[1]

    review = openpyxl.load_workbook(out_dir / "review.xlsx")
    assert review.sheetnames == ["Văn bản", "Theo cơ quan ban hành", "Theo loại văn bản"]
    header, rows = table_of(review["Văn bản"])
    done = header.index("Hoàn thành")
    cell = cell_below_header(review["Văn bản"], done, 0)
    assert cell.number_format == "0.0%" and isinstance(cell.value, float)


def test_export_xlsx_writes_excel_never_json(example, out_dir):
    path = out_dir / "so-theo-doi.xlsx"
    run(example, "export", str(path))
    assert path.read_bytes()[:2] == b"PK"  # a zip: a workbook, not JSON
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Nhiệm vụ", "Đơn vị", "Văn bản"]
    _header, rows = table_of(book["Nhiệm vụ"])
    assert len(rows) == 220
    refused = run(example, "export", "--format", "json", str(out_dir / "x.xlsx"), expect=2)
    assert refused.output.strip() == f"Lỗi: tên tệp {out_dir / 'x.xlsx'} là định dạng xlsx, nhưng --format là json"
    assert not (out_dir / "x.xlsx").exists()


@pytest.mark.parametrize("name, starts", [
    ("r.md", "# Báo cáo"), ("r.json", "{"), ("r.csv", "\ufeffscope,name,"), ("r.html", "<!doctype html>"),
    ("r.txt", "Báo cáo tình hình"),  # an extension that says nothing: the table
])
def test_the_file_name_chooses_the_report_format(example, out_dir, name, starts):
    run(example, "report", "--month", "2022-10", "--output", str(out_dir / name))
    assert (out_dir / name).read_text(encoding="utf-8").startswith(starts)


def test_a_workbook_on_a_terminal_is_refused(monkeypatch):
    import sys

    from nqtrack.core.errors import InvalidInput
    from nqtrack.render.output import Output

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    with pytest.raises(InvalidInput) as refused:
        Output("xlsx").write_bytes(b"PK")
    assert (refused.value.message, refused.value.args_) == ("a {format} file needs --output FILE", {"format": "XLSX"})


def test_a_workbook_through_a_pipe(example):
    from tests.support import run_nqtrack

    result = run_nqtrack("--db", str(example.db), "--today", TODAY, "overdue", "--format", "xlsx")
    assert result.returncode == 0 and result.stdout[:2] == b"PK"
    assert openpyxl.load_workbook(io.BytesIO(result.stdout)).sheetnames[0] == "Tổng hợp"


def test_formula_looking_text_stays_text(cli, tmp_path):
    cli("unit", "add", "Văn phòng", "--code", "VP")
    cli("assign", "=HYPERLINK(\"http://x\")", "--lead", "VP", "--due", "30/11/2022")
    cli("list", "--output", str(tmp_path / "t.xlsx"))
    cell = cell_below_header(openpyxl.load_workbook(tmp_path / "t.xlsx").active, 2, 0)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s" and cell.quotePrefix


# -- CSV for people and for machines -------------------------------------------------------------------


def test_csv_for_people_and_for_machines(example, out_dir):
    machine = run(example, "overdue", "--format", "csv").stdout
    assert machine.startswith("section,id,code,title,") and "\ufeff" not in machine  # pipes: unchanged
    path = out_dir / "qua-han.csv"
    run(example, "overdue", "--output", str(path), "--labels")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Phần", "Số", "Nội dung", "Văn bản", "Đơn vị chủ trì", "Người thực hiện", "Thời hạn",
                       "Số ngày quá hạn", "Chuyển tháng", "Gia hạn"]
    assert rows[1][0] == "Quá hạn" and re.fullmatch(r"\d\d/\d\d/\d{4}", rows[1][6])
    report = out_dir / "bao-cao.csv"
    run(example, "report", "--month", "2022-10", "--output", str(report), "--labels")
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Phạm vi,Tên,I. Số nhiệm vụ được giao,")
    assert lines[1].startswith("Tổng cộng,,25,") and "17,0 %" in lines[1]
    machine_file = out_dir / "tasks.csv"
    run(example, "list", "--output", str(machine_file))
    assert machine_file.read_text(encoding="utf-8-sig").startswith("id,code,title,document,lead_unit,deadline")


# -- the Word report ----------------------------------------------------------------------------------------


@pytest.fixture
def settings_made(cli):
    cli("config", "office", "Bộ Tư pháp / Văn phòng Bộ")
    cli("config", "place", "Hà Nội")
    cli("config", "report_number", "…/BC-VP")
    cli("config", "signer", "KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG / Nguyễn Văn An")
    for name in ("units", "documents"):
        cli("import", str(ROOT / f"examples/{name}.csv"), "--kind", name, today=TODAY)
    cli("import", str(ROOT / "examples/tasks.csv"), today=TODAY)
    return cli


def test_word_report_in_the_official_layout(settings_made, tmp_path):
    docx = pytest.importorskip("docx")
    path = tmp_path / "bao-cao.docx"
    result = run(settings_made, "report", "--month", "2022-10", "--output", str(path))
    assert result.stderr == ""  # every setting made: no warning
    data = report_json(settings_made, "--month", "2022-10")
    document = docx.Document(str(path))
    heading, *grids, closing = document.tables
    left, right = (cell.text for cell in heading.rows[0].cells)
    assert left == "BỘ TƯ PHÁP\nVĂN PHÒNG BỘ\n\nSố: …/BC-VP"
    assert right == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
                     "Hà Nội, ngày 15 tháng 11 năm 2022")
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[:2] == ["BÁO CÁO", "Tình hình thực hiện nhiệm vụ tháng 10/2022"]
    for heading_text in ("I. NHIỆM VỤ ĐƯỢC GIAO TRONG KỲ", "II. NHIỆM VỤ PHẢI THỰC HIỆN TRONG KỲ",
                         "III. THEO ĐƠN VỊ CHỦ TRÌ", "VI. NHIỆM VỤ QUÁ HẠN TẠI NGÀY 31/10/2022"):
        assert heading_text in texts
    # section I: the Government's sentence, the received view with both rates, the year-on-year table
    sentence = texts[texts.index("I. NHIỆM VỤ ĐƯỢC GIAO TRONG KỲ") + 1]
    markdown = run(settings_made, "report", "--month", "2022-10", "--format", "markdown").stdout.splitlines()
    assert sentence == next(line for line in markdown if line.startswith("Tổng số "))
    assert sentence.startswith(f"Tổng số {data['received']['total']} nhiệm vụ được giao; đã hoàn thành ")
    received = [[c.text for c in row.cells] for row in grids[0].rows]
    assert received[0] == ["Chỉ tiêu", "Số lượng"] and received[1] == ["Số nhiệm vụ được giao",
                                                                       str(data["received"]["total"])]
    assert dict(received)["Tỷ lệ quá hạn (số quá hạn / số được giao)"] == "0,0 %"
    year = [[c.text for c in row.cells] for row in grids[1].rows]
    assert year[0][0] == "So với cùng kỳ năm trước" and [r[0] for r in year[1:]] == ["Số nhiệm vụ được giao",
                                                                                  "Đã hoàn thành", "Quá hạn"]
    workload = {row.cells[0].text.strip(): row.cells[1].text for row in grids[2].rows}
    assert workload["Tỷ lệ hoàn thành (số đã hoàn thành / số phải thực hiện)"] == "17,0 %"
    assert data["workload"]["completion_rate"] == 8 / 47  # 0.1702…, cut to 17,0
    states = [[c.text for c in row.cells] for row in grids[3].rows]
    assert states[-1] == ["Số nhiệm vụ phải thực hiện"] + [str(data["workload"][k]) for k in (
        "completed_on_time", "completed_late", "in_progress", "overdue", "total")]
    units = [row.cells[0].text for row in grids[4].rows][1:]  # III: the tasks to carry out, then those received
    assert units == [u["unit"] for u in data["by_unit"]] == [row.cells[0].text for row in grids[5].rows][1:]
    overdue = [row.cells[0].text for row in grids[-1].rows][1:]
    assert overdue == [t["code"] for t in data["overdue_tasks"]]
    assert len(document.inline_shapes) == 3  # the three charts, as pictures
    nơi_nhận, signature = (cell.text for cell in closing.rows[0].cells)
    assert nơi_nhận == "Nơi nhận:\n- Lưu: VT."
    assert signature.startswith("KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG\n") and signature.endswith("Nguyễn Văn An")
    section = document.sections[0]
    assert [round(m.mm) for m in (section.top_margin, section.left_margin, section.right_margin)] == [20, 30, 15]


def test_unset_settings_are_named_before_anything_is_written(example, tmp_path):
    path = tmp_path / "r.docx"
    result = run(example, "report", "--month", "2022-10", "--output", str(path))
    assert result.stderr == ("Cảnh báo: chưa đặt, để trống: office, place, report_number, signer "
                             "(nqtrack config KHÓA GIÁ_TRỊ).\n")
    docx = pytest.importorskip("docx")
    left, right = (c.text for c in docx.Document(str(path)).tables[0].rows[0].cells)
    assert left == "Số:      /" and right.endswith("\nngày 15 tháng 11 năm 2022")  # no place made up
    letters = run(example, "remind", "--unit", "VP", "--format", "text")
    assert letters.stderr == "Cảnh báo: chưa đặt, để trống: office, place, number, signer (nqtrack config KHÓA GIÁ_TRỊ).\n"
    assert letters.stdout.startswith("Số:      /\nV/v đôn đốc thực hiện nhiệm vụ\n")


@pytest.mark.parametrize("key, value, stored", [
    ("office", "Bộ Tư pháp/Văn phòng Bộ", "Bộ Tư pháp / Văn phòng Bộ"),
    ("place", "  Hà   Nội ", "Hà Nội"),
    ("number", ".../VP-TH", "…/VP-TH"),
    ("report_number", "…-BC/VPĐU", "…-BC/VPĐU"),
    ("signer", "KT. CHÁNH VĂN PHÒNG/PHÓ CHÁNH VĂN PHÒNG/Nguyễn Văn An",
     "KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG / Nguyễn Văn An"),
])
def test_settings_of_the_heading_are_stored_as_written_by_the_decree(cli, key, value, stored):
    assert cli("config", key, value).stdout == f"{key} = {stored}\n"
    assert cli("config", key).stdout == f"{stored}\n"


@pytest.mark.parametrize("key, value, says", [
    ("office", "VĂN PHÒNG BỘ TƯ PHÁP", "not in capitals"),
    ("office", "A / B / C", "not in capitals"),
    ("number", "123/VP-TH", "'…' where the records office writes the number"),
    ("number", "…VP", "'…' where the records office writes the number"),
    ("signer", "Nguyễn Văn An", "the authority lines, then the name"),
    ("signer", "KT. CHÁNH VĂN PHÒNG / NGUYỄN VĂN AN", "the authority lines, then the name"),
    ("place", "hà nội", "capitalised"),
])
def test_settings_of_the_heading_are_checked_when_set(cli, key, value, says):
    result = cli("config", key, value, expect=2)
    assert result.output.startswith("Error: ") and says in result.output
    assert cli("config", key).stdout == "\n"  # nothing stored
