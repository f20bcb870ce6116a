"""Reading CSV/TSV/UTF-16/cp1258/TCVN3 text and XLSX files into a header and rows."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from nqtrack.core.text import fold
from nqtrack.importing import reader
from nqtrack.importing.reader import ReadError, Table, read_table

KNOWN = {
    fold(h)
    for h in (
        "Mã", "Mã nhiệm vụ", "Văn bản", "Số ký hiệu", "Nội dung", "Nội dung nhiệm vụ",
        "Nhiệm vụ", "Đơn vị chủ trì", "Chủ trì", "Đơn vị phối hợp", "Thời hạn",
        "Ngày giao", "Số lượng", "Ghi chú", "Sản phẩm", "Trạng thái",
    )
}


def is_header(cell: str) -> bool:
    return fold(cell) in KNOWN


def rows(table: Table) -> list[tuple[int, list[object]]]:
    return list(table.rows)


def to_cp1258(text: str) -> bytes:
    """Encode the way Windows does: letters with their shape mark, tone marks combining."""
    out: list[list[str]] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out:
            out[-1].append(ch)
        else:
            out.append([ch])
    encoded = []
    for base, *marks in out:
        shapes = "".join(m for m in marks if m in "\u0302\u0306\u031b")
        tones = "".join(m for m in marks if m not in shapes)
        encoded.append(unicodedata.normalize("NFC", base + shapes) + tones)
    return "".join(encoded).encode("cp1258")


# ---------------------------------------------------------------- text encodings
def test_utf8_with_bom_comma(tmp_path: Path) -> None:
    path = tmp_path / "nv.csv"
    path.write_bytes(
        "\ufeffMã,Nội dung,Thời hạn\r\nNV-01,Xây dựng báo cáo tổng kết,15/09/2026\r\n"
        "NV-02,Rà soát văn bản,\r\n".encode("utf-8")
    )
    table = read_table(path)
    assert table.headers == ["Mã", "Nội dung", "Thời hạn"]
    assert table.header_line == 1
    assert (table.source_format, table.encoding, table.delimiter) == ("csv", "utf-8-sig", ",")
    assert rows(table) == [
        (2, ["NV-01", "Xây dựng báo cáo tổng kết", "15/09/2026"]),
        (3, ["NV-02", "Rà soát văn bản", ""]),
    ]
    assert table.converted_cells == 0
    assert table.legacy is None


def test_utf8_without_bom_semicolon_with_title_rows(tmp_path: Path) -> None:
    path = tmp_path / "nv.csv"
    path.write_text(
        "PHỤ LỤC;;;\n"
        "DANH MỤC NHIỆM VỤ NĂM 2026, KÈM THEO KẾ HOẠCH SỐ 12/KH-BTP;;;\n"
        ";;;\n"
        "Mã;Nội dung nhiệm vụ;Đơn vị chủ trì;Thời hạn\n"
        "NV1;Tổng kết 10 năm, đề xuất sửa đổi;Vụ Pháp chế;Quý II/2026\n"
        ";;;\n"
        "\n"
        "NV2;Xây dựng Đề án;Cục Bổ trợ tư pháp;\n",
        encoding="utf-8",
    )
    table = read_table(path, expected_headers=is_header)
    assert table.headers == ["Mã", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"]
    assert table.header_line == 4
    assert (table.encoding, table.delimiter, table.source_format) == ("utf-8", ";", "csv")
    assert rows(table) == [
        (5, ["NV1", "Tổng kết 10 năm, đề xuất sửa đổi", "Vụ Pháp chế", "Quý II/2026"]),
        (8, ["NV2", "Xây dựng Đề án", "Cục Bổ trợ tư pháp", ""]),
    ]


def test_utf16_unicode_text_tab(tmp_path: Path) -> None:
    path = tmp_path / "nv.txt"
    path.write_text(
        "Mã\tNội dung\tĐơn vị chủ trì\nNV1\tBáo cáo quý\tVăn phòng Bộ\n", encoding="utf-16"
    )
    assert path.read_bytes()[:2] == b"\xff\xfe"
    table = read_table(path)
    assert (table.source_format, table.encoding, table.delimiter) == ("utf16-text", "utf-16", "\t")
    assert table.headers == ["Mã", "Nội dung", "Đơn vị chủ trì"]
    assert rows(table) == [(2, ["NV1", "Báo cáo quý", "Văn phòng Bộ"])]


def test_utf16_without_bom() -> None:
    data = "Mã\tNội dung\nNV1\tBáo cáo quý\n".encode("utf-16-le")
    table = read_table(data)
    assert (table.source_format, table.encoding, table.delimiter) == ("utf16-text", "utf-16-le", "\t")
    assert table.headers == ["Mã", "Nội dung"]
    assert rows(table) == [(2, ["NV1", "Báo cáo quý"])]


def test_cp1258_real_vietnamese(tmp_path: Path) -> None:
    text = (
        "Mã;Nội dung;Đơn vị chủ trì;Ghi chú\r\n"
        "NV1;Triển khai Nghị quyết số 27-NQ/TW;Sở Tư pháp;Hà Nội\r\n"
        "NV2;Tổng kết việc thi hành Luật;Đảng ủy Khối;Mường Khương\r\n"
    )
    data = to_cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path = tmp_path / "cp1258.csv"
    path.write_bytes(data)
    table = read_table(path)
    assert (table.encoding, table.legacy, table.delimiter) == ("cp1258", None, ";")
    assert table.headers == ["Mã", "Nội dung", "Đơn vị chủ trì", "Ghi chú"]
    assert rows(table) == [
        (2, ["NV1", "Triển khai Nghị quyết số 27-NQ/TW", "Sở Tư pháp", "Hà Nội"]),
        (3, ["NV2", "Tổng kết việc thi hành Luật", "Đảng ủy Khối", "Mường Khương"]),
    ]
    assert table.converted_cells == 0


def test_tcvn3_bytes_file(tmp_path: Path) -> None:
    shy = "\u00ad"
    text = (
        "M·,Néi dung,§¬n vÞ chñ tr×,Ghi chó\r\n"
        f"NV1,TriÓn khai NghÞ quyÕt sè 27-NQ/TW,Bé T{shy} ph¸p,Hµ Néi\r\n"
        f"NV2,Tæng kÕt,§¶ng ñy,M{shy}êng Kh{shy}¬ng\r\n"
        "NV3,Bé,Côc,2026\r\n"
    )
    path = tmp_path / "tcvn3.csv"
    path.write_bytes(text.encode("cp1252"))
    table = read_table(path)
    assert (table.encoding, table.legacy, table.source_format) == ("cp1252", "tcvn3", "csv")
    assert table.headers == ["Mã", "Nội dung", "Đơn vị chủ trì", "Ghi chú"]
    assert table.converted_cells == 4  # the header cells so far
    assert rows(table) == [
        (2, ["NV1", "Triển khai Nghị quyết số 27-NQ/TW", "Bộ Tư pháp", "Hà Nội"]),
        (3, ["NV2", "Tổng kết", "Đảng ủy", "Mường Khương"]),
        # the whole file is TCVN3, so short ambiguous cells are converted too
        (4, ["NV3", "Bộ", "Cục", "2026"]),
    ]
    assert table.converted_cells == 4 + 3 + 3 + 2


def test_explicit_legacy_encoding(tmp_path: Path) -> None:
    path = tmp_path / "vni.csv"
    path.write_bytes("Maõ;Noäi dung\r\nNV1;Haø Noäi\r\n".encode("cp1252"))
    table = read_table(path, encoding="vni")
    assert (table.encoding, table.legacy) == ("cp1252", "vni")
    assert table.headers == ["Mã", "Nội dung"]
    assert rows(table) == [(2, ["NV1", "Hà Nội"])]
    assert table.converted_cells == 3


def test_csv_mixing_tcvn3_and_unicode_cells(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "Mã,Nội dung,Đơn vị chủ trì,Ghi chú\n"
        "NV1,NghÞ quyÕt sè 07-NQ/§UK,§¶ng ñy Khèi,José Müller\n"
        "NV2,Kết luận số 82-KL/TW,Bộ Tư pháp,Cà Mau\n"
        "NV3,Haø Noäi,Tây Ninh,Bé\n",
        encoding="utf-8",
    )
    table = read_table(path)
    assert (table.encoding, table.legacy) == ("utf-8", None)
    assert rows(table) == [
        (2, ["NV1", "Nghị quyết số 07-NQ/ĐUK", "Đảng ủy Khối", "José Müller"]),
        (3, ["NV2", "Kết luận số 82-KL/TW", "Bộ Tư pháp", "Cà Mau"]),
        (4, ["NV3", "Hà Nội", "Tây Ninh", "Bé"]),
    ]
    assert table.converted_cells == 3


def test_converted_cells_grows_as_rows_are_read() -> None:
    data = "Mã,Nội dung\nNV1,Hµ Néi\nNV2,Bộ Tư pháp\nNV3,ViÖt Nam\n".encode()
    table = read_table(data)
    assert table.converted_cells == 0
    it = iter(table.rows)
    assert next(it) == (2, ["NV1", "Hà Nội"])
    assert table.converted_cells == 1
    assert list(it) == [(3, ["NV2", "Bộ Tư pháp"]), (4, ["NV3", "Việt Nam"])]
    assert table.converted_cells == 2


def test_wrong_explicit_encoding(tmp_path: Path) -> None:
    path = tmp_path / "cp1258.csv"
    path.write_bytes(to_cp1258("Mã,Nội dung\nNV1,Hà Nội\n"))
    with pytest.raises(ReadError) as err:
        read_table(path, encoding="utf-8")
    assert str(err.value) == f"cannot read '{path}': not valid utf-8 text (line 1: invalid continuation byte)"
    with pytest.raises(ReadError, match="unknown encoding 'klingon'"):
        read_table(path, encoding="klingon")


# ---------------------------------------------------------------- CSV shape
def test_quoted_cells_with_delimiters_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_bytes(
        b'Ma,"Noi dung","Ghi chu"\r\n'
        b'NV1,"Bao cao, tong hop\r\nva de xuat","say ""xong"""\r\n'
        b'NV2,"ba\r\ndong\r\nday",x\r\n'
        b"NV3,mot,y\r\n"
    )
    table = read_table(path)
    assert table.delimiter == ","
    assert table.header_line == 1
    assert rows(table) == [
        (2, ["NV1", "Bao cao, tong hop\nva de xuat", 'say "xong"']),
        (4, ["NV2", "ba\ndong\nday", "x"]),
        (7, ["NV3", "mot", "y"]),
    ]


