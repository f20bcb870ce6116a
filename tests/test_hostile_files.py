"""Files made to hurt the reader: it returns a table or raises ReadError, nothing else,
and never takes the machine down with it (issue 13, "Trust")."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqtrack.importing import reader
from nqtrack.importing.reader import ReadError, read_table

# ---------------------------------------------------------------- workbooks written by hand
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def sheet_data(cells: Iterable[tuple[str, str]]) -> str:
    """Inline-string cells by reference, in rows."""
    rows: dict[int, list[str]] = {}
    for ref, text in cells:
        row = int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        rows.setdefault(row, []).append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>')
    return "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))


def worksheet(data: str, dimension: str | None = None) -> str:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">{head}<sheetData>{data}</sheetData></worksheet>'


def workbook(sheets: Mapping[str, str | bytes], shared: list[str] | None = None) -> bytes:
    """An XLSX package: sheet name → worksheet XML, and shared strings if any."""
    entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared is not None:
        rels += f'<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        book = f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{entries}</sheets></workbook>'
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PACKAGE_RELS}">{rels}</Relationships>')
        for i, xml in enumerate(sheets.values(), start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared is not None:
            items = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
            zf.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="{len(shared)}">{items}</sst>')
    return out.getvalue()


HEADER = [("A1", "Mã"), ("B1", "Nội dung"), ("A2", "NV1"), ("B2", "Báo cáo quý")]


def read_or_refuse(source: bytes | Path, **options: object) -> list[tuple[int, list[object]]] | ReadError:
    """Every row of the table, or the ReadError that stopped the reading; any other
    exception fails the test."""
    try:
        table = read_table(source, **options)  # type: ignore[arg-type]
        return list(table.rows)
    except ReadError as error:
        assert str(error) == (error.message.format(**error.args_) if error.args_ else error.message)
        return error


def in_small_memory(path: Path, limit: int = 1 << 30) -> subprocess.CompletedProcess[str]:
    """Read `path` in a child process that may not use more than `limit` bytes of memory.

    calamine aborts the whole process when an allocation fails; in a child, that shows as
    a signal instead of taking pytest down with it.
    """
    script = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
        from nqtrack.importing.reader import ReadError, read_table
        try:
            table = read_table({str(path)!r})
            print("rows", sum(1 for _ in table.rows))
        except ReadError as error:
            print("ReadError", error.message)
        """
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


# ---------------------------------------------------------------- XLSX bounds
def test_cell_at_xfd1048576_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    path.write_bytes(workbook({"S1": worksheet(sheet_data([*HEADER, ("XFD1048576", "boom")]))}))
    assert path.stat().st_size < 5_000
    with pytest.raises(ReadError) as err:
        read_table(path)
    assert err.value.args_ == {
        "name": str(path), "sheet": "S1", "rows": 1_048_576, "column": "XFD",
        "cells": 1_048_576 * 16_384, "limit": reader.MAX_SHEET_CELLS,
    }
    assert "too large to read: its cells run to row 1048576 and column XFD" in str(err.value)
    child = in_small_memory(path)
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("ReadError cannot read {name!r}: sheet {sheet!r} is too large")


def test_blank_cell_far_away_is_left_out_in_bounded_memory(tmp_path: Path) -> None:
    # an empty string at GR1048576: calamine would build 200 x 1,048,576 cells (56 s, 8 GB)
    path = tmp_path / "gr.xlsx"
    path.write_bytes(workbook({"S1": worksheet(sheet_data([*HEADER, ("GR1048576", "")]))}))
    table = read_table(path)
    assert table.headers == ["Mã", "Nội dung"]
    assert list(table.rows) == [(2, ["NV1", "Báo cáo quý"])]
    child = in_small_memory(path)
    assert (child.returncode, child.stdout) == (0, "rows 1\n"), child.stderr


