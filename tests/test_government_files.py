"""Issue 14: registers as government offices and systems export them import as they are."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

openpyxl = pytest.importorskip("openpyxl")

HEADERS = ["STT", "Số, ký hiệu văn bản", "Nội dung nhiệm vụ", "Cơ quan, đơn vị chủ trì", "Cơ quan phối hợp",
           "Ngày giao", "Thời hạn hoàn thành theo văn bản", "Tình hình thực hiện", "Ngày hoàn thành", "Ghi chú"]


def government_register(path):
    """An XLSX laid out as a provincial register: title rows and a merged caption, government
    headers, a row numbering the columns, section and total rows, four-state status labels,
    document cells with dates, Excel dates beside text dates, units whose names hold commas."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh mục"
    ws.append(["ỦY BAN NHÂN DÂN TỈNH AN PHÚ", None, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    ws.append(["DANH MỤC NHIỆM VỤ DO CHÍNH PHỦ, THỦ TƯỚNG CHÍNH PHỦ GIAO NĂM 2022"])
    ws.merge_cells("A2:J2")
    ws.append([])
    ws.append(HEADERS)
    ws.append([f"({i})" for i in range(1, 11)])
    ws.append(["I", "NHIỆM VỤ CHÍNH PHỦ GIAO"])
    ws.append([1, "Thông báo số 123/TB-VPCP ngày 05/4/2017", "Xây dựng đề án phát triển du lịch",
               "Bộ Văn hóa, Thể thao và Du lịch", "Sở Kế hoạch & Đầu tư, Sở Tài chính",
               datetime(2022, 3, 1), "30/06/2022", "Hoàn thành đúng hạn", datetime(2022, 6, 20), None])
    ws.append([2, "Nghị quyết 07-NQ/ĐUK ngày 31/8/2017", "Báo cáo sơ kết Nghị quyết",
               "Sở Nông nghiệp và Phát triển nông thôn", "Bộ Văn hóa, Thể thao và Du lịch; Sở NN&PTNT",
               "05/03/2022", datetime(2022, 9, 30), "Hoàn thành quá hạn", "15/09/2022", "ngày trong hạn"])
    ws.append([])
    ws.append(["II", "NHIỆM VỤ THỦ TƯỚNG CHÍNH PHỦ GIAO"])
    ws.append([3, "Công văn 7722/VPCP-KSTT", "Rà soát thủ tục hành chính", "Sở NN&PTNT",
               "Bộ Văn hóa, Thể thao và Du lịch và Sở Tài nguyên Môi trường", "10/03/2022", "Quý IV/2022",
               "Đang thực hiện trong hạn", None, None])
    ws.append([4, "Thông báo số 123/TB-VPCP ngày 05/4/2017", "Tổng kết thực hiện đề án", "Sở Tài chính", None,
               datetime(2022, 3, 15), "31/10/2022", "Đang thực hiện quá hạn", None, None])
    ws.append([5, "Công văn 7722/VPCP-KSTT", "Báo cáo kết quả", "Sở Kế hoạch và Đầu tư", None,
               "15/03/2022", "Năm 2023", "Chưa đến hạn", None, None])
    ws.append([None, "Tổng cộng", None, None, None, None, None, 5, 2, None])
    for row in ws.iter_rows(min_row=7):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    return path


@pytest.fixture
def province(cli):
    cli("unit", "add", "Sở Kế hoạch và Đầu tư", "--code", "SKHDT")
    cli("unit", "add", "Sở Tài chính", "--code", "STC")
    cli("unit", "add", "Sở Tài nguyên và Môi trường", "--code", "STNMT")
    return cli


def test_a_government_register_imports_as_it_is(province, tmp_path):
    path = government_register(tmp_path / "danh-muc.xlsx")
    out = province("import", str(path), today="2022-11-15").output
    assert "5 rows: 5 created, 0 updated, 0 unchanged, 0 rejected." in out
    assert "Rows that are not data, skipped: blank 1, column numbering 1, section headings 2, totals 1" in out
    assert "'Sở Kế hoạch & Đầu tư' → Sở Kế hoạch và Đầu tư" in out
    assert "'Sở NN&PTNT' → Sở Nông nghiệp và Phát triển nông thôn" in out
    assert "'Sở Tài nguyên Môi trường' ≈ 'Sở Tài nguyên và Môi trường'" in out
    assert "1 rows have a status whose timing" in out  # row 2: "quá hạn", but done before its deadline
    assert "New units (3): Bộ Văn hóa, Thể thao và Du lịch, Sở Nông nghiệp và Phát triển nông thôn, " \
           "Sở Tài nguyên Môi trường" in out
    assert "New documents (3): 123/TB-VPCP@05/04/2017, 07-NQ/ĐUK@31/08/2017, 7722/VPCP-KSTT" in out
    tasks = {t["title"]: t for t in json.loads(province("list", "--format", "json").stdout)}
    first = tasks["Xây dựng đề án phát triển du lịch"]
    assert (first["lead_unit"], first["coordinating_units"]) == (
        "Bộ Văn hóa, Thể thao và Du lịch", "Sở Kế hoạch và Đầu tư; Sở Tài chính")
    assert (first["assigned_on"], first["deadline"], first["state"], first["completed_on"]) == (
        "2022-03-01", "2022-06-30", "done", "2022-06-20")
    second = tasks["Báo cáo sơ kết Nghị quyết"]
    assert second["coordinating_units"] == "Bộ Văn hóa, Thể thao và Du lịch"  # NN&PTNT is its own lead
    assert (second["assigned_on"], second["deadline"], second["completed_on"]) == (
        "2022-03-05", "2022-09-30", "2022-09-15")
    third = tasks["Rà soát thủ tục hành chính"]
    assert third["lead_unit"] == "Sở Nông nghiệp và Phát triển nông thôn"
    assert third["coordinating_units"] == "Bộ Văn hóa, Thể thao và Du lịch; Sở Tài nguyên Môi trường"
    assert (third["deadline"], third["deadline_text"], third["state"]) == ("2022-12-31", "Quý IV/2022", "in_progress")
    assert tasks["Tổng kết thực hiện đề án"]["document"] == tasks["Xây dựng đề án phát triển du lịch"]["document"]
    docs = json.loads(province("doc", "list", "--format", "json").stdout)
    assert [(d["symbol"], d["issued_on"]) for d in docs] == [
        ("7722/VPCP-KSTT", None), ("123/TB-VPCP", "2017-04-05"), ("07-NQ/ĐUK", "2017-08-31")]
    # the same file again changes nothing
    again = province("import", str(path), today="2022-11-15").output
    assert "5 rows: 0 created, 0 updated, 5 unchanged, 0 rejected." in again
    province("check")


def test_strict_units_refuses_a_unit_written_another_way_with_its_likely_match(province, tmp_path):
    path = tmp_path / "nhiem-vu.csv"
    path.write_text("Nội dung,Cơ quan chủ trì\nViệc một,Sở Tài nguyên Môi trường\nViệc hai,Sở KH&ĐT\n",
                    encoding="utf-8")
    out = province("import", str(path), "--strict-units", lang="vi", expect=2).output
    assert "1 dòng không hợp lệ" in out  # "Sở KH&ĐT" is the register's Sở Kế hoạch và Đầu tư
    assert "đơn vị 'Sở Tài nguyên Môi trường' chưa có trong danh mục (--strict-units); có phải là " \
           "'Sở Tài nguyên và Môi trường'?" in out


def test_one_symbol_in_two_years_and_dates_from_their_own_column(cli, tmp_path):
    path = tmp_path / "cong-van.csv"
    path.write_text(
        "Văn bản giao nhiệm vụ,Ngày ban hành,Trích yếu,Cơ quan chủ trì,Thời hạn\n"
        "2345/UBND-TH,10/03/2023,Báo cáo tình hình năm 2023,Văn phòng,31/03/2023\n"
        "Công văn 2345/UBND-TH,12/5/2024,Báo cáo tình hình năm 2024,Văn phòng,31/05/2024\n"
        "2345/UBND-TH ngày 12/05/2024,,Báo cáo bổ sung năm 2024,Văn phòng,30/06/2024\n", encoding="utf-8")
    out = cli("import", str(path), today="2024-06-01").output
    assert "New documents (2): 2345/UBND-TH@10/03/2023, 2345/UBND-TH@12/05/2024" in out
    docs = {t["title"]: t["document"] for t in json.loads(cli("list", "--format", "json").stdout)}
    assert docs == {"Báo cáo tình hình năm 2023": "2345/UBND-TH@10/03/2023",
                    "Báo cáo tình hình năm 2024": "2345/UBND-TH@12/05/2024",
                    "Báo cáo bổ sung năm 2024": "2345/UBND-TH@12/05/2024"}
    assert "3 rows: 0 created, 0 updated, 3 unchanged" in cli("import", str(path), today="2024-06-01").output
    # a symbol alone now fits two documents: the row says how to name one
    alone = tmp_path / "alone.csv"
    alone.write_text("Văn bản,Nội dung,Đơn vị chủ trì\n2345/UBND-TH,Việc khác,Văn phòng\n", encoding="utf-8")
    out = cli("import", str(alone), expect=2).output
    assert "fits several documents: 2345/UBND-TH@10/03/2023, 2345/UBND-TH@12/05/2024" in out


def test_a_one_column_unit_list(cli, tmp_path):
    path = tmp_path / "don-vi.csv"
    path.write_text("DANH SÁCH ĐƠN VỊ\n\nTên đơn vị\nVăn phòng UBND tỉnh\n\"Vụ Phổ biến, giáo dục pháp luật\"\n"
                    "Sở Tư pháp\n", encoding="utf-8")
    out = cli("import", str(path), "--kind", "units").output
    assert "3 rows: 3 created, 0 updated, 0 unchanged, 0 rejected." in out
    names = [u["name"] for u in json.loads(cli("unit", "list", "--format", "json").stdout)]
    assert names == ["Sở Tư pháp", "Văn phòng UBND tỉnh", "Vụ Phổ biến, giáo dục pháp luật"]


def test_a_missing_lead_unit_column_stops_with_a_suggested_map(cli, tmp_path):
    path = tmp_path / "thieu-cot.csv"
    path.write_text("Nội dung nhiệm vụ,Đơn vị được giao,Thời hạn\nViệc một,Sở Tư pháp,31/12/2022\n",
                    encoding="utf-8")
    out = cli("import", str(path), expect=2).output
    assert "no column for 'lead unit' in the header row (line 1): 'Nội dung nhiệm vụ', 'Đơn vị được giao', " \
           "'Thời hạn'; if it is 'Đơn vị được giao', import again with --map 'Đơn vị được giao=lead unit'" in out
    assert cli("list", "--format", "json").stdout.strip() == "[]"
    cli("import", str(path), "--map", "Đơn vị được giao=Đơn vị chủ trì")  # a Vietnamese field label
    assert json.loads(cli("list", "--format", "json").stdout)[0]["lead_unit"] == "Sở Tư pháp"
    untitled = tmp_path / "khong-tieu-de.csv"
    untitled.write_text("Việc cần làm,Chủ trì\nViệc hai,Sở Tư pháp\n", encoding="utf-8")
    out = cli("import", str(untitled), lang="vi", expect=2).output
    assert "không có cột 'Nội dung' trong dòng tiêu đề (dòng 1)" in out and "--map 'Việc cần làm=Nội dung'" in out


def test_a_file_without_assignment_dates_is_warned_about(cli, tmp_path):
    path = tmp_path / "khong-ngay-giao.csv"
    path.write_text("Nội dung,Đơn vị chủ trì,Thời hạn\nViệc một,Văn phòng,31/12/2022\n", encoding="utf-8")
    out = cli("import", str(path)).output
    assert "Warning: no assignment dates: tasks will not appear in the received view." in out


def test_coordinating_units_are_split_with_the_lead_units_the_file_names_later(cli, tmp_path):
    path = tmp_path / "phoi-hop.csv"
    path.write_text(
        "Nội dung,Đơn vị chủ trì,Đơn vị phối hợp\n"
        "Việc một,Sở Nội vụ,\"Ban Dân vận, Đoàn thể tỉnh, Sở Tư pháp và Sở Kế hoạch và Đầu tư\"\n"
        "Việc hai,\"Ban Dân vận, Đoàn thể tỉnh\",\"Vụ Phổ biến, giáo dục pháp luật\"\n", encoding="utf-8")
    cli("import", str(path))
    tasks = {t["title"]: t["coordinating_units"] for t in
             json.loads(cli("list", "--format", "json").stdout)}
    assert tasks["Việc một"] == "Ban Dân vận, Đoàn thể tỉnh; Sở Kế hoạch và Đầu tư; Sở Tư pháp"
    assert tasks["Việc hai"] == "Vụ Phổ biến, giáo dục pháp luật"