def test_semicolon_file_with_commas_in_text() -> None:
    data = (
        "Mã;Nội dung;Phối hợp\n"
        "1;Báo cáo, tổng hợp;Vụ A, Vụ B, Cục C\n"
        "2;Rà soát;Vụ A\n"
        "3;Kiểm tra, đôn đốc, theo dõi;Vụ B, Vụ C\n"
    ).encode()
    table = read_table(data)
    assert table.delimiter == ";"
    assert rows(table) == [
        (2, ["1", "Báo cáo, tổng hợp", "Vụ A, Vụ B, Cục C"]),
        (3, ["2", "Rà soát", "Vụ A"]),
        (4, ["3", "Kiểm tra, đôn đốc, theo dõi", "Vụ B, Vụ C"]),
    ]


def test_excel_sep_line_and_given_delimiter() -> None:
    table = read_table(b"sep=|\nMa|Ten\nA|B, C\n")
    assert (table.delimiter, table.header_line) == ("|", 2)
    assert rows(table) == [(3, ["A", "B, C"])]
    table = read_table(b"Ma;Ten,x\nA;B,C\n", delimiter=";")
    assert table.headers == ["Ma", "Ten,x"]
    assert rows(table) == [(2, ["A", "B,C"])]


def test_rows_padded_and_truncated_and_blank_rows_skipped() -> None:
    data = b"Ma,Ten,Han\n  A1  ,x\n,,\n\nA2,y,z,extra,more\n"
    table = read_table(data)
    assert table.headers == ["Ma", "Ten", "Han"]
    assert rows(table) == [(2, ["A1", "x", ""]), (5, ["A2", "y", "z"])]