@pytest.mark.parametrize(
    "far",
    [
        '<c r="XFD1" t="inlineStr"><is><t>   </t></is></c>',  # spaces, on the header row
        '<c r="XFD1" t="str"><v></v></c>',
        '<c r="XFD1" t="s"><v>0</v></c>',  # the shared string "" below
        '<c r="XFD1" t="e"><v></v></c>',
    ],
)
def test_blank_cells_of_every_kind_are_left_out(far: str) -> None:
    rows = sheet_data(HEADER).replace("</row>", far + "</row>", 1)
    sheets = {"S1": worksheet(rows + '<row r="1048576"><c r="C1048576" t="s"><v>0</v></c></row>')}
    table = read_table(workbook(sheets, shared=[""]))
    assert (table.headers, list(table.rows)) == (["Mã", "Nội dung"], [(2, ["NV1", "Báo cáo quý"])])


def test_trimmed_sheet_keeps_numbers_dates_other_sheets_and_prefixes() -> None:
    data = (
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Mã</x:t></x:is></x:c>'
        '<x:c r="B1" t="inlineStr"><x:is><x:t>Số lượng</x:t></x:is></x:c><x:c r="XFD1" t="s"><x:v>0</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="B2"><x:v>12.5</x:v></x:c></x:row>'
        '<x:row r="3"><x:c t="inlineStr"><x:is><x:t>NV2</x:t></x:is></x:c><x:c><x:v>3</x:v></x:c></x:row>'
    )
    data += '<x:row r="1048576"><x:c r="A1048576" t="inlineStr"><x:is><x:t> </x:t></x:is></x:c></x:row>'
    sheet = f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>{data}</x:sheetData></x:worksheet>'
    book = workbook({"Khác": worksheet(sheet_data(HEADER)), "Nhiệm vụ": sheet}, shared=[" ", "NV1"])
    table = read_table(book, sheet="Nhiệm vụ")
    assert table.sheet == "Nhiệm vụ"
    assert list(table.rows) == [(2, ["NV1", 12.5]), (3, ["NV2", 3])]


def test_dimension_that_lies_changes_nothing() -> None:
    book = workbook({"S1": worksheet(sheet_data(HEADER), dimension="A1:XFD1048576")})
    assert list(read_table(book).rows) == [(2, ["NV1", "Báo cáo quý"])]


def test_real_cells_far_apart_in_a_dense_enough_sheet_are_read() -> None:
    # 1,000 rows x 30 columns is far below the bound: read as it is
    cells = [*HEADER, ("AD1000", "cuối")]
    table = read_table(workbook({"S1": worksheet(sheet_data(cells))}))
    got = list(table.rows)
    assert table.headers == ["Mã", "Nội dung"] + [""] * 28
    assert got[0] == (2, ["NV1", "Báo cáo quý"] + [""] * 28)
    assert got[-1] == (1000, [""] * 29 + ["cuối"])