def test_header_without_predicate_skips_two_cell_title_line() -> None:
    data = (
        "BỘ TƯ PHÁP;;;;CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM;\n"
        ";;;;;\n"
        "STT;Mã;Nội dung;Chủ trì;Thời hạn;Ghi chú\n"
        "1;NV1;Báo cáo;Vụ A;;\n"
    ).encode()
    table = read_table(data)
    assert table.header_line == 3
    assert table.headers == ["STT", "Mã", "Nội dung", "Chủ trì", "Thời hạn", "Ghi chú"]
    assert rows(table) == [(4, ["1", "NV1", "Báo cáo", "Vụ A", "", ""])]


def test_header_predicate_passes_over_other_wide_rows() -> None:
    data = (
        "Kèm theo Quyết định số 1234/QĐ-BTP,ngày 01/02/2026,của Bộ trưởng\n"
        "Mã,Nội dung,Thời hạn\n"
        "NV1,Báo cáo,\n"
    ).encode()
    assert read_table(data).header_line == 1
    table = read_table(data, expected_headers=is_header)
    assert table.header_line == 2
    assert rows(table) == [(3, ["NV1", "Báo cáo", ""])]


def test_headers_are_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Thời hạn")
    data = f'" Mã ","Nội  dung\nnhiệm vụ",{decomposed},\n1,"a  \n  b",3,4\n'.encode()
    table = read_table(data)
    assert table.headers == ["Mã", "Nội dung nhiệm vụ", "Thời hạn", ""]
    assert table.header_line == 1
    assert rows(table) == [(3, ["1", "a\nb", "3", "4"])]


# ---------------------------------------------------------------- errors
def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ReadError) as err:
        read_table(path)
    assert str(err.value) == f"cannot read '{path}': the file is empty"
    with pytest.raises(ReadError) as err:
        read_table(b"")
    assert str(err.value) == "cannot read '<stdin>': the file is empty"
    with pytest.raises(ReadError) as err:
        read_table(b"\r\n  \r\n", name="blank.csv")
    assert str(err.value) == "cannot read 'blank.csv': the file has no data"


def test_no_header_row() -> None:
    with pytest.raises(ReadError) as err:
        read_table(b"just one column\nanother line\n", name="x.csv")
    assert str(err.value) == "cannot read 'x.csv': no header row found in the first 30 rows"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as err:
        read_table(tmp_path / "nope.csv")
    assert str(err.value) == f"cannot read '{tmp_path / 'nope.csv'}': no such file"


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    with pytest.raises(ReadError, match=r"^cannot read '.*x\.xlsx': not an Excel file"):
        read_table(path)
    with pytest.raises(ReadError, match=r"^cannot read '<stdin>': not an Excel file"):
        read_table(b"PK\x03\x04 broken")


def test_text_file_named_xls_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("Mã\tNội dung\nNV1\tBáo cáo\n", encoding="utf-8")
    table = read_table(path)
    assert (table.source_format, table.delimiter) == ("tsv", "\t")
    assert rows(table) == [(2, ["NV1", "Báo cáo"])]