def test_eight_million_character_inline_cell(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    path.write_bytes(workbook({"S1": worksheet(sheet_data([*HEADER, ("B3", "x" * 8_000_000)]))}))
    assert path.stat().st_size < 100_000
    with pytest.raises(ReadError) as err:
        read_table(path)
    assert err.value.args_ == {
        "name": str(path), "line": 3, "column": "B", "length": 8_000_000, "limit": reader.MAX_CELL_CHARS,
    }


def test_long_shared_string_names_the_cell_that_uses_it() -> None:
    data = sheet_data(HEADER) + '<row r="7"><c r="C7" t="s"><v>1</v></c></row>'
    book = workbook({"S1": worksheet(data)}, shared=["ngắn", "y" * 40_000])
    with pytest.raises(ReadError) as err:
        read_table(book, name="nv.xlsx")
    assert err.value.args_ == {"name": "nv.xlsx", "line": 7, "column": "C", "length": 40_000, "limit": 32_767}


def test_long_shared_string_no_cell_uses_is_harmless() -> None:
    book = workbook({"S1": worksheet(sheet_data(HEADER))}, shared=["y" * 40_000])
    assert list(read_table(book).rows) == [(2, ["NV1", "Báo cáo quý"])]


def test_long_cell_is_named_when_the_sheet_is_measured_exactly() -> None:
    # a far blank cell makes the exact scan run; it meets the long shared string on the way
    data = sheet_data(HEADER) + '<row r="7"><c r="C7" t="s"><v>1</v></c><c r="XFD7" t="s"><v>0</v></c></row>'
    data += '<row r="1048576"><c r="A1048576" t="s"><v>0</v></c></row>'
    with pytest.raises(ReadError) as err:
        read_table(workbook({"S1": worksheet(data)}, shared=["", "y" * 40_000]), name="nv.xlsx")
    assert err.value.args_ == {"name": "nv.xlsx", "line": 7, "column": "C", "length": 40_000, "limit": 32_767}


@pytest.mark.parametrize("exact_scan", [False, True])
def test_cell_at_the_limit_is_read_and_escapes_count_as_one_character(exact_scan: bool) -> None:
    escaped = "_x0041_" * 32_767  # 229,369 characters in the file, 32,767 in the cell
    data = sheet_data([*HEADER, ("A3", "NV2"), ("B3", "z" * 32_767), ("A4", "NV3"), ("B4", escaped)])
    if exact_scan:  # a cell written another way makes the exact scan measure the sheet
        data = data.replace('<c r="A3" t="inlineStr">', '<c t="inlineStr" r="A3">')
    got = list(read_table(workbook({"S1": worksheet(data)})).rows)
    assert got[1:] == [(3, ["NV2", "z" * 32_767]), (4, ["NV3", "A" * 32_767])]
    longer = data.replace(escaped, escaped + "_x0041_")
    with pytest.raises(ReadError) as err:
        read_table(workbook({"S1": worksheet(longer)}), name="l.xlsx")
    assert err.value.args_ == {"name": "l.xlsx", "line": 4, "column": "B", "length": 32_768, "limit": 32_767}


def test_openpyxl_workbook_with_a_far_empty_styled_cell(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã", "Nội dung"])
    ws.append(["NV1", "Báo cáo"])
    ws["XFD1048576"].number_format = "0.00"  # formatted, no value: calamine skips it
    ws["GR1048575"] = ""  # openpyxl writes no cell for ""
    path = tmp_path / "styled.xlsx"
    wb.save(path)
    assert list(read_table(path).rows) == [(2, ["NV1", "Báo cáo"])]


@pytest.mark.parametrize(
    ("sheet", "reason"),
    [
        # "t" before "r": not the usual way, so the exact scan reads the sheet
        (worksheet('<row r="1"><c t="inlineStr" r="A0"><is><t>x</t></is></c></row>'), "bad cell reference 'A0'"),
        (worksheet('<row r="1"><c t="n" r="1A"><v>1</v></c></row>'), "bad cell reference '1A'"),
        (worksheet('<row r="x"><c t="n"><v>1</v></c></row>'), "bad cell reference 'x'"),
        ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet><c/></worksheet>',
         "a document type declaration"),
        (worksheet('<row r="1"><c t="n" r="A1"><v>1</v>'), "mismatched tag"),
        (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c t="n" r="A1"/>', "no element found"),
    ],
)
def test_damaged_sheet_xml_found_by_the_exact_scan(sheet: str, reason: str) -> None:
    with pytest.raises(ReadError) as err:
        read_table(workbook({"S1": sheet}), name="d.xlsx")
    assert err.value.message == "cannot read {name!r}: the workbook is damaged ({reason})"
    assert str(err.value.args_["reason"]).startswith(reason)


@pytest.mark.parametrize(
    "sheet",
    [
        worksheet('<row r="1"><c r="A0" t="inlineStr"><is><t>x</t></is></c></row>'),
        worksheet('<row r="1"><c r="A1"><v>1</v>'),
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">',
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet/>',
    ],
)
def test_damaged_sheet_xml_found_by_calamine(sheet: str) -> None:
    with pytest.raises(ReadError) as err:
        read_table(workbook({"S1": sheet}), name="d.xlsx")
    assert err.value.message in {
        "cannot read {name!r}: sheet {sheet!r} is damaged ({reason})",
        "cannot read {name!r}: the file has no data",
    }


def test_two_parts_with_one_name() -> None:
    book = io.BytesIO(workbook({"S1": worksheet(sheet_data(HEADER))}))
    with zipfile.ZipFile(book, "a") as zf:
        zf.writestr("XL/Worksheets/Sheet1.xml", worksheet(sheet_data([("XFD1048576", "x")])))
    with pytest.raises(ReadError, match=r"not an Excel file \(two parts are named"):
        read_table(book.getvalue())


def test_part_that_unpacks_past_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_MAX_PART_BYTES", 1_000)
    book = workbook({"S1": worksheet(sheet_data([*HEADER, ("A3", "x" * 2_000)]))})
    with pytest.raises(ReadError) as err:
        read_table(book, name="b.xlsx")
    assert err.value.args_["part"] == "xl/worksheets/sheet1.xml"
    assert err.value.args_["limit"] == 1_000


def test_quick_measure_is_not_fooled_by_where_the_chunks_end() -> None:
    xml = worksheet(sheet_data([*HEADER, ("XFD1048576", "boom")])).encode()
    far = xml.index(b'<c r="XFD')
    for cut in range(far - 3, far + 20):
        for size in (1, 7, cut or 1):
            pieces = [xml[:cut], *(xml[i : i + size] for i in range(cut, len(xml), size))]
            assert not reader._fits_as_it_is(pieces), (cut, size)
    assert reader._fits_as_it_is([xml.replace(b"XFD1048576", b"C3")])


def test_sheet_xml_in_utf16_is_measured_too() -> None:
    xml = worksheet(sheet_data([*HEADER, ("XFD1048576", "x")]))
    xml = xml.replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    with pytest.raises(ReadError) as err:
        read_table(workbook({"S1": xml.encode("utf-16")}))
    assert (err.value.args_["rows"], err.value.args_["column"]) == (1_048_576, "XFD")
    assert not reader._fits_as_it_is([xml.encode("utf-16")])


def test_cells_without_references_are_placed_as_calamine_places_them() -> None:
    data = (
        '<row><c t="inlineStr"><is><t>Mã</t></is></c><c t="inlineStr"><is><t>Nội dung</t></is></c></row>'
        '<row><c t="inlineStr"><is><t>NV1</t></is></c><c t="inlineStr"><is><t>Một</t></is></c></row>'
        '<row r="5"><c t="inlineStr"><is><t>NV5</t></is></c><c r="D5" t="s"><v>0</v></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="s"><v>0</v></c></row>'
    )
    table = read_table(workbook({"S1": worksheet(data)}, shared=[""]))
    assert list(table.rows) == [(2, ["NV1", "Một"]), (5, ["NV5", ""])]


def test_trimmed_copy_keeps_styles_dates_and_shared_strings(tmp_path: Path) -> None:
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws.append(["Mã", "Nội dung", "Thời hạn"])
    ws.append(["NV1", "Báo cáo", dt.datetime(2026, 9, 15)])
    ws["C2"].number_format = "dd/mm/yyyy"
    wb.create_sheet("Khác")["A1"] = "x"
    plain = io.BytesIO()
    wb.save(plain)
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t></t></is></c></row></sheetData>'
    hostile = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", far)
            dst.writestr(info, content)
    expected = [(2, ["NV1", "Báo cáo", dt.date(2026, 9, 15)])]
    assert list(read_table(plain.getvalue()).rows) == expected
    table = read_table(hostile.getvalue())
    assert (table.sheet, table.headers, list(table.rows)) == ("Phụ lục", ["Mã", "Nội dung", "Thời hạn"], expected)


# ---------------------------------------------------------------- fuzz
# FUZZ_EXAMPLES=20000 for a longer search than the 200 examples of each run
SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1258", "cp1252", "latin-1"]
# letters of Vietnamese, quotes, separators, line breaks, NUL and other control characters
TEXT = st.text(
    st.sampled_from(list('aăâbđeêioôơuưyAĐÊƯàảãáạễựỹ ,;\t|"\'\r\n\x00\x01\x08\x0b\x0c\x1b\x7f\u00a0\ufeff\u200b')),
    max_size=300,
)


@SETTINGS
@given(st.binary(max_size=3000))
def test_any_bytes_give_a_table_or_a_read_error(data: bytes) -> None:
    read_or_refuse(data)


@SETTINGS
@given(TEXT, st.sampled_from(ENCODINGS), st.sampled_from(["auto", "auto", "utf-8", "cp1258", "tcvn3", "vni", "utf-16"]))
def test_any_text_in_any_encoding_gives_a_table_or_a_read_error(text: str, encoding: str, asked: str) -> None:
    read_or_refuse(text.encode(encoding, errors="ignore"), encoding=asked)


CELL = st.text(st.sampled_from(list('ab c,;"\n\r\x00Đệ')), max_size=12)


@SETTINGS
@given(
    st.lists(st.lists(CELL, min_size=1, max_size=6), min_size=1, max_size=12),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
    st.sampled_from([None, ",", ";", "|", "\t"]),
)
def test_rows_with_broken_quotes_give_a_table_or_a_read_error(
    rows: list[list[str]], separator: str, quote: bool, asked: str | None
) -> None:
    def cell(text: str) -> str:
        return f'"{text}"' if quote and text else text

    data = "\n".join(separator.join(cell(c) for c in row) for row in [["Mã", "Nội dung"], *rows])
    read_or_refuse(data.encode(), delimiter=asked)


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from([b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]))
def test_bytes_that_look_like_excel_give_a_read_error(tail: bytes, magic: bytes) -> None:
    assert isinstance(read_or_refuse(magic + tail), ReadError)


XML_BITS = st.sampled_from([
    "<row>", "</row>", '<row r="3">', "<c>", "</c>", '<c r="A1">', '<c r="XFD1048576" t="s">', '<c t="inlineStr">',
    '<c r="B2"/>', "<v>", "</v>", "<is><t>", "</t></is>", "0", "1", "x", " ", "&amp;", "_x000D_", "<sheetData>",
    "</sheetData>", '<c r="AAAA1">', '<c r="A0">', "<!--", "-->", "<![CDATA[", "]]>", '<x:c r="C3">', "</x:c>",
])


@SETTINGS
@given(st.lists(XML_BITS, max_size=40), st.lists(st.text(max_size=20), max_size=3))
def test_scrambled_sheet_xml_gives_a_table_or_a_read_error(bits: list[str], shared: list[str]) -> None:
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>' + "".join(bits) + "</sheetData></worksheet>"
    read_or_refuse(workbook({"S1": sheet}, shared=shared or None))


@SETTINGS
@given(st.binary(max_size=1500), st.sampled_from([".csv", ".txt", ".xlsx", ".xls", ".xlsb", ".ods", ""]))
def test_any_file_on_disk_gives_a_table_or_a_read_error(data: bytes, suffix: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"nv{suffix}"
        path.write_bytes(data)
        read_or_refuse(path)


# ---------------------------------------------------------------- a corpus of crafted files
def zipped(members: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


def empty_openpyxl_workbook() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


UTF8 = "Mã;Nội dung\n" + "".join(f"NV{i};Triển khai việc {i}\n" for i in range(1, 400))
BAD_AT = UTF8.encode().index(b"NV299;") + 4
# id → (the file, the message id it is refused with, or None when it is read)
CORPUS: dict[str, tuple[bytes, str | None]] = {
    "cell at XFD1048576": (
        workbook({"S1": worksheet(sheet_data([*HEADER, ("XFD1048576", "x")]))}),
        "cannot read {name!r}: sheet {sheet!r} is too large to read: its cells run to row {rows} and column "
        "{column} ({cells} cells from A1, more than {limit}); delete what lies below or to the right of the "
        "table, or copy the table to a new sheet",
    ),
    "blank cell at GR1048576": (workbook({"S1": worksheet(sheet_data([*HEADER, ("GR1048576", "")]))}), None),
    "dimension A1:XFD1048576": (workbook({"S1": worksheet(sheet_data(HEADER), "A1:XFD1048576")}), None),
    "8 million characters in a cell": (
        workbook({"S1": worksheet(sheet_data([*HEADER, ("B3", "x" * 8_000_000)]))}),
        "cannot read {name!r}: line {line}, column {column}: the cell holds {length} characters; "
        "a cell may hold at most {limit} (Excel's own limit)",
    ),
    "40,000 characters in a CSV cell": (
        b"Ma,Ten\nA," + b"x" * 40_000 + b"\n",
        "cannot read {name!r}: line {line}, column {column}: the cell holds {length} characters; "
        "a cell may hold at most {limit} (Excel's own limit)",
    ),
    "bad byte in UTF-8 on row 300": (
        UTF8.encode()[:BAD_AT] + b"\xff" + UTF8.encode()[BAD_AT:],
        "cannot read {name!r}: the byte {byte} at line {line} (byte offset {offset}) is not valid {encoding}; "
        "if the file is in another encoding, name it with --encoding (e.g. --encoding cp1258)",
    ),
    "neither UTF-8 nor Vietnamese": (
        "Name,City\nJosé,Köln\n".encode("latin-1"),
        "cannot read {name!r}: the encoding could not be recognised: the file is not UTF-8 "
        "(byte {byte} at line {line}, byte offset {offset}) and does not read as Vietnamese in cp1258, "
        "TCVN3 or VNI; name its encoding with --encoding (e.g. --encoding cp1258)",
    ),
    "quote open to the end": (
        b'Ma,Ten\nA,"B\nC,D\nE,F\n',
        "cannot read {name!r}: the quote that opens on line {line} is never closed: it runs to the end "
        'of the file; close it, or double it ("") if it is part of the text',
    ),
    "quote swallowing rows": (
        b'Ma,Ten,Chu tri\nA,"B,x\nC,D,y\nE,"F" G,z\nH,I,w\n',
        "cannot read {name!r}: the quoted cell that opens on line {line} runs to line {end} and closes "
        "in the middle of a cell; a quote is probably missing: check the quotes from line {line} to line {end}",
    ),
    "NUL": (
        b"Ma,Ten\nA,B\x00\n",
        "cannot read {name!r}: line {line} holds a NUL character; this looks like a binary file, not a table",
    ),
    "control characters": (b"Ma,Ten\nA\x01,B\x1b[31m\nC\x0c,D\x7f\n", None),
    "zip that is not a workbook": (
        zipped({"hello.txt": "not a workbook"}),
        "cannot read {name!r}: not an Excel file ({reason})",
    ),
    "truncated workbook": (
        workbook({"S1": worksheet(sheet_data(HEADER))})[:700],
        "cannot read {name!r}: not an Excel file ({reason})",
    ),
    "empty workbook": (empty_openpyxl_workbook(), "cannot read {name!r}: the file has no data"),
    "workbook without sheets": (
        zipped({
            "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
            "xl/workbook.xml": f'<workbook xmlns="{MAIN}"><sheets/></workbook>',
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE_RELS}"/>',
        }),
        "cannot read {name!r}: the workbook has no sheets",
    ),
    "empty file": (b"", "cannot read {name!r}: the file is empty"),
    "only a BOM": (b"\xef\xbb\xbf\r\n", "cannot read {name!r}: the file has no data"),
    "one NUL": (
        b"\x00",
        "cannot read {name!r}: line {line} holds a NUL character; this looks like a binary file, not a table",
    ),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_crafted_file(case: str, tmp_path: Path) -> None:
    data, refused_with = CORPUS[case]
    for source in (data, tmp_path / "file.bin"):
        if isinstance(source, Path):
            source.write_bytes(data)
        outcome = read_or_refuse(source, name="f")
        if refused_with is None:
            assert not isinstance(outcome, ReadError), outcome
            assert outcome, "some rows are read"
        else:
            assert isinstance(outcome, ReadError), outcome
            assert outcome.message == refused_with, str(outcome)


def test_text_file_named_xlsx_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "nv.xlsx"
    path.write_text("Mã\tNội dung\nNV1\tBáo cáo\n", encoding="utf-8")
    assert read_or_refuse(path) == [(2, ["NV1", "Báo cáo"])]


def test_many_blank_cells_over_the_bound_are_cut_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_SHEET_CELLS", 1_000)
    blanks = '<c r="C3" t="s"><v>0</v></c>' * 5_000  # one cell written 5,000 times
    data = sheet_data(HEADER) + f'<row r="3">{blanks}</row>'
    assert read_or_refuse(workbook({"S1": worksheet(data)}, shared=[""])) == [(2, ["NV1", "Báo cáo quý"])]
    many = sheet_data(HEADER) + '<row r="3">' + '<c r="C3" t="s"><v>1</v></c>' * 5_000 + "</row>"
    outcome = read_or_refuse(workbook({"S1": worksheet(many)}, shared=["", "x"]), name="m.xlsx")
    assert isinstance(outcome, ReadError)
    assert outcome.args_ == {
        "name": "m.xlsx", "sheet": "S1", "rows": 3, "column": "C", "cells": 5_004, "limit": 1_000,
    }