# ---------------------------------------------------------------- XLSX
def make_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws["A1"] = "PHỤ LỤC"
    ws.merge_cells("A1:F1")
    # row 2 left blank
    table: list[list[object]] = [
        ["Mã", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Số lượng", "Ghi chú"],
        ["NV-01", "Báo cáo sơ kết", "Vụ Pháp chế", dt.datetime(2026, 9, 15), 12, 1.5],
        [None, None, None, None, None, None],
        ["NV-02", "Nghị quyết  27", "§¶ng ñy", dt.datetime(2026, 12, 31), 3.0, None],
        ["NV-03", "Họp", "Vụ A", dt.datetime(2026, 1, 2, 14, 30), None, True],
    ]
    for row, values in enumerate(table, start=3):
        for column, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(row=row, column=column, value=value)
    for row in range(4, 9):
        ws.cell(row=row, column=4).number_format = "dd/mm/yyyy"
    other = wb.create_sheet("Nhiệm vụ 2026")
    other["B3"] = "Mã"
    other["C3"] = "Thời hạn"
    other["B4"] = "X-1"
    other["C4"] = "Quý II/2026"
    wb.save(path)


def test_xlsx_title_rows_dates_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "nv.xlsx"
    make_workbook(path)
    table = read_table(path, expected_headers=is_header)
    assert (table.source_format, table.encoding, table.delimiter, table.sheet) == (
        "xlsx", None, None, "Phụ lục",
    )
    assert table.header_line == 3
    assert table.headers == ["Mã", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Số lượng", "Ghi chú"]
    got = rows(table)
    assert got == [
        (4, ["NV-01", "Báo cáo sơ kết", "Vụ Pháp chế", dt.date(2026, 9, 15), 12, 1.5]),
        (6, ["NV-02", "Nghị quyết 27", "Đảng ủy", dt.date(2026, 12, 31), 3, ""]),
        (7, ["NV-03", "Họp", "Vụ A", dt.datetime(2026, 1, 2, 14, 30), "", True]),
    ]
    assert type(got[0][1][3]) is dt.date
    assert type(got[0][1][4]) is int
    assert type(got[1][1][4]) is int
    assert table.converted_cells == 1


def test_xlsx_without_predicate_skips_merged_caption(tmp_path: Path) -> None:
    path = tmp_path / "nv.xlsx"
    make_workbook(path)
    table = read_table(path)
    assert table.header_line == 3


def test_xlsx_sheet_by_name(tmp_path: Path) -> None:
    path = tmp_path / "nv.xlsx"
    make_workbook(path)
    table = read_table(path, sheet="nhiem vu 2026")
    assert table.sheet == "Nhiệm vụ 2026"
    assert (table.header_line, table.headers) == (3, ["", "Mã", "Thời hạn"])
    assert rows(table) == [(4, ["", "X-1", "Quý II/2026"])]


def test_xlsx_unknown_sheet(tmp_path: Path) -> None:
    path = tmp_path / "nv.xlsx"
    make_workbook(path)
    with pytest.raises(ReadError) as err:
        read_table(path, sheet="Khác")
    assert str(err.value) == f"cannot read '{path}': sheet 'Khác' not found; sheets: Phụ lục, Nhiệm vụ 2026"


def test_xlsx_from_bytes(tmp_path: Path) -> None:
    path = tmp_path / "nv.xlsx"
    make_workbook(path)
    table = read_table(path.read_bytes(), expected_headers=is_header)
    assert (table.source_format, table.header_line, table.sheet) == ("xlsx", 3, "Phụ lục")
    assert [line for line, _ in table.rows] == [4, 6, 7]


def test_xlsx_tcvn3_sheet_leans_to_tcvn3(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["M·", "Néi dung", "§¬n vÞ chñ tr×"])
    ws.append(["1", "TriÓn khai NghÞ quyÕt", "Bé"])
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue())
    assert table.headers == ["Mã", "Nội dung", "Đơn vị chủ trì"]
    # "Bé" alone could be Unicode; the sheet is TCVN3 throughout, so it is "Bộ"
    assert rows(table) == [(2, ["1", "Triển khai Nghị quyết", "Bộ"])]
    assert table.converted_cells == 5


def test_bytes_csv_input() -> None:
    table = read_table("Mã,Nội dung\nNV1,Báo cáo\n".encode())
    assert (table.source_format, table.encoding) == ("csv", "utf-8")
    assert rows(table) == [(2, ["NV1", "Báo cáo"])]


# ---------------------------------------------------------------- translatable errors
def test_read_error_carries_message_id_and_arguments(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as err:
        read_table(tmp_path / "nope.csv")
    assert err.value.message == "cannot read {name!r}: no such file"
    assert err.value.args_ == {"name": str(tmp_path / "nope.csv")}
    assert str(err.value) == err.value.message.format(**err.value.args_)


def test_read_error_without_arguments_is_shown_as_written() -> None:
    error = ReadError("no column for 'Mã {x}'")  # the importer's own messages, braces and all
    assert (str(error), error.message, error.args_) == ("no column for 'Mã {x}'", "no column for 'Mã {x}'", {})


# ---------------------------------------------------------------- text is never misread
def utf8_register(rows: int = 400) -> bytes:
    lines = ["Mã;Nội dung nhiệm vụ;Đơn vị chủ trì"]
    lines += [f"NV{i};Triển khai Nghị quyết số {i}-NQ/TW;Sở Tư pháp" for i in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_utf8_file_with_one_bad_byte_is_not_read_as_cp1258(tmp_path: Path) -> None:
    data = utf8_register()
    at = data.index("NV299;Triển".encode()) + len("NV299;Tri")  # row 300 is line 300 (line 1 is the header)
    broken = data[:at] + b"\xe9" + data[at:]
    path = tmp_path / "nv.csv"
    path.write_bytes(broken)
    with pytest.raises(ReadError) as err:
        read_table(path)
    assert err.value.args_ == {"name": str(path), "byte": "0xe9", "line": 300, "offset": at, "encoding": "UTF-8"}
    assert str(err.value) == (
        f"cannot read '{path}': the byte 0xe9 at line 300 (byte offset {at}) is not valid UTF-8; "
        "if the file is in another encoding, name it with --encoding (e.g. --encoding cp1258)"
    )
    with pytest.raises(ReadError, match="byte 0xe9 at line 300"):
        read_table(broken)


def test_utf8_with_bom_and_a_bad_byte_is_refused_too() -> None:
    data = codecs.BOM_UTF8 + utf8_register(5) + b"NV9;Vi\xff\xfet;x\n"
    with pytest.raises(ReadError) as err:
        read_table(data)
    assert (err.value.args_["line"], err.value.args_["byte"], err.value.args_["encoding"]) == (7, "0xff", "UTF-8")


def test_utf16_with_a_lone_surrogate_is_refused() -> None:
    data = "Mã\tNội dung\nNV1\tBáo cáo\n".encode("utf-16") + b"\x00\xd8" + "x\n".encode("utf-16-le")
    with pytest.raises(ReadError) as err:
        read_table(data)
    assert (err.value.args_["line"], err.value.args_["encoding"]) == (3, "UTF-16")


def test_bytes_that_are_neither_utf8_nor_vietnamese_are_not_guessed() -> None:
    latin1 = "Name;City\nJosé Müller;Köln\nFrançois;Zürich\n".encode("latin-1")
    with pytest.raises(ReadError) as err:
        read_table(latin1, name="x.csv")
    assert err.value.message.startswith("cannot read {name!r}: the encoding could not be recognised")
    assert err.value.args_ == {"name": "x.csv", "byte": "0xe9", "line": 2, "offset": 13}
    assert "--encoding" in str(err.value)
    # named, it reads
    table = read_table(latin1, encoding="latin-1")
    assert rows(table) == [(2, ["José Müller", "Köln"]), (3, ["François", "Zürich"])]


def test_legacy_reading_needs_vietnamese() -> None:
    # cp1258 bytes of Vietnamese read as cp1258; the same shape with random high bytes does not
    good = to_cp1258("Mã;Nội dung\nNV1;Tổng kết việc thi hành Luật\n")
    assert read_table(good).encoding == "cp1258"
    noise = b"Ma;Noi dung\nNV1;\x8f\x9d\xfe\xa4 \xbf\xd7\xf7\xaa\n"
    with pytest.raises(ReadError, match="could not be recognised"):
        read_table(noise)


@pytest.mark.parametrize("value", ["rot13", "hex", "base64", "zlib", "idna", "undefined", "klingon"])
def test_unknown_or_non_text_encoding_is_a_read_error(value: str) -> None:
    with pytest.raises(ReadError) as err:
        read_table(b"Ma,Ten\nA,B\n", encoding=value, name="x.csv")
    assert err.value.args_["value"] == value
    assert "auto, utf-8, utf-16, cp1258, tcvn3, vni, cp1252, latin-1" in str(err.value)


# ---------------------------------------------------------------- broken quotes, huge cells
def test_unterminated_quote_does_not_swallow_the_rows_below() -> None:
    data = (
        "Mã,Nội dung,Chủ trì\n"
        "NV1,Báo cáo,Vụ A\n"
        'NV2,"Rà soát văn bản,Vụ B\n'
        "NV3,Kiểm tra,Vụ C\n"
        "NV4,Tổng kết,Vụ D\n"
    ).encode()
    with pytest.raises(ReadError) as err:
        list(read_table(data, name="nv.csv").rows)
    assert err.value.args_ == {"name": "nv.csv", "line": 3}
    assert str(err.value) == (
        "cannot read 'nv.csv': the quote that opens on line 3 is never closed: it runs to the end of the file; "
        'close it, or double it ("") if it is part of the text'
    )


def test_unterminated_quote_far_down_stops_while_rows_are_read() -> None:
    data = "Mã,Nội dung\n" + "".join(f"NV{i},Việc {i}\n" for i in range(1, 100)) + 'NV100,"Việc\nNV101,x\n'
    table = read_table(data.encode())
    it = iter(table.rows)
    assert [next(it) for _ in range(99)][-1] == (100, ["NV99", "Việc 99"])
    with pytest.raises(ReadError) as err:
        next(it)
    assert err.value.args_["line"] == 101


def test_unterminated_quote_on_the_last_line_without_line_break() -> None:
    with pytest.raises(ReadError, match="opens on line 3 is never closed"):
        list(read_table(b'Ma,Ten\nA,B\nC,"D').rows)


def test_quote_that_swallows_rows_then_closes_mid_cell() -> None:
    # a stray quote on line 3 is "closed" by the quote of line 5: lines 4 and 5 would vanish
    data = (
        "Mã,Nội dung,Chủ trì\n"
        "NV1,Báo cáo,Vụ A\n"
        'NV2,"Rà soát văn bản,Vụ B\n'
        "NV3,Kiểm tra,Vụ C\n"
        'NV4,"Kế hoạch" số 5,Vụ D\n'
        "NV5,Tổng kết,Vụ E\n"
    ).encode()
    with pytest.raises(ReadError) as err:
        list(read_table(data, name="nv.csv").rows)
    assert err.value.args_ == {"name": "nv.csv", "line": 3, "end": 5}
    assert "check the quotes from line 3 to line 5" in str(err.value)


def test_sloppy_quotes_on_one_line_are_still_read() -> None:
    data = 'Ma,Ten,Ghi chu\nA,"Nghị quyết 27" về việc,x\nB,say "xong",y\n'.encode()
    assert rows(read_table(data)) == [(2, ["A", "Nghị quyết 27 về việc", "x"]), (3, ["B", 'say "xong"', "y"])]


def test_cell_over_excels_limit_in_text(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("Mã,Nội dung\nNV1,ngắn\nNV2," + "x" * 32_768 + "\n", encoding="utf-8")
    with pytest.raises(ReadError) as err:
        list(read_table(path).rows)
    assert err.value.args_ == {"name": str(path), "line": 3, "column": 2, "length": 32_768, "limit": 32_767}
    assert str(err.value).endswith("line 3, column 2: the cell holds 32768 characters; "
                                   "a cell may hold at most 32767 (Excel's own limit)")
    path.write_text("Mã,Nội dung\nNV1," + "x" * 32_767 + "\n", encoding="utf-8")
    assert rows(read_table(path)) == [(2, ["NV1", "x" * 32_767])]


def test_eight_million_character_cell_is_refused_not_imported() -> None:
    data = b'Ma,Ten\nA,"' + b"y" * 8_000_000 + b'"\n'
    with pytest.raises(ReadError) as err:
        list(read_table(data, name="big.csv").rows)
    assert err.value.args_["line"] == 2


def test_row_longer_than_the_bound_is_refused() -> None:
    data = b"Ma,Ten\nA," + b"," * (reader.MAX_ROW_CHARS + 10) + b"\n"
    with pytest.raises(ReadError) as err:
        list(read_table(data, name="wide.csv").rows)
    assert err.value.args_ == {"name": "wide.csv", "line": 2, "limit": reader.MAX_ROW_CHARS}


def test_more_columns_than_excel_allows() -> None:
    data = b"Ma,Ten\n" + b"x," * 16_384 + b"x\n"
    with pytest.raises(ReadError) as err:
        list(read_table(data, name="w.csv").rows)
    assert err.value.args_ == {"name": "w.csv", "line": 2, "count": 16_385, "limit": 16_384}


def test_nul_in_a_text_file() -> None:
    with pytest.raises(ReadError) as err:
        read_table(b"Ma,Ten\nA,B\x00C\n", name="n.csv")
    assert err.value.args_ == {"name": "n.csv", "line": 2}
    late = b"Ma,Ten\n" + b"A,B\n" * 100_000 + b"C,\x00\n"  # past the sample
    with pytest.raises(ReadError) as err:
        list(read_table(late, name="n.csv").rows)
    assert err.value.args_ == {"name": "n.csv", "line": 100_002}


@pytest.mark.parametrize("separator", ['"', "\n", "\r"])
def test_separator_that_cannot_be(separator: str) -> None:
    with pytest.raises(ReadError) as err:
        read_table(b"Ma,Ten\nA,B\n", delimiter=separator, name="x.csv")
    assert err.value.args_ == {"name": "x.csv", "value": separator}


# ---------------------------------------------------------------- special files, standard input
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    with pytest.raises(ReadError) as err:
        read_table(fifo)
    assert err.value.message == (
        "cannot read {name!r}: it is not a regular file (a device, a pipe or a socket); save the table to a file"
    )
    assert err.value.args_ == {"name": str(fifo)}


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_character_device_is_refused() -> None:
    with pytest.raises(ReadError, match="is not a regular file"):
        read_table("/dev/zero")
    with pytest.raises(ReadError, match="is not a regular file"):
        read_table(Path("/dev/zero"), name="zero.xlsx")


def test_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "bang.xlsx"
    folder.mkdir()
    with pytest.raises(ReadError) as err:
        read_table(folder)
    assert str(err.value) == f"cannot read '{folder}': it is a folder, not a file"


def test_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("needs /dev/zero")
    link = tmp_path / "nv.csv"
    link.symlink_to("/dev/zero")
    with pytest.raises(ReadError, match="is not a regular file"):
        read_table(link)


def test_read_stdin_returns_the_bytes_within_the_bound() -> None:
    assert reader.read_stdin(io.BytesIO(b"Ma,Ten\nA,B\n")) == b"Ma,Ten\nA,B\n"
    assert reader.read_stdin(io.BytesIO(b"x" * 10), limit=10) == b"x" * 10
    assert reader.STDIN_LIMIT == 256 * 1024 * 1024


def test_read_stdin_refuses_more_than_the_bound() -> None:
    with pytest.raises(ReadError) as err:
        reader.read_stdin(io.BytesIO(b"x" * 11), limit=10)
    assert err.value.args_ == {"name": "<stdin>", "limit": 10}
    assert str(err.value) == (
        "cannot read '<stdin>': standard input holds more than 10 bytes; save it to a file and import the file"
    )


def test_read_stdin_reads_a_pipe_in_pieces() -> None:
    class Trickle(io.RawIOBase):  # a pipe gives a few bytes at a time
        def __init__(self, data: bytes) -> None:
            self.data = data

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            piece, self.data = self.data[:3], self.data[3:]
            buffer[: len(piece)] = piece
            return len(piece)

    assert reader.read_stdin(Trickle(b"Ma,Ten\nA,B\n")) == b"Ma,Ten\nA,B\n"  # type: ignore[arg-type]
    with pytest.raises(ReadError):
        reader.read_stdin(Trickle(b"x" * 100), limit=50)  # type: ignore[arg-type]
